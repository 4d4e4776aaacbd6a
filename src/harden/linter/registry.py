"""Where rules come from: the built-in modules and third-party entry points.

Built-in rules are the :class:`Rule` subclasses in ``harden.linter.rules``
(one module per rule; discovered when asked, nothing registers itself at
import time).  Third-party packages add rules through the ``harden.rules``
entry-point group: each entry point names a ``Rule`` subclass or a module
holding some.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
from collections.abc import Iterable
from types import ModuleType

from harden.errors import ConfigError
from harden.linter.rule import Rule

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "harden.rules"


def builtin_rules() -> list[type[Rule]]:
    """Every rule shipped with harden, sorted by id."""
    from harden.linter import rules as package

    found: list[type[Rule]] = []
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        found.extend(_rules_in(module))
    return sorted(found, key=lambda rule: rule.id)


def plugin_rules() -> list[type[Rule]]:
    """Rules from installed packages' ``harden.rules`` entry points."""
    from importlib.metadata import entry_points

    found: list[type[Rule]] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not take lint down
            raise ConfigError(f"cannot load rule plugin {entry.name!r}: {exc}") from None
        if inspect.ismodule(loaded):
            found.extend(_rules_in(loaded))
        elif inspect.isclass(loaded) and issubclass(loaded, Rule):
            found.append(loaded)
        else:
            raise ConfigError(f"rule plugin {entry.name!r} is neither a Rule nor a module")
    return found


def all_rules(include_plugins: bool = True) -> list[type[Rule]]:
    """Built-in and plugin rules; two rules claiming one id is an error."""
    rules = builtin_rules() + (plugin_rules() if include_plugins else [])
    check_unique(rules)
    return sorted(rules, key=lambda rule: rule.id)


def check_unique(rules: Iterable[type[Rule]]) -> None:
    seen: dict[str, type[Rule]] = {}
    names: dict[str, type[Rule]] = {}
    for rule in rules:
        for key, table in ((rule.id, seen), (rule.name, names)):
            if key in table and table[key] is not rule:
                raise ConfigError(
                    f"rules {table[key].__name__} and {rule.__name__} both claim {key!r}"
                )
            table[key] = rule


def _rules_in(module: ModuleType) -> list[type[Rule]]:
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Rule)
        and obj is not Rule
        and obj.__module__ == module.__name__
        and getattr(obj, "id", None)
    ]
