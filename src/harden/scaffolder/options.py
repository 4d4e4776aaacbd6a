"""Settings of ``harden scaffold``: defaults, then ``[tool.harden.scaffold]``, then flags.

Keys are kebab-case in ``pyproject.toml``; an unknown key or a bad value is a
:class:`~harden.errors.ConfigError` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from harden.config import Overrides, resolve
from harden.errors import ConfigError


@dataclass(frozen=True)
class ScaffoldOptions:
    """``rel_tol`` / ``abs_tol``: tolerances of the generated comparisons (floats,
    frames, arrays); ``fixture_limit_mb``: a captured value larger than this is
    summarised (an output) or leaves its step untested (an input);
    ``total_limit_mb``: the same for all fixtures together; ``timeout``: seconds
    for the capture run; ``mutant_timeout``: seconds for the tests on one mutant
    (0: ten times the unmodified run, at least 20 s); ``property_examples`` /
    ``property_rows``: frames each property test draws, and their most rows
    (with ``--expectations``)."""

    rel_tol: float = 1e-7
    abs_tol: float = 1e-12
    fixture_limit_mb: float = 5.0
    total_limit_mb: float = 50.0
    timeout: float = 600.0
    mutant_timeout: float = 0.0
    property_examples: float = 25
    property_rows: float = 20

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ConfigError(
                    f"scaffold {_key(item.name)} must be a number >= 0, got {value!r}"
                )


CONFIG_KEYS = frozenset(
    _key.replace("_", "-") for _key in (f.name for f in fields(ScaffoldOptions))
)


def _key(name: str) -> str:
    return name.replace("_", "-")


def from_section(section: Mapping[str, Any], source: Path | None = None) -> ScaffoldOptions:
    """Options from a ``[tool.harden.scaffold]`` table."""
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise ConfigError(f"[tool.harden.scaffold] has no key {key!r} (keys: {known})", source)
        values[key.replace("-", "_")] = float(value) if type(value) is int else value
    try:
        return ScaffoldOptions(**values)
    except ConfigError as exc:
        raise ConfigError(exc.problem, source) from None


def resolve_options(start: Path, **flags: Any) -> ScaffoldOptions:
    """Defaults, then ``[tool.harden.scaffold]`` above ``start``, then the flags given."""
    config = resolve(start, Overrides())
    options = from_section(config.sections.get("scaffold", {}), config.source)
    given = {k: v for k, v in flags.items() if v is not None}
    return replace(options, **given) if given else options
