"""Normalisers for library *representation* drift: the same value, printed differently.

A notebook saved under numpy 1 / pandas 1–2 / an older scipy or scikit-learn
prints some values differently from today's releases although the values are
the same.  Each function here maps both spellings to one canonical text, so the
comparer sees them as equal; each is wrapped, with its name, description and a
short ``label`` used in verdicts ("reproduced, after: numpy-2 scalar reprs ×7"),
in :data:`DRIFT_NORMALIZERS` (on by default) or :data:`OPT_IN_DRIFT_NORMALIZERS`.

These are regular expressions over *output text* (reprs), never over Python
source.

``numpy2-scalar-repr``     ``np.float64(0.96)`` ≡ ``0.96``, ``np.int64(9)``, ``np.str_('a')``,
                           ``np.True_``, ``np.void((1, 2.0), dtype=…)`` (NEP 51)
``pandas3-string-dtype``   ``dtype: str`` ≡ ``dtype: object``, ``dtype='str'``, ``<StringArray>``
``pandas-numeric-index``   ``Int64Index([...])`` / ``UInt64Index`` / ``Float64Index`` ≡ ``Index([...])``
``scipy-sparse-repr``      ``<3x4 sparse matrix of type '<class 'numpy.float64'>' with 5 stored
                           elements in Compressed Sparse Row format>`` ≡ the 1.11+ form
``moved-class-module``     ``pandas.core.frame.DataFrame`` ≡ ``pandas.DataFrame``; sklearn's
                           private submodules (``sklearn.linear_model._base.X``)
``module-path``            ``<module 'numpy' from '/any/path/__init__.py'>``
``sklearn-estimator-html`` scikit-learn's HTML estimator display: only its text repr is compared
                           (the rest is documentation, fit status and timings that change by release)
``pandas2-value-counts``   (opt-in) ``value_counts()`` named ``count``/``proportion`` (pandas 2)
                           ≡ named after the column (pandas 1); the metadata did change
"""

from __future__ import annotations

import re

__all__ = [
    "DRIFT_LABELS",
    "DRIFT_SPECS",
    "OPT_IN_DRIFT_SPECS",
    "normalise_module_paths",
    "normalise_moved_classes",
    "normalise_numeric_index",
    "normalise_numpy_scalars",
    "normalise_pandas_string_dtype",
    "normalise_scipy_sparse",
    "normalise_sklearn_html",
    "normalise_value_counts_name",
]

# ------------------------------------------------------------------ numpy 2 scalars

_UNWRAPPED = (
    r"float(?:16|32|64|96|128)|int(?:8|16|32|64)|uint(?:8|16|32|64)|complex(?:64|128|192|256)"
    r"|longdouble|clongdouble|half|single|double|longlong|ulonglong|intc|uintc|intp|uintp"
    r"|short|ushort|byte|ubyte|str_|bytes_|void"
)
_NP_SCALAR = re.compile(rf"\b(?:np|numpy)\.(?:{_UNWRAPPED})\(")
_NP_BOOL = re.compile(r"\b(?:np|numpy)\.(True|False)_(?!\w)")
_NP_DATETIME = re.compile(r"\bnumpy\.(datetime64|timedelta64)\(")


def _scan(text: str, start: int, comma: bool) -> int | None:
    """From ``start``, the index of the first bracket closing one opened before
    ``start`` (or, with ``comma``, of the first comma outside brackets), skipping
    quoted strings and the escapes inside them; ``None`` when there is none."""
    depth, index, quote = 0, start, ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return index
        elif comma and char == "," and depth == 0:
            return index
        index += 1
    return None


def _first_argument(inner: str) -> str:
    """``inner`` up to its first top-level comma (``np.void((1, 2), dtype=…)`` → ``(1, 2)``)."""
    end = _scan(inner, 0, comma=True)
    return inner if end is None else inner[:end]


