"""H104 install-in-notebook."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._magics import (
    PACKAGE_MAGICS,
    command_shown,
    installs,
    shell_commands,
    shown,
)


class InstallInNotebook(Rule):
    """A cell installs packages (`!pip install`, `%pip`, `%conda`, `!apt-get`).
    ## What it does
    Flags package installs run from a cell: `!pip install`, `!python -m pip install`,
    `%pip …`, `%conda …`, `!conda install`, `!apt-get install` (also inside `%%bash`
    cells).

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
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            for magic in cell.magics:
                if magic.kind == "line" and magic.name in PACKAGE_MAGICS:
                    yield Violation.at(
                        magic.location,
                        f"`{shown(magic)}` manages packages from inside the notebook",
                    )
            for command in shell_commands(cell):
                if installs(command.text):
                    yield Violation.at(
                        command.location,
                        f"`{command_shown(command)}` installs packages from inside the notebook",
                    )
