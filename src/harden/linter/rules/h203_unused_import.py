"""H203 unused-import."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from harden.analysis.model import ImportBinding
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._state_helpers import (
    any_syntax_error,
    exported_names,
    used_names,
)

#: Modules imported for their side effect (they register accessors, projections,
#: or enable experimental APIs): never "unused".
SIDE_EFFECT_MODULES = frozenset(
    {
        "mpl_toolkits.mplot3d",
        "sklearn.experimental",
        "hvplot.pandas",
        "hvplot.xarray",
        "hvplot.polars",
        "janitor",
        "swifter",
        "pandas_profiling",
        "ydata_profiling",
        "rioxarray",
        "pint_pandas",
        "pint_xarray",
        "cf_xarray",
        "readline",
    }
)


class UnusedImport(Rule):
    """An import that no cell uses.
    ## What it does
    Flags an import whose name no cell reads.

    A read anywhere counts: in any cell, in function bodies, in `%time`/`%timeit` lines,
    interpolated into shell commands (`!ls {folder}`). `import a.b` binds `a`, so
    reading `a` uses it. Not flagged: `from __future__` imports, explicit re-exports
    (`from m import x as x`, names in `__all__`), modules imported for their side effect
    (`mpl_toolkits.mplot3d`, `sklearn.experimental.*`, …), and notebooks with a cell
    that does not parse (its reads are unknown; H209).

    ## Why is this bad?
    Every import is a dependency someone must install to run or deploy the notebook; an
    unused one adds install time, version conflicts and attack surface for nothing, and
    misleads readers about what the code relies on.

    ## How to fix it
    Delete the import (or the name from the import statement).
    """

    id = "H203"
    name = "unused-import"
    severity = Severity.WARNING

    valid = (
        Example("import numpy as np\nimport os.path", "x = np.zeros(3)\nos.getcwd()"),
        Example("import numpy as np\nx = np.zeros(3)"),
        Example("import math", "def f():\n    return math.pi", "%timeit sorted([3, 1])"),
        Example("import math", "%timeit math.sqrt(2)"),
        Example(
            "from __future__ import annotations\nfrom mpl_toolkits.mplot3d import Axes3D\n"
            "from sklearn.experimental import enable_iterative_imputer"
        ),
        Example("from helpers import clean as clean\nfrom helpers import load\n__all__ = ['load']"),
        Example("import os", "!ls {os.sep}"),
        Example("import os", "x = (", "y = 1"),
    )
    invalid = (
        Example("import os\nimport numpy as np", "x = np.zeros(3)", expect=[(0, 1)]),
        Example(
            "import pandas as pd, seaborn as sns\nfrom os import path, sep",
            "pd.DataFrame(path)",
            expect=[(0, 1), (0, 2)],
        ),
        Example(
            "try:\n    import ujson as json\nexcept ImportError:\n    import json",
            expect=[(0, 2), (0, 4)],
        ),
        Example("import a.b", "b = 1\nprint(b)", expect=[(0, 1)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        if any_syntax_error(ctx.analysis):
            return
        used = used_names(ctx.analysis) | exported_names(ctx.analysis)
        for cell in ctx.analysis.cells:
            for imp in cell.imports:
                if imp.is_star or imp.name in used or _exempt(imp):
                    continue
                what = f"`{imp.name}`"
                if imp.target != imp.name:
                    what += f" (`{imp.target}`)"
                elif imp.module != imp.name and isinstance(imp.statement, cst.Import):
                    what += f" (bound by `import {imp.module}`)"
                yield Violation.at(imp.location, f"{what} is imported but no cell uses it")


def _exempt(imp: ImportBinding) -> bool:
    if imp.module == "__future__":
        return True
    for module in (imp.module, imp.target):
        if any(module == m or module.startswith(m + ".") for m in SIDE_EFFECT_MODULES):
            return True
    return _is_reexport(imp)


def _is_reexport(imp: ImportBinding) -> bool:
    """``from m import x as x`` / ``import x as x``: the conventional explicit re-export."""
    statement = imp.statement
    if not isinstance(statement, (cst.Import, cst.ImportFrom)) or not isinstance(
        statement.names, (list, tuple)
    ):
        return False
    return any(
        isinstance(alias.name, cst.Name)
        and alias.asname is not None
        and isinstance(alias.asname.name, cst.Name)
        and alias.name.value == alias.asname.name.value == imp.name
        for alias in statement.names
    )
