"""H104 install-in-notebook."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from harden.analysis.library import COMMAND_FUNCTIONS, COMMAND_KEYWORDS
from harden.analysis.model import CallSite
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._magics import (
    PACKAGE_MAGICS,
    clip,
    command_shown,
    installs,
    shell_commands,
    shown,
)
from harden.notebook.magics import is_install


def command_line(call: CallSite) -> tuple[str, bool] | None:
    """The command a ``subprocess.run`` / ``os.system``-like call runs, as ``(text, is_list)``:
    a string command as written, a list of words joined by spaces.  A word that is no
    literal reads ``{code}`` (``sys.executable`` reads ``python``), so it never passes for
    a package name; ``None`` when the command is neither a string nor a list."""
    if call.qualified_name not in COMMAND_FUNCTIONS:
        return None
    args = [a for a in call.args if a.keyword is None][:1] or [
        a for a in call.args if a.keyword in COMMAND_KEYWORDS
    ][:1]
    if not args or args[0].node is None:
        return None
    node = args[0].node
    if isinstance(node, (cst.List, cst.Tuple)):
        return " ".join(_word(element.value) for element in node.elements), True
    text = _text(node)
    return (text, False) if text is not None else None


def _text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.FormattedString):
        return "".join(
            part.value if isinstance(part, cst.FormattedStringText) else "{...}"
            for part in node.parts
        )
    return None


def _word(node: cst.BaseExpression) -> str:
    text = _text(node)
    if text is not None:
        return text
    if isinstance(node, cst.Attribute) and node.attr.value == "executable":
        return "python"
    return "{...}"


def _installs(command: tuple[str, bool]) -> bool:
    text, is_list = command
    return is_install(text.split(" ")) if is_list else installs(text)


class InstallInNotebook(Rule):
    """A cell installs packages (`!pip install`, `%pip`, `%conda`, `!apt-get`).
    ## What it does
    Flags package installs run from a cell: `!pip install`, `!python -m pip install`,
    `%pip …`, `%conda …`, `!conda install`, `!apt-get install` (also inside `%%bash`
    cells), and the same commands run from Python: `subprocess.run(["pip", "install",
    …])`, `subprocess.check_call([sys.executable, "-m", "pip", "install", …])`,
    `os.system("pip install …")`.

    ## Why is this bad?
    Installing from inside the notebook changes the environment while it runs: the
    versions you get depend on the day it ran, a production job must not modify its own
    environment, and the dependencies are invisible to anyone reading the project's
    requirements. Runs on two machines can import different library versions and give
    different results.

    ## How to fix it
    Move the dependencies, with pinned versions, to requirements.txt, pyproject.toml or
    environment.yml and delete the install line.
    """

    id = "H104"
    name = "install-in-notebook"
    severity = Severity.WARNING

    valid = (
        Example("!pip list", "!pip freeze > requirements.txt", "!conda list"),
        Example("!ls -la", "import pip", 'cmd = "pip install x"'),
        Example("%%bash\necho installing later\npython train.py"),
        Example("# !pip install pandas\nimport pandas as pd"),
        Example(
            "import subprocess, os, sys",
            "subprocess.run(['pip', 'list'], check=True)",
            "subprocess.check_call([sys.executable, '-m', 'pip', 'freeze'])",
            "os.system('ls -la')\nsubprocess.run('git status', shell=True)",
            "run(['pip', 'install', 'x'])\nprint('pip install x')",
        ),
    )
    invalid = (
        Example("!pip install pandas==2.2", expect=[(0, 1)]),
        Example("import os\n%pip install -q scikit-learn", expect=[(0, 2)]),
        Example(
            "!python -m pip install --upgrade lightgbm",
            "!pip3 install torch",
            expect=[(0, 1), (1, 1)],
        ),
        Example(
            "%conda install -c conda-forge numpy", "!conda install -y shap", expect=[(0, 1), (1, 1)]
        ),
        Example(
            "!sudo apt-get update && sudo apt-get install -y graphviz",
            "!apt install ffmpeg",
            expect=[(0, 1), (1, 1)],
        ),
        Example("%%bash\nset -e\npip install -r requirements.txt\nls", expect=[(0, 3)]),
        Example("out = !pip install xgboost", "%pip list", expect=[(0, 1), (1, 1)]),
        Example(
            "import sys\n!{sys.executable} -m pip install shap",
            "!uv pip install polars",
            expect=[(0, 2), (1, 1)],
        ),
        Example(
            "import subprocess\nsubprocess.run(['pip', 'install', 'pandas==2.2'], check=True)",
            message="`subprocess.run` runs `pip install pandas==2.2`, which installs packages "
            "from inside the notebook",
            expect=[(0, 2)],
        ),
        Example(
            "import subprocess, sys\n"
            "subprocess.check_call([sys.executable, '-m', 'pip', 'install', '-q', 'shap'])",
            message="`subprocess.check_call` runs `python -m pip install -q shap`, which installs",
            expect=[(0, 2)],
        ),
        Example(
            "import os\nos.system('pip install xgboost')",
            "from subprocess import check_output as co\npkg = 'torch'\n"
            "co(f'conda install -y {pkg}', shell=True)",
            "import subprocess\nsubprocess.Popen(args=('apt-get', 'install', '-y', 'graphviz'))",
            expect=[(0, 2), (1, 3), (2, 2)],
        ),
        Example(
            "import os\nos.system('pip install xgboost')",
            message="`os.system` runs `pip install xgboost`, which installs packages from "
            "inside the notebook",
            severity="warning",
            expect=[(0, 2)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            for magic in cell.magics:
                if magic.kind == "line" and magic.name in PACKAGE_MAGICS:
                    yield Violation.at(
                        magic.location,
                        f"`{shown(magic)}` manages packages from inside the notebook",
                    )
            for call in cell.calls:
                line = command_line(call)
                if line is not None and _installs(line):
                    yield Violation.at(
                        call.location,
                        f"`{call.qualified_name}` runs `{clip(line[0])}`, which installs "
                        "packages from inside the notebook",
                    )
            for command in shell_commands(cell):
                if installs(command.text):
                    yield Violation.at(
                        command.location,
                        f"`{command_shown(command)}` installs packages from inside the notebook",
                    )
