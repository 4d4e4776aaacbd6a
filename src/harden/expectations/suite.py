"""A frame profile → a Great Expectations 1.x ``ExpectationSuite``, as stable JSON.

The expectations are what a careful engineer would write (see the README):
the column set, the row count within a tolerance, a type per column, nulls,
ranges with a margin, category sets, unique ids, string lengths and obvious
shapes; nothing but type and nulls for free text and all-unique floats.
The JSON is GX's own (``suite.to_json_dict()``) with sorted keys; suites
never added to a context have no expectation ids, so the same profile gives
the same bytes.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from harden.expectations.options import ExpectOptions
from harden.expectations.profile import SHAPES, ColumnProfile, FrameProfile
from harden.version import __version__

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spec:
    """One expectation before it is a GX object: its class name and kwargs."""

    kind: str
    kwargs: Mapping[str, Any]


def expectation_specs(profile: FrameProfile, options: ExpectOptions) -> list[Spec]:
    """The expectations for ``profile``, table-level first, then column by column."""
    names = [c.name for c in profile.columns]
    specs = [
        Spec(
            "ExpectTableColumnsToMatchSet",
            {"column_set": names, "exact_match": options.columns == "exact"},
        )
    ]
    if options.column_order:
        specs.append(Spec("ExpectTableColumnsToMatchOrderedList", {"column_list": names}))
    low = math.floor(profile.rows * (1 - options.row_tolerance))
    specs.append(
        Spec(
            "ExpectTableRowCountToBeBetween",
            {
                "min_value": max(low, 0),
                "max_value": math.ceil(profile.rows * (1 + options.row_tolerance)),
            },
        )
    )
    for column in profile.columns:
        if column.name not in options.exclude:
            specs.extend(column_specs(column, options))
    return specs


def column_specs(column: ColumnProfile, options: ExpectOptions) -> list[Spec]:
    name = column.name
    specs = [Spec("ExpectColumnValuesToBeOfType", {"column": name, "type_": column.gx_type})]
    if column.nulls == 0:
        specs.append(Spec("ExpectColumnValuesToNotBeNull", {"column": name}))
    else:
        mostly = math.floor((1 - column.nulls / column.rows - options.null_margin) * 1000) / 1000
        if mostly > 0:
            specs.append(Spec("ExpectColumnValuesToNotBeNull", {"column": name, "mostly": mostly}))
    if column.role == "id":
        specs.append(Spec("ExpectColumnValuesToBeUnique", {"column": name}))
    elif column.role == "categorical":
        specs.append(
            Spec("ExpectColumnValuesToBeInSet", {"column": name, "value_set": list(column.values)})
        )
    elif column.role == "range" and column.kind == "datetime":
        low, high = _datetime_bounds(column.minimum, column.maximum, options.range_margin)
        specs.append(
            Spec(
                "ExpectColumnValuesToBeBetween",
                {"column": name, "min_value": low, "max_value": high},
            )
        )
    elif column.role == "range":
        low, high = _numeric_bounds(column, options.range_margin)
        specs.append(
            Spec(
                "ExpectColumnValuesToBeBetween",
                {"column": name, "min_value": low, "max_value": high},
            )
        )
        if column.mean is not None and column.median is not None:
            pad = (column.maximum - column.minimum) * options.range_margin
            for stat, value in (("Mean", column.mean), ("Median", column.median)):
                specs.append(
                    Spec(
                        f"ExpectColumn{stat}ToBeBetween",
                        {
                            "column": name,
                            "min_value": _round(value - pad, math.floor),
                            "max_value": _round(value + pad, math.ceil),
                        },
                    )
                )
    if column.min_length is not None and column.max_length is not None and column.role != "text":
        shortest, longest = column.min_length, column.max_length
        if shortest != longest:
            shortest = max(math.floor(shortest * (1 - options.range_margin)), 0)
            longest = math.ceil(longest * (1 + options.range_margin))
        specs.append(
            Spec(
                "ExpectColumnValueLengthsToBeBetween",
                {"column": name, "min_value": shortest, "max_value": longest},
            )
        )
    if column.pattern is not None:
        specs.append(
            Spec(
                "ExpectColumnValuesToMatchRegex", {"column": name, "regex": SHAPES[column.pattern]}
            )
        )
    return specs


def _numeric_bounds(column: ColumnProfile, margin: float) -> tuple[Any, Any]:
    low, high = column.minimum, column.maximum
    pad = (high - low) * margin
    new_low, new_high = low - pad, high + pad
    if low >= 0:
        new_low = max(new_low, 0)
    if column.kind == "integer":
        return int(math.floor(new_low)), int(math.ceil(new_high))
    return _round(new_low, math.floor), _round(new_high, math.ceil)


def _round(value: float, direction: Any) -> float:
    """Round outward to 6 significant digits (stable, readable bounds)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    scale = 10 ** (5 - math.floor(math.log10(abs(value))))
    return float(direction(value * scale) / scale)


def _datetime_bounds(low: str, high: str, margin: float) -> tuple[str, str]:
    start, end = datetime.fromisoformat(low), datetime.fromisoformat(high)
    pad = (end - start) * margin
    return (start - pad).isoformat(), (end + pad).isoformat()


def build_suite(
    name: str, profile: FrameProfile, options: ExpectOptions, meta: Mapping[str, Any]
) -> Any:
    """A ``great_expectations.ExpectationSuite`` (GX imported here)."""
    from harden.expectations.gxsession import gx_module

    gx = gx_module()
    expectations = [
        getattr(gx.expectations, spec.kind)(**spec.kwargs)
        for spec in expectation_specs(profile, options)
    ]
    return gx.ExpectationSuite(name=name, expectations=expectations, meta={"harden": dict(meta)})


def suite_json(suite: Any) -> str:
    """GX's JSON for ``suite``, keys sorted, ids removed: byte-identical for the same suite."""
    data = suite.to_json_dict()
    data.pop("id", None)
    for expectation in data.get("expectations", []):
        expectation.pop("id", None)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def suite_document(
    name: str, profile: FrameProfile, options: ExpectOptions, provenance: Mapping[str, Any]
) -> str:
    """The suite's JSON, ``meta.harden`` holding ``provenance`` (notebook, cell,
    variable, source file...) plus the row count, sampling, thresholds, column
    kinds and harden's version."""
    meta: dict[str, Any] = {
        **provenance,
        "rows": profile.rows,
        "sampled_rows": profile.sampled_rows,
        "harden_version": __version__,
        "thresholds": options.thresholds(),
        "columns": {
            c.name: {"kind": c.kind, "dtype": c.dtype, **({"tz": c.tz} if c.tz else {})}
            for c in profile.columns
        },
    }
    return suite_json(build_suite(name, profile, options, meta))