def normalise_numpy_scalars(text: str) -> str:
    if "np." not in text and "numpy." not in text:
        return text
    text = _NP_BOOL.sub(r"\1", text)
    text = _NP_DATETIME.sub(r"np.\1(", text)
    parts: list[str] = []
    position = 0
    for match in _NP_SCALAR.finditer(text):
        if match.start() < position:
            continue  # inside a scalar already unwrapped
        end = _scan(text, match.end(), comma=False)
        if end is None:
            continue
        parts.append(text[position : match.start()])
        parts.append(normalise_numpy_scalars(_first_argument(text[match.end() : end])))
        position = end + 1
    parts.append(text[position:])
    return "".join(parts)


# ------------------------------------------------------------------ pandas 3 string dtype

_STRING_ARRAY = re.compile(
    r"<(?:Arrow)?StringArray>\s*\n\[(?P<items>.*?)\]\s*\nLength: \d+, dtype: (?:str|string)",
    re.DOTALL,
)
_STR_FOOTER = re.compile(r"\bdtype: str\b")
_STR_QUOTED = re.compile(r"\bdtype='str'")
_STR_DTYPES_LINE = re.compile(r"^(dtypes: .*)$", re.MULTILINE)
_STR_COLUMN = re.compile(r"(?<=\S)([ \t]+)str$", re.MULTILINE)


def normalise_pandas_string_dtype(text: str) -> str:
    if "str" not in text:
        return text
    text = _STRING_ARRAY.sub(r"array([\g<items>], dtype=object)", text)
    text = _STR_FOOTER.sub("dtype: object", text)
    text = _STR_QUOTED.sub("dtype='object'", text)
    text = _STR_DTYPES_LINE.sub(lambda m: re.sub(r"\bstr\(", "object(", m.group(1)), text)
    if re.search(r"dtype: object|^dtypes: |non-null", text, re.MULTILINE):
        # ``df.dtypes`` and ``df.info()`` list a column's dtype at the end of its line
        text = _STR_COLUMN.sub(r"\1object", text)
    return text


# ------------------------------------------------------------------ pandas numeric index classes

_NUMERIC_INDEX = re.compile(r"\b(?:Int64|UInt64|Float64|Numeric)Index\(")


def normalise_numeric_index(text: str) -> str:
    return _NUMERIC_INDEX.sub("Index(", text) if "Index(" in text else text


# ------------------------------------------------------------------ scipy sparse

_SPARSE_OLD = re.compile(
    r"<(?P<rows>\d+)x(?P<cols>\d+) sparse (?P<kind>matrix|array) of type "
    r"'<class 'numpy\.(?P<dtype>\w+)'>'\s+with (?P<nnz>\d+) stored elements"
    r"(?: \(\d+ diagonals\))? in (?P<format>[\w ]+?) format>"
)
_SPARSE_NEW = re.compile(
    r"<(?P<format>[\w ]+?) sparse (?P<kind>matrix|array) of dtype '(?P<dtype>\w+)'\s+"
    r"with (?P<nnz>\d+) stored elements(?: \(\d+ diagonals\))? and shape "
    r"\((?P<rows>\d+), (?P<cols>\d+)\)>(?P<coords>\s*\n\s*Coords\s+Values)?"
)


def _sparse(match: re.Match[str]) -> str:
    return (
        f"<sparse {match['kind']} {match['format']} {match['dtype']} "
        f"{match['rows']}x{match['cols']} nnz={match['nnz']}>"
    )


def normalise_scipy_sparse(text: str) -> str:
    if "sparse" not in text:
        return text
    text = _SPARSE_OLD.sub(_sparse, text)
    # printing a matrix: newer scipy adds the repr and a "Coords Values" header above
    # the (row, col) value lines that older releases printed alone
    text = re.sub(_SPARSE_NEW.pattern + r"(?=\s*\n\s*Coords)\s*\n\s*Coords\s+Values\s*\n", "", text)
    return _SPARSE_NEW.sub(_sparse, text)


