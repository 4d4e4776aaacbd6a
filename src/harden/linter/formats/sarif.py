"""Lint output as SARIF 2.1.0, in the subset GitHub code scanning accepts.

Decisions, all driven by how GitHub shows an uploaded file:

* One run; ``tool.driver`` lists every rule passed in (sorted by id) with its
  summary, rationale and fix, so an alert page explains itself.  A finding
  whose rule is not in that list (a third-party rule) still gets a descriptor,
  built from the finding.
* A location is the notebook file (relative URI with forward slashes and
  ``uriBaseId`` ``%SRCROOT%``).  The artifact is the notebook's JSON text, so
  ``region.startLine`` is the line of that file which holds the finding's source
  line (:mod:`harden.linter.filelines` scans the file; the cell's first line
  for a finding without a line, 1 for a notebook-level one, the line within the
  cell when the file cannot be read).  The cell and its line and column are
  repeated in the result's ``properties``, and the message says
  ``cell N (1-based), line L``.
* ``partialFingerprints`` hash rule id, path, cell id (or index) and the
  (already redacted) snippet, never line numbers, so an alert survives edits
  to other cells.  ``primaryLocationLineHash`` is set as well: GitHub's upload
  action would otherwise hash a line of the notebook's JSON text.
* Notebooks that could not be linted become ``toolExecutionNotifications``
  and ``executionSuccessful`` is false.
* Nothing from the notebook's source goes in except what the finding already
  carries (message and redacted snippet are used only for hashing).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from harden.linter.filelines import CellLines, read_file_lines
from harden.linter.finding import Finding, LintResult, RuleInfo, Severity
from harden.linter.formats.text import one_line, sorted_findings
from harden.version import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"

LEVELS: dict[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
}


def render(
    results: Sequence[LintResult],
    rules: Sequence[RuleInfo],
    *,
    color: bool,
    fail_on: Severity,
) -> str:
    """Render lint results as a SARIF 2.1.0 log (``color`` and ``fail_on`` do not apply)."""
    del color, fail_on
    return json.dumps(to_data(results, rules), indent=2, ensure_ascii=False) + "\n"


def to_data(results: Sequence[LintResult], rules: Sequence[RuleInfo]) -> dict[str, Any]:
    """The SARIF log as plain Python values."""
    descriptors = _descriptors(results, rules)
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    driver: dict[str, Any] = {
        "name": "harden",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": descriptors,
    }
    uri = _information_uri()
    if uri:
        driver["informationUri"] = uri
    sarif_results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for result in results:
        if result.error is not None:
            notifications.append(_notification(result))
        seen: Counter[str] = Counter()
        lines = read_file_lines(result.path) if result.findings else None
        for finding in sorted_findings(result):
            sarif_results.append(_result(finding, index[finding.rule_id], seen, lines))
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": sarif_results,
            }
        ],
    }


def artifact_uri(path: str) -> tuple[str, str | None]:
    """A path as a SARIF URI and its ``uriBaseId`` (None for an absolute ``file:`` URI)."""
    posix = path.replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", posix):
        return "file:///" + quote(posix, safe="/:"), None
    if posix.startswith("/"):
        return "file://" + quote(posix, safe="/"), None
    while posix.startswith("./"):
        posix = posix[2:]
    return quote(posix, safe="/"), SRCROOT


def fingerprint(finding: Finding) -> str:
    """Stable identity of a finding: rule, notebook, cell and offending line, not positions."""
    if finding.cell_id:
        cell = f"id:{finding.cell_id}"
    elif finding.cell_index is not None:
        cell = f"index:{finding.cell_index}"
    else:
        cell = "notebook"
    parts = [
        finding.rule_id,
        finding.path.replace("\\", "/"),
        cell,
        (finding.snippet or "").strip(),
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _descriptors(results: Sequence[LintResult], rules: Sequence[RuleInfo]) -> list[dict[str, Any]]:
    by_id: dict[str, dict[str, Any]] = {}
    for rule in rules:
        by_id[rule.id] = _descriptor(rule)
    for result in results:
        for finding in result.findings:
            if finding.rule_id not in by_id:
                by_id[finding.rule_id] = _descriptor(
                    RuleInfo(
                        id=finding.rule_id,
                        name=finding.name,
                        severity=finding.severity,
                        summary=finding.name,
                        rationale="",
                        fix=finding.fix,
                    )
                )
    return [by_id[rule_id] for rule_id in sorted(by_id)]


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    summary = one_line(rule.summary) or rule.name
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": one_line(rule.rationale) or summary},
        "help": {"text": rule.fix.strip() or summary},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _start_line(finding: Finding, lines: tuple[CellLines, ...] | None) -> int:
    """The line of the notebook file that holds the finding's source line."""
    if finding.cell_index is None:
        return 1
    if lines is None or finding.cell_index >= len(lines):
        return max(finding.line or 1, 1)
    return max(lines[finding.cell_index].file_line(finding.line), 1)


def _result(
    finding: Finding,
    rule_index: int,
    seen: Counter[str],
    lines: tuple[CellLines, ...] | None = None,
) -> dict[str, Any]:
    uri, base = artifact_uri(finding.path)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    digest = fingerprint(finding)
    seen[digest] += 1
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": {"startLine": _start_line(finding, lines)},
                }
            }
        ],
        "partialFingerprints": {
            "harden/v1": f"{digest}:{seen[digest]}",
            "primaryLocationLineHash": f"{digest[:16]}:{seen[digest]}",
        },
        "properties": {
            "cell_index": finding.cell_index,
            "cell_id": finding.cell_id,
            "cell_line": finding.line,
            "cell_column": finding.column,
        },
    }


def _message(finding: Finding) -> str:
    if finding.cell_index is None:
        where = "notebook"
    else:
        where = f"cell {finding.cell_index + 1} (1-based)"
        if finding.line is not None:
            where += f", line {finding.line}"
            if finding.column is not None:
                where += f", column {finding.column}"
    return f"{one_line(finding.message)} [{where}]"


def _notification(result: LintResult) -> dict[str, Any]:
    assert result.error is not None
    uri, base = artifact_uri(result.path)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    return {
        "level": "error",
        "message": {"text": f"{result.path}: {one_line(result.error.problem)}"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact}}],
    }


def _information_uri() -> str | None:
    """The project's home page from the installed package metadata, if it names one."""
    import importlib.metadata  # ~15 ms to import: only when SARIF is asked for

    try:
        metadata = importlib.metadata.metadata("harden")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in metadata.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "repository", "source") and url.strip():
            return url.strip()
    # absent in some metadata versions, where a lookup raises instead of giving None
    home = metadata.json.get("home_page") if hasattr(metadata, "json") else None
    return home.strip() if isinstance(home, str) and home.strip() else None
