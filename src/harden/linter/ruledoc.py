"""The one docstring convention of a rule class (ruff's template).

A rule documents itself in its class docstring::

    class FitOnTestData(Rule):
        \"\"\"A model or transformer is fit on data from the test part of a split.

        ## What it does
        Flags a fit whose data arguments come from the test part of a split.
        What it does not flag, and why.

        ## Why is this bad?
        What breaks in production.

        ## How to fix it
        What to do instead.
        \"\"\"

The first paragraph is the rule's one-line ``summary``; the three sections, in
this order and no others, become ``what``, ``rationale`` and ``fix``.  The
*Example* / *Use instead* parts of the rendered documentation come from the
rule's first ``invalid`` and ``valid`` examples, *Options* from ``options``.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

#: The section headings, in the order a rule's docstring must give them.
SECTIONS = ("What it does", "Why is this bad?", "How to fix it")

_HEADING = re.compile(r"^## (.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RuleDoc:
    """A rule's docstring split into its parts (paragraphs kept, lines joined)."""

    summary: str
    what: str
    rationale: str
    fix: str


def parse_rule_doc(docstring: str | None) -> RuleDoc | None:
    """The parts of a docstring in the rule template; ``None`` if it does not follow it."""
    if not docstring:
        return None
    text = inspect.cleandoc(docstring)
    headings = _HEADING.findall(text)
    if tuple(headings) != SECTIONS:
        return None
    head, *bodies = _HEADING.split(text)[::2]
    summary = paragraphs(head)
    parts = [paragraphs(body) for body in bodies]
    if "\n" in summary or not summary or not all(parts):
        return None
    return RuleDoc(summary, *parts)


def paragraphs(text: str) -> str:
    """Paragraphs separated by one blank line, each paragraph's lines joined by spaces."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(block.split()) for block in blocks if block.strip())
