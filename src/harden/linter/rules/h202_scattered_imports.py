"""H202 scattered-imports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import libcst as cst

from harden.analysis import dotted_name
from harden.analysis.model import CellAnalysis
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, md

#: Calls that must run before some imports, so they may sit among them.
SETUP_CALLS = frozenset(
    {
        "sys.path.append",
        "sys.path.insert",
        "sys.path.extend",
        "matplotlib.use",
        "mpl.use",
        "os.environ.update",
        "os.environ.setdefault",
        "load_dotenv",
    }
)


class ScatteredImports(Rule):
    """Imports appear after the first cell that does something other than import.
    ## What it does
    Flags each cell with imports that comes after the first code cell doing something
    other than importing.

    Setup does not count as "other code": magics and shell escapes (`%matplotlib
    inline`, `!pip install`), docstrings, `pass`, `try: import x / except ImportError:
    ...` fallbacks, and what must run before some imports (`sys.path.append(...)`,
    `os.environ["X"] = ...`, `matplotlib.use(...)`). A late cell's conditional imports
    (in `try` or `if`) are flagged like plain ones: they are dependencies hidden further
    down all the same. Imports inside function bodies are not flagged.

    ## Why is this bad?
    A reader — and whoever packages the notebook — cannot see its dependencies at a
    glance, and a cell in the middle fails with ModuleNotFoundError long after the work
    before it has run. Imports near the top also make the extracted module's imports
    obvious.

    ## How to fix it
    Move the import to the notebook's first code cell (the import cell).
    """

    id = "H202"
    name = "scattered-imports"
    severity = Severity.WARNING

    valid = (
        Example("import pandas as pd\nimport numpy as np", "df = pd.DataFrame()"),
        Example(
            "%matplotlib inline\n!pip install x",
            md("# Imports"),
            "import os",
            "try:\n    import ujson as json\nexcept ImportError:\n    json = None",
            "import sys",
            "print(os, json, sys)",
        ),
        Example("import os\nprint(os.getcwd())", "def f():\n    import math\n    return math.pi"),
        Example('"""Setup."""\nimport os', "x = os.sep"),
        Example(
            "import sys, os\nsys.path.insert(0, '../src')\nos.environ['CUDA'] = '0'",
            "import mypkg\nimport matplotlib\nmatplotlib.use('Agg')",
            "import matplotlib.pyplot as plt",
            "plt.plot(mypkg.x)",
        ),
    )
    invalid = (
        Example(
            "import pandas as pd",
            "df = pd.DataFrame()",
            md("## Model"),
            "x = 1\nfrom sklearn.linear_model import LinearRegression",
            expect=[(3, 2)],
        ),
        Example("x = 1", "import os\nimport sys", "y = 2", "import math", expect=[(1, 1), (3, 1)]),
        Example(
            "x = 1",
            "try:\n    import ujson as json\nexcept ImportError:\n    import json",
            expect=[(1, 2)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        first_code: int | None = None
        for cell in ctx.analysis.cells:
            if first_code is not None and cell.imports:
                bound = list(
                    dict.fromkeys(imp.target if imp.is_star else imp.name for imp in cell.imports)
                )
                names = ", ".join(f"`{name}`" for name in bound[:3])
                more = ", …" if len(bound) > 3 else ""
                yield Violation.at(
                    cell.imports[0].location,
                    f"imports {names}{more} after code in cell "
                    f"{first_code + 1}: keep imports together at the top",
                    related_cells=(first_code,),
                )
            elif first_code is None and _has_other_code(cell):
                first_code = cell.index


def _has_other_code(cell: CellAnalysis) -> bool:
    if cell.module is None:
        return False
    return not all(_is_setup(statement) for statement in cell.module.body)


def _is_setup(statement: Any) -> bool:
    if isinstance(statement, cst.SimpleStatementLine):
        return all(_is_setup_small(small) for small in statement.body)
    if isinstance(statement, cst.Try):
        return all(_is_setup(s) for s in statement.body.body) and (
            statement.orelse is None or all(_is_setup(s) for s in statement.orelse.body.body)
        )
    return False


def _is_setup_small(small: Any) -> bool:
    if isinstance(small, (cst.Import, cst.ImportFrom, cst.Pass)):
        return True
    if isinstance(small, cst.Expr):
        value = small.value
        if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            return True
        if not isinstance(value, cst.Call):
            return False
        if dotted_name(value.func) in SETUP_CALLS:
            return True
        return (
            isinstance(value.func, cst.Attribute)
            and isinstance(value.func.value, cst.Call)
            and isinstance(value.func.value.func, cst.Name)
            and value.func.value.func.value == "get_ipython"
        )
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        return isinstance(target, cst.Subscript) and dotted_name(target.value) == "os.environ"
    return False
