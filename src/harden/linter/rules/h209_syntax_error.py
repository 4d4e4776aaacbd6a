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

    A cell Python runs but harden cannot analyse (nested deeper than its parser
    goes) is reported as a warning, not an error: the notebook runs, only the
    other rules cannot see inside that cell. Indentation that mixes tabs and spaces
    the way Python allows is read as Python reads it.

    ## How to fix it
    Fix the syntax at the reported line (or delete the cell). For a cell harden cannot
    analyse, split the expression it names into smaller ones.
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
        # Tabs and spaces mixed as Python allows (a tab goes to the next multiple of 8).
        Example(
            "def f(x):\n        if x:\n        \ta = 1\n        else:\n\t        a = g(1,\n"
            "\t              2)\n\n       \n        return a"
        ),
    )
    invalid = (
        Example("x = 1", md("m"), "def f(:\n    pass", expect=[(2, 1)]),
        Example("a = 1\nprint(a\nb = 2", expect=[(0, 2)]),
        Example("(" * 300 + ")" * 300, expect=[(0, 1)]),
        Example("%matplotlib inline\nx = 1\nif x\n    y = 2", expect=[(0, 3)]),
        Example("print 'hello'", expect=[(0, 1)]),
        Example("x = 1", "y = " + "not " * 1500 + "x", expect=[(1, 1)]),
        # Python runs it; only harden cannot see inside: a warning, not a failed build.
        # (2000 terms: too deep for harden even when IPython, once imported, has
        # raised Python's recursion limit to 3000.)
        Example(
            "x = 1",
            "total = " + " + ".join(["x"] * 2000),
            expect=[(1, 1)],
            message="harden cannot analyse this cell (Python runs it): code nested too deeply",
            severity=Severity.WARNING,
        ),
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
            if problem is not None and problem.python_accepts:
                yield Violation.at(
                    problem.location,
                    f"harden cannot analyse this cell (Python runs it): {problem.message}",
                    severity=Severity.WARNING,
                )
            elif problem is not None:
                yield Violation.at(problem.location, f"cell does not parse: {problem.message}")
