"""Validation reports as text (default), JSON and JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from harden.expectations.validate import Outcome, ValidationReport
from harden.junit import xml_safe

FORMATS = ("text", "json", "junit")


def render(report: ValidationReport, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "junit":
        return render_junit(report)
    return render_text(report)


def describe(outcome: Outcome) -> str:
    """The expectation in one line: its type, column and bounds."""
    args = ", ".join(f"{k}={_short(v)}" for k, v in outcome.kwargs.items() if k != "column")
    column = f" [{outcome.column}]" if outcome.column else ""
    return f"{outcome.expectation}{column}" + (f" ({args})" if args else "")


def problem(outcome: Outcome) -> str:
    """What went wrong, in one line."""
    if outcome.error:
        return outcome.error
    parts = []
    if outcome.unexpected_count:
        percent = (
            f" ({outcome.unexpected_percent:.1f}%)"
            if outcome.unexpected_percent is not None
            else ""
        )
        parts.append(f"{outcome.unexpected_count} unexpected value(s){percent}")
    if outcome.examples:
        parts.append("e.g. " + ", ".join(_short(e) for e in outcome.examples))
    if outcome.observed is not None:
        parts.append(f"observed {_short(outcome.observed)}")
    return "; ".join(parts) or "failed"


def render_text(report: ValidationReport) -> str:
    total, failed = len(report.outcomes), report.failed
    verdict = "passed" if not failed else f"{len(failed)} of {total} expectations failed"
    lines = [
        f"{report.suite} on {report.data}: {verdict}"
        + (f" (all {total} expectations met)" if not failed else "")
    ]
    for outcome in failed:
        lines.append(f"  FAIL {describe(outcome)}")
        lines.append(f"       {problem(outcome)}")
    for note in report.skipped:
        lines.append(f"  skipped {note}")
    for note in report.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    data = {
        "suite": report.suite,
        "suite_name": report.suite_name,
        "data": report.data,
        "success": report.success,
        "statistics": {"evaluated": len(report.outcomes), "failed": len(report.failed)},
        "results": [
            {
                "expectation": o.expectation,
                "column": o.column,
                "kwargs": o.kwargs,
                "success": o.success,
                "observed": o.observed,
                "unexpected_count": o.unexpected_count,
                "unexpected_percent": o.unexpected_percent,
                "examples": list(o.examples),
                "error": o.error,
            }
            for o in report.outcomes
        ],
        "skipped": list(report.skipped),
        "notes": list(report.notes),
    }
    return json.dumps(data, indent=2, default=str) + "\n"


def render_junit(report: ValidationReport) -> str:
    """One ``<testcase>`` per expectation; values from the data pass through
    :func:`harden.junit.xml_safe` (a bad value may hold characters XML forbids)."""
    suite_name = xml_safe(report.suite_name)
    suite = ET.Element(
        "testsuite",
        name=f"harden validate {suite_name}",
        tests=str(len(report.outcomes)),
        failures=str(len(report.failed)),
        errors="0",
        skipped=str(len(report.skipped)),
    )
    for outcome in report.outcomes:
        name = xml_safe(describe(outcome))
        case = ET.SubElement(suite, "testcase", classname=suite_name, name=name)
        if not outcome.success:
            message = xml_safe(problem(outcome))
            failure = ET.SubElement(case, "failure", message=message)
            failure.text = f"{name}\n{message}\ndata: {xml_safe(report.data)}"
    for note in report.skipped:
        case = ET.SubElement(suite, "testcase", classname=suite_name, name=xml_safe(note))
        ET.SubElement(case, "skipped", message=xml_safe(note))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
