"""H205 long-cell."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation

_SIXTY = "\n".join(f"x{i} = {i}" for i in range(60))
_COMMENTED = "\n".join(f"# step {i}\nx{i} = {i}\n" for i in range(60))


class LongCell(Rule):
    """A cell has more lines of code than the threshold (default 60).
    ## What it does
    Flags a cell with more lines of code than `max-lines` (default 60). Blank lines and
    comment-only lines do not count; a statement spread over several lines counts each
    of them; magics count as code.

    ## Why is this bad?
    A long cell does many things at once: it cannot be re-run in parts, its intermediate
    results are invisible, and it turns into one untestable blob when the notebook
    becomes a module. Cells that do one step each map onto functions.

    ## How to fix it
    Split the cell into steps (one idea each), or move the code into functions.
    """

    id = "H205"
    name = "long-cell"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Any]] = {"max-lines": 60}

    valid = (
        Example("a = 1\nb = 2\n\n\n# c\nc = 3", options={"max-lines": 3}),
        Example(_SIXTY),
        Example(_COMMENTED),
    )
    invalid = (
        Example("x = [\n    1,\n    2,\n]", options={"max-lines": 3}, expect=[(0, None)]),
        Example("y = 0", _SIXTY + "\nz = 1", expect=[(1, None)]),
        Example("%matplotlib inline\na = 1", options={"max-lines": 1}, expect=[(0, None)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        limit = int(ctx.option("max-lines"))
        for cell in ctx.analysis.cells:
            if cell.code_lines > limit:
                yield Violation(
                    f"cell has {cell.code_lines} lines of code (limit {limit})", cell.index
                )
