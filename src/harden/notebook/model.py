"""The notebook model: an immutable view of a notebook that every step reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Cell:
    """One cell as stored.

    ``index`` is the 0-based position among all cells (markdown included);
    that is the index findings and results use.  ``outputs`` are the stored
    nbformat output dicts, untouched.
    """

    index: int
    cell_type: str
    source: str
    id: str | None = None
    tags: frozenset[str] = frozenset()
    execution_count: int | None = None
    outputs: tuple[Mapping[str, Any], ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_code(self) -> bool:
        return self.cell_type == "code"

    @property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    def line(self, number: int) -> str | None:
        """The 1-based ``number``-th line of the source, or ``None``."""
        lines = self.lines
        return lines[number - 1] if 1 <= number <= len(lines) else None


@dataclass(frozen=True)
class Notebook:
    """A notebook read from disk (or built in memory), never modified.

    ``node`` is the nbformat v4 ``NotebookNode`` for the steps that need to
    hand the notebook to nbformat-based tools (papermill, the comparer).  A
    notebook read by the fast v4 reader keeps the document as ``raw`` (a plain
    dict, lines joined, as nbformat's reader leaves it) and builds ``node``
    from it on first use: importing nbformat costs more than linting a
    notebook, and lint never needs the node.
    """

    path: Path
    cells: tuple[Cell, ...]
    kernel_name: str | None
    language: str | None
    nbformat: tuple[int, int]
    size_bytes: int = 0
    source_format: str = "ipynb"
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False)
    node: Any = field(default=None, compare=False, repr=False)
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(cell for cell in self.cells if cell.is_code)

    @property
    def is_python(self) -> bool:
        """True unless the kernel or language metadata names another language."""
        if self.language:
            return self.language.lower() in {"python", "python3", "ipython", "ipython3"}
        if self.kernel_name:
            name = self.kernel_name.lower()
            return "python" in name or name in {"py", "py3", "ipykernel"}
        return True

    def tagged(self, tag: str) -> tuple[Cell, ...]:
        return tuple(cell for cell in self.cells if tag in cell.tags)


class _LazyNode:
    """``Notebook.node``: as given, else built from ``Notebook.raw`` on first read."""

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return None
        node = obj.__dict__.get("node")
        raw = obj.__dict__.get("raw")
        if node is None and raw is not None:
            import nbformat

            node = obj.__dict__["node"] = nbformat.from_dict(raw)
        return node

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__["node"] = value


# After the dataclass is made, so the field keeps its options (not compared, not shown).
Notebook.node = _LazyNode()
