"""Profile a pandas DataFrame into column facts (in harden's process, never the kernel's).

Cheap facts (null counts, min/max, category sets, uniqueness of id-like
columns, string lengths) are computed on every row; the costly judgement of
*what kind of column this is* (distinct counts, string shapes) on a
deterministic sample when the frame has more than ``sample_rows`` rows.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Literal

from harden.expectations.options import ExpectOptions

log = logging.getLogger(__name__)

Kind = Literal["integer", "float", "boolean", "string", "category", "datetime", "other"]
Role = Literal["id", "categorical", "range", "text", "shaped", "plain"]
ID_NAME = re.compile(r"(^|_)(id|key|uuid)$|^id_", re.IGNORECASE)
SHAPES: dict[str, str] = {
    "digits": r"^[0-9]+$",
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "iso-date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
SAMPLE_SEED = 0


@dataclass(frozen=True)
class ColumnProfile:
    """What the data says about one column.  ``role`` decides the expectations:
    ``id`` (unique), ``categorical`` (``values``), ``range`` (``minimum``..``maximum``),
    ``shaped`` (``pattern`` and lengths), ``plain`` (lengths), ``text`` (type and nulls only)."""

    name: str
    kind: Kind
    dtype: str
    gx_type: str
    rows: int
    nulls: int
    role: Role
    minimum: Any = None
    maximum: Any = None
    values: tuple[Any, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    mean: float | None = None
    median: float | None = None
    tz: str | None = None


@dataclass(frozen=True)
class FrameProfile:
    """``rows`` counts the whole frame; ``sampled_rows`` is set when kinds were
    judged on a sample of that many rows."""

    rows: int
    columns: tuple[ColumnProfile, ...]
    sampled_rows: int | None = None


def profile_frame(frame: Any, options: ExpectOptions = ExpectOptions()) -> FrameProfile:
    """Profile every column of ``frame`` (a pandas DataFrame)."""
    rows = len(frame)
    sample = frame
    sampled: int | None = None
    if rows > options.sample_rows:
        sample = frame.sample(n=options.sample_rows, random_state=SAMPLE_SEED)
        sampled = options.sample_rows
    columns = tuple(
        _column(str(name), frame[name], sample[name], options) for name in frame.columns
    )
    return FrameProfile(rows=rows, columns=columns, sampled_rows=sampled)


def kind_of(dtype: Any) -> Kind:
    from pandas.api import types

    if isinstance(dtype, types.CategoricalDtype):
        return "category"
    if types.is_bool_dtype(dtype):
        return "boolean"
    if types.is_integer_dtype(dtype):
        return "integer"
    if types.is_float_dtype(dtype):
        return "float"
    if types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if types.is_string_dtype(dtype):
        return "string"
    return "other"


def gx_type_name(dtype: Any) -> str:
    """The type name GX's pandas ``expect_column_values_to_be_of_type`` compares
    (it checks ``dtype.type``): ``int64`` for int64 and Int64, ``str``,
    ``CategoricalDtypeType``, ``datetime64`` (any unit), ``Timestamp`` (tz-aware)."""
    return str(dtype.type.__name__)


def _column(name: str, column: Any, sample: Any, options: ExpectOptions) -> ColumnProfile:
    kind = kind_of(column.dtype)
    nulls = int(column.isna().sum())
    base: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "dtype": str(column.dtype),
        "gx_type": gx_type_name(column.dtype),
        "rows": len(column),
        "nulls": nulls,
    }
    if kind == "other" or name in options.exclude or nulls == len(column):
        return ColumnProfile(role="plain" if kind != "other" else "text", **base)
    values = column.dropna()
    sample_values = sample.dropna()
    if kind in ("integer", "string") and ID_NAME.search(name) and column.is_unique and nulls == 0:
        extra = _lengths(values) if kind == "string" else {}
        return ColumnProfile(role="id", **base, **extra)
    if kind == "category":
        used = sorted(map(_native, values.unique()), key=str)
        if len(used) <= options.max_categories:
            return ColumnProfile(role="categorical", values=tuple(used), **base)
        return ColumnProfile(role="text", **base)
    if kind == "boolean":
        return ColumnProfile(role="plain", **base)
    if kind in ("integer", "float"):
        if kind == "float" and sample_values.is_unique:
            return ColumnProfile(role="text", **base)
        stats: dict[str, Any] = {}
        if options.statistics:
            stats = {"mean": float(values.mean()), "median": float(values.median())}
        return ColumnProfile(
            role="range",
            minimum=_native(values.min()),
            maximum=_native(values.max()),
            **base,
            **stats,
        )
    if kind == "datetime":
        tz = getattr(column.dtype, "tz", None)
        return ColumnProfile(
            role="range",
            minimum=values.min().isoformat(),
            maximum=values.max().isoformat(),
            tz=str(tz) if tz else None,
            **base,
        )
    return _string(base, values, sample_values, options)


def _string(
    base: dict[str, Any], values: Any, sample: Any, options: ExpectOptions
) -> ColumnProfile:
    texts = sample.astype(str)
    distinct = texts.nunique()
    if distinct <= options.max_categories and distinct <= options.category_ratio * max(
        len(texts), 1
    ):
        used = values.astype(str).unique()
        if len(used) <= options.max_categories:
            return ColumnProfile(role="categorical", values=tuple(sorted(map(str, used))), **base)
    if len(texts) and (
        texts.str.contains(r"\s", regex=True).mean() > 0.5 or texts.str.len().max() > 100
    ):
        return ColumnProfile(role="text", **base)
    full = values.astype(str)
    for shape, regex in SHAPES.items():
        if len(texts) and texts.str.fullmatch(regex).all() and full.str.fullmatch(regex).all():
            return ColumnProfile(role="shaped", pattern=shape, **base, **_lengths(full))
    return ColumnProfile(role="plain", **base, **_lengths(full))


def _lengths(values: Any) -> dict[str, Any]:
    lengths = values.astype(str).str.len()
    return {"min_length": int(lengths.min()), "max_length": int(lengths.max())}


def _native(value: Any) -> Any:
    """numpy scalars → Python numbers/strings, so JSON stays plain."""
    if hasattr(value, "item"):
        value = value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
