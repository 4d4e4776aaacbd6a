"""Linting notebooks: findings, rules, the engine and output formats.

``from harden.linter import lint_paths`` is the entry point; the command-line
``harden lint`` and the API function ``harden.lint()`` call it.

The names below are loaded on first use, so importing a light submodule
(``harden.linter.finding``, ``harden.linter.cache``) does not import the
analysis and every rule.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harden.linter.engine import LintReport, lint_notebook, lint_path, lint_paths
    from harden.linter.finding import Finding, LintResult, RuleInfo
    from harden.linter.rule import Example, Rule, RuleContext, Violation
    from harden.severity import Severity

_HOMES = {
    "Example": "harden.linter.rule",
    "Finding": "harden.linter.finding",
    "LintReport": "harden.linter.engine",
    "LintResult": "harden.linter.finding",
    "Rule": "harden.linter.rule",
    "RuleContext": "harden.linter.rule",
    "RuleInfo": "harden.linter.finding",
    "Severity": "harden.severity",
    "Violation": "harden.linter.rule",
    "lint_notebook": "harden.linter.engine",
    "lint_path": "harden.linter.engine",
    "lint_paths": "harden.linter.engine",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


__all__ = [
    "Example",
    "Finding",
    "LintReport",
    "LintResult",
    "Rule",
    "RuleContext",
    "RuleInfo",
    "Severity",
    "Violation",
    "lint_notebook",
    "lint_path",
    "lint_paths",
]
