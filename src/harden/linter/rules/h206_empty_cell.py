"""H206 empty-cell."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, md


class EmptyCell(Rule):
    """A code cell holds nothing but blanks or comments.
    ## What it does
    Flags a code cell with nothing but blanks or comments (a completely empty cell too).
    A cell that does not parse is H209's, not empty.

    ## Why is this bad?
    Empty cells and commented-out code are clutter left from exploration; commented code
    in particular goes stale and misleads whoever takes the notebook over about what
    actually runs.

    ## How to fix it
    Delete the cell; turn notes into a markdown cell; recover old code from version
    control.
    """

    id = "H206"
    name = "empty-cell"
    severity = Severity.INFO

    valid = (
        Example("x = 1", md(""), md("# Title")),
        Example("%matplotlib inline", "pass", '"""Docstring-only cell."""'),
        Example("# load the data\ndf = load()"),
        Example("x = ("),
    )
    invalid = (
        Example("x = 1", "", expect=[(1, None)]),
        Example(
            "   \n\n", md("text"), "# df = df.dropna()\n# print(df)", expect=[(0, None), (2, None)]
        ),
        Example("%%capture\n# nothing here", expect=[(0, None)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            if cell.syntax_error is not None or cell.code_lines:
                continue
            empty = not cell.cell.source.strip()
            yield Violation(
                "code cell is empty" if empty else "code cell holds only comments", cell.index
            )
