"""H006 error-output."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, code
from harden.linter.rules._state_helpers import truncate
from harden.notebook.tags import RAISES_EXCEPTION as EXPECTED_TAG

_KEY_ERROR = {
    "output_type": "error",
    "ename": "KeyError",
    "evalue": "'price'",
    "traceback": ["KeyError: 'price'"],
}
_LONG = {
    "output_type": "error",
    "ename": "ValueError",
    "evalue": "could not convert string to float: " + "x" * 200 + "\nsecond line",
    "traceback": ["ValueError ..."],
}
_STDERR = {"output_type": "stream", "name": "stderr", "text": "UserWarning: careful\n"}


class ErrorOutput(Rule):
    """A stored output is an error with a traceback.
    ## What it does
    Flags a cell whose stored outputs include an error (an exception with its
    traceback). Warnings printed to stderr are not errors; a cell tagged
    `raises-exception` (the nbclient/nbval convention) is expected to fail.

    ## Why is this bad?
    The last run of the notebook failed in this cell, so everything below it ran on a
    broken state, or was run by hand around the failure. Nobody can tell from the
    notebook whether it works; a pipeline built from it stops here.

    ## How to fix it
    Fix the error and re-run the notebook top to bottom, or remove the failing cell.
    """

    id = "H006"
    name = "error-output"
    severity = Severity.WARNING

    valid = (
        Example(code("a = 1", 1)),
        Example(code("import warnings\nwarnings.warn('careful')", 1, outputs=[_STDERR])),
        Example(
            code(
                "print(1)",
                1,
                outputs=[
                    {
                        "output_type": "stream",
                        "name": "stdout",
                        "text": "Traceback is just a word\n",
                    }
                ],
            )
        ),
        Example(code("df['price']", 1, outputs=[_KEY_ERROR], tags=[EXPECTED_TAG])),
    )
    invalid = (
        Example(
            code("df = load()", 1),
            code("df['price']", 2, outputs=[_KEY_ERROR]),
            message="stored output is an error: KeyError: 'price'",
            severity="warning",
            expect=[(1, None)],
        ),
        Example(code("float(s)", 1, outputs=[_STDERR, _LONG]), expect=[(0, None)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.notebook.code_cells:
            if EXPECTED_TAG in cell.tags:
                continue
            for output in cell.outputs:
                if output.get("output_type") != "error":
                    continue
                name = str(output.get("ename") or "error")
                value = truncate(str(output.get("evalue") or ""))
                shown = f"{name}: {value}" if value else name
                yield Violation(f"stored output is an error: {shown}", cell.index)
                break
