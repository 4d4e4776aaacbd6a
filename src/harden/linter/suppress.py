"""Suppression: ``harden-ignore`` cell tags and ``# harden: ignore[H101]`` comments.

* tag ``harden-ignore`` silences every rule for the cell;
  ``harden-ignore:H101,H203`` only those rules;
* a comment ``# harden: ignore`` (all rules) or ``# harden: ignore[H101, H203]``
  silences findings on the line that carries it.

Comments are found with the tokenizer on the cell's Python (so text inside
strings never counts); on lines rewritten from IPython syntax, where the
comment became part of the magic's argument, the raw line is checked.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

from harden.analysis.model import CellAnalysis
from harden.notebook.model import Cell
from harden.notebook.tags import IGNORE as TAG

MARKER = "harden:"
ALL = frozenset({"*"})


@dataclass(frozen=True)
class Suppressions:
    """Rule ids silenced per cell and per (cell, line); ``*`` means all."""

    cells: dict[int, frozenset[str]]
    lines: dict[tuple[int, int], frozenset[str]]

    def silences(self, rule_id: str, cell_index: int | None, line: int | None) -> bool:
        if cell_index is None:
            return False
        ids = self.cells.get(cell_index, frozenset())
        if "*" in ids or rule_id in ids:
            return True
        if line is None:
            return False
        ids = self.lines.get((cell_index, line), frozenset())
        return "*" in ids or rule_id in ids


def collect(cells: tuple[Cell, ...], analyses: dict[int, CellAnalysis]) -> Suppressions:
    by_cell: dict[int, frozenset[str]] = {}
    by_line: dict[tuple[int, int], frozenset[str]] = {}
    for cell in cells:
        ids: set[str] = set()
        for tag in cell.tags:
            if tag == TAG:
                ids.add("*")
            elif tag.startswith(TAG + ":"):
                ids.update(_ids(tag[len(TAG) + 1 :]))
        if ids:
            by_cell[cell.index] = frozenset(ids)
        analysis = analyses.get(cell.index)
        if analysis is None or MARKER not in cell.source:
            continue
        for line, text in _comments(analysis):
            parsed = parse_comment(text)
            if parsed is not None:
                key = (cell.index, line)
                by_line[key] = by_line.get(key, frozenset()) | parsed
    return Suppressions(by_cell, by_line)


def parse_comment(comment: str) -> frozenset[str] | None:
    """``# harden: ignore[H101,H2]`` → ``{"H101", "H2"}``; ``# harden: ignore`` → all."""
    body = comment.lstrip("#").strip()
    if not body.startswith(MARKER):
        index = body.find("# " + MARKER)
        if index < 0:
            return None
        body = body[index + 2 :]
    rest = body[len(MARKER) :].strip()
    if not rest.startswith("ignore"):
        return None
    rest = rest[len("ignore") :].strip()
    if not rest.startswith("["):
        return ALL
    inside = rest[1:].split("]", 1)[0]
    ids = _ids(inside)
    return ids or ALL


def _ids(text: str) -> frozenset[str]:
    return frozenset(part.strip().upper() for part in text.split(",") if part.strip())


def _comments(analysis: CellAnalysis) -> list[tuple[int, str]]:
    line_map = analysis.line_map
    found: list[tuple[int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(analysis.python.code).readline):
            if token.type == tokenize.COMMENT:
                found.append((line_map.line(token.start[0]), token.string))
    except (tokenize.TokenError, SyntaxError):
        pass
    exact_targets = {line_map.line(line) for line in line_map.exact}
    for number, text in enumerate(analysis.cell.source.splitlines(), start=1):
        if number not in exact_targets and "#" in text:
            found.append((number, text[text.index("#") :]))
    return found
