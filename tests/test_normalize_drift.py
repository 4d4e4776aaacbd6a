"""Library representation-drift normalisers: both spellings meet, data is never eaten.

The "old" texts are outputs stored by notebooks saved under numpy 1, pandas 1–2,
scipy < 1.11 and older scikit-learn; the "new" ones are what today's releases print.
"""

from __future__ import annotations

import pytest

from harden.reproducer.compare import CompareOptions, compare_notebooks
from harden.reproducer.compare_text import texts_equivalent
from harden.reproducer.normalize import (
    BUILTIN_NORMALIZERS,
    DEFAULT_NORMALIZERS,
    apply_normalizers,
    build_normalizers,
)
from harden.reproducer.normalize_drift import DRIFT_LABELS


def norm(name: str, text: str) -> str:
    return BUILTIN_NORMALIZERS[name].apply(text)


def meet(name: str, old: str, new: str) -> None:
    """Both directions: each side normalised alone, then the whole default chain."""
    left, right = norm(name, old), norm(name, new)
    assert texts_equivalent(left, right, 1e-6, 1e-12), (left, right)  # layout is not compared
    chain = build_normalizers(enable=[name]) if name not in DEFAULT_NORMALIZERS else None
    chosen = chain or DEFAULT_NORMALIZERS
    left, right = apply_normalizers(old, chosen), apply_normalizers(new, chosen)
    assert texts_equivalent(left, right, 1e-6, 1e-12)
    without = [n for n in chosen if n.name != name]
    assert not texts_equivalent(
        apply_normalizers(old, without), apply_normalizers(new, without), 1e-6, 1e-12
    ), "the pair already met without this normaliser"


def kept(name: str, text: str) -> None:
    assert norm(name, text) == text


def test_every_drift_normaliser_is_a_named_builtin_with_a_label() -> None:
    assert set(DRIFT_LABELS) <= set(BUILTIN_NORMALIZERS)
    assert "pandas2-value-counts" not in {n.name for n in DEFAULT_NORMALIZERS}
    assert all(DRIFT_LABELS.values())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("[0.96, 0.95]", "[np.float64(0.96), np.float64(0.95)]"),
        ("9", "np.int64(9)"),
        ("'a'", "np.str_('a')"),
        ("(True, False)", "(np.True_, np.False_)"),
        ("b'ab'", "np.bytes_(b'ab')"),
        ("(1, 2.)", "np.void((1, 2.0), dtype=[('a', '<i8'), ('b', '<f8')])"),
        ("{'x': 1.5, 'n': 3}", "{'x': np.float64(1.5), 'n': np.int64(3)}"),
        ("(0.5+1j)", "np.complex128((0.5+1j))"),
        ("numpy.datetime64('2011-01-01')", "np.datetime64('2011-01-01')"),
        ("nan", "np.float64(nan)"),
    ],
)
def test_numpy2_scalar_reprs(old: str, new: str) -> None:
    meet("numpy2-scalar-repr", old, new)


def test_numpy2_scalar_reprs_keep_arrays_and_calls() -> None:
    kept("numpy2-scalar-repr", "array([1., 2.])")
    kept("numpy2-scalar-repr", "array([1, 2], dtype=int64)")
    kept("numpy2-scalar-repr", "np.float64 is a type; f(np.float64)")
    kept("numpy2-scalar-repr", "np.True_value = 3")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("0    a\n1    b\ndtype: object", "0    a\n1    b\ndtype: str"),
        ("Index(['a', 'b'], dtype='object')", "Index(['a', 'b'], dtype='str')"),
        (
            "array(['a', 'b'], dtype=object)",
            "<StringArray>\n['a', 'b']\nLength: 2, dtype: str",
        ),
        (
            "a      int64\nname    object\ndtype: object",
            "a      int64\nname       str\ndtype: object",
        ),
        (
            " 1   name    3 non-null      object\ndtypes: int64(1), object(1)",
            " 1   name    3 non-null      str\ndtypes: int64(1), str(1)",
        ),
    ],
)
def test_pandas3_string_dtype(old: str, new: str) -> None:
    meet("pandas3-string-dtype", old, new)


def test_pandas3_string_dtype_keeps_data() -> None:
    kept("pandas3-string-dtype", "0    str\n1    int\ndtype: category")
    kept("pandas3-string-dtype", "use a str here")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Int64Index([1, 2, 3], dtype='int64')", "Index([1, 2, 3], dtype='int64')"),
        (
            "Float64Index([0.5, 1.5], dtype='float64', name='x')",
            "Index([0.5, 1.5], dtype='float64', name='x')",
        ),
        ("UInt64Index([1], dtype='uint64')", "Index([1], dtype='uint64')"),
    ],
)
def test_pandas_numeric_index(old: str, new: str) -> None:
    meet("pandas-numeric-index", old, new)


