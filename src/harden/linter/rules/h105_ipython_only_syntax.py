"""H105 ipython-only-syntax."""

from __future__ import annotations

from collections.abc import Iterator

from harden.analysis.model import MagicUse
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, code
from harden.linter.rules._magics import is_shell_cell, shown, specific_rule
from harden.notebook import magics

_HINTS = {
    "run": "import the code as a module and call it",
    "store": "write the value to a file and read it back",
    "env": "use os.environ",
    "load": "keep the code in the cell or import it",
    "writefile": "keep the file in the repository",
    "bash": "use subprocess.run",
    "sh": "use subprocess.run",
    "script": "use subprocess.run",
}


def is_display_only(magic: MagicUse) -> bool:
    return magics.is_display_only(magic.kind, magic.name, magic.args)


def _display_only_message(magic: MagicUse) -> str:
    """Display-only magics go; a timing or capturing magic goes but its code stays."""
    role = magics.role(magic.kind, magic.name, magic.args)
    if role is magics.Role.SHELL:
        return f"`{shown(magic)}` only shows output; drop it outside Jupyter"
    if role is magics.Role.TIMED and magics.strip_options(magic.args):
        return (
            f"`{shown(magic)}` only times its statement; outside Jupyter remove the "
            f"`%{magic.name}` prefix and keep the statement"
        )
    if role is magics.Role.PYTHON:
        return (
            f"`{shown(magic)}` only {'captures the output of' if magic.name == 'capture' else 'times'} "
            f"its body; outside Jupyter remove the `%%{magic.name}` line and keep the body"
        )
    return f"`{shown(magic)}` only affects the interactive session; drop it outside Jupyter"


class IpythonOnlySyntax(Rule):
    """IPython-only syntax: magics (`%run`, `%%bash`), shell escapes (`!ls`), `x?`.
    ## What it does
    Flags magics, shell escapes (`!ls`, `x = !cmd`) and help lookups (`x?`) — syntax
    plain Python cannot run. Display-only magics (`%matplotlib`, `%config`, `%load_ext
    autoreload`, `%autoreload`, `%time`, `%%capture`…) and shell escapes that only show
    something (`!head data.csv`, `!ls`, `!pip list`, `!nvidia-smi`, without redirection)
    are reported at `info`, since dropping them changes nothing but presentation. A severity set for H105 in a pack or
    in `[tool.harden]` applies to all its findings, display-only ones included. What
    H104 (installs), H103 (downloads) and H106 (`%cd`) report is not reported again
    here.

    ## Why is this bad?
    Magics and shell escapes only exist inside IPython: the code cannot be extracted to
    a module, imported, tested or run by `python`. Shell escapes also depend on the
    tools installed on the machine and fail silently — a failing `!command` does not
    stop the notebook.

    ## How to fix it
    Replace the magic with Python (`subprocess.run`, `os.environ`, an import) or delete
    it; display-only magics can simply go. A timing or capturing magic (`%time`, `%timeit`,
    `%%time`, `%%capture`) goes but its code stays: remove the `%time` prefix or the `%%time` line
    and keep the statement or the body.
    """

    id = "H105"
    name = "ipython-only-syntax"
    severity = Severity.WARNING

    valid = (
        Example("import subprocess\nsubprocess.run(['ls'], check=True)", "x = 'a ! b'"),
        Example(
            "!pip install pandas", "%pip install numpy", "!wget https://x.org/d.csv", "%cd data"
        ),
        Example("%%bash\npip install -r requirements.txt\ncurl -O https://x.org/a.zip"),
        Example("# %run helpers.py\nprint('100%')"),
    )
    invalid = (
        Example("%run helpers.py", "%store model", "%env SEED=1", expect=[(0, 1), (1, 1), (2, 1)]),
        Example(
            "files = !ls data",
            "import pandas as pd\npd.read_csv?",
            "!ls -la > listing.txt",
            expect=[(0, 1), (1, 2), (2, 1)],
        ),
        Example(
            "%%bash\nls\npip install x",
            code("%%writefile util.py\ndef f():\n    pass"),
            expect=[(0, 1), (1, 1)],
        ),
        Example(
            "%matplotlib inline\n%load_ext autoreload\n%autoreload 2",
            "%time y = 1\n%who",
            expect=[(0, 1), (0, 2), (0, 3), (1, 1), (1, 2)],
        ),
        Example("%%time\nx = sum(range(10))", "%load_ext sql", expect=[(0, 1), (1, 1)]),
        Example("!pip list && rm -r out", "%%script bash\necho hi", expect=[(0, 1), (1, 1)]),
        Example(
            "!head -n 3 housing.csv",
            "!ls data | wc -l",
            message="only shows output; drop it outside Jupyter",
            severity="info",
            expect=[(0, 1), (1, 1)],
        ),
        Example(
            "%matplotlib inline",
            message="only affects the interactive session",
            severity="info",
            expect=[(0, 1)],
        ),
        Example(
            "x = 2",
            "%time z = x * 2",
            message="`%time z = x * 2` only times its statement; outside Jupyter remove the "
            "`%time` prefix and keep the statement",
            severity="info",
            expect=[(1, 1)],
        ),
        Example(
            "x = 2",
            "%timeit -n 10 x * 2",
            message="`%timeit -n 10 x * 2` only times its statement; outside Jupyter remove "
            "the `%timeit` prefix and keep the statement",
            severity="info",
            expect=[(1, 1)],
        ),
        Example(
            "%%time\nx = sum(range(10))",
            message="`%%time` only times its body; outside Jupyter remove the `%%time` line "
            "and keep the body",
            severity="info",
            expect=[(0, 1)],
        ),
        Example(
            "%%capture cap\nx = sum(range(10))",
            message="`%%capture cap` only captures the output of its body; outside Jupyter "
            "remove the `%%capture` line and keep the body",
            severity="info",
            expect=[(0, 1)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            for magic in cell.magics:
                if specific_rule(magic, cell) is not None:
                    continue
                if is_display_only(magic):
                    yield Violation.at(
                        magic.location, _display_only_message(magic), severity=Severity.INFO
                    )
                    continue
                what = (
                    "shell escape"
                    if magic.kind.startswith("shell")
                    else ("help lookup" if magic.kind == "help" else "magic")
                )
                if magic.kind == "cell" and is_shell_cell(magic):
                    what = "shell cell"
                hint = _HINTS.get(magic.name) if magic.kind in {"line", "cell"} else None
                hint = hint or (
                    "use subprocess.run"
                    if what.startswith("shell")
                    else "remove it"
                    if what == "help lookup"
                    else "rewrite it in Python or delete it"
                )
                yield Violation.at(
                    magic.location,
                    f"`{shown(magic)}` is an IPython-only "
                    f"{what} that plain Python cannot run; {hint}",
                )
