"""What moves to module level and what it must not take along (issue 10 items 7, 8).

Comments above a hoisted import, names a hoisted import binds, functions a
factory call seems to change, and imports only an interactive widget uses.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from helpers import write_notebook

from harden.extractor import extract, write_extraction

BINARIZE = (
    "# predict diabetes if the predicted probability is greater than 0.3\n"
    "from sklearn.preprocessing import binarize\n"
    "y_pred_class = binarize([y_pred_prob], threshold=0.3)[0]\n"
    "positives = int(y_pred_class.sum())"
)


def _functions(source: str) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}


def _kwonly(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in function.args.kwonlyargs]


# -- item 7: comments above a hoisted import ------------------------------------------------


def test_a_comment_explaining_the_next_line_stays_when_its_import_is_hoisted(
    tmp_path: Path,
) -> None:
    path = write_notebook(
        tmp_path,
        "import numpy as np",
        ("md", "## Threshold"),
        "y_pred_prob = np.array([0.1, 0.4, 0.8])",
        BINARIZE,
    )
    source = extract(path).source
    assert "from sklearn.preprocessing import binarize\n" in source  # hoisted
    assert (
        "    # predict diabetes if the predicted probability is greater than 0.3\n"
        "    y_pred_class = binarize([y_pred_prob], threshold=0.3)[0]\n"
    ) in source


def test_a_comment_about_the_import_itself_goes_with_it(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "# import the class\nfrom sklearn.linear_model import LinearRegression\n"
        "model = LinearRegression().fit([[1], [2]], [1, 2])",
        "# conventional way to import pandas\nimport pandas as pd\n"
        "# a table of the coefficients\ncoefs = pd.Series(model.coef_)",
        "# chain the steps\nimport os\n\nsep = os.sep * 2",
        "# the payload, as JSON\nimport json\nimport math\npayload = json.dumps([math.pi])",
    )
    source = extract(path, outputs=["coefs", "sep", "payload"]).source
    assert "import the class" not in source and "conventional way" not in source
    assert "    # a table of the coefficients\n    coefs = pd.Series" in source
    # a blank line between the import and the code: the comment was the import's
    assert "chain the steps" not in source
    # a comment above a run of imports explains the line right after the run
    assert "    # the payload, as JSON\n    payload = json.dumps" in source


# -- item 8: hoisted names, factories, widgets ------------------------------------------------


def test_a_name_a_hoisted_import_binds_is_never_a_run_argument(tmp_path: Path) -> None:
    (tmp_path / "preamble.py").write_text("import numpy as np\n__all__ = ['np']\n")
    path = write_notebook(
        tmp_path,
        "from preamble import *",
        "table = pd.DataFrame({'a': np.arange(3)})\ntotal = int(table['a'].sum())",
        "import pandas as pd\nsecond = pd.Series([1, 2])\nsecond",
    )
    e = extract(path, allow_hidden_state=True)
    run = _functions(e.source)["run"]
    assert "pd" not in _kwonly(run) and "--pd" not in e.source
    assert "import pandas as pd\n" in e.source
    assert any(
        entry.code == "pd" and "bound at module level: not an argument of run()" in entry.message
        for entry in e.log
    )
    write_extraction(e, tmp_path)
    done = subprocess.run(
        [sys.executable, "nb.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_fit_on_a_factorys_result_leaves_the_factory_a_module_function(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "import numpy as np\nfrom sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import PolynomialFeatures\n"
        "from sklearn.linear_model import LinearRegression",
        "def PolynomialRegression(degree=2):\n"
        "    return make_pipeline(PolynomialFeatures(degree), LinearRegression())",
        ("md", "## Fit"),
        "X = np.arange(10.0).reshape(-1, 1)\ny = X.ravel() ** 2\n"
        "model = PolynomialRegression(3).fit(X, y)\nscore = model.score(X, y)",
        ("md", "## Again"),
        "model2 = PolynomialRegression(2).fit(X, y)\nscore2 = model2.score(X, y)",
    )
    e = extract(path)
    tree = ast.parse(e.source)
    assert "PolynomialRegression" in [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    fns = _functions(e.source)
    assert [a.arg for a in fns["fit"].args.args] == []
    assert [a.arg for a in fns["compute_score2"].args.args] == ["X", "y"]
    assert not any(
        "PolynomialRegression" in entry.render() for entry in e.log if entry.kind == "changed"
    )


def test_code_only_an_interactive_widget_runs_is_dropped_with_its_import(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "import numpy as np\nimport ipywidgets as widgets\nfrom ipywidgets import interact, fixed",
        ("md", "## Data"),
        "x = np.arange(5)\ntotal = int(x.sum())",
        "def head(n=1, ax=None):\n    return x[:n]\n\ninteract(head, n=(1, 5), ax=fixed(None));",
        "@interact(n=(1, 3))\ndef double(n):\n    return n * 2",
        "@widgets.interact\ndef third(n=2):\n    return n",
        "from ipywidgets import interact_manual\ninteract_manual(third, n=(1, 4));",
        "widgets.interact(third, n=5)\nfirst = head(2)",
    )
    e = extract(path)
    assert "ipywidgets" not in e.source and "interact" not in e.source
    assert "def double(n):" in e.source and "def third(n=2):" in e.source
    dropped = [entry for entry in e.log if "widgets only work in a live notebook" in entry.message]
    assert [(entry.cell_index, entry.code) for entry in dropped] == [
        (3, "interact(head, n=(1, 5), ax=fixed(None));"),
        (4, "@interact(n=(1, 3))"),
        (5, "@widgets.interact"),
        (6, "interact_manual(third, n=(1, 4));"),
        (7, "widgets.interact(third, n=5)"),
    ]
    assert dropped[1].line == 1
    write_extraction(e, tmp_path)
    # the module imports and runs without ipywidgets (blocked, as if not installed)
    blocked = "import sys; sys.modules['ipywidgets'] = None; import runpy; "
    done = subprocess.run(
        [sys.executable, "-c", blocked + "runpy.run_path('nb.py', run_name='__main__')"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "total: 10" in done.stdout


def test_a_line_under_a_moved_comment_keeps_its_place_in_the_log(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "import pandas as pd\ndf = pd.DataFrame({'a': [1, 2]})",
        "x = 1\n# show the table\nimport numpy as np\ndf.head()",
    )
    entries = [entry for entry in extract(path).log if entry.code == "df.head()"]
    assert [(entry.cell_index, entry.line) for entry in entries] == [(1, 4)]


def test_a_function_that_only_builds_a_widget_goes_with_its_calls(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "import numpy as np\nfrom ipywidgets import interact",
        "def explore(values):\n"
        '    """Slide through the values."""\n'
        "    n = len(values) - 1\n"
        "    def show(frame=0):\n"
        "        return values[frame]\n"
        "    return interact(show, frame=(0, n))",
        "def summary(values):\n    interact(print, x=values)\n    return values.sum()",
        "x = np.arange(6)\nexplore(x);\ntotal = int(summary(x))",
    )
    e = extract(path)
    assert "def explore" not in e.source and "explore(" not in e.source
    # a function that computes too stays, its widget call dropped
    assert "def summary(values):\n    return values.sum()" in e.source
    assert "ipywidgets" not in e.source
    codes = [entry.code for entry in e.log if "live notebook" in entry.message]
    assert codes == ["def explore", "interact(print, x=values)", "explore(x);"]