def test_pandas_numeric_index_keeps_other_indexes() -> None:
    kept("pandas-numeric-index", "RangeIndex(start=0, stop=3, step=1)")
    kept("pandas-numeric-index", "MultiIndex([('a', 1)])")


def test_scipy_sparse_repr() -> None:
    old = (
        "<3x4 sparse matrix of type '<class 'numpy.float64'>'\n"
        "\twith 5 stored elements in Compressed Sparse Row format>"
    )
    new = (
        "<Compressed Sparse Row sparse matrix of dtype 'float64'\n"
        "\twith 5 stored elements and shape (3, 4)>"
    )
    meet("scipy-sparse-repr", old, new)
    printed_old = "  (0, 1)\t1.0\n  (2, 3)\t2.0"
    printed_new = new + "\n  Coords\tValues\n" + printed_old
    meet("scipy-sparse-repr", printed_old, printed_new)
    other = new.replace("5 stored", "6 stored")
    assert norm("scipy-sparse-repr", old) != norm("scipy-sparse-repr", other)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<class 'pandas.core.frame.DataFrame'>", "<class 'pandas.DataFrame'>"),
        (
            "<class 'sklearn.linear_model.base.LinearRegression'>",
            "<class 'sklearn.linear_model._base.LinearRegression'>",
        ),
        ("<class 'numpy.core.memmap.Memmap'>", "<class 'numpy._core.memmap.Memmap'>"),
    ],
)
def test_moved_class_module(old: str, new: str) -> None:
    meet("moved-class-module", old, new)


def test_moved_class_module_keeps_functions_and_other_packages() -> None:
    kept("moved-class-module", "pandas.read_csv and numpy.float64")
    kept("moved-class-module", "<class 'mypkg.core.Thing'>")


def test_module_path() -> None:
    meet(
        "module-path",
        "<module 'numpy' from '/Users/jake/anaconda/lib/python3.5/site-packages/numpy/__init__.py'>",
        "<module 'numpy' from '/usr/lib/python3.11/site-packages/numpy/__init__.py'>",
    )
    kept("module-path", "<module 'numpy' (built-in)>")


def test_sklearn_estimator_html_compares_the_text_repr_only() -> None:
    head = "LogisticRegression(C=10)"
    old = f"{head}\nIn a Jupyter environment, please rerun this cell to show the HTML representation or trust the notebook.\nLogisticRegression(C=10)"
    new = (
        f"{head}\nIn a Jupyter environment, please rerun this cell to show the HTML "
        "representation or trust the notebook.\nLogisticRegression\n?Documentation for "
        "LogisticRegressioniFitted\nParameters\n  C C: float, default=1.0  10"
    )
    meet("sklearn-estimator-html", old, new)
    assert norm("sklearn-estimator-html", new.replace("C=10", "C=1", 1)) != norm(
        "sklearn-estimator-html", old
    )


def test_pandas2_value_counts_naming_is_opt_in() -> None:
    old = "a    2\nb    1\nName: letter, dtype: int64"
    new = "letter\na    2\nb    1\nName: count, dtype: int64"
    meet("pandas2-value-counts", old, new)
    assert apply_normalizers(old, DEFAULT_NORMALIZERS) != apply_normalizers(
        new, DEFAULT_NORMALIZERS
    )
    kept("pandas2-value-counts", "a    2\nb    1\ndtype: int64")


def test_drift_normalisers_leave_data_alone() -> None:
    text = (
        "datetime.datetime(2011, 7, 6, 0, 0)\n   price  qty\n0   1.50    3\n"
        "Name: price, dtype: float64\nstr lengths: [3, 4]\nIndex([1, 2], dtype='int64')"
    )
    assert apply_normalizers(text, DEFAULT_NORMALIZERS) == text


def _notebook(*texts: str):
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cells = []
    for i, text in enumerate(texts):
        cell = new_code_cell("x", execution_count=i + 1)
        cell.outputs = [
            new_output("execute_result", data={"text/plain": text}, execution_count=i + 1)
        ]
        cells.append(cell)
    return new_notebook(cells=cells)


def test_the_comparer_credits_the_drift_normalisers_that_made_a_difference() -> None:
    stored = _notebook("[0.96, 0.95]", "0    a\ndtype: object", "3")
    fresh = _notebook("[np.float64(0.96), np.float64(0.95)]", "0    a\ndtype: str", "3")
    cells = compare_notebooks(stored, fresh, CompareOptions())
    assert [(c.status, c.normalized) for c in cells] == [
        ("same", ("numpy2-scalar-repr",)),
        ("same", ("pandas3-string-dtype",)),
        ("same", ()),
    ]
    off = build_normalizers(disable=["numpy2-scalar-repr"])
    assert compare_notebooks(stored, fresh, CompareOptions(normalizers=off))[0].status == "differs"
