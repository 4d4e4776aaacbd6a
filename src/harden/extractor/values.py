"""Comparing a value the notebook computed with the one the module computed.

Runs in the check worker process (never in harden's own process: loading
the values may import the generated module).  DataFrames and Series go
through ``pandas.testing``, arrays through ``numpy.testing.assert_allclose``,
fitted scikit-learn estimators are compared by their predictions on the
notebook's own data, containers element by element.  ``compare`` returns
``None`` when the values agree, else one line saying where they differ.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from typing import Any

from harden.analysis.library import PLOT_MODULES

RTOL = 1e-7
ATOL = 1e-12
MAX_DEPTH = 8


class NotComparable(Exception):
    """Values of a kind harden does not compare (figures, open files)."""


def compare(
    expected: Any, actual: Any, data: Sequence[Any] = (), path: str = "", depth: int = 0
) -> str | None:
    """``None`` when ``actual`` (module) matches ``expected`` (notebook)."""
    where = path or "value"
    if depth > MAX_DEPTH:
        return None
    kind = _kind(expected)
    if kind == "figure":
        raise NotComparable("a matplotlib object")
    if type(expected).__name__ != type(actual).__name__:
        return f"{where}: type {_type(expected)} in the notebook, {_type(actual)} in the module"
    try:
        if kind == "frame":
            return _pandas("assert_frame_equal", expected, actual, where)
        if kind == "series":
            return _pandas("assert_series_equal", expected, actual, where)
        if kind == "index":
            return _pandas("assert_index_equal", expected, actual, where)
        if kind == "array":
            return _array(expected, actual, where)
        if kind == "sparse":
            return _array(expected.toarray(), actual.toarray(), where)
        if kind == "estimator":
            return _estimator(expected, actual, data, where, depth)
        if kind == "rng":
            return compare(_rng_state(expected), _rng_state(actual), data, f"{where} state", depth)
    except NotComparable:
        raise
    except Exception as exc:  # noqa: BLE001 - a comparison that cannot run is a difference
        return f"{where}: cannot compare ({type(exc).__name__}: {_first(exc)})"
    return _plain(expected, actual, data, where, depth)


def _plain(expected: Any, actual: Any, data: Sequence[Any], where: str, depth: int) -> str | None:
    if (
        isinstance(expected, float)
        or type(expected).__module__ == "numpy"
        and hasattr(expected, "dtype")
        and expected.dtype.kind in "fc"
    ):
        if _close(expected, actual):
            return None
        return f"{where}: {expected!r} in the notebook, {actual!r} in the module"
    if isinstance(expected, (list, tuple)):
        if len(expected) != len(actual):
            return f"{where}: {len(expected)} items in the notebook, {len(actual)} in the module"
        for position, (left, right) in enumerate(zip(expected, actual)):
            found = compare(left, right, data, f"{where}[{position}]", depth + 1)
            if found:
                return found
        return None
    if isinstance(expected, dict):
        if list(expected) != list(actual):
            missing = [k for k in expected if k not in actual]
            extra = [k for k in actual if k not in expected]
            detail = (
                f"missing {missing!r}"
                if missing
                else f"extra {extra!r}"
                if extra
                else ("keys in another order")
            )
            return f"{where}: keys differ ({detail})"
        for key in expected:
            found = compare(expected[key], actual[key], data, f"{where}[{key!r}]", depth + 1)
            if found:
                return found
        return None
    if isinstance(expected, (str, bytes, int, bool, type(None), set, frozenset, complex)):
        return (
            None
            if expected == actual
            else (f"{where}: {_short(expected)} in the notebook, {_short(actual)} in the module")
        )
    state = getattr(expected, "__dict__", None)
    if isinstance(state, dict) and state:
        return compare(state, vars(actual), data, f"{where}.__dict__", depth + 1)
    with contextlib.suppress(Exception):  # objects whose == raises or is not a bool
        if bool(expected == actual):
            return None
    if repr(expected) == repr(actual):
        return None
    with contextlib.suppress(Exception):  # extension objects (a fitted tree) by their state
        state = expected.__getstate__()
        if isinstance(state, (dict, tuple)) and state:
            return compare(state, actual.__getstate__(), data, f"{where} state", depth + 1)
    return f"{where}: {_short(expected)} in the notebook, {_short(actual)} in the module"


def _rng_state(rng: Any) -> Any:
    """A NumPy ``Generator``'s bit-generator state, a ``RandomState``'s state (not
    their reprs, which carry a memory address)."""
    if hasattr(rng, "bit_generator"):
        return rng.bit_generator.state
    return rng.get_state(legacy=False)


def _kind(value: Any) -> str:
    module = type(value).__module__ or ""
    name = type(value).__name__
    if f"{module}.".startswith(PLOT_MODULES):  # a figure, axes (3-D too) or chart
        return "figure"
    if module.startswith("pandas"):
        return {"DataFrame": "frame", "Series": "series"}.get(
            name, "index" if name.endswith("Index") else "other"
        )
    if module == "numpy" and name == "ndarray":
        return "array"
    if module.startswith("scipy.sparse"):
        return "sparse"
    if module.startswith("numpy.random") and name in ("Generator", "RandomState"):
        return "rng"
    if module.startswith(("sklearn", "xgboost", "lightgbm", "catboost")) and hasattr(
        value, "get_params"
    ):
        return "estimator"
    return "other"


def _pandas(check: str, expected: Any, actual: Any, where: str) -> str | None:
    import pandas.testing

    try:
        getattr(pandas.testing, check)(expected, actual, check_exact=False, rtol=RTOL, atol=ATOL)
    except AssertionError as exc:
        return f"{where}: {_first(exc)}"
    return None


def _array(expected: Any, actual: Any, where: str) -> str | None:
    import numpy as np

    if expected.shape != actual.shape:
        return f"{where}: shape {expected.shape} in the notebook, {actual.shape} in the module"
    try:
        if expected.dtype.kind in "fciub" and actual.dtype.kind in "fciub":
            np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True)
        else:
            np.testing.assert_array_equal(actual, expected)
    except AssertionError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        useful = [
            line
            for line in lines
            if line.startswith(("Mismatched", "Max absolute", "Max relative"))
        ]
        return f"{where}: " + "; ".join(useful or lines[:2])
    return None


def _estimator(
    expected: Any, actual: Any, data: Sequence[Any], where: str, depth: int
) -> str | None:
    found = compare(
        expected.get_params(deep=False),
        actual.get_params(deep=False),
        data,
        f"{where}.get_params()",
        depth + 1,
    )
    if found:
        return found
    method = next((m for m in ("predict", "transform") if hasattr(expected, m)), None)
    n_features = getattr(expected, "n_features_in_", None)
    names = getattr(expected, "feature_names_in_", None)
    for candidate in data:
        shape = getattr(candidate, "shape", None)
        if method is None or shape is None or len(shape) != 2 or n_features is None:
            break
        if shape[1] != n_features:
            continue
        if names is not None and list(getattr(candidate, "columns", [])) != list(names):
            continue
        try:
            left = getattr(expected, method)(candidate)
        except Exception:  # noqa: BLE001, S112 - this data does not fit the estimator: next
            continue
        right = getattr(actual, method)(candidate)
        return compare(left, right, (), f"{where}.{method}(notebook data {shape})", depth + 1)
    fitted = {k: v for k, v in vars(expected).items() if k.endswith("_") and not k.startswith("_")}
    other = {k: getattr(actual, k, None) for k in fitted}
    return compare(fitted, other, data, f"{where} fitted attributes", depth + 1)


def _close(expected: Any, actual: Any) -> bool:
    try:
        left, right = complex(expected), complex(actual)
    except (TypeError, ValueError):
        return bool(expected == actual)
    if any(math.isnan(x) for x in (left.real, left.imag)):
        return any(math.isnan(x) for x in (right.real, right.imag))
    return abs(left - right) <= ATOL + RTOL * abs(left)


def _type(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _first(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return "; ".join(lines[:3]) if lines else type(exc).__name__
