"""Where the notebook splits into steps: markdown headings, ``step:<name>`` tags, or cells.

A :class:`Section` is a run of code cells that becomes one step function;
its name comes from the heading or tag, or (no headings at all, ``--split
cells``) later from the code it holds.  Nothing here looks at code: the plan
names code-named sections once it knows what they define.
"""

from __future__ import annotations

import itertools
import keyword
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from harden.notebook.model import Cell
from harden.notebook.tags import STEP_PREFIX as STEP_TAG
from harden.notebook.tags import step_name

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[ivxIVX]+\.|[A-Za-z]\))\s+")
_STOPWORDS = frozenset({"a", "an", "the", "of", "and", "to", "for", "with", "on", "in", "by"})
MAX_NAME = 40


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    paragraph: str


@dataclass(frozen=True)
class Section:
    """Code cells that become one step; ``title`` is the heading or tag text
    (``None``: name it from the code)."""

    cells: tuple[int, ...]
    title: str | None = None
    doc: str = ""


def headings(markdown: str) -> list[Heading]:
    """ATX (``## x``) and setext headings, each with the paragraph that follows it."""
    lines = markdown.splitlines()
    found: list[tuple[int, int, str]] = []  # (line index, level, text)
    fenced = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        match = _ATX.match(line)
        if match:
            found.append((number, len(match.group(1)), match.group(2).strip()))
        elif (number > 0 and _SETEXT.match(line) and lines[number - 1].strip()
              and not _ATX.match(lines[number - 1])):
            level = 1 if line.strip().startswith("=") else 2
            found.append((number, level, lines[number - 1].strip()))
    out = []
    for number, level, text in found:
        out.append(Heading(level, _plain(text), _paragraph(lines[number + 1:])))
    return [heading for heading in out if heading.text]


def _paragraph(lines: Sequence[str]) -> str:
    paragraph: list[str] = []
    for line in lines:
        if not line.strip():
            if paragraph:
                break
            continue
        if _ATX.match(line) or _FENCE.match(line) or _SETEXT.match(line):
            break
        paragraph.append(line.strip())
    return "\n".join(paragraph)


def _plain(text: str) -> str:
    """Heading text without markdown emphasis, links or code marks."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]+", "", text)
    return " ".join(text.split())


def title_and_summary(cells: Sequence[Cell]) -> tuple[str, str]:
    """The notebook's first heading and the paragraph after it ("" when none)."""
    for cell in cells:
        if cell.cell_type == "markdown":
            found = headings(cell.source)
            if found:
                return found[0].text, found[0].paragraph
    return "", ""


def identifier(text: str, *, max_length: int = MAX_NAME) -> str:
    """``## 2. Load the data!`` → ``load_data``; ``""`` when nothing is left."""
    text = _NUMBERING.sub("", text.strip())
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^0-9A-Za-z]+", ascii_text.lower()) if w]
    meaningful = [w for w in words if w not in _STOPWORDS] or words
    name = ""
    for word in meaningful:
        candidate = f"{name}_{word}" if name else word
        if len(candidate) > max_length and name:
            break
        name = candidate
    name = name[:max_length]
    if name and name[0].isdigit():
        name = f"step_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_step"
    return name


def split(cells: Sequence[Cell], code_cells: Sequence[int], mode: str) -> list[Section]:
    """Sections for ``mode`` (``headings``, ``tags`` or ``cells``) over ``code_cells``."""
    if mode == "tags":
        if any(t.startswith(STEP_TAG) for c in cells if c.index in set(code_cells) for t in c.tags):
            return _by_tags(cells, code_cells)
        return _by_headings(cells, code_cells)
    if mode == "cells":
        preceding = _heading_before(cells)
        return [Section((index,), preceding.get(index, (None, ""))[0],
                        preceding.get(index, (None, ""))[1]) for index in code_cells]
    return _by_headings(cells, code_cells)


def _by_headings(cells: Sequence[Cell], code_cells: Sequence[int]) -> list[Section]:
    first_code = min(code_cells, default=len(cells))
    marks: list[tuple[int, Heading]] = []
    for cell in cells:
        if cell.cell_type == "markdown":
            found = headings(cell.source)
            if found:
                marks.append((cell.index, min(found, key=lambda h: h.level)))
    # A single top heading above all code is the notebook's title, not a step.
    if marks and marks[0][0] < first_code:
        top = marks[0][1].level
        if sum(1 for _, h in marks if h.level <= top) == 1:
            marks = marks[1:]
    if not marks:
        return _by_runs(cells, code_cells)
    levels = [h.level for _, h in marks]
    repeated = [level for level in sorted(set(levels)) if levels.count(level) >= 2]
    split_level = repeated[0] if repeated else min(levels)
    starts = {index: heading for index, heading in marks if heading.level <= split_level}
    sections: list[Section] = []
    current: list[int] = []
    title: str | None = None
    doc = ""
    code = set(code_cells)
    for cell in cells:
        if cell.index in starts:
            if current:
                sections.append(Section(tuple(current), title, doc))
            current = []
            title, doc = starts[cell.index].text, starts[cell.index].paragraph
        elif cell.index in code:
            current.append(cell.index)
    if current:
        sections.append(Section(tuple(current), title, doc))
    return sections


def _by_runs(cells: Sequence[Cell], code_cells: Sequence[int]) -> list[Section]:
    """No headings: one section per run of code cells between markdown cells, or
    one per code cell when no markdown separates them (no markdown at all, or
    only an introduction above the code)."""
    code = set(code_cells)
    sections: list[Section] = []
    current: list[int] = []
    for cell in cells:
        if cell.index in code:
            current.append(cell.index)
        elif cell.cell_type == "markdown" and cell.source.strip() and current:
            sections.append(Section(tuple(current)))
            current = []
    if current:
        sections.append(Section(tuple(current)))
    if len(sections) <= 1:
        return [Section((index,)) for index in code_cells]
    return sections


def _by_tags(cells: Sequence[Cell], code_cells: Sequence[int]) -> list[Section]:
    code = set(code_cells)
    sections: list[Section] = []
    current: list[int] = []
    title: str | None = None
    for cell in cells:
        if cell.index not in code:
            continue
        tag = step_name(cell.tags)
        if tag is not None:
            if current:
                sections.append(Section(tuple(current), title))
            current, title = [], tag.strip() or None
        current.append(cell.index)
    if current:
        sections.append(Section(tuple(current), title))
    return sections


def _heading_before(cells: Sequence[Cell]) -> dict[int, tuple[str, str]]:
    """Code cell → (heading, paragraph) of a markdown heading cell right above it."""
    out: dict[int, tuple[str, str]] = {}
    for previous, cell in itertools.pairwise(cells):
        if cell.cell_type == "code" and previous.cell_type == "markdown":
            found = headings(previous.source)
            if found:
                out[cell.index] = (found[-1].text, found[-1].paragraph)
    return out
