"""Facts the ML-correctness rules (H401, H402) and H403 rely on: the analysis
pieces they read and the shared helpers in ``harden.linter.rules._ml_leakage``."""

from __future__ import annotations

import pytest

from harden.analysis import Analysis, analyze, leading_literals
from harden.linter.rule import Example, md
from harden.linter.rules import _ml_leakage as ml


def _analysis(*cells: object) -> Analysis:
    return analyze(Example(*cells).notebook())  # type: ignore[arg-type]


def test_leading_literals_skip_magics_shell_lines_and_docstrings() -> None:
    analysis = _analysis(
        '"""Churn model."""\n%matplotlib inline\n!pip install x\nimport os\nDATA = \'a.csv\'',
        md("# T"),
        "SEED = 1\nprint(SEED)\nZ = 2",
    )
    assert [p.name for p in leading_literals(analysis)] == ["DATA", "SEED"]


def test_leading_literals_stop_at_the_first_computation() -> None:
    analysis = _analysis("import os\nos.chdir('/tmp')\nDATA = 'a.csv'")
    assert leading_literals(analysis) == ()


def test_calls_in_a_time_magic_keep_their_node() -> None:
    analysis = _analysis(
        "from sklearn.preprocessing import StandardScaler\nimport numpy as np\n"
        "X = np.ones((2, 2))\n%time Xs = StandardScaler().fit_transform(X)"
    )
    fits = [c for c in analysis.calls if ml.method_of(c) == "fit_transform"]
    assert len(fits) == 1 and fits[0].node is not None
    assert fits[0].receiver_type == "sklearn.preprocessing.StandardScaler"
    assert fits[0].assigned_to == ("Xs",)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("X_test", True),
        ("test_df", True),
        ("Xtest", True),
        ("X_te", True),
        ("X_val", True),
        ("y_test_2", True),
        ("X_train", False),
        ("df", False),
        ("items", False),
        ("beta", False),
    ],
)
def test_looks_like_test(name: str, expected: bool) -> None:
    assert ml.looks_like_test(name) is expected


@pytest.mark.parametrize(
    ("qualified", "expected"),
    [
        ("sklearn.preprocessing.StandardScaler", True),
        ("sklearn.feature_extraction.text.TfidfVectorizer", True),
        ("sklearn.decomposition.PCA", True),
        ("sklearn.impute.SimpleImputer", True),
        ("sklearn.pipeline.Pipeline", True),
        ("sklearn.preprocessing.PolynomialFeatures", False),
        ("sklearn.preprocessing.LabelEncoder", False),
        ("sklearn.preprocessing.scale", False),  # a function: FIT_TRANSFORM_FUNCTIONS
        ("sklearn.linear_model.LogisticRegression", False),
        (None, False),
    ],
)
def test_is_transformer(qualified: str | None, expected: bool) -> None:
    assert ml.is_transformer(qualified) is expected


def test_split_outputs_of_train_test_split_and_splitters() -> None:
    analysis = _analysis(
        "from sklearn.model_selection import train_test_split, KFold\nimport numpy as np\n"
        "X = np.ones((4, 2))\ny = np.ones(4)\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
        "for i, (tr, te) in enumerate(KFold(2).split(X)):\n    pass\n"
        "a, b = next(KFold(2).split(X))"
    )
    cell = analysis.cells[0]
    splits = [c for c in cell.calls if ml.as_split(c) is not None]
    assert [ml.as_split(c).label for c in splits] == [  # type: ignore[union-attr]
        "train_test_split",
        "KFold.split",
        "KFold.split",
    ]
    assert ml.split_outputs(cell, splits[0]) == [
        ("X_train",),
        ("X_test",),
        ("y_train",),
        ("y_test",),
    ]
    assert ml.split_outputs(cell, splits[1]) == [("tr",), ("te",)]
    assert ml.split_outputs(cell, splits[2]) == [("a",), ("b",)]


def test_placement_finds_the_assignment_around_a_wrapped_fit() -> None:
    analysis = _analysis(
        "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n"
        "df = pd.DataFrame({'a': [1.0]})\n"
        "out = pd.DataFrame(StandardScaler().fit_transform(df))\n"
        "df[['a']] = StandardScaler().fit_transform(df[['a']])"
    )
    cell = analysis.cells[0]
    fits = [c for c in cell.calls if ml.method_of(c) == "fit_transform"]
    first, second = (ml.placement(cell, call) for call in fits)
    assert first.names == {"out"} and not first.roots
    assert second.roots == {"df"} and not second.names
