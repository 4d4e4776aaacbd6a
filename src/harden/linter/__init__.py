"""Linting notebooks: findings, rules, the engine and output formats.

Exports are resolved lazily so that low-level modules (configuration,
formats) can import :mod:`harden.linter.finding` without pulling in the engine.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "LintReport": "harden.linter.engine",
    "lint_notebook": "harden.linter.engine",
    "lint_path": "harden.linter.engine",
    "lint_paths": "harden.linter.engine",
    "Finding": "harden.linter.finding",
    "LintResult": "harden.linter.finding",
    "RuleInfo": "harden.linter.finding",
    "Severity": "harden.linter.finding",
    "Example": "harden.linter.rule",
    "Rule": "harden.linter.rule",
    "RuleContext": "harden.linter.rule",
    "Violation": "harden.linter.rule",
}

__all__ = [
    "Example", "Finding", "LintReport", "LintResult", "Rule", "RuleContext", "RuleInfo",
    "Severity", "Violation", "lint_notebook", "lint_path", "lint_paths",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'harden.linter' has no attribute {name!r}")
