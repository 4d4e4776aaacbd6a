"""H403 missing-parameters-cell."""

from __future__ import annotations

import re
from collections.abc import Iterator

from harden.analysis import Parameter, leading_literals
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, code, md
from harden.notebook import tags
from harden.notebook.tags import PARAMETER_TAGS

_CONFIG_WORDS = frozenset(
    {
        "seed",
        "state",
        "size",
        "epochs",
        "epoch",
        "batch",
        "lr",
        "rate",
        "estimators",
        "depth",
        "threshold",
        "splits",
        "folds",
        "path",
        "dir",
        "file",
        "filename",
        "url",
        "root",
        "target",
        "iterations",
        "iters",
        "steps",
        "features",
        "columns",
        "alpha",
    }
)
_PATH = re.compile(
    r"[/\\]|\.(csv|tsv|parquet|json|jsonl|xlsx?|txt|pkl|pickle|feather|h5|npz?|zip)$", re.IGNORECASE
)
_LIMIT = 5


def looks_like_config(parameter: Parameter) -> bool:
    """A path, seed, threshold or size: a scalar with a configuration-like name or
    value, or a container only under a configuration name (``FEATURES = [...]``,
    ``columns = [...]``), never demo data (``L = [3, 1, 2]``, ``X = [[1, 2], [3, 4]]``)."""
    name, value = parameter.name, parameter.value
    if value is None:
        return False
    words = name.lower().split("_")
    configured = any(word in _CONFIG_WORDS for word in words)
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        items = list(value.values()) if isinstance(value, dict) else list(value)
        if any(isinstance(item, (list, tuple, dict, set)) for item in items):
            return False  # a matrix or a table: data
        return configured or (name.isupper() and len(name) > 1 and "_" in name)
    if name.isupper():
        return True
    if isinstance(value, str) and _PATH.search(value):
        return True
    return configured


class MissingParametersCell(Rule):
    """No cell is tagged `parameters`, though the notebook has literal configuration.
    ## What it does
    Flags a notebook that has configuration literals at the top but no cell tagged
    `parameters`.

    Candidates are the literal assignments before the notebook does anything else, kept
    only when they look like configuration: a scalar with an `UPPER_CASE` name (not bound
    to `None`), a path-like string value, or a name made of configuration words (`seed`,
    `test_size`, `data_dir`, `n_estimators`, …). A list, tuple or dict is configuration
    only under such a name (`FEATURE_COLUMNS = [...]`, `columns = [...]`), never when it
    holds rows (`X = [[1, 2], [3, 4]]`) or is demo data (`L = [3, 1, 4]`). `x = 1` at
    the top of a scratch notebook is not configuration, so it alone does not trigger the
    rule.

    ## Why is this bad?
    Paths, seeds and thresholds written as literals at the top of a notebook are its
    configuration. Without a cell tagged `parameters`, papermill cannot run the notebook
    on other data or settings, and the extracted module cannot expose them as arguments;
    people edit the notebook instead, and runs stop being comparable.

    ## How to fix it
    Move the configuration literals into one cell at the top and give it the tag
    `parameters` (View → Cell Toolbar → Tags in Jupyter).
    """

    id = "H403"
    name = "missing-parameters-cell"
    severity = Severity.INFO

    valid = (
        Example(
            code("DATA_PATH = 'data/train.csv'\nSEED = 42", tags=[tags.PARAMETERS]),
            "import pandas as pd\ndf = pd.read_csv(DATA_PATH)",
        ),
        Example("import pandas as pd\ndf = pd.read_csv('data/train.csv')\nSEED = 42"),
        Example("x = 1\ny = [1, 2]", "print(x + sum(y))"),
        Example(code("SEED = 1", tags=[tags.INJECTED_PARAMETERS]), "print(SEED)"),
        Example(md("# Title"), "MODEL = None\nimport math"),
        Example("L = [3, 1, 4, 1, 5]", "X = [[1, 2], [3, 4]]\ndata = {'a': [1, 2]}"),
    )
    invalid = (
        Example(
            md("# Churn"),
            "import pandas as pd\nDATA_PATH = 'data/train.csv'\nSEED = 42",
            "df = pd.read_csv(DATA_PATH)",
            expect=[(None, None)],
        ),
        Example(
            "%matplotlib inline\ntest_size = 0.2\ndata_dir = 'data'\nx = 3",
            "print(test_size, data_dir, x)",
            expect=[(None, None)],
        ),
        Example(
            code("A = 1\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6", tags=["settings"]),
            expect=[(None, None)],
        ),
        Example(
            "FEATURE_COLUMNS = ['age', 'income']\nL = [3, 1]",
            message="configuration literals that could be parameters: `FEATURE_COLUMNS`",
            expect=[(None, None)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        if any(cell.tags & PARAMETER_TAGS for cell in ctx.notebook.cells):
            return
        candidates = [p for p in leading_literals(ctx.analysis) if looks_like_config(p)]
        if not candidates:
            return
        shown = ", ".join(f"`{p.name}`" for p in candidates[:_LIMIT])
        more = len(candidates) - _LIMIT
        tail = f" and {more} more" if more > 0 else ""
        cell = candidates[0].location.cell_index + 1
        yield Violation(
            f"no cell is tagged `parameters`, while the notebook starts (cell {cell}) with "
            f"configuration literals that could be parameters: {shown}{tail}",
            related_cells=(cell - 1,),
        )
