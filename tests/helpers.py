"""Shared test helpers: building notebooks on disk, guarding input files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat

from harden.notebook.build import CellSpec, build_notebook, kernelspec


def write_notebook(path: Path, *cells: object, name: str = "nb.ipynb") -> Path:
    """A notebook from cells: ``"code"``, ``("md", text)`` or ``(code, ["tag"])``."""
    specs: list[CellSpec] = []
    for cell in cells:
        if isinstance(cell, tuple) and cell[0] == "md":
            specs.append(CellSpec(cell[1], "markdown"))
        elif isinstance(cell, tuple):
            specs.append(CellSpec(cell[0], tags=tuple(cell[1])))
        else:
            specs.append(CellSpec(str(cell)))
    notebook = build_notebook(specs, kernel=kernelspec("python3", "python", "Python 3"))
    target = path / name
    nbformat.write(notebook, target)
    return target


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in ``folder``: compare before and after a test."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }
