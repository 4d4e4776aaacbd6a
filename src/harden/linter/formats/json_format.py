"""Lint output as JSON with a stable, documented schema (``docs/json-schema.md``).

The schema is versioned by the top-level ``"version"`` key.  Adding a key is
not a breaking change; removing or renaming one, or changing what a value
means, bumps the version.  Keys are sorted and the output is indented, so the
same results always give byte-for-byte the same text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from harden.linter.finding import Finding, LintResult, RuleInfo, Severity
from harden.linter.formats.text import one_line, sorted_findings, tally

#: Version of the JSON schema documented in docs/json-schema.md.
SCHEMA_VERSION = 1


def render(
    results: Sequence[LintResult],
    rules: Sequence[RuleInfo],
    *,
    color: bool,
    fail_on: Severity,
) -> str:
    """Render lint results as one JSON document (``color`` is ignored)."""
    del rules, color
    return (
        json.dumps(
            to_data(results, fail_on=fail_on),
            sort_keys=True,
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def to_data(results: Sequence[LintResult], *, fail_on: Severity) -> dict[str, Any]:
    """The JSON document as plain Python values (for callers that embed it, e.g. reports)."""
    counts = tally(results, fail_on)
    return {
        "version": SCHEMA_VERSION,
        "tool": "harden",
        "results": [_result(result) for result in results],
        "summary": {
            "notebooks": counts.notebooks,
            "notebooks_with_errors": counts.notebooks_with_errors,
            "findings": counts.findings,
            "by_severity": {severity.value: n for severity, n in counts.by_severity.items()},
            "fail_on": fail_on.value,
            "failing": counts.failing,
        },
    }


def _result(result: LintResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "error": None if result.error is None else {"message": one_line(result.error.problem)},
        "findings": [_finding(finding) for finding in sorted_findings(result)],
        "skipped_rules": sorted(result.skipped_rules),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "name": finding.name,
        "severity": finding.severity.value,
        "cell_index": finding.cell_index,
        "cell_number": finding.cell_number,
        "related_cells": list(finding.related_cells),
        "cell_id": finding.cell_id,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "message": finding.message,
        "fix": finding.fix,
        "snippet": finding.snippet,
    }
