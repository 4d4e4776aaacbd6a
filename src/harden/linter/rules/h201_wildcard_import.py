"""H201 wildcard-import."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._state_helpers import used_names


class WildcardImport(Rule):
    """A wildcard import (`from module import *`).
    ## What it does
    Flags `from module import *`. For a module beside the notebook, read (never run),
    the message names what the notebook uses from it. Otherwise harden cannot know the
    names it binds: the message says so and names the names the notebook reads that
    probably come from it, which H003 leaves alone and H002 reports only as warnings.

    ## Why is this bad?
    Nobody reading the notebook — and no tool — can tell which names come from the
    module, so undefined names cannot be caught, a later import can silently shadow one
    (`from numpy import *` replaces the builtin `sum`), and the code changes meaning
    when the module adds names.

    ## How to fix it
    Import the names you use (`from math import sqrt, pi`) or the module (`import
    math`).
    """

    id = "H201"
    name = "wildcard-import"
    severity = Severity.WARNING

    valid = (
        Example("from math import sqrt, pi", "print(sqrt(pi))"),
        Example("import numpy as np\nfrom os import path"),
        Example("def f():\n    from math import sqrt\n    return sqrt(2)"),
    )
    invalid = (
        Example(
            "import os\nfrom math import *",
            "print(sqrt(pi))",
            message="harden cannot read them, so names it may provide are not reported as "
            "undefined (H002/H003 errors); names read that probably come from it: `pi`, `sqrt`",
            expect=[(0, 2)],
        ),
        Example(
            "from preamble import *",
            "print(pd.__version__)",
            files={"preamble.py": "import pandas as pd\nimport numpy as np\n"},
            message="`from preamble import *` hides which names it binds; the notebook uses "
            "`pd` from it",
            expect=[(0, 1)],
        ),
        Example("from pylab import *", "from .helpers import *", expect=[(0, 1), (1, 1)]),
        Example("try:\n    from fast import *\nexcept ImportError:\n    pass", expect=[(0, 2)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            for imp in cell.imports:
                if not imp.is_star:
                    continue
                message = f"`from {imp.module} import *` hides which names it binds"
                if imp.star_names is not None:
                    used = used_names(ctx.analysis)
                    names = sorted(n for n in imp.star_names if n in used)
                    if names:
                        message += f"; the notebook uses {_listed(names)} from it"
                    yield Violation.at(imp.location, message)
                    continue
                names = sorted(
                    {
                        u.name
                        for u in ctx.analysis.unresolved
                        if u.opaque_in is not None
                        and u.opaque_in >= cell.index
                        and u.reader >= cell.index
                    }
                )
                message += (
                    "; harden cannot read them, so names it may provide are not reported as "
                    "undefined (H002/H003 errors)"
                )
                if names:
                    message += f"; names read that probably come from it: {_listed(names)}"
                yield Violation.at(imp.location, message)


def _listed(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return shown + more