# ------------------------------------------------------------------ moved classes, module paths

_PACKAGES = "pandas|numpy|sklearn|scipy|matplotlib|seaborn|statsmodels"
_QUALIFIED_CLASS = re.compile(rf"\b({_PACKAGES})(?:\.[A-Za-z_]\w*)*?\.([A-Z]\w*)\b")
_MODULE_PATH = re.compile(r"(<module '[\w.]+' from )'[^'\n]*'>")


def normalise_moved_classes(text: str) -> str:
    return _QUALIFIED_CLASS.sub(r"\1.\2", text)


def normalise_module_paths(text: str) -> str:
    return _MODULE_PATH.sub(r"\1'<path>'>", text) if "<module '" in text else text


# ------------------------------------------------------------------ scikit-learn HTML display

_SKLEARN_FALLBACK = re.compile(
    r"\n?In a Jupyter environment, please rerun this cell to show the HTML representation"
    r".*",
    re.DOTALL,
)


def normalise_sklearn_html(text: str) -> str:
    """The visible text of scikit-learn's estimator display, cut to its text repr."""
    if "please rerun this cell to show the HTML representation" not in text:
        return text
    return _SKLEARN_FALLBACK.sub("", text)


# ------------------------------------------------------------------ pandas 2 value_counts (opt-in)

_COUNTS_NAME = re.compile(r"^Name: [^,\n]*, dtype:", re.MULTILINE)
_COUNTS_HEADER = re.compile(r"\A[^\s\n]+[ \t]*\n(?=(?:.*\n)*?Name: (?:count|proportion), dtype:)")


def normalise_value_counts_name(text: str) -> str:
    if "Name: " not in text:
        return text
    return _COUNTS_NAME.sub("Name: <name>, dtype:", _COUNTS_HEADER.sub("", text))


#: name → (label used in verdicts, description, function); on by default, in this order.
DRIFT_SPECS = (
    (
        "numpy2-scalar-repr",
        "numpy-2 scalar reprs",
        "numpy 2 scalar reprs (NEP 51): np.float64(0.96) is 0.96, np.int64(9), np.str_('a'), "
        "np.True_, np.void(...)",
        normalise_numpy_scalars,
    ),
    (
        "pandas3-string-dtype",
        "pandas-3 string dtype",
        "pandas 3's string dtype: dtype: str is dtype: object, dtype='str', <StringArray>",
        normalise_pandas_string_dtype,
    ),
    (
        "pandas-numeric-index",
        "pandas Int64Index/Float64Index",
        "Int64Index/UInt64Index/Float64Index([...]) (pandas < 2) is Index([...])",
        normalise_numeric_index,
    ),
    (
        "scipy-sparse-repr",
        "scipy sparse reprs",
        "scipy sparse matrix/array reprs of every release in one form",
        normalise_scipy_sparse,
    ),
    (
        "moved-class-module",
        "moved class modules",
        "a class named through the module that defines it (pandas.core.frame.DataFrame, "
        "sklearn.linear_model._base.LinearRegression) is named through its package",
        normalise_moved_classes,
    ),
    (
        "module-path",
        "module paths",
        "<module 'numpy' from '/any/path'>: the installation path is masked",
        normalise_module_paths,
    ),
    (
        "sklearn-estimator-html",
        "scikit-learn HTML display",
        "scikit-learn's HTML estimator display is compared by its text repr only",
        normalise_sklearn_html,
    ),
)
OPT_IN_DRIFT_SPECS = (
    (
        "pandas2-value-counts",
        "pandas-2 value_counts naming",
        "(opt-in) value_counts() Series named count/proportion (pandas 2) or after the "
        "column (pandas 1): the name and the index-name line are masked",
        normalise_value_counts_name,
    ),
)
#: name → short label, for every drift normaliser.
DRIFT_LABELS = {spec[0]: spec[1] for spec in DRIFT_SPECS + OPT_IN_DRIFT_SPECS}
