"""Issue 10 item 6: step boundaries and names — long sections split at their subheadings,
configuration in the module's preamble, generic headings named from what the step returns,
long names shortened by words, never the name of a function the module uses."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_notebook

from harden.errors import UsageError
from harden.extractor import extract
from harden.extractor.sections import identifier, is_generic


def functions(source: str) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}


def step_names(extraction: object) -> list[str]:
    return [s.name for s in extraction.plan.steps]  # type: ignore[attr-defined]


def run_module(folder: Path, source: str, code: str) -> str:
    (folder / "generated.py").write_text(source)
    done = subprocess.run(
        [sys.executable, "-c", f"import generated\n{code}\n"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _block(name: str, lines: int) -> str:
    """``lines`` lines computing ``name`` from ``lines - 1`` parts."""
    parts = [f"{name}_{i} = {i} * 2" for i in range(lines - 1)]
    return "\n".join([*parts, f"{name} = " + " + ".join(f"{name}_{i}" for i in range(lines - 1))])


# -- long sections split at their next heading level -----------------------------------------
LONG = (
    ("md", "# Title"),
    ("md", "## Features"),
    "offset = len('abc')",
    ("md", "### Counts"),
    _block("counts", 35),
    ("md", "### Ratios"),
    _block("ratios", 35) + "\nratios = ratios / counts + offset",
    ("md", "## Report"),
    "total = counts + ratios\nprint(total)",
)


def test_a_long_section_is_split_at_its_subheadings(tmp_path: Path) -> None:
    e = extract(write_notebook(tmp_path, *LONG))
    assert [(s.name, s.title) for s in e.plan.steps] == [
        ("features", "Features"),
        ("compute_counts", "Counts"),  # `counts` is the value: a verb goes first
        ("compute_ratios", "Ratios"),
        ("report", "Report"),
    ]
    assert "split at its ### headings into 'Features', 'Counts', 'Ratios'" in e.log_text
    assert run_module(tmp_path, e.source, "print(generated.run())").strip().endswith("}")


def test_max_step_lines_sets_the_threshold_and_0_never_splits(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, *LONG)
    assert step_names(extract(path, max_step_lines=0)) == ["features", "report"]
    assert step_names(extract(path, max_step_lines=200)) == ["features", "report"]
    with pytest.raises(UsageError, match="--max-step-lines"):
        extract(path, max_step_lines=-1)


def test_a_long_section_with_no_subheading_is_logged_not_cut(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path, ("md", "## Features"), _block("a", 40), _block("b", 40), ("md", "## End"), "c = a"
    )
    e = extract(path)
    assert step_names(e) == ["features", "end"]
    assert "section 'Features' has " in e.log_text
    assert "lines of step code and no smaller heading to split it at" in e.log_text


def test_the_cli_offers_max_step_lines(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, *LONG)
    done = subprocess.run(
        [sys.executable, "-m", "harden.cli", "extract", str(path), "--stdout"]
        + ["--max-step-lines", "0"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
        timeout=120,
    )
    if done.returncode != 0 and "No module named harden.cli.__main__" in done.stderr:
        pytest.skip("harden.cli is not runnable with -m")
    assert done.returncode == 0, done.stderr
    assert "def compute_counts" not in done.stdout and "def features(" in done.stdout


# -- configuration goes to the preamble ------------------------------------------------------
SETUP = (
    "import warnings\nimport numpy as np\nimport pandas as pd\n"
    "import matplotlib.pyplot as plt\n%matplotlib inline\n"
    "plt.style.use('ggplot')\n"
    "plt.rcParams['figure.figsize'] = (8, 5)\n"
    "pd.set_option('display.max_columns', 50)\n"
    "pd.options.display.float_format = '{:.2f}'.format\n"
    "warnings.filterwarnings('ignore')"
)


def test_a_configuration_section_folds_into_the_preamble(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        ("md", "## Setup"),
        SETUP,
        ("md", "## Load"),
        "df = pd.DataFrame({'a': np.arange(10), 'b': np.arange(10) * 2.0})",
        ("md", "## Draw"),
        "total = df['a'].sum()\nplt.plot(df['a'], df['b'])",
    )
    e = extract(path)
    assert step_names(e) == ["load", "draw"]  # no `setup` step
    tree = ast.parse(e.source)
    top = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Expr, ast.Assign))]
    assert "plt.style.use('ggplot')" in top
    assert "plt.rcParams['figure.figsize'] = (8, 5)" in top
    assert "pd.set_option('display.max_columns', 50)" in top
    assert "pd.options.display.float_format = '{:.2f}'.format" in top
    assert "warnings.filterwarnings('ignore')" in top
    plot = ast.unparse(functions(e.source)["plot_draw"])
    assert "style.use" not in plot and "rcParams" not in plot  # configuration is no figure
    assert "configuration: runs once in the module's preamble" in e.log_text
    out = run_module(
        tmp_path,
        e.source,
        "import matplotlib.pyplot as plt, pandas as pd\n"
        "print(generated.run(), plt.rcParams['figure.figsize'], pd.get_option('display.max_columns'))",
    )
    assert out.split("}", 1)[1].split() == ["[8.0,", "5.0]", "50"]


def test_configuration_in_a_computing_cell_leaves_it_but_not_its_computation(
    tmp_path: Path,
) -> None:
    path = write_notebook(
        tmp_path,
        "import pandas as pd\nimport seaborn as sns",
        ("md", "## Load"),
        "sns.set()\nlimit = len('abcd')\npd.set_option('display.max_rows', limit)\n"
        "df = pd.DataFrame({'a': range(limit)})",
        ("md", "## Sum"),
        "total = df['a'].sum()",
    )
    e = extract(path)
    load = ast.unparse(functions(e.source)["load"])
    assert "sns.set()" not in load and "sns.set()" in e.source  # to the preamble
    # It reads a step value: configuration that stays where the value is.
    assert "pd.set_option('display.max_rows', limit)" in load


def test_a_seed_is_not_configuration(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        ("md", "## Setup"),
        "import numpy as np\nnp.random.seed(0)",
        ("md", "## Draw"),
        "x = np.random.rand(3)",
    )
    e = extract(path)
    assert "np.random.seed(0)" in ast.unparse(functions(e.source)[step_names(e)[0]])


# -- generic headings are named from what the step returns -----------------------------------
IMPORTS = (
    "import pandas as pd\n"
    "from sklearn import metrics\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.model_selection import cross_val_score"
)
DATA = "X = pd.DataFrame({'a': [0, 1, 2, 3, 4, 5, 6, 7] * 3})\ny = (X['a'] > 3).astype(int)"


def test_a_generic_heading_names_the_step_from_its_results(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        IMPORTS,
        ("md", "## Step 1: Load the data"),
        DATA,
        ("md", "## Recap"),
        "model = LogisticRegression()\n"
        "cv_accuracy = cross_val_score(model, X, y, cv=3).mean()\nprint(cv_accuracy)",
        ("md", "## Results"),
        "model.fit(X, y)\nprint(metrics.accuracy_score(y, model.predict(X)))",
    )
    e = extract(path)
    names = step_names(e)
    assert names[0] == "load_data"  # the label `Step 1:` goes
    assert names[1] == "compute_cv_accuracy"
    assert names[2] != "results" and names[2].startswith(("compute_", "fit_"))
    assert [s.title for s in e.plan.steps][1:] == ["Recap", "Results"]  # the docstring keeps it
    assert '"""Recap."""' in e.source


@pytest.mark.parametrize(
    ("title", "generic"),
    [
        ("Review", True),
        ("Step 1", True),
        ("Recap", True),
        ("Part 2", True),
        ("Results", True),
        ("Part II: Results", True),
        ("Review of model evaluation", False),
        ("A", False),
        ("Model", False),
    ],
)
def test_generic_headings(title: str, generic: bool) -> None:
    assert is_generic(title) is generic


# -- long names lose middle words, never a piece of a word -----------------------------------
@pytest.mark.parametrize(
    ("title", "name"),
    [
        (
            "Review of parameter tuning using cross_val_score",
            "review_parameter_tuning_cross_val_score",
        ),
        ("Step 3: Cross-validate a model with one feature", "cross_validate_model_one_feature"),
        ("Example: Face Recognition", "face_recognition"),
        ("Cross-validation example: parameter tuning", "cross_validation_parameter_tuning"),
        (
            "Tuning the hyperparameters of a random forest classifier with cross validation",
            "tuning_random_forest_cross_validation",  # the longest middle words go first
        ),
        ("Evaluation procedure #2: Train/test split", "evaluation_procedure_2_train_test_split"),
        (
            "Evaluation procedure #1: Train and test on the entire dataset",
            "evaluation_train_test_entire_dataset",  # a number goes before any word
        ),
        (
            "Stratified K-Fold cross-validation and other strategies",
            "stratified_k_fold_other_strategies",
        ),
    ],
)
def test_long_names_drop_words(title: str, name: str) -> None:
    found = identifier(title)
    assert found == name
    assert len(found) <= 40
    words = set(identifier(title, max_length=1000).split("_"))
    assert set(found.split("_")) <= words  # whole words only


# -- never the name of a function the module uses ---------------------------------------------
def test_a_step_is_never_named_like_a_function_the_module_calls(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        IMPORTS,
        ("md", "## Data"),
        DATA,
        ("md", "## Model"),
        "model = LogisticRegression().fit(X, y)\ny_pred = model.predict(X)",
        ("md", "## Confusion matrix"),
        "confusion = metrics.confusion_matrix(y, y_pred)\nprint(confusion)",
        ("md", "## Cross val score"),
        "score = cross_val_score(model, X, y, cv=3).mean()\nprint(score)",
    )
    e = extract(path)
    names = step_names(e)
    assert names[1:] == ["fit_model", "compute_confusion_matrix", "compute_cross_val_score"]
    out = run_module(tmp_path, e.source, "print(sorted(generated.run()))")
    assert "confusion" in out


def test_code_all_under_one_subheading_is_split_at_the_level_below(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        ("md", "## Metrics"),
        ("md", "### Binary\n\n#### Counts"),
        _block("counts", 35),
        ("md", "#### Ratios"),
        _block("ratios", 35) + "\nratios = ratios / counts",
        ("md", "## End"),
        "total = counts + ratios\nprint(total)",
    )
    e = extract(path)
    assert [s.title for s in e.plan.steps] == ["Counts", "Ratios", "End"]
    assert "split at its #### headings into 'Counts', 'Ratios'" in e.log_text
