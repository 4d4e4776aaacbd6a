"""H502 no-title."""

from __future__ import annotations

import re
from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, md

_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+\S")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML = re.compile(r"<h[1-6][\s>]", re.IGNORECASE)
_BLOCK_START = re.compile(r"^ {0,3}([-*+>]|\d+[.)]|#)( |$)")


def has_heading(markdown: str) -> bool:
    """True when the markdown text holds a heading outside code blocks."""
    fence: str | None = None
    previous = ""
    for line in markdown.splitlines():
        marker = _FENCE.match(line)
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            previous = ""
            continue
        if marker:
            fence = marker.group(1)
            previous = ""
            continue
        if _ATX.match(line) or _HTML.search(line):
            return True
        if (
            _SETEXT.match(line)
            and previous.strip()
            and not previous.startswith("    ")
            and not _BLOCK_START.match(previous)
        ):
            return True
        previous = line
    return False


class NoTitle(Rule):
    """No markdown heading anywhere in the notebook.
    ## What it does
    Flags a notebook none of whose markdown cells has a heading.

    A heading is an ATX heading with text (`# Title`, up to three spaces of indent,
    outside fenced code blocks), a setext heading (a text line underlined with `===` or
    `---`), or an HTML `<h1>`–`<h6>` element.

    ## Why is this bad?
    A notebook without a title or section headings does not say what it is for. The
    person who takes it over has to read the code to find out, and the extractor has no
    name for the module and no sections to turn into functions.

    ## How to fix it
    Start the notebook with a markdown cell `# <what this notebook does>`, and give its
    sections headings.
    """

    id = "H502"
    name = "no-title"
    severity = Severity.INFO

    valid = (
        Example(md("# Churn model\nTrains the model."), "x = 1"),
        Example("x = 1", md("Some notes\n==========")),
        Example(md("<h2 align='center'>Results</h2>"), "x = 1"),
        Example(md("Intro text"), md("  ## Section 2"), "x = 1"),
        Example(md("Results\n---")),
    )
    invalid = (
        Example("import pandas as pd", "x = 1", expect=[(None, None)]),
        Example(md("Loads the data and fits a model."), "x = 1", expect=[(None, None)]),
        Example(
            md("```python\n# not a heading\n```\n#hashtag\n    # indented code"),
            expect=[(None, None)],
        ),
        Example(md("Some text\n\n---\n\n- item\n---"), expect=[(None, None)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        markdown = [cell for cell in ctx.notebook.cells if cell.cell_type == "markdown"]
        if any(has_heading(cell.source) for cell in markdown):
            return
        if len(markdown) == 1:
            yield Violation("the only markdown cell has no heading: the notebook has no title")
        elif markdown:
            yield Violation(
                f"none of the {len(markdown)} markdown cells has a heading: "
                "the notebook has no title"
            )
        else:
            yield Violation("the notebook has no markdown cells, so no title or headings")
