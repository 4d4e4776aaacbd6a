"""H005 unexecuted-cell."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, code, md
from harden.notebook.tags import SKIP_EXECUTION as SKIP_TAG


class UnexecutedCell(Rule):
    """A code cell was never run, although cells below it were.
    ## What it does
    Flags a code cell with no execution count above a cell that was executed.

    Cells with nothing but blanks or comments (H206) are skipped: Jupyter does not count
    them; so are cells tagged `skip-execution` (nbclient's tag for cells not meant to
    run). Trailing cells after the last executed one are not flagged.

    ## Why is this bad?
    The stored results were produced without this cell. Running the notebook top to
    bottom runs it, so the results may change, or the cell may fail — nobody has seen it
    work. Often it is an edit made after the last run.

    ## How to fix it
    Restart the kernel and run all cells, or delete the cell if it is not needed.
    """

    id = "H005"
    name = "unexecuted-cell"
    severity = Severity.WARNING

    valid = (
        Example(code("a = 1", 1), code("b = 2", 2)),
        Example(code("a = 1"), code("b = 2")),
        Example(code("a = 1", 1), code("b = 2", 2), code("c = 3")),
        Example(code("a = 1", 1), code("# just a note"), code(""), code("b = 2", 2)),
        Example(code("a = 1", 1), md("# Notes"), code("b = a", 2)),
        Example(code("a = 1", 1), code("!rm -rf cache", tags=[SKIP_TAG]), code("b", 2)),
    )
    invalid = (
        Example(
            code("a = 1", 1),
            code("b = 2"),
            code("c = 3", 2),
            message="cell was never run, but cell 3 below it was",
            severity="warning",
            expect=[(1, None)],
        ),
        Example(
            code("x = 1"),
            md("text"),
            code("y = (", None),
            code("z = 3", 1),
            expect=[(0, None), (2, None)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        next_run: int | None = None
        flagged: list[Violation] = []
        for cell in reversed(ctx.notebook.code_cells):
            if cell.execution_count is not None:
                next_run = cell.index
                continue
            facts = ctx.analysis.cell(cell.index)
            empty = facts is not None and facts.syntax_error is None and facts.code_lines == 0
            if next_run is not None and not empty and SKIP_TAG not in cell.tags:
                flagged.append(
                    Violation(
                        f"cell was never run, but cell {next_run + 1} below it was: the stored "
                        "results do not include it",
                        cell.index,
                        related_cells=(next_run,),
                    )
                )
        yield from reversed(flagged)
