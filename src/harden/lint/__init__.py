"""Linting notebooks: findings, rules, the engine and output formats.

Exports are resolved lazily so that low-level modules (configuration,
formats) can import :mod:`harden.lint.finding` without pulling in the engine.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "LintReport": "harden.lint.engine",
    "lint_notebook": "harden.lint.engine",
    "lint_path": "harden.lint.engine",
    "lint_paths": "harden.lint.engine",
    "Finding": "harden.lint.finding",
    "LintResult": "harden.lint.finding",
    "RuleInfo": "harden.lint.finding",
    "Severity": "harden.lint.finding",
    "Example": "harden.lint.rule",
    "Rule": "harden.lint.rule",
    "RuleContext": "harden.lint.rule",
    "Violation": "harden.lint.rule",
}

__all__ = [
    "Example", "Finding", "LintReport", "LintResult", "Rule", "RuleContext", "RuleInfo",
    "Severity", "Violation", "lint_notebook", "lint_path", "lint_paths",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'harden.lint' has no attribute {name!r}")
