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
    level: int | None = None  # its heading's level (None: not from a heading)
    start: int | None = None  # the notebook cell it starts at (its heading's cell)


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
    """``## 2. Load the data!`` → ``load_data``; ``""`` when nothing is left.

    Filler words go (``using``, ``our``), so does a label (``Step 3:``,
    ``Example:``); a name still longer than ``max_length`` loses numbers, then
    its middle words, so it keeps what it starts and ends with — never cut
    in the middle of a word.
    """
    text = _NUMBERING.sub("", text.strip())
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # `cross-validation`, `scikit-learn`: one word, kept or dropped whole.
    words = [
        "_".join(p for p in w.split("-") if p)
        for w in re.split(r"[^0-9A-Za-z-]+", ascii_text.lower())
        if w.strip("-")
    ]
    meaningful = [w for w in words if w not in _STOPWORDS and w not in _FILLER] or words
    meaningful = _without_labels(meaningful) or meaningful
    name = _shortened(meaningful, max_length)
    if name and name[0].isdigit():
        name = f"step_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_step"
    return name


def _without_labels(words: list[str]) -> list[str]:
    """``step 3 load data`` → ``load data``; ``example face recognition`` → ``face recognition``."""
    out: list[str] = []
    skip = False
    for position, word in enumerate(words):
        following = words[position + 1] if position + 1 < len(words) else ""
        if skip:
            skip = False
            continue
        if word in _LABELS and _is_number(following):
            skip = True
            continue
        if word in _EXAMPLE:
            continue
        out.append(word)
    while out and _is_number(out[0]):
        out.pop(0)
    return out


def _shortened(words: list[str], max_length: int) -> str:
    """Words joined by ``_``; too long: numbers inside it go, then middle words, longest first."""
    words = list(words)

    def length() -> int:
        return len("_".join(words))

    while length() > max_length and any(_is_number(w) for w in words[1:]):
        words.remove(next(w for w in words[1:] if _is_number(w)))
    while length() > max_length and len(words) > 2:
        middle = words[1:-1]
        del words[1 + middle.index(max(middle, key=len))]  # the longest first
    name = "_".join(words)
    if len(name) > max_length:  # one or two very long words
        name = words[0][:max_length]
    return name


def _is_number(word: str) -> bool:
    return word.isdigit() or word in _ROMAN or word in _NUMBER_WORDS


def is_generic(title: str) -> bool:
    """A heading that says where a section is, not what it computes:
    ``Review``, ``Step 1``, ``Recap``, ``Part 2``, ``Results``."""
    text = _NUMBERING.sub("", title.strip())
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^0-9A-Za-z]+", ascii_text.lower()) if w]
    return any(w in GENERIC_WORDS for w in words) and all(
        w in GENERIC_WORDS or w in _STOPWORDS or w in _FILLER or _is_number(w) for w in words
    )


#: Words that say nothing of what a name stands for.
_FILLER = frozenset(
    {
        "using",
        "via",
        "from",
        "into",
        "onto",
        "our",
        "your",
        "my",
        "their",
        "its",
        "it",
        "some",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "be",
        "how",
        "what",
        "why",
        "when",
        "where",
        "which",
        "let",
        "lets",
        "s",
        "we",
        "you",
        "i",
        "at",
        "as",
        "about",
        "vs",
    }
)
#: ``Step 3``, ``Part 2``: a label before a number (or first), not a name.
_LABELS = frozenset(
    {
        "step",
        "part",
        "section",
        "chapter",
        "exercise",
        "task",
        "stage",
        "phase",
        "lesson",
        "question",
        "problem",
    }
)
_EXAMPLE = frozenset({"example", "examples"})
_NUMBER_WORDS = frozenset(
    {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
)
_ROMAN = frozenset({"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"})
#: Headings made only of these (and numbers) are generic: the step is named from
#: what it returns instead.
GENERIC_WORDS = frozenset(
    {
        *_LABELS,
        *_EXAMPLE,
        "steps",
        "parts",
        "exercises",
        "review",
        "recap",
        "summary",
        "results",
        "result",
        "conclusion",
        "conclusions",
        "demo",
        "misc",
        "miscellaneous",
        "notes",
        "note",
        "introduction",
        "intro",
        "overview",
        "appendix",
        "bonus",
        "todo",
        "solution",
        "solutions",
        "code",
        "analysis",
        "experiment",
        "experiments",
        "final",
        "extra",
        "more",
        "further",
        "next",
        "other",
        "stuff",
        "try",
        "again",
        "continued",
        "cont",
        "wrap",
        "up",
        "output",
        "outputs",
        "answer",
        "answers",
        "questions",
        "tasks",
        "setup",
        "helpers",
        "helper",
        "utilities",
        "utils",
        "preliminaries",
        "main",
        "test",
        "tests",
        "testing",
        "playground",
        "scratch",
        "sandbox",
        "draft",
        "go",
        "do",
        "here",
        "now",
        "check",
        "quick",
        "look",
        "putting",
        "together",
        "all",
    }
)
