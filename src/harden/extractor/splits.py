"""The split modes: how a notebook's code cells group into steps.

A mode is one function ``(cells, code_cells) -> Sectioning`` and one line in
:data:`SPLIT_MODES`.  ``extract(split=...)`` and the CLI's ``--split``
choices read the mapping, so a new mode needs nothing else.  ``cells`` are
all the notebook's cells (markdown included), ``code_cells`` the indexes of
the code cells that are extracted, in order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from harden.extractor.sections import Heading, Section, headings
from harden.notebook.model import Cell
from harden.notebook.tags import STEP_PREFIX as STEP_TAG
from harden.notebook.tags import step_name


@dataclass(frozen=True)
class Sectioning:
    """A split mode's answer: the sections, and a line for the extraction log
    (``info``) when the mode had to fall back to another way of splitting."""

    sections: tuple[Section, ...]
    note: str | None = None


SplitMode = Callable[[Sequence[Cell], Sequence[int]], Sectioning]


def by_headings(cells: Sequence[Cell], code_cells: Sequence[int]) -> Sectioning:
    """One step per markdown heading of the splitting level (see :func:`sections_by_headings`)."""
    return Sectioning(tuple(sections_by_headings(cells, code_cells)))


def by_tags(cells: Sequence[Cell], code_cells: Sequence[int]) -> Sectioning:
    """A step starts at each code cell tagged ``step:<name>``; no such tag: headings."""
    code = set(code_cells)
    if any(t.startswith(STEP_TAG) for c in cells if c.index in code for t in c.tags):
        sections = _by_tags(cells, code_cells)
    else:
        sections = sections_by_headings(cells, code_cells)
    tagged = any(t.startswith(STEP_TAG) for c in cells for t in c.tags)
    return Sectioning(
        tuple(sections), None if tagged else "no cell is tagged step:<name>; split at headings"
    )


def by_cells(cells: Sequence[Cell], code_cells: Sequence[int]) -> Sectioning:
    """One step per code cell, named from a heading cell right above it if any."""
    preceding = _heading_before(cells)
    return Sectioning(
        tuple(
            Section(
                (index,), preceding.get(index, (None, ""))[0], preceding.get(index, (None, ""))[1]
            )
            for index in code_cells
        )
    )


#: Every split mode by name; the first is the default.  One line per mode.
SPLIT_MODES: dict[str, SplitMode] = {
    "headings": by_headings,
    "tags": by_tags,
    "cells": by_cells,
}


def split_modes() -> tuple[str, ...]:
    """The names of the registered modes, as ``--split`` offers them."""
    return tuple(SPLIT_MODES)


#: The modes registered when harden is imported (use :func:`split_modes` to
#: see modes registered later).
SPLITS: tuple[str, ...] = split_modes()


def sections_by_headings(cells: Sequence[Cell], code_cells: Sequence[int]) -> list[Section]:
    """Sections starting at the headings of the splitting level: the highest
    level that occurs at least twice (else the highest).  A single top heading
    above all code is the title; no headings at all: :func:`_by_runs`."""
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
    level: int | None = None
    start: int | None = None
    code = set(code_cells)
    for cell in cells:
        if cell.index in starts:
            if current:
                sections.append(Section(tuple(current), title, doc, level, start))
            current = []
            heading = starts[cell.index]
            title, doc, level, start = heading.text, heading.paragraph, heading.level, cell.index
        elif cell.index in code:
            current.append(cell.index)
    if current:
        sections.append(Section(tuple(current), title, doc, level, start))
    return sections


def split_long(
    sections: Sequence[Section],
    cells: Sequence[Cell],
    sizes: Mapping[int, int],
    max_lines: int,
) -> tuple[tuple[Section, ...], list[str]]:
    """Each section from a heading that is longer than ``max_lines`` lines of step code,
    cut at its next heading level (``###`` inside a ``##`` section), again while a part
    is still too long; a note for each section cut, or too long with no heading to cut at."""
    if max_lines <= 0:
        return tuple(sections), []
    out: list[Section] = []
    notes: list[str] = []
    previous_end = -1
    for section in sections:
        out += _split_one(section, cells, sizes, max_lines, previous_end, notes)
        previous_end = section.cells[-1] if section.cells else previous_end
    return tuple(out), notes


def _split_one(
    section: Section,
    cells: Sequence[Cell],
    sizes: Mapping[int, int],
    max_lines: int,
    previous_end: int,
    notes: list[str],
) -> list[Section]:
    size = sum(sizes.get(i, 0) for i in section.cells)
    if size <= max_lines or section.level is None or len(section.cells) < 2:
        return [section]
    first = section.start if section.start is not None else previous_end + 1
    marks: list[tuple[int, Heading]] = []
    for cell in cells:
        if cell.cell_type != "markdown" or not first <= cell.index < section.cells[-1]:
            continue
        found = [h for h in headings(cell.source) if h.level > section.level]
        if found and cell.index != section.start:
            marks.append((cell.index, min(found, key=lambda h: h.level)))
    if not marks:
        notes.append(
            f"section {section.title or 'before the first heading'!r} has {size} lines "
            "of step code and no smaller heading to split it at"
        )
        return [section]
    level = min(h.level for _, h in marks)
    cuts = {index: heading for index, heading in marks if heading.level == level}
    parts: list[Section] = []
    current: list[int] = []
    title, doc, start = section.title, section.doc, section.start
    depth: int | None = section.level
    for cell in cells:
        if cell.index in cuts and first <= cell.index <= section.cells[-1]:
            if current:
                parts.append(Section(tuple(current), title, doc, depth, start))
            current = []
            heading = cuts[cell.index]
            title, doc, depth, start = heading.text, heading.paragraph, level, cell.index
        elif cell.index in section.cells:
            current.append(cell.index)
    if current:
        parts.append(Section(tuple(current), title, doc, depth, start))
    if len(parts) < 2:  # all its code under one subheading: try the level below
        return _split_one(
            replace(section, level=level), cells, sizes, max_lines, previous_end, notes
        )
    notes.append(
        f"section {section.title or 'before the first heading'!r} has {size} lines of step "
        f"code (more than --max-step-lines {max_lines}): split at its {'#' * level} "
        "headings into " + ", ".join(repr(p.title) for p in parts if p.title)
    )
    out: list[Section] = []
    end = previous_end
    for part in parts:
        out += _split_one(part, cells, sizes, max_lines, end, notes)
        end = part.cells[-1]
    return out


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
