"""Repro results as text (default), JSON (schema in ``docs/repro.md``) and JUnit XML.

Renderers are pure functions of the results: they never print or write
files; the CLI decides colour and destination.  Cells are numbered from 1 in
text and JUnit, and 0-based (``cell_index``) in JSON, like lint's formats.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from harden.junit import xml_safe
from harden.reproducer.repro import STATUSES, CellResult, ReproResult
from harden.run.runner import RunResult

#: Version of the JSON document documented in docs/repro.md.
SCHEMA_VERSION = 1
FORMATS = ("text", "json", "jsonl", "junit")
TRACEBACK_LINES = 20
_COLORS = {
    "reproduced": "32",
    "executed": "36",
    "differs": "33",
    "nondeterministic": "33",
    "failed": "31",
    "timeout": "31",
    "kernel_died": "31",
    "worker_lost": "31",
}


def render(results: Sequence[ReproResult], fmt: str = "text", *, color: bool = False) -> str:
    """The whole document for ``results`` in ``fmt`` (``text``, ``json``, ``jsonl``, ``junit``)."""
    if fmt == "jsonl":
        return "".join(render_line(result) for result in results) + summary_json_line(results)
    if fmt == "json":
        return (
            json.dumps(to_data(results), indent=2, sort_keys=True, ensure_ascii=False, default=str)
            + "\n"
        )
    if fmt == "junit":
        return render_junit(results)
    return render_text(results, color=color)


# ---------------------------------------------------------------- text


def render_text(results: Sequence[ReproResult], *, color: bool = False) -> str:
    blocks = [notebook_text(result, color=color) for result in results]
    return "\n".join(blocks) + summary_line(results) + "\n"


def notebook_text(result: ReproResult, *, color: bool = False) -> str:
    """One notebook: verdict line, then problem cells with diffs, traceback, causes."""
    status = _paint(result.status, _COLORS.get(result.status, "0"), color)
    lines = [f"{result.path}: {status} - {result.message}"]
    for warning in result.warnings:
        lines.append(f"  warning: {warning}")
    for cell in result.problem_cells:
        if cell.status == "failed":
            continue  # the message and the traceback say it
        lines.append(
            f"  cell {cell.cell_index + 1}: {cell.status}"
            + (f" ({cell.reason})" if cell.reason and cell.status != "failed" else "")
        )
        for diff in cell.diffs:
            if diff.severity != "error" and cell.status != "nondeterministic":
                continue
            lines.append(f"    {diff.message or diff.kind}")
            labels = (
                ("run 1", "a later run")
                if cell.status == "nondeterministic"
                else ("stored", "this run")
            )
            lines.extend(
                "      " + _diff_line(_relabel(line, labels), color)
                for line in diff.unified_diff.splitlines()
            )
    if result.error is not None and result.error.traceback:
        lines.append("  traceback (last lines):")
        lines.extend("    " + line for line in _traceback(result.error.traceback))
    if result.causes:
        lines.append(
            "  probable causes:"
            if result.status in ("differs", "nondeterministic")
            else "  causes:"
        )
        lines.extend(f"    - {cause.message}" for cause in result.causes)
    return "\n".join(lines) + "\n"


def summary_line(results: Sequence[ReproResult]) -> str:
    counts = {status: sum(1 for r in results if r.status == status) for status in STATUSES}
    parts = [f"{n} {status}" for status, n in counts.items() if n]
    noun = "notebook" if len(results) == 1 else "notebooks"
    return f"{len(results)} {noun}: {', '.join(parts) or 'none'} (cells are numbered from 1)"


def _traceback(traceback: Sequence[str]) -> list[str]:
    """The notebook's own frames in full, library frames by location and the
    failing line only, then the exception line."""
    lines: list[str] = []
    for chunk in traceback:
        chunk_lines = [line.rstrip() for line in chunk.splitlines() if line.strip()]
        if (
            not chunk_lines
            or set(chunk_lines[0]) <= {"-"}
            or "Traceback (most recent" in chunk_lines[0]
        ):
            continue
        if chunk_lines[0].startswith(("Cell In", "Input In")):
            lines.extend(chunk_lines)
        elif chunk_lines[0].startswith("File "):
            lines.append(chunk_lines[0])
            lines.extend(line for line in chunk_lines[1:] if line.lstrip().startswith("--->"))
        else:
            lines.extend(chunk_lines)
    return lines[-TRACEBACK_LINES:]


def _relabel(line: str, labels: tuple[str, str]) -> str:
    if line == "--- expected":
        return f"--- {labels[0]}"
    if line == "+++ actual":
        return f"+++ {labels[1]}"
    return line


def _diff_line(line: str, color: bool) -> str:
    if line.startswith(("+++", "---")):
        return line
    if line.startswith("+"):
        return _paint(line, "32", color)
    if line.startswith("-"):
        return _paint(line, "31", color)
    return line


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


# ---------------------------------------------------------------- JSON


def _obj(required: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": sorted(required), "properties": required}


_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_STR = {"type": ["string", "null"]}
_DIFF = _obj(
    {k: {"type": "string"} for k in ("kind", "message", "expected", "actual", "unified_diff")}
    | {"severity": {"enum": ["error", "info"]}, "output_index": _NULLABLE_INT}
)
_CELL = _obj(
    {
        "cell_index": {"type": "integer"},
        "cell_id": _NULLABLE_STR,
        "reason": {"type": "string"},
        "status": {
            "enum": [
                "same",
                "differs",
                "nondeterministic",
                "info",
                "expected-error",
                "skipped",
                "executed",
                "failed",
                "not-run",
            ]
        },
        "diffs": {"type": "array", "items": _DIFF},
        "normalized": {"type": "array", "items": {"type": "string"}},
    }
)
_CAUSE = _obj(
    {
        "kind": {"type": "string"},
        "message": {"type": "string"},
        "cell_index": _NULLABLE_INT,
        "details": {"type": "object", "additionalProperties": {"type": "string"}},
    }
)
_RUN = _obj(
    {
        "status": {"type": "string"},
        "message": {"type": "string"},
        "kernel": _NULLABLE_STR,
        "duration": {"type": "number"},
        "output_path": _NULLABLE_STR,
        "parameters": {"type": "object"},
        "inputs": {"type": "array"},
        "captures": {"type": "array"},
    }
)
#: JSON Schema (draft 2020-12) of the ``--format json`` document; docs/repro.md explains each key.
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    **_obj(
        {
            "version": {"const": SCHEMA_VERSION},
            "tool": {"const": "harden"},
            "command": {"const": "repro"},
            "summary": {"type": "object", "additionalProperties": {"type": "integer"}},
            "results": {
                "type": "array",
                "items": _obj(
                    {
                        "path": {"type": "string"},
                        "status": {"enum": list(STATUSES)},
                        "message": {"type": "string"},
                        "duration": {"type": "number"},
                        "failed_cell": _NULLABLE_INT,
                        "error": {
                            "oneOf": [
                                {"type": "null"},
                                _obj(
                                    {
                                        "ename": {"type": "string"},
                                        "evalue": {"type": "string"},
                                        "traceback": {"type": "array", "items": {"type": "string"}},
                                    }
                                ),
                            ]
                        },
                        "causes": {"type": "array", "items": _CAUSE},
                        "warnings": {"type": "array", "items": {"type": "string"}},
                        "input_error": _NULLABLE_STR,
                        "outputs_required": {"type": "boolean"},
                        "normalized": {
                            "type": "object",
                            "additionalProperties": {"type": "integer"},
                        },
                        "cells": {"type": "array", "items": _CELL},
                        "runs": {"type": "array", "items": _RUN},
                    }
                ),
            },
        }
    ),
}


def to_data(results: Sequence[ReproResult]) -> dict[str, Any]:
    """The JSON document as plain values."""
    summary: dict[str, int] = {"notebooks": len(results)}
    summary.update({status: sum(1 for r in results if r.status == status) for status in STATUSES})
    return {
        "version": SCHEMA_VERSION,
        "tool": "harden",
        "command": "repro",
        "results": [_result(result) for result in results],
        "summary": summary,
    }


def render_line(result: ReproResult) -> str:
    """One notebook's result as a JSON line (``--format jsonl``, streamed as it
    finishes): the object of ``results`` in the JSON document."""
    return json.dumps(_result(result), sort_keys=True, ensure_ascii=False, default=str) + "\n"


def summary_json_line(results: Sequence[ReproResult]) -> str:
    """The last ``jsonl`` line: ``{"summary": ...}`` as in the JSON document."""
    return json.dumps({"summary": to_data(results)["summary"]}, sort_keys=True) + "\n"


def _result(result: ReproResult) -> dict[str, Any]:
    error = result.error
    return {
        "path": result.path,
        "status": result.status,
        "message": result.message,
        "duration": round(result.duration, 3),
        "failed_cell": result.failed_cell,
        "error": None
        if error is None
        else {"ename": error.ename, "evalue": error.evalue, "traceback": list(error.traceback)},
        "causes": [
            {
                "kind": c.kind,
                "message": c.message,
                "cell_index": c.cell_index,
                "details": dict(c.details),
            }
            for c in result.causes
        ],
        "warnings": list(result.warnings),
        "input_error": result.input_error,
        "outputs_required": result.outputs_required,
        "normalized": dict(result.normalized),
        "cells": [_cell(cell) for cell in result.cells],
        "runs": [_run(run) for run in result.runs],
    }


def _cell(cell: CellResult) -> dict[str, Any]:
    return {
        "cell_index": cell.cell_index,
        "cell_id": cell.cell_id,
        "status": cell.status,
        "reason": cell.reason,
        "normalized": list(cell.normalized),
        "diffs": [
            {
                "kind": d.kind,
                "message": d.message,
                "severity": d.severity,
                "output_index": d.output_index,
                "expected": d.expected,
                "actual": d.actual,
                "unified_diff": d.unified_diff,
            }
            for d in cell.diffs
        ],
    }


def _run(run: RunResult) -> dict[str, Any]:
    return {
        "status": run.status,
        "message": run.message,
        "kernel": run.kernel,
        "duration": round(run.duration, 3),
        "output_path": run.output_path,
        "parameters": dict(run.parameters),
        "inputs": [{"path": i.path, "sha256": i.sha256, "size": i.size} for i in run.inputs],
        "captures": [
            {
                "name": c.name,
                "label": c.label,
                "path": c.path,
                "format": c.format,
                "type": c.type_name,
                "error": c.error,
            }
            for c in run.captures
        ],
    }


# ---------------------------------------------------------------- JUnit


def render_junit(results: Sequence[ReproResult]) -> str:
    """One ``<testcase>`` per notebook; a failure carries the text report with its diffs."""
    root = ET.Element("testsuites", name="harden")
    suite = ET.SubElement(root, "testsuite", name="harden repro")
    failures = errors = 0
    for result in results:
        path = xml_safe(result.path)
        classname = (
            xml_safe(path.removesuffix(".ipynb").strip("./").replace("/", ".")) or "notebook"
        )
        case = ET.SubElement(
            suite,
            "testcase",
            name=path,
            classname=classname,
            file=path,
            time=f"{result.duration:.3f}",
        )
        body = xml_safe(notebook_text(result))
        if result.input_error is not None:
            element = ET.SubElement(
                case, "error", message=xml_safe(result.input_error), type="input-error"
            )
            element.text = body
            errors += 1
        elif not result.ok:
            element = ET.SubElement(
                case, "failure", message=xml_safe(result.message), type=result.status
            )
            element.text = body
            failures += 1
        elif result.warnings:
            ET.SubElement(case, "system-out").text = body
    for element in (root, suite):
        element.set("tests", str(len(results)))
        element.set("failures", str(failures))
        element.set("errors", str(errors))
    suite.set("skipped", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
