"""Shared test helpers: building notebooks on disk, guarding input files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def write_notebook(path: Path, *cells: object, name: str = "nb.ipynb") -> Path:
    """A notebook from cells: ``"code"``, ``("md", text)`` or ``(code, ["tag"])``."""
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                       "display_name": "Python 3"}
    for cell in cells:
        if isinstance(cell, tuple) and cell[0] == "md":
            notebook.cells.append(new_markdown_cell(cell[1]))
        elif isinstance(cell, tuple):
            code = new_code_cell(cell[0])
            code.metadata["tags"] = list(cell[1])
            notebook.cells.append(code)
        else:
            notebook.cells.append(new_code_cell(cell))
    target = path / name
    nbformat.write(notebook, target)
    return target


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in ``folder``: compare before and after a test."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}
