"""Configuration: rule packs, ``[tool.harden]`` in ``pyproject.toml``, CLI overrides.

Precedence, lowest first: the rule pack (``default`` unless one is named),
then ``[tool.harden]`` of the nearest ``pyproject.toml`` above the notebook
that has such a table, then command-line flags.  Keys are kebab-case and an
unknown key is an error, so a typo never silently does nothing.

A rule pack is a TOML file::

    name = "strict"
    description = "..."
    extends = "default"          # optional: start from another pack
    fail-on = "warning"          # error | warning | info
    select = ["H001", "H1"]      # rule ids or id prefixes; "ALL" for every rule
    ignore = ["H204"]
    [severity]
    H004 = "warning"
    [options.H205]
    max-lines = 40
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from harden.errors import ConfigError
from harden.severity import Severity

PACK_KEYS = frozenset(
    {"name", "description", "extends", "fail-on", "select", "ignore", "severity", "options"}
)
TOOL_KEYS = frozenset(
    {"pack", "select", "extend-select", "ignore", "fail-on", "severity", "options", "cache-dir"}
)
#: Sub-tables of ``[tool.harden]`` owned by the command that reads them, which
#: validates their keys.  A section is listed here only once a command reads it:
#: ``[tool.harden.extract]`` is an error until extract has settings, so a table
#: that would silently do nothing never passes.
SECTION_KEYS = frozenset({"repro", "expect", "scaffold"})
DEFAULT_PACK = "default"


@dataclass(frozen=True)
class Overrides:
    """What the command line says; ``None`` means "not given"."""

    pack: str | None = None
    select: Sequence[str] | None = None
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    fail_on: Severity | None = None
    config_file: Path | None = None


@dataclass(frozen=True)
class Config:
    """The resolved configuration for one notebook's folder."""

    pack: str
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    severities: Mapping[str, Severity]
    options: Mapping[str, Mapping[str, Any]]
    fail_on: Severity
    source: Path | None = None
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: ``cache-dir`` of ``[tool.harden]``, relative to its ``pyproject.toml``.
    cache_dir: Path | None = None

    def enabled(self, rule_id: str) -> bool:
        def matches(patterns: Iterable[str]) -> bool:
            return any(p == "ALL" or rule_id.startswith(p) for p in patterns)

        return matches(self.select) and not matches(self.ignore)

    def severity(self, rule_id: str, default: Severity) -> Severity:
        return self.severities.get(rule_id, default)

    def rule_options(self, rule_id: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
        merged = dict(defaults)
        merged.update(self.options.get(rule_id, {}))
        return merged


def pack_names() -> list[str]:
    """Names of the packs shipped with harden."""
    folder = resources.files("harden.packs")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` with ``[tool.harden]``."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            data = _read_toml(path)
            if "harden" in data.get("tool", {}):
                return path
    return None


def resolve(start: Path, overrides: Overrides = Overrides()) -> Config:
    """The configuration for notebooks under ``start``."""
    source = overrides.config_file or find_pyproject(start)
    tool: Mapping[str, Any] = {}
    if source is not None:
        data = _read_toml(source)
        tool = data.get("tool", {}).get("harden", {})
        if not isinstance(tool, Mapping):
            raise ConfigError("[tool.harden] must be a table", source)
        _check_keys(tool, TOOL_KEYS | SECTION_KEYS, "[tool.harden]", source)
    pack_name = overrides.pack or tool.get("pack") or DEFAULT_PACK
    pack = load_pack(str(pack_name), source.parent if source else start)
    select = list(pack.get("select", ["ALL"]))
    ignore = list(pack.get("ignore", []))
    severities = dict(pack.get("severity", {}))
    options = {k: dict(v) for k, v in pack.get("options", {}).items()}
    fail_on = pack.get("fail-on", "error")
    if "select" in tool:
        select = _strings(tool["select"], "select", source)
    select += _strings(tool.get("extend-select", []), "extend-select", source)
    ignore += _strings(tool.get("ignore", []), "ignore", source)
    severities.update(_table(tool.get("severity", {}), "severity", source))
    for rule_id, values in _table(tool.get("options", {}), "options", source).items():
        options.setdefault(rule_id, {}).update(_table(values, f"options.{rule_id}", source))
    fail_on = tool.get("fail-on", fail_on)
    if overrides.select is not None:
        select = list(overrides.select)
    select += list(overrides.extend_select)
    ignore += list(overrides.ignore)
    return Config(
        pack=str(pack_name),
        select=tuple(select),
        ignore=tuple(ignore),
        severities={k: _severity(v, f"severity.{k}", source) for k, v in severities.items()},
        options=options,
        fail_on=overrides.fail_on or _severity(fail_on, "fail-on", source),
        source=source,
        sections={k: dict(v) for k, v in tool.items() if k in SECTION_KEYS},
        cache_dir=_cache_dir(tool.get("cache-dir"), source),
    )


def _cache_dir(value: Any, source: Path | None) -> Path | None:
    if value is None or source is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError("'cache-dir' must be a folder name", source)
    return source.parent / value


def load_pack(name_or_path: str, base: Path, _seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A pack by shipped name (``strict``) or by path (relative to ``base``)."""
    if name_or_path in _seen:
        raise ConfigError(f"rule pack {name_or_path!r} extends itself")
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        path = Path(name_or_path)
        path = path if path.is_absolute() else base / path
        if not path.is_file():
            raise ConfigError(f"rule pack file {name_or_path!r} not found", base)
        data = _read_toml(path)
        where: Path | str = path
    else:
        shipped = resources.files("harden.packs").joinpath(f"{name_or_path}.toml")
        if not shipped.is_file():
            known = ", ".join(pack_names())
            raise ConfigError(f"unknown rule pack {name_or_path!r} (shipped packs: {known})")
        data = tomllib.loads(shipped.read_text(encoding="utf-8"))
        where = f"pack {name_or_path}"
    _check_keys(data, PACK_KEYS, "rule pack", where)
    parent = data.get("extends")
    if parent is None:
        return data
    merged = load_pack(str(parent), base, (*_seen, name_or_path))
    for key, value in data.items():
        if key in {"severity", "options"}:
            merged.setdefault(key, {})
            for sub, sub_value in value.items():
                if key == "options":
                    merged[key].setdefault(sub, {}).update(sub_value)
                else:
                    merged[key][sub] = sub_value
        elif key == "ignore":
            merged["ignore"] = [*merged.get("ignore", []), *value]
        elif key != "extends":
            merged[key] = value
    return merged


def validate_rules(config: Config, rules: Mapping[str, Mapping[str, Any]]) -> None:
    """Check ids and options against the known rules: ``rules`` maps id → default options."""
    for pattern in (*config.select, *config.ignore):
        if pattern != "ALL" and not any(rule_id.startswith(pattern) for rule_id in rules):
            raise ConfigError(f"no rule matches {pattern!r}", config.source)
    for rule_id in (*config.severities, *config.options):
        if rule_id not in rules:
            raise ConfigError(f"unknown rule {rule_id!r}", config.source)
    for rule_id, values in config.options.items():
        defaults = rules[rule_id]
        for key, value in values.items():
            if key not in defaults:
                known = ", ".join(sorted(defaults)) or "none"
                raise ConfigError(
                    f"rule {rule_id} has no option {key!r} (options: {known})", config.source
                )
            expected = type(defaults[key])
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                continue
            if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
                raise ConfigError(
                    f"option {key!r} of {rule_id} must be {expected.__name__}, got {value!r}",
                    config.source,
                )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read ({exc.strerror or exc})", path) from None


def _check_keys(
    table: Mapping[str, Any], allowed: frozenset[str], what: str, where: Path | str | None
) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})", where
            )


def _strings(value: Any, key: str, where: Path | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key!r} must be a list of rule ids", where)
    return [v.strip().upper() for v in value]


def _table(value: Any, key: str, where: Path | None) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key!r} must be a table", where)
    return dict(value)


def _severity(value: Any, key: str, where: Path | None) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}", where) from None
