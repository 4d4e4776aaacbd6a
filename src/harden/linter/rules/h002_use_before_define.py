"""H002 use-before-define."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, md
from harden.linter.rules._state_helpers import cells_text, unresolved_once


class UseBeforeDefine(Rule):
    """A cell reads a name that only a later cell defines.
    ## What it does
    Flags a cell that reads a name only a later cell defines.

    Reads in a function body happen when the function is called, so a cell that calls a
    notebook function reads, at that moment, what the body reads.

    ## Why is this bad?
    The notebook worked because the kernel remembered a name from a cell further down
    that was run first. Run top to bottom — in a fresh kernel, in CI, in a pipeline —
    the cell fails with NameError, or silently reads another value.

    ## How to fix it
    Move the defining cell above the cell that reads the name (or the read below it).
    """

    id = "H002"
    name = "use-before-define"
    severity = Severity.ERROR

    valid = (
        Example("x = 1", "print(x)"),
        Example("def f():\n    return THRESHOLD * 2", "THRESHOLD = 3", "f()"),
        Example("x = 1\nprint(x)", "x = 2"),
        Example("display(len([1]))\n_", "import numpy as np\n%timeit np.zeros(3)"),
        Example("data = [3, 1]", "%timeit sorted(data)"),
        Example("total = sum(v for v in [1, 2])", "total"),
    )
    invalid = (
        Example(
            "print(x)",
            "x = 1",
            message="`x` is read here, but only cell 2 further down defines it",
            severity="error",
            expect=[(0, 1)],
        ),
        Example(md("# Setup"), "y = 1\nz = w + y", md("later"), "w = 2", expect=[(1, 2)]),
        Example(
            "def f():\n    return rate * 2",
            "f()",
            "rate = 0.1",
            message="calling `f` reads `rate`, which only cell 3 further down defines",
            expect=[(1, 1)],
        ),
        Example("%timeit sorted(data)", "data = [3, 1]", expect=[(0, 1)]),
        Example("for row in rows:\n    print(row)", "rows = [1]", expect=[(0, 1)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for read in unresolved_once(ctx.analysis, frozenset({"later"})):
            where = cells_text(read.definers)
            if read.via is not None:
                message = (
                    f"calling `{read.via}` reads `{read.name}`, which only {where} "
                    "further down defines"
                )
            else:
                message = f"`{read.name}` is read here, but only {where} further down defines it"
            yield Violation.at(read.location, message, related_cells=sorted(set(read.definers)))
