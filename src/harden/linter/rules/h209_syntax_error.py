"""H209 syntax-error."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, md


class SyntaxErrorCell(Rule):
    """A cell does not parse (after IPython magics are transformed).
    ## What it does
    Flags a cell that does not parse after IPython syntax (magics, shell escapes, `x?`)
    has been turned into Python. CPython's own parser decides; code nested too deeply
    for it is an error too, reported rather than crashing the lint.

    ## Why is this bad?
    The cell cannot run, so the notebook cannot run top to bottom; nothing the cell (and
    the cells after it) claims to compute can be reproduced, and no other check can see
    inside it.

    A line magic is given its own line only (and the lines a trailing backslash
    continues): `%timeit f(a,` followed by `b)` leaves `b)` to Python, which fails;
    the message then says so.

    ## How to fix it
    Fix the syntax at the reported line (or delete the cell).
    """

    id = "H209"
    name = "syntax-error"
    severity = Severity.ERROR

    valid = (
        Example("%matplotlib inline\n!pip install pandas\nfiles = !ls\nlen?\nx = 1"),
        Example("%%time\ny = sum(range(10))", "%%bash\nif [ 1 ]; then echo (; fi"),
        Example("(" * 50 + "1" + ")" * 50, md("def broken(:")),
        Example("async def f():\n    return 1", "await f()"),
        # A backslash carries a line magic's arguments on to the next line.
        Example("%timeit np.fromiter((v for v in x), \\\n    dtype=float, count=len(x))"),
    )
    invalid = (
        Example("x = 1", md("m"), "def f(:\n    pass", expect=[(2, 1)]),
        Example("a = 1\nprint(a\nb = 2", expect=[(0, 2)]),
        Example("(" * 300 + ")" * 300, expect=[(0, 1)]),
        Example("%matplotlib inline\nx = 1\nif x\n    y = 2", expect=[(0, 3)]),
        Example("print 'hello'", expect=[(0, 1)]),
        Example("x = 1", "y = " + "not " * 1500 + "x", expect=[(1, 1)]),
        # An open bracket does not: IPython runs `%timeit np.fromiter((…),` alone.
        Example(
            "%timeit np.fromiter((v for v in x),\n    dtype=float, count=len(x))",
            message="cell does not parse: unexpected indent (IPython gives `%timeit` only its "
            "own line 1: the bracket left open there does not carry the lines below into it; "
            "join them into line 1, or end each line but the last with `\\`)",
            expect=[(0, 2)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            problem = cell.syntax_error
            if problem is not None:
                yield Violation.at(problem.location, f"cell does not parse: {problem.message}")
