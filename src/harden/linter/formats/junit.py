"""Lint output as JUnit XML for CI test-report views (GitLab, Jenkins, Azure, CircleCI).

Shape: ``<testsuites>`` > one ``<testsuite>`` per notebook > one
``<testcase>`` per rule that has findings in that notebook.

Why one test case per (notebook, rule), and not one per finding or one per
notebook: CI systems track a test by its name and class across pipelines.
GitLab's merge-request widget lists "new failures" and "fixed" by comparing
those names, and Jenkins shows "failing since build N".  A test per finding
would need line numbers in its name, so editing an unrelated cell would show
as one fixed and one new failure; a single test per notebook would hide a new
rule breaking in a notebook that already failed.  Per (notebook, rule) keeps
names stable and still shows each kind of problem on its own.

* The case fails (``<failure>``) when its findings are at or above
  ``fail_on``, the same threshold as the exit code; below it the case passes
  and its findings are listed in ``<system-out>``, so the report agrees with
  the build status.
* A notebook without findings gets one passing case, ``harden lint``, so it is
  counted as checked.
* A notebook that could not be linted gets one ``harden lint`` case with an
  ``<error>``.
* ``classname`` is the path without ``.ipynb`` and with ``/`` as ``.``, which
  Jenkins turns into a package tree; ``file`` keeps the real path for GitLab.

Text is escaped by ElementTree; characters XML 1.0 cannot carry at all
(control characters, lone surrogates) are written as ``\\xNN`` escapes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from harden.junit import xml_safe
from harden.linter.finding import Finding, LintResult, RuleInfo, Severity
from harden.linter.formats.text import location_label, one_line, sorted_findings

#: Name of the case for a clean notebook or one that could not be linted.
LINT_CASE = "harden lint"


def render(
    results: Sequence[LintResult],
    rules: Sequence[RuleInfo],
    *,
    color: bool,
    fail_on: Severity,
) -> str:
    """Render lint results as a JUnit XML document (``color`` is ignored)."""
    del color
    summaries = {rule.id: rule.summary for rule in rules}
    root = ET.Element("testsuites", name="harden")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for result in results:
        suite = _suite(result, summaries, fail_on)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _suite(result: LintResult, summaries: dict[str, str], fail_on: Severity) -> ET.Element:
    path = xml_safe(result.path)
    suite = ET.Element("testsuite", name=path, file=path)
    classname = _classname(result.path)
    cases: list[ET.Element] = []
    failures = errors = 0
    if result.error is not None:
        case = _case(LINT_CASE, classname, path)
        problem = xml_safe(one_line(result.error.problem))
        error = ET.SubElement(case, "error", message=problem, type=type(result.error).__name__)
        error.text = f"{path}: {problem}"
        cases.append(case)
        errors += 1
    by_rule: dict[str, list[Finding]] = {}
    for finding in sorted_findings(result):
        by_rule.setdefault(finding.rule_id, []).append(finding)
    for rule_id in sorted(by_rule):
        findings = by_rule[rule_id]
        case = _case(f"{rule_id} {findings[0].name}", classname, path)
        failing = [f for f in findings if fail_on <= f.severity]
        details = "\n\n".join(_describe(f) for f in findings)
        if any(f.cell_index is not None for f in findings):
            details += "\n\nCells are numbered from 1."
        if failing:
            worst = max((f.severity for f in failing), key=lambda s: s.rank)
            message = f"{_count(len(failing), 'finding')} at or above {fail_on.value}"
            summary = summaries.get(rule_id)
            if summary:
                message += f": {one_line(summary)}"
            failure = ET.SubElement(case, "failure", message=xml_safe(message), type=worst.value)
            failure.text = details
            failures += 1
        else:
            ET.SubElement(case, "system-out").text = details
        cases.append(case)
    if not cases:
        cases.append(_case(LINT_CASE, classname, path))
    suite.extend(cases)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    return suite


def _case(name: str, classname: str, path: str) -> ET.Element:
    return ET.Element("testcase", name=xml_safe(name), classname=classname, file=path)


def _describe(finding: Finding) -> str:
    header = (
        f"{location_label(finding)}: {finding.rule_id} {finding.name} "
        f"[{finding.severity.value}] {one_line(finding.message)}"
    )
    lines = [header]
    if finding.snippet and finding.snippet.strip():
        lines.append(f"    {finding.snippet.strip()}")
    if finding.fix.strip():
        lines.append(f"  fix: {one_line(finding.fix)}")
    return xml_safe("\n".join(lines))


def _classname(path: str) -> str:
    stem = path.replace("\\", "/")
    while stem.startswith("./"):
        stem = stem[2:]
    stem = stem.removesuffix(".ipynb")
    return xml_safe(stem.strip("/").replace("/", ".")) or "notebook"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
