"""H001 out-of-order-execution."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, code, md


class OutOfOrderExecution(Rule):
    """Stored execution counts are not increasing from top to bottom.
    ## What it does
    Flags each code cell whose stored execution count is lower than that of a code cell
    above it. Cells that were never run (no count) are skipped; so is the order of
    markdown cells, which have no count.

    ## Why is this bad?
    The outputs in the notebook were produced by running cells in a different order from
    the one on the page. Whatever the notebook shows may depend on that order, so
    running it top to bottom — which is what a pipeline does — may give different
    results or fail.

    ## How to fix it
    Restart the kernel and run all cells top to bottom, then save.
    """

    id = "H001"
    name = "out-of-order-execution"
    severity = Severity.WARNING

    valid = (
        Example(code("a = 1", 1), md("# Notes"), code("b = a + 1", 2), code("print(b)", 5)),
        Example(code("a = 1"), code("b = 2")),
        Example(code("a = 1", 1), code("# empty-ish"), code("b = 2", 2)),
    )
    invalid = (
        Example(
            code("a = 1", 2),
            code("b = a + 1", 1),
            message="cell ran as [1] after a cell above it ran as [2]",
            severity="warning",
            expect=[(1, None)],
        ),
        Example(
            code("x = 1", 1),
            md("text"),
            code("y = 2", 7),
            code("z = 3", 3),
            code("w = 4", 4),
            expect=[(3, None)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        previous: int | None = None
        for cell in ctx.notebook.code_cells:
            count = cell.execution_count
            if count is None:
                continue
            if previous is not None and count < previous:
                yield Violation(
                    f"cell ran as [{count}] after a cell above it ran as [{previous}]",
                    cell.index,
                )
            previous = count
