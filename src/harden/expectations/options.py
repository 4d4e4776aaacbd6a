"""Thresholds for suite generation: defaults, ``[tool.harden.expect]``, flags.

Keys are kebab-case in ``pyproject.toml``; an unknown key is a
:class:`~harden.errors.ConfigError` naming it.  Flags override the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from harden.config import Overrides, resolve
from harden.errors import ConfigError


@dataclass(frozen=True)
class ExpectOptions:
    """How careful the generated expectations are.

    ``row_tolerance``: row count within ±this fraction of the observed count.
    ``columns``: ``exact`` (no extra columns) or ``subset`` (extra columns allowed).
    ``column_order``: also expect the columns in the observed order.
    ``range_margin``: numeric and datetime bounds widened by this fraction of the range.
    ``null_margin``: ``mostly`` = observed non-null rate minus this.
    ``max_categories`` / ``category_ratio``: a string column is categorical when it has at
    most this many distinct values and at most this fraction of its rows are distinct.
    ``sample_rows``: frames with more rows are profiled on a deterministic sample
    (bounds, null counts and category sets are still checked on every row).
    ``statistics``: also expect mean and median within bounds.
    ``exclude``: columns that get no column-level expectations (still in the column set).
    """

    row_tolerance: float = 0.5
    columns: str = "exact"
    column_order: bool = False
    range_margin: float = 0.1
    null_margin: float = 0.1
    max_categories: int = 20
    category_ratio: float = 0.5
    sample_rows: int = 100_000
    statistics: bool = False
    exclude: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.columns not in ("exact", "subset"):
            raise ConfigError(f"expect columns must be 'exact' or 'subset', got {self.columns!r}")
        for name in ("row_tolerance", "range_margin", "null_margin", "category_ratio"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"expect {_key(name)} must be a number >= 0, got {value!r}")
        for name in ("max_categories", "sample_rows"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"expect {_key(name)} must be an integer >= 1, got {value!r}")

    def thresholds(self) -> dict[str, Any]:
        """The options as recorded in a suite's ``meta`` (kebab-case keys)."""
        return {_key(k): (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


CONFIG_KEYS = frozenset(_f.name.replace("_", "-") for _f in fields(ExpectOptions))


def _key(name: str) -> str:
    return name.replace("_", "-")


def from_section(section: Mapping[str, Any], source: Path | None = None) -> ExpectOptions:
    """Options from a ``[tool.harden.expect]`` table."""
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise ConfigError(f"[tool.harden.expect] has no key {key!r} (keys: {known})", source)
        name = key.replace("-", "_")
        if name == "exclude":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(
                    "[tool.harden.expect] exclude must be a list of column names", source
                )
            value = tuple(value)
        if name in (
            "range_margin",
            "null_margin",
            "row_tolerance",
            "category_ratio",
        ) and isinstance(value, int):
            value = float(value)
        values[name] = value
    try:
        return ExpectOptions(**values)
    except ConfigError as exc:
        raise ConfigError(exc.problem, source) from None


def resolve_options(start: Path, config_file: Path | None = None, **flags: Any) -> ExpectOptions:
    """Defaults, then ``[tool.harden.expect]`` above ``start``, then the flags given (not ``None``)."""
    config = resolve(start, Overrides(config_file=config_file))
    options = from_section(config.sections.get("expect", {}), config.source)
    given = {k: v for k, v in flags.items() if v is not None}
    if "exclude" in given:
        given["exclude"] = tuple(given["exclude"])
    return replace(options, **given) if given else options
