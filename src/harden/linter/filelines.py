"""Where a cell's source line sits in the raw ``.ipynb`` file.

SARIF points at a line of the artifact, and the artifact is the notebook's
JSON text, not the cell.  :func:`file_lines` scans that text once (the
standard library's JSON string scanner does the strings) and maps every
cell's source lines to the file lines that hold them: a source stored as a
list of strings has one element per line, usually each on its own file line
whatever the indentation; a source stored as one string sits on one file
line.  Nothing is executed and nothing else is read.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
#: The standard library's JSON string scanner (C when available): ``(string, end)``.
_scanstring: Callable[[str, int], tuple[str, int]] = getattr(json.decoder, "scanstring")  # noqa: B009


def _reject(constant: str) -> Any:
    raise ValueError(f"unexpected {constant!r}")  # NaN and Infinity are not JSON


#: The standard library's decoder (C when available) reads, in one call, every value
#: that holds no cell source (outputs, metadata): most of a notebook's bytes.
_DECODER = json.JSONDecoder(parse_constant=_reject)


@dataclass(frozen=True)
class CellLines:
    """One cell in the file: the file line of the cell and of each piece of its source.

    ``pieces`` are ``(first source line, file line)`` pairs, 1-based, in order.
    """

    line: int
    pieces: tuple[tuple[int, int], ...]

    def file_line(self, source_line: int | None) -> int:
        """The file line holding the cell's 1-based ``source_line`` (the cell's own line
        when there is none)."""
        if source_line is None or not self.pieces:
            return self.pieces[0][1] if self.pieces else self.line
        starts = [first for first, _ in self.pieces]
        position = bisect.bisect_right(starts, source_line) - 1
        return self.pieces[max(position, 0)][1]


def file_lines(text: str) -> tuple[CellLines, ...] | None:
    """Every cell of the notebook JSON ``text``, in order; ``None`` when it is not a
    notebook this can read (not JSON, no cell list)."""
    try:
        data = _Scanner(text).document()
    except (ValueError, IndexError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    cells = data.get("cells")
    if cells is None:  # nbformat 3: the cells of the first worksheet, source under "input"
        sheets = data.get("worksheets")
        if isinstance(sheets, list) and sheets and isinstance(sheets[0], dict):
            cells = sheets[0].get("cells")
    if not isinstance(cells, list):
        return None
    return tuple(_cell(cell) for cell in cells)


def read_file_lines(path: str | Path) -> tuple[CellLines, ...] | None:
    """:func:`file_lines` of the file at ``path``, ``None`` when it cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return file_lines(text)


def _cell(cell: Any) -> CellLines:
    if not isinstance(cell, _Located):
        return CellLines(1, ())
    fields = cell.value
    source = fields.get("source", fields.get("input"))
    pieces: list[tuple[int, int]] = []
    if isinstance(source, _Located) and isinstance(source.value, list):
        first = 1
        for item in source.value:
            if isinstance(item, _Located) and isinstance(item.value, str):
                pieces.append((first, item.line))
                first += item.value.count("\n")
    elif isinstance(source, _Located) and isinstance(source.value, str):
        pieces.append((1, source.line))
    return CellLines(cell.line, tuple(pieces))


@dataclass(frozen=True)
class _Located:
    """A value of the ``cells`` part of the document, with the file line it starts on."""

    value: Any
    line: int


class _Scanner:
    """A small JSON reader that keeps the line of the cells, their sources and the
    source's strings (everything else is read as plain values)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.newlines, offset - 1) + 1

    def document(self) -> Any:
        value, end = self.value(self.skip(0), ())
        if self.skip(end) != len(self.text):
            raise ValueError("extra data")
        return value

    def skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        return match.end() if match else offset

    def value(self, offset: int, path: tuple[str, ...]) -> tuple[Any, int]:
        if path not in _SCANNED:
            try:
                return _DECODER.raw_decode(self.text, offset)
            except json.JSONDecodeError as exc:
                raise ValueError(str(exc)) from None
        char = self.text[offset]
        located = path in _WANTED
        value: Any
        if char == '"':
            string, end = _scanstring(self.text, offset + 1)
            return (_Located(string, self.line(offset)) if located else string), end
        if char == "{":
            value, end = self.object(offset + 1, path)
        elif char == "[":
            value, end = self.array(offset + 1, path)
        else:
            for word, literal in _LITERALS.items():
                if self.text.startswith(word, offset):
                    return literal, offset + len(word)
            match = _NUMBER.match(self.text, offset)
            if not match:
                raise ValueError(f"unexpected {char!r}")
            return json.loads(match.group()), match.end()
        return (_Located(value, self.line(offset)) if located else value), end

    def object(self, offset: int, path: tuple[str, ...]) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        offset = self.skip(offset)
        if self.text[offset] == "}":
            return out, offset + 1
        while True:
            if self.text[offset] != '"':
                raise ValueError("expected a key")
            key, offset = _scanstring(self.text, offset + 1)
            offset = self.skip(offset)
            if self.text[offset] != ":":
                raise ValueError("expected ':'")
            out[key], offset = self.value(self.skip(offset + 1), (*path, key))
            offset = self.skip(offset)
            if self.text[offset] == "}":
                return out, offset + 1
            if self.text[offset] != ",":
                raise ValueError("expected ','")
            offset = self.skip(offset + 1)

    def array(self, offset: int, path: tuple[str, ...]) -> tuple[list[Any], int]:
        out: list[Any] = []
        offset = self.skip(offset)
        if self.text[offset] == "]":
            return out, offset + 1
        while True:
            item, offset = self.value(offset, (*path, "[]"))
            out.append(item)
            offset = self.skip(offset)
            if self.text[offset] == "]":
                return out, offset + 1
            if self.text[offset] != ",":
                raise ValueError("expected ','")
            offset = self.skip(offset + 1)


#: The paths whose values keep their line: cells, their ``source`` (``input`` in
#: nbformat 3, under the first worksheet) and its strings.  Arrays' items are ``[]``.
_WANTED = frozenset(
    {
        ("cells", "[]"),
        ("cells", "[]", "source"),
        ("cells", "[]", "source", "[]"),
        ("worksheets", "[]", "cells", "[]"),
        ("worksheets", "[]", "cells", "[]", "input"),
        ("worksheets", "[]", "cells", "[]", "input", "[]"),
    }
)
#: The paths read value by value: those above and the ones leading to them.
_SCANNED = _WANTED | frozenset(
    {(), ("cells",), ("worksheets",), ("worksheets", "[]"), ("worksheets", "[]", "cells")}
)
