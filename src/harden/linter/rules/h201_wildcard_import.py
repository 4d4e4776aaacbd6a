"""H201 wildcard-import."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation


class WildcardImport(Rule):
    """A wildcard import (`from module import *`).
    ## What it does
    Flags `from module import *`. The message names the names the notebook reads that
    probably come from it (H003 leaves those alone).

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
        Example("import os\nfrom math import *", "print(sqrt(pi))", expect=[(0, 2)]),
        Example("from pylab import *", "from .helpers import *", expect=[(0, 1), (1, 1)]),
        Example("try:\n    from fast import *\nexcept ImportError:\n    pass", expect=[(0, 2)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            for imp in cell.imports:
                if not imp.is_star:
                    continue
                message = f"`from {imp.module} import *` hides which names it binds"
                names = sorted(
                    {
                        u.name
                        for u in ctx.analysis.unresolved
                        if u.kind == "star" and u.reader >= cell.index
                    }
                )
                if names:
                    shown = ", ".join(f"`{n}`" for n in names[:5])
                    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
                    message += f"; names read that probably come from it: {shown}{more}"
                yield Violation.at(imp.location, message)
