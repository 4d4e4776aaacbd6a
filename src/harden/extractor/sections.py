"""Sections and the markdown they are named from: headings, titles, identifiers.

A :class:`Section` is a run of code cells that becomes one step function;
its name comes from the heading or tag, or (no headings at all, ``--split
cells``) later from the code it holds.  Nothing here looks at code: the plan
names code-named sections once it knows what they define.  The split modes
that group cells into sections are in :mod:`harden.extractor.splits`.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from harden.notebook.model import Cell

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[ivxIVX]+\.|[A-Za-z]\))\s+")
_CODE_SPAN = re.compile(r"`+([^`]+)`+")
#: ``*`` anywhere, ``_`` only where it opens or closes emphasis (not inside a word).
_EMPHASIS = re.compile(r"\*+|(?<![0-9A-Za-z])_+|_+(?![0-9A-Za-z])")
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
        elif (
            number > 0
            and _SETEXT.match(line)
            and lines[number - 1].strip()
            and not _ATX.match(lines[number - 1])
        ):
            level = 1 if line.strip().startswith("=") else 2
            found.append((number, level, lines[number - 1].strip()))
    out = []
    for number, level, text in found:
        out.append(Heading(level, _plain(text), _paragraph(lines[number + 1 :])))
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
    """Heading text without markdown emphasis, links or code marks; a code
    span keeps its text as written (`` `cross_val_score` ``)."""
    parts = _CODE_SPAN.split(text)
    for index in range(0, len(parts), 2):  # the text between code spans
        part = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", parts[index])
        parts[index] = _EMPHASIS.sub("", part)
    return " ".join("".join(parts).split())


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
