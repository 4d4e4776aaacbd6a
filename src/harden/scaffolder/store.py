"""Captured values → fixture files and the descriptors the test builder reads.

Runs in the capture worker (:mod:`harden.scaffolder.worker`), never in harden's
own process: the values may be instances of the module's classes.  Formats
keep dtypes: Parquet for frames and Series, ``.npy`` for arrays, JSON for
plain values; pickle only where nothing else round-trips, and then the file
is named ``*.pickle``.  Each format is checked by reading the file back.

A descriptor is a JSON-able dict with a ``kind``:

``json`` / ``frame`` / ``series`` / ``array`` / ``pickle``
    a stored value (``file``; ``tree`` for JSON: which items are floats).
``estimator``
    a fitted model pinned by its predictions on captured data and by its fitted
    attributes (``predict``: method, ``X`` and ``y`` keys; ``attributes``).
``summary``
    a value over the size limit: shape, dtypes, quantiles, a hash.
``figure`` / ``secret`` / ``opaque`` / ``too-large``
    nothing stored; ``reason`` says why.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harden.secrets import text_secrets

#: Fitted attributes pinned for an estimator (on the last step of a pipeline).
FITTED_ATTRIBUTES = (
    "coef_",
    "intercept_",
    "feature_importances_",
    "classes_",
    "cluster_centers_",
    "best_params_",
    "best_score_",
)
PLAIN_ITEMS = 50  # a JSON container with more items is compared whole


@dataclass
class Budget:
    """Per-fixture and total byte limits; ``used`` counts what was written."""

    per_fixture: int
    total: int
    used: int = 0
    files: list[str] = field(default_factory=list)

    def allows(self, size: int) -> str | None:
        if size > self.per_fixture:
            return f"{size / 1e6:.1f} MB, over the per-fixture limit of {self.per_fixture / 1e6:.1f} MB"
        if self.used + size > self.total:
            return f"the total fixture limit of {self.total / 1e6:.1f} MB is reached"
        return None


class Store:
    """Writes fixtures under ``root`` as ``<key>.<ext>``; keys are ``step/role/name``."""

    def __init__(self, root: Path, budget: Budget) -> None:
        self.root = root
        self.budget = budget
        #: content hash → the file holding those bytes: each value is stored once.
        self.stored: dict[str, str] = {}

    # -- public -----------------------------------------------------------------
    def put(self, key: str, value: Any, *, role: str, context: list[Any] | None = None) -> dict:
        """Store ``value``; ``role`` is ``input`` (must load back as the same value)
        or ``output`` (may be pinned by what can be compared)."""
        kind = _kind(value)
        described: dict[str, Any] = {"type": _type(value)}
        if kind == "figure":
            return {**described, "kind": "figure", "reason": "a matplotlib figure"}
        if role == "output" and kind == "estimator":
            return {**described, **self._estimator(key, value, context or [])}
        if role == "output" and kind == "other" and _expandable(value):
            return {**described, **self._container(key, value, context)}
        payload = self._payload(value, kind)
        if payload is None:
            pickled = self._pickled(key, value)
            if role == "output" and pickled["kind"] == "pickle":
                pickled["compare"] = _how_equal(value)
            return {**described, **pickled}
        data, ext, extra = payload
        secret = self._secret(value, kind, data)
        if secret:
            return {**described, "kind": "secret", "reason": secret}
        refused = None if digest(data) in self.stored else self.budget.allows(len(data))
        if refused:
            if role == "output" and kind in ("frame", "series", "array"):
                return {**described, **_summary(value, kind), "reason": refused}
            return {**described, "kind": "too-large", "reason": refused}
        return {**described, "kind": kind, "key": key, "file": self._write(key, ext, data), **extra}

    # -- formats ----------------------------------------------------------------
    def _payload(self, value: Any, kind: str) -> tuple[bytes, str, dict] | None:
        try:
            if kind == "frame":
                return _parquet(value), "parquet", {}
            if kind == "series":
                frame = value.to_frame(name="value")
                data = _parquet(frame, series=value)
                return data, "parquet", {"name": _plain_name(value.name)}
            if kind == "array":
                return _npy(value), "npy", {"numeric": value.dtype.kind in "fciub"}
            if kind == "json":
                tree = _tree(value)
                if tree is None:
                    return None
                text = json.dumps(value, allow_nan=True, sort_keys=False)
                if rebuild(json.loads(text), tree) != value and not _has_nan(value):
                    return None
                return text.encode("utf-8"), "json", {"tree": tree}
        except _NotFaithful:
            return None
        return None

    def _pickled(self, key: str, value: Any) -> dict:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(data)
        except Exception as exc:  # noqa: BLE001 - unpicklable values are reported, not fatal
            return {"kind": "opaque", "reason": f"cannot be stored ({type(exc).__name__}: {exc})"}
        secret = self._secret(value, "pickle", data)
        if secret:
            return {"kind": "secret", "reason": secret}
        refused = None if digest(data) in self.stored else self.budget.allows(len(data))
        if refused:
            return {"kind": "too-large", "reason": refused}
        return {"kind": "pickle", "key": key, "file": self._write(key, "pickle", data)}

    def _container(self, key: str, value: Any, context: list[Any] | None) -> dict:
        if isinstance(value, dict):
            items = {
                k: self.put(f"{key}.{_safe(k)}", v, role="output", context=context)
                for k, v in value.items()
            }
            return {"kind": "container", "t": "dict", "items": items}
        listed = [
            self.put(f"{key}.{i}", v, role="output", context=context) for i, v in enumerate(value)
        ]
        return {
            "kind": "container",
            "t": "tuple" if isinstance(value, tuple) else "list",
            "items": listed,
        }

    def _estimator(self, key: str, value: Any, context: list[Any]) -> dict:
        params = _params(value)
        described: dict[str, Any] = {
            "kind": "estimator",
            "params": params,
            "params_tree": _tree(params),
        }
        predicted = _predictions(value, context)
        if predicted is not None:
            method, features, result = predicted
            x = self.put(f"{key}.X", features, role="input")
            y = self.put(f"{key}.{method}", result, role="output")
            if x.get("file") and y.get("file"):
                described["predict"] = {"method": method, "X": x, "y": y}
        attributes = {}
        target = value
        prefix = ""
        if hasattr(value, "steps") and hasattr(value, "__getitem__"):
            target, prefix = value[-1], "[-1]"
            final = _params(target)
            if final:
                described["final_params"] = final
                described["final_params_tree"] = _tree(final)
        for name in FITTED_ATTRIBUTES:
            try:
                attribute = getattr(target, name)
            except Exception:  # noqa: BLE001, S112 - not fitted / not this kind of model
                continue
            if callable(attribute):
                continue
            if type(attribute).__module__ == "numpy" and getattr(attribute, "shape", None) == ():
                attribute = attribute.item()  # a numpy scalar (intercept_): JSON, compared approx
            stored = self.put(f"{key}.{name}", attribute, role="output")
            if stored["kind"] in ("json", "array", "series", "frame"):
                attributes[f"{prefix}.{name}"] = stored
        described["attributes"] = attributes
        return described

    def _secret(self, value: Any, kind: str, data: bytes) -> str | None:
        if kind in ("frame", "series"):
            text = _frame_text(value)
        else:
            text = data.decode("utf-8", errors="ignore")
        found = text_secrets(text)
        if found:
            return f"holds a secret ({found[0].kind}); not written"
        return None

    def _write(self, key: str, ext: str, data: bytes) -> str:
        """Write ``data`` as ``<key>.<ext>`` and return the file's name; the same bytes
        stored under another key already (a step's output that is the next step's
        input, a model's features that are a step's input) are not written again:
        both keys name the first file."""
        found = digest(data)
        name = self.stored.get(found)
        if name is not None and name.rsplit(".", 1)[-1] == ext:
            return name
        name = f"{key}.{ext}"
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.budget.used += len(data)
        self.budget.files.append(name)
        self.stored[found] = name
        return name


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _expandable(value: Any) -> bool:
    if type(value) is dict:
        return 0 < len(value) <= PLAIN_ITEMS and all(isinstance(k, str) for k in value)
    return type(value) in (list, tuple) and 0 < len(value) <= PLAIN_ITEMS


def _safe(name: str) -> str:
    kept = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)
    return kept[:60] or "item"


def _how_equal(value: Any) -> str | None:
    """How a pickled output compares with its copy: ``eq``, ``approx``, ``vars``, ``repr``."""
    copy = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    try:
        if isinstance(value, float) or type(value).__module__ == "numpy":
            return "approx" if _is_real(value) else ("eq" if bool(value == copy) else None)
        if bool(value == copy) and type(value).__eq__ is not object.__eq__:
            return "eq"
    except Exception:  # noqa: BLE001, S110 - no usable ==: try the next way
        pass
    try:
        if vars(value) and _plain_state(vars(value)) and vars(value) == vars(copy):
            return "vars"
    except Exception:  # noqa: BLE001, S110 - no __dict__
        pass
    text = repr(value)
    if " at 0x" not in text and text == repr(copy):
        return "repr"
    return None


def _is_real(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _plain_state(state: dict[str, Any]) -> bool:
    return all(_tree(v) is not None for v in state.values())


class _NotFaithful(Exception):
    """The format does not give the same value back."""


def _kind(value: Any) -> str:
    module = type(value).__module__ or ""
    name = type(value).__name__
    if module.startswith(("matplotlib", "seaborn", "plotly")):
        return "figure"
    if module.startswith("pandas"):
        return {"DataFrame": "frame", "Series": "series"}.get(name, "other")
    if module == "numpy" and name == "ndarray":
        return "array"
    if hasattr(value, "get_params") and hasattr(value, "fit"):
        return "estimator"
    if _tree(value) is not None:
        return "json"
    return "other"


def _tree(value: Any, depth: int = 0) -> Any:
    """What JSON loses, to rebuild it: ``"f"`` float, ``"t"`` tuple (with items),
    ``"d"`` dict, ``"l"`` list, ``"v"`` exact scalar; ``None`` when not JSON-able."""
    if depth > 6:
        return None
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return "v"
    if isinstance(value, int) and type(value) is int:
        return "v"
    if isinstance(value, float) and type(value) is float:
        return "f"
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():
        return None  # numpy scalars keep their type in a pickle, not in JSON
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        items = [_tree(item, depth + 1) for item in value]
        if any(item is None for item in items):
            return None
        return {"t": "tuple" if isinstance(value, tuple) else "list", "items": items}
    if type(value) is dict and all(isinstance(k, str) for k in value):
        mapping = {k: _tree(v, depth + 1) for k, v in value.items()}
        if any(item is None for item in mapping.values()):
            return None
        return {"t": "dict", "items": mapping}
    return None


def rebuild(value: Any, tree: Any) -> Any:
    """A JSON-read value given back the tuples its ``tree`` (from capture) records."""
    if isinstance(tree, dict):
        items = tree["items"]
        if tree["t"] == "dict":
            return {k: rebuild(value[k], items[k]) for k in value}
        rebuilt = [rebuild(v, t) for v, t in zip(value, items)]
        return tuple(rebuilt) if tree["t"] == "tuple" else rebuilt
    return value


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (list, tuple)):
        return any(_has_nan(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    return False


def _parquet(frame: Any, series: Any = None) -> bytes:
    import pandas as pd

    if not all(isinstance(c, str) for c in frame.columns):
        raise _NotFaithful
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer)
        back = pd.read_parquet(io.BytesIO(buffer.getvalue()))
        if series is not None:
            pd.testing.assert_series_equal(back.iloc[:, 0].rename(series.name), series)
        else:
            pd.testing.assert_frame_equal(back, frame)
    except Exception as exc:  # noqa: BLE001 - any failure means: use another format
        raise _NotFaithful from exc
    return buffer.getvalue()


def _npy(array: Any) -> bytes:
    import numpy as np

    if array.dtype.hasobject:
        raise _NotFaithful
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _plain_name(name: Any) -> Any:
    return name if name is None or isinstance(name, (str, int)) else str(name)


def _frame_text(value: Any) -> str:
    frame = value.to_frame() if hasattr(value, "to_frame") else value
    parts = [str(c) for c in frame.columns]
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object or str(series.dtype) in ("string", "category"):
            parts.extend(str(v) for v in series.dropna().unique()[:10_000])
    return "\n".join(parts)


def _params(estimator: Any) -> dict[str, Any]:
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # noqa: BLE001 - an estimator-like object without parameters
        return {}
    return {
        k: v
        for k, v in params.items()
        if _tree(v) is not None and not (isinstance(v, float) and math.isnan(v))
    }


def _predictions(estimator: Any, context: list[Any]) -> tuple[str, Any, Any] | None:
    """(method, X, result) on the first captured 2-D value the model accepts."""
    method = next((m for m in ("predict", "transform") if hasattr(estimator, m)), None)
    if method is None:
        return None
    names = getattr(estimator, "feature_names_in_", None)
    n_features = getattr(estimator, "n_features_in_", None)
    for candidate in context:
        shape = getattr(candidate, "shape", None)
        if not isinstance(shape, tuple) or len(shape) != 2 or shape[0] == 0:
            continue
        features = candidate
        if names is not None:
            columns = getattr(candidate, "columns", None)
            if columns is None or not set(names) <= set(columns):
                continue
            features = candidate[list(names)]
        elif n_features is not None and shape[1] != n_features:
            continue
        try:
            result = getattr(estimator, method)(features)
        except Exception:  # noqa: BLE001, S112 - this data does not fit: the next one
            continue
        if _kind(result) in ("array", "frame"):
            return method, features, result
    return None


def _summary(value: Any, kind: str) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    if kind == "array":
        numeric = value.dtype.kind in "fciub"
        return {
            "kind": "summary",
            "of": "array",
            "shape": list(value.shape),
            "dtype": str(value.dtype),
            "quantiles": [float(q) for q in np.nanquantile(value, [0, 0.25, 0.5, 0.75, 1])]
            if numeric and value.size
            else None,
        }
    frame = value.to_frame(name="value") if kind == "series" else value
    quantiles = {}
    hashes = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            quantiles[str(column)] = [
                None if math.isnan(q) else float(q)
                for q in series.quantile([0, 0.25, 0.5, 0.75, 1]).tolist()
            ]
        else:
            hashes[str(column)] = int(pd.util.hash_pandas_object(series, index=False).sum())
    return {
        "kind": "summary",
        "of": kind,
        "shape": list(value.shape),
        "columns": [str(c) for c in frame.columns] if kind == "frame" else None,
        "dtypes": [str(t) for t in frame.dtypes],
        "quantiles": quantiles,
        "hashes": hashes,
    }


def _type(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"
