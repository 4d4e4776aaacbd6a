"""The notebook model: loading (nbformat, Jupytext) and IPython syntax → Python."""

from harden.notebook.build import CellSpec, build_notebook, kernelspec
from harden.notebook.ipython import LineMap, PythonSource, to_python
from harden.notebook.load import from_dict, from_node, load, loads
from harden.notebook.model import Cell, Notebook

__all__ = [
    "Cell",
    "CellSpec",
    "LineMap",
    "Notebook",
    "PythonSource",
    "build_notebook",
    "from_dict",
    "from_node",
    "kernelspec",
    "load",
    "loads",
    "to_python",
]
