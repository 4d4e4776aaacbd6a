"""H002 use-before-define."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, md
from harden.linter.rules._state_helpers import cells_text, unresolved_once


class UseBeforeDefine(Rule):
    """A cell reads a name that only a later cell defines.
    ## What it does
    Flags a cell that reads a name only a later cell defines.

    Reads in a function body happen when the function is called, so a cell that calls a
    notebook function reads, at that moment, what the body reads.

    A wildcard import from a module beside the notebook (`from preamble import *`) binds
    the module's `__all__` (or its public top-level names) and `%run script.py` the
    names the script defines; both files are read, never run. When a wildcard import's
    names cannot be known (an installed module, a missing file), a read it may satisfy
    is reported as a warning that says so, not as an error.

    ## Why is this bad?
    The notebook worked because the kernel remembered a name from a cell further down
    that was run first. Run top to bottom — in a fresh kernel, in CI, in a pipeline —
    the cell fails with NameError, or silently reads another value.

    ## How to fix it
    Move the defining cell above the cell that reads the name (or the read below it).
    """

    id = "H002"
    name = "use-before-define"
    severity = Severity.ERROR

    valid = (
        Example("x = 1", "print(x)"),
        Example("def f():\n    return THRESHOLD * 2", "THRESHOLD = 3", "f()"),
        Example("x = 1\nprint(x)", "x = 2"),
        Example("display(len([1]))\n_", "import numpy as np\n%timeit np.zeros(3)"),
        Example("data = [3, 1]", "%timeit sorted(data)"),
        Example("total = sum(v for v in [1, 2])", "total"),
        Example(
            "from preamble import *",
            "df = pd.DataFrame({'a': [1]})\nshow(df)",
            "import pandas as pd",
            files={
                "preamble.py": "import pandas as pd\nfrom helpers import *\n"
                "__all__ = ['pd', 'show']\n",
                "helpers.py": "def show(x):\n    print(x)\n",
            },
        ),
        Example(
            "def df(x):\n    return 2 * x",
            "df(3)",
            "def df(x):\n    return gradients(x)",
            "def gradients(x):\n    return x",
            "df(3)",
        ),
        Example(
            "%run -i setup.py",
            "model = make_model(SEED)",
            "SEED = 1",
            files={"setup.py": "SEED = 0\ndef make_model(seed):\n    return seed\n"},
        ),
    )
    invalid = (
        Example(
            "print(x)",
            "x = 1",
            message="`x` is read here, but only cell 2 further down defines it",
            severity="error",
            expect=[(0, 1)],
        ),
        Example(md("# Setup"), "y = 1\nz = w + y", md("later"), "w = 2", expect=[(1, 2)]),
        Example(
            "def f():\n    return rate * 2",
            "f()",
            "rate = 0.1",
            message="calling `f` reads `rate`, which only cell 3 further down defines",
            expect=[(1, 1)],
        ),
        Example("%timeit sorted(data)", "data = [3, 1]", expect=[(0, 1)]),
        Example("for row in rows:\n    print(row)", "rows = [1]", expect=[(0, 1)]),
        Example(
            "from preamble import *",
            "df = pd.DataFrame({'a': [1]})",
            "import pandas as pd",
            files={"preamble.py": "import numpy as np\n__all__ = ['np']\n"},
            message="`pd` is read here, but only cell 3 further down defines it",
            severity="error",
            expect=[(1, 1)],
        ),
        Example(
            "from pylab import *",
            "df = pd.DataFrame({'a': [1]})",
            "import pandas as pd",
            message="only cell 3 further down defines it, unless `from pylab import *` in "
            "cell 1 provides it",
            severity="warning",
            expect=[(1, 1)],
        ),
        Example(
            "%run missing.py",
            "print(rate)",
            "rate = 1",
            message="unless `%run missing.py` in cell 1 provides it",
            severity="warning",
            expect=[(1, 1)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for read in unresolved_once(ctx.analysis, frozenset({"later"})):
            where = cells_text(read.definers)
            if read.via is not None:
                message = (
                    f"calling `{read.via}` reads `{read.name}`, which only {where} "
                    "further down defines"
                )
            else:
                message = f"`{read.name}` is read here, but only {where} further down defines it"
            related = sorted(set(read.definers))
            severity = None
            cell = ctx.analysis.cell(read.opaque_in) if read.opaque_in is not None else None
            if cell is not None and cell.opaque:
                # The names of a wildcard import (or ``%run``) cannot be known: it may
                # provide this one, so the read may well succeed.
                where = "this cell" if cell.index == read.reader else cells_text([cell.index])
                message += f", unless {cell.opaque[-1]} in {where} provides it"
                if cell.index != read.reader:
                    related.append(cell.index)
                severity = Severity.WARNING
            yield Violation.at(read.location, message, severity=severity, related_cells=related)
