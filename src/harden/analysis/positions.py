"""Lazy positions: a cell's node → (line, column), generated only when a location is first read."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

import libcst as cst

from harden.analysis.model import (
    Location,
)
from harden.analysis.walk import code_and_spans

if TYPE_CHECKING:  # annotation only: parse builds Positions, positions never calls parse
    from harden.analysis.parse import ParsedCell

#: Nodes whose code is their ``value`` (when not in parentheses).
_LEAVES = (cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString)


class Positions:
    """Where the nodes of one parsed cell start, worked out on first use.

    libcst's code generator gives positions (:func:`code_and_spans`); most
    cells never need one (only those a finding points into), so each cell's
    code is generated at most once, when the first position is asked for.
    """

    def __init__(self, module: cst.Module | None) -> None:
        self._module = module
        self._text = ""
        self._spans: dict[cst.CSTNode, tuple[int, int]] | None = None
        self._line_starts: list[int] = [0]

    def _resolve(self) -> dict[cst.CSTNode, tuple[int, int]]:
        if self._spans is None:
            self._spans = {}
            if self._module is not None:
                try:
                    self._text, self._spans = code_and_spans(self._module)
                except RecursionError:  # too deep to generate: no positions (line 1)
                    return self._spans
            find = self._text.find
            index = find("\n")
            while index >= 0:
                self._line_starts.append(index + 1)
                index = find("\n", index + 1)
        return self._spans

    def position(self, node: cst.CSTNode) -> tuple[int, int] | None:
        """1-based line and 0-based column (in characters) where ``node`` starts."""
        span = self._resolve().get(node)
        if span is None:
            return None
        line = bisect.bisect_right(self._line_starts, span[0])
        return line, span[0] - self._line_starts[line - 1]


class _PendingLocation(Location):
    """A :class:`Location` whose line and column are worked out when first read.

    The analysis records a location for every fact, but only the few that a
    finding or the extractor reports are ever read; working them out costs a
    code generation of the cell, so it waits until then.  It compares,
    hashes, prints and pickles as the plain :class:`Location` it stands for.
    """

    def __init__(
        self,
        cell_index: int,
        line: int | None = None,
        column: int | None = None,
        *,
        where: tuple[ParsedCell, cst.CSTNode] | None = None,
    ) -> None:
        object.__setattr__(self, "cell_index", cell_index)
        if where is None:  # built with its values (``dataclasses.replace``)
            object.__setattr__(self, "line", line)
            object.__setattr__(self, "column", column)
        else:
            object.__setattr__(self, "_where", where)

    def __getattr__(self, name: str) -> Any:
        if name not in {"line", "column"}:
            raise AttributeError(name)
        parsed, node = self.__dict__["_where"]
        resolved = parsed.location(node) or Location(parsed.cell.index, 1)
        object.__setattr__(self, "line", resolved.line)
        object.__setattr__(self, "column", resolved.column)
        return getattr(self, name)

    def __repr__(self) -> str:
        return (
            f"Location(cell_index={self.cell_index!r}, line={self.line!r}, column={self.column!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return Location, (self.cell_index, self.line, self.column)
