"""H107 interactive-input."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from harden.analysis import dotted_name
from harden.analysis.model import CellAnalysis, Definition
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation

#: Calls that wait for a person (qualified names).
INTERACTIVE = frozenset(
    {
        "builtins.input",
        "getpass.getpass",
        "matplotlib.pyplot.ginput",
        "sys.stdin.read",
        "sys.stdin.readline",
        "sys.stdin.readlines",
        "click.prompt",
        "click.confirm",
        "ipywidgets.interact",
        "ipywidgets.interactive",
        "ipywidgets.interact_manual",
        "ipywidgets.widgets.interact",
        "ipywidgets.widgets.interactive",
        "ipywidgets.widgets.interact_manual",
        "ipywidgets.widgets.interaction.interact",
        "ipywidgets.widgets.interaction.interactive",
        "ipywidgets.widgets.interaction.interact_manual",
    }
)


def _decorators(cell: CellAnalysis, imports: dict[str, str]) -> Iterator[tuple[str, Definition]]:
    """Qualified names of bare decorators (``@interact``) on the cell's definitions,
    resolved through ``imports`` (the names imported so far)."""
    imports.update((i.name, i.target) for i in cell.imports)
    for definition in cell.definitions:
        for decorator in getattr(definition.node, "decorators", ()):
            if isinstance(decorator.decorator, cst.Call):
                continue  # ``@interact(x=1)`` is a call the analysis already records
            dotted = dotted_name(decorator.decorator) or ""
            head, _, rest = dotted.partition(".")
            if head in imports:
                yield imports[head] + (f".{rest}" if rest else ""), definition


class InteractiveInput(Rule):
    """Code waits for interactive input (`input()`, `getpass`, ipywidgets `interact`).
    ## What it does
    Flags code that waits for a person: the `input()` builtin (unless the notebook
    defines its own `input`), `getpass.getpass`, ipywidgets `interact` / `interactive` /
    `interact_manual` (as calls or as the `@interact` decorator), `plt.ginput`,
    `sys.stdin.read*` and click prompts.

    ## Why is this bad?
    A scheduled job, a test runner or papermill has nobody at the keyboard: `input()`
    blocks forever or fails on a closed stdin, widgets never fire, and the values a
    person typed are recorded nowhere, so the run cannot be repeated.

    ## How to fix it
    Make the value a parameter (a `parameters` cell, a function argument, an environment
    variable); read credentials from the environment or a secret store.
    """

    id = "H107"
    name = "interactive-input"
    severity = Severity.WARNING

    valid = (
        Example("def input(prompt):\n    return 'x'", "name = input('who? ')"),
        Example("import ipywidgets as w\nslider = w.IntSlider()", "text = 'input()'"),
        Example("import getpass\nuser = getpass.getuser()", "import sys\nsys.stdout.write('x')"),
        Example("from ipywidgets import interact\ndef show(n):\n    print(n)"),
    )
    invalid = (
        Example("n = int(input('How many rows? '))", expect=[(0, 1)]),
        Example(
            "from getpass import getpass\npw = getpass()",
            "import getpass as gp\ntoken = gp.getpass('token: ')",
            expect=[(0, 2), (1, 2)],
        ),
        Example(
            "import ipywidgets as widgets",
            "widgets.interact(plot, n=(1, 10))",
            "from ipywidgets import interact\n\n@interact\ndef show(n=5):\n    print(n)",
            expect=[(1, 1), (2, 4)],
        ),
        Example(
            "from ipywidgets import interact_manual\n@interact_manual(n=5)\ndef f(n):\n    pass",
            expect=[(0, 2)],
        ),
        Example(
            "import matplotlib.pyplot as plt\npts = plt.ginput(3)",
            "import sys\ndata = sys.stdin.read()",
            expect=[(0, 2), (1, 2)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        imports: dict[str, str] = {}
        for cell in ctx.analysis.cells:
            for call in cell.calls:
                if call.qualified_name in INTERACTIVE:
                    what = call.qualified_name
                elif call.dotted == "input" and not ctx.analysis.definers("input"):
                    what = "input"  # the builtin: no cell binds its own ``input``
                else:
                    continue
                yield Violation.at(
                    call.location,
                    f"`{what}` waits for a person to type or click; "
                    "an unattended run blocks or fails",
                )
            for name, definition in _decorators(cell, imports):
                if name in INTERACTIVE:
                    yield Violation.at(
                        definition.location,
                        f"`@{name.rsplit('.', 1)[-1]}` on "
                        f"`{definition.name}` waits for widget input; an "
                        "unattended run never calls it with new values",
                    )
