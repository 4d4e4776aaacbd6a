"""H003 undefined-name."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._state_helpers import cells_text, unresolved_once


class UndefinedName(Rule):
    """A name is read that no cell defines, no import binds, and no builtin provides.
    ## What it does
    Flags a read of a name that no cell, import, builtin or IPython provides.

    A name a wildcard import might provide is left to H201; a name only a later cell
    defines is H002.

    ## Why is this bad?
    The value came from hidden kernel state: a cell that was deleted or edited after it
    ran, or something typed in a console. The notebook cannot be re-run by anyone else,
    and code extracted from it fails with NameError.

    ## How to fix it
    Restore the cell that defined the name, or define it before it is read.
    """

    id = "H003"
    name = "undefined-name"
    severity = Severity.ERROR

    valid = (
        Example("print(len([1]), __name__)", "display(In[-1], Out, _, _i1, _2)"),
        Example("from math import *", "print(sqrt(2))"),
        Example(
            "f = lambda q: q + 1\nys = [v * 2 for v in range(3)]",
            "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    print(e)",
            "with open('data.csv') as fh:\n    print(fh.read())",
        ),
        Example("def setup():\n    global CONFIG\n    CONFIG = {}", "setup()", "print(CONFIG)"),
        Example("import os.path", "os.path.join('a', 'b')"),
        Example("if (n := 10) > 5:\n    print(n)", "%time r = sorted([2, 1])", "r"),
        Example("class Model:\n    def score(self):\n        return self.w", "Model().score()"),
        Example("print(x)", "x = 1"),
        Example("%%capture cap\nprint('hi')", "print(cap.stdout)", "%store -r model\nmodel"),
        Example(
            "err = None\ntry:\n    1 / 0\nexcept ZeroDivisionError as err:\n    print(err)\nerr",
            "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    error = str(e)\nerror",
        ),
        Example("x = 1", "if x > 5:\n    del x", "print(x)", "y = 1\ndel y\ny = 2", "y"),
        Example("x = 1", "del x", "x = 2", "print(x)"),
        Example(
            "from preamble import *\n%run helpers.py",
            "print(pd, np, _scale(2), DATA)",
            files={
                "preamble.py": "if True:\n    import pandas as pd\nelse:\n    pd = None\n"
                "from extra import *\n",
                "extra.py": "import numpy as np\n_hidden = 1\n",
                "helpers.py": "DATA = 'data.csv'\ndef _scale(x):\n    return 2 * x\n",
            },
        ),
    )
    invalid = (
        Example(
            "import pandas as pd",
            "df2 = df.dropna()",
            message="`df` is not defined by any cell, import or builtin",
            severity="error",
            expect=[(1, 1)],
        ),
        Example(
            "def f(a):\n    return a + missing",
            message="`f` reads `missing` when it runs",
            expect=[(0, 2)],
        ),
        Example(
            "x = 1\ndel x\nprint(x)",
            message="`x` is read after `del x` removed it",
            expect=[(0, 3)],
        ),
        Example("[v for v in range(3)]\nprint(v)", expect=[(0, 2)]),
        Example(
            "from preamble import *",
            "print(np, _hidden)",
            files={"preamble.py": "import numpy as np\nimport os\n_hidden = 1\n__all__ = ['np']\n"},
            message="`_hidden` is not defined by any cell, import or builtin",
            severity="error",
            expect=[(1, 1)],
        ),
        Example("%timeit helper(3)", expect=[(0, 1)]),
        Example(
            "x = 1",
            "%timeit y = x * 2",
            "%%timeit\nw = x * 3",
            "print(y, w)",
            message="is not defined by any cell, import or builtin",
            severity="error",
            expect=[(3, 1), (3, 1)],
        ),
        Example("seen = set()\nseen.add(ghost)\nprint(ghost)", expect=[(0, 2)]),
        Example(
            "big = list(range(10))",
            "del big",
            "print(len(big))",
            message="`big` is read after `del big` in cell 2 removed it",
            severity="error",
            expect=[(2, 1)],
        ),
        Example(
            "x = 1\ndef f():\n    return x",
            "del x",
            "f()",
            message="`f` reads `x` when it runs, after `del x` in cell 2 removed it",
            expect=[(2, 1)],
        ),
        Example(
            "try:\n    1 / 0\nexcept ZeroDivisionError as err:\n    print(err)\nprint(err)",
            message="`err` is read after the `except ... as err` handler that bound it; "
            "Python unbinds it when the handler ends",
            severity="error",
            expect=[(0, 5)],
        ),
        Example(
            "try:\n    1 / 0\nexcept ZeroDivisionError as err:\n    pass",
            "print(err)",
            message="`err` is read after the `except ... as err` handler in cell 1 that bound it",
            expect=[(1, 1)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for read in unresolved_once(ctx.analysis, frozenset({"undefined"})):
            cell = ctx.analysis.cell(read.reader)
            handlers = [
                c.index
                for c in ctx.analysis.cells
                if c.index <= read.reader and read.name in c.handler_names
            ]
            related: list[int] = []
            if read.deleted_in is not None:
                related = [read.deleted_in]
                reads = (
                    f"`{read.name}` is read"
                    if read.via is None
                    else f"`{read.via}` reads `{read.name}` when it runs,"
                )
                message = (
                    f"{reads} after `del {read.name}` in {cells_text([read.deleted_in])} removed it"
                )
            elif cell is not None and read.name in cell.deletes and read.via is None:
                message = f"`{read.name}` is read after `del {read.name}` removed it"
            elif handlers and read.via is None:
                related = [] if handlers[-1] == read.reader else handlers[-1:]
                where = f" in {cells_text(related)}" if related else ""
                message = (
                    f"`{read.name}` is read after the `except ... as {read.name}` handler"
                    f"{where} that bound it; Python unbinds it when the handler ends"
                )
            elif read.via is not None:
                message = (
                    f"`{read.via}` reads `{read.name}` when it runs, and no cell, "
                    "import or builtin defines it"
                )
            else:
                message = (
                    f"`{read.name}` is not defined by any cell, import or builtin "
                    "(a deleted cell or hidden kernel state?)"
                )
            yield Violation.at(read.location, message, related_cells=related)
