"""H106 working-directory-change."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._magics import DIRECTORY_MAGICS, shown

#: Calls that change the process's working directory.
CHDIR_CALLS = frozenset({"os.chdir", "os.fchdir", "posix.chdir"})


class WorkingDirectoryChange(Rule):
    """A cell changes the working directory (`os.chdir`, `%cd`).
    ## What it does
    Flags `os.chdir(...)` (however `os` or `chdir` was imported) and the `%cd` /
    `%pushd` / `%popd` magics. `!cd` runs in a throw-away subshell and changes nothing,
    so it is left to H105.

    ## Why is this bad?
    Every relative path after the change depends on where the notebook was started and
    on which cells already ran: running the cell twice moves twice, and a pipeline or
    test runner that starts elsewhere reads and writes different files, or fails.

    ## How to fix it
    Build paths from one base directory (`BASE = Path(__file__).parent` or a parameter)
    and pass absolute paths instead of changing directory.
    """

    id = "H106"
    name = "working-directory-change"
    severity = Severity.WARNING

    valid = (
        Example("import os\nos.getcwd()", "from pathlib import Path\nBASE = Path('data')"),
        Example("def chdir(p):\n    return p\n\nchdir('data')"),
        Example("!cd data && ls"),
        Example("import os\nos.path.join('a', 'b')", "path.chdir('x')"),
    )
    invalid = (
        Example("import os\nos.chdir('/home/ana/project')", expect=[(0, 2)]),
        Example("from os import chdir as cd\n\ncd('..')", expect=[(0, 3)]),
        Example("import os as o", "o.chdir(o.path.expanduser('~'))", expect=[(1, 1)]),
        Example("%cd ../data", "x = 1\n%pushd /tmp\n%popd", expect=[(0, 1), (1, 2), (1, 3)]),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            for call in cell.calls:
                if call.qualified_name in CHDIR_CALLS:
                    yield Violation.at(
                        call.location,
                        f"`{call.qualified_name}` changes the "
                        "working directory every later relative path depends on",
                    )
            for magic in cell.magics:
                if magic.kind == "line" and magic.name in DIRECTORY_MAGICS:
                    yield Violation.at(
                        magic.location,
                        f"`{shown(magic)}` changes the working "
                        "directory every later relative path depends on",
                    )
