"""Linting notebooks: findings, rules, the engine and output formats.

``from harden.linter import lint_paths`` is the entry point; the command-line
``harden lint`` and the API function ``harden.lint()`` call it.
"""

from __future__ import annotations

from harden.linter.engine import LintReport, lint_notebook, lint_path, lint_paths
from harden.linter.finding import Finding, LintResult, RuleInfo
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.severity import Severity

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
