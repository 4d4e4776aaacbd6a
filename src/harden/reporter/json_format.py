"""``report.json``: everything the HTML shows, as plain values (``docs/report.md``).

The schema is versioned by ``"version"``; keys are only added within a version.
Its JSON Schema is :data:`JSON_SCHEMA` (also checked in as
``docs/report.schema.json``; a test keeps the two equal and validates real output).
Findings have the shape of ``harden lint --format json`` findings; ``repro`` the
shape of one ``harden repro --format json`` result.
"""

from __future__ import annotations

import json
from typing import Any

from harden.linter.formats.json_format import to_data as lint_data
from harden.reporter.model import NotebookReport, Report
from harden.reporter.readiness import ERROR_COST, GOOD, POOR, RUNS_SHARE, WARNING_COST
from harden.reproducer.report import JSON_SCHEMA as REPRO_SCHEMA
from harden.reproducer.report import to_data as repro_data
from harden.severity import Severity
from harden.version import __version__

SCHEMA_VERSION = 1


def render(report: Report) -> str:
    return (
        json.dumps(to_data(report), indent=2, sort_keys=True, ensure_ascii=False, default=str)
        + "\n"
    )


def to_data(report: Report) -> dict[str, Any]:
    notebooks = [notebook_data(nb) for nb in report.notebooks]
    scores = [nb.readiness.score for nb in report.notebooks if nb.readiness.score is not None]
    return {
        "version": SCHEMA_VERSION,
        "tool": "harden",
        "harden_version": __version__,
        "command": report.command,
        "options": dict(report.options),
        "scoring": {
            "error_cost": ERROR_COST,
            "warning_cost": WARNING_COST,
            "runs_share": RUNS_SHARE,
            "bands": {"good": GOOD, "poor": POOR},
        },
        "order": [report.notebooks.index(nb) for nb in report.worst_first],
        "notebooks": notebooks,
        "summary": {
            "notebooks": len(report.notebooks),
            "notebooks_with_errors": sum(1 for nb in report.notebooks if nb.error),
            "findings": {
                severity.value: sum(nb.count(severity.value) for nb in report.notebooks)
                for severity in Severity
            },
            "lowest_score": min(scores) if scores else None,
            "mean_score": round(sum(scores) / len(scores)) if scores else None,
        },
    }


def notebook_data(nb: NotebookReport) -> dict[str, Any]:
    lint = lint_data([nb.lint], fail_on=Severity.ERROR)["results"][0]
    readiness = nb.readiness
    return {
        "path": nb.path,
        "error": nb.error,
        "readiness": {
            "score": readiness.score,
            "band": readiness.band,
            "summary": readiness.summary,
            "measured_weight": readiness.measured_weight,
            "parts": [
                {
                    "key": part.key,
                    "label": part.label,
                    "weight": part.weight,
                    "measured": part.measured,
                    "value": None if part.value is None else round(part.value, 4),
                    "points": part.points,
                    "detail": part.detail,
                    "explanation": part.explanation,
                }
                for part in readiness.parts
            ],
        },
        "findings": lint["findings"],
        "cells": [
            {
                "cell_index": cell.index,
                "cell_number": cell.number,
                "cell_type": cell.cell_type,
                "execution_count": cell.execution_count,
                "source": cell.source,
                "highlight_lines": list(cell.lines),
            }
            for cell in nb.cells
        ],
        "facts": {
            "cells": nb.facts.cells,
            "code_cells": nb.facts.code_cells,
            "markdown_cells": nb.facts.markdown_cells,
            "code_lines": nb.facts.code_lines,
            "kernel": nb.facts.kernel,
            "imports": list(nb.facts.imports),
            "data_files": list(nb.facts.data_files),
            "parameters": list(nb.facts.parameters),
            "magics": nb.facts.magics,
            "has_outputs": nb.facts.has_outputs,
            "execution_order": nb.facts.execution_order,
        },
        "repro": None if nb.repro is None else repro_data([nb.repro])["results"][0],
        "check": _check(nb),
        "frames": [
            {
                "name": frame.name,
                "rows": frame.rows,
                "source": frame.source,
                "suite": frame.suite,
                "expectations": list(frame.expectations),
                "validated": frame.validated,
                "columns": [
                    {
                        "name": c.name,
                        "dtype": c.dtype,
                        "nulls": c.nulls,
                        "minimum": c.minimum,
                        "maximum": c.maximum,
                        "counts": list(c.counts),
                    }
                    for c in frame.columns
                ],
            }
            for frame in nb.frames
        ],
        "next_steps": [
            {"number": n, "text": s.text, "kind": s.kind, "cells": list(s.cells)}
            for n, s in enumerate(nb.next_steps, 1)
        ],
    }


def _check(nb: NotebookReport) -> dict[str, Any] | None:
    if nb.check is None and nb.check_error is None:
        return None
    if nb.check is None:
        return {"agree": False, "error": nb.check_error, "module_error": None, "values": []}
    return {
        "agree": nb.check.agree,
        "error": None,
        "module_error": nb.check.module_error,
        "values": [
            {"step": v.step, "name": v.name, "outcome": v.outcome, "detail": v.detail}
            for v in nb.check.values
        ],
    }


def _obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": sorted(properties),
        "additionalProperties": False,
        "properties": properties,
    }


_INT_OR_NULL = {"type": ["integer", "null"]}
_STR_OR_NULL = {"type": ["string", "null"]}
_NUM_OR_NULL = {"type": ["number", "null"]}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_INTS = {"type": "array", "items": {"type": "integer"}}
_FINDING = _obj(
    {
        "rule_id": {"type": "string", "pattern": "^H[0-9]{3}$"},
        "name": {"type": "string"},
        "severity": {"enum": ["error", "warning", "info"]},
        "cell_index": _INT_OR_NULL,
        "cell_number": _INT_OR_NULL,
        "related_cells": _INTS,
        "cell_id": _STR_OR_NULL,
        "line": _INT_OR_NULL,
        "column": _INT_OR_NULL,
        "end_line": _INT_OR_NULL,
        "end_column": _INT_OR_NULL,
        "message": {"type": "string"},
        "fix": {"type": "string"},
        "snippet": _STR_OR_NULL,
    }
)
_PART = _obj(
    {
        "key": {"enum": ["lint", "repro", "module", "tests", "data", "environment"]},
        "label": {"type": "string"},
        "weight": {"type": "integer", "minimum": 0, "maximum": 100},
        "measured": {"type": "boolean"},
        "value": {"oneOf": [{"type": "null"}, {"type": "number", "minimum": 0, "maximum": 1}]},
        "points": _NUM_OR_NULL,
        "detail": {"type": "string"},
        "explanation": {"type": "string"},
    }
)
_NOTEBOOK = _obj(
    {
        "path": {"type": "string"},
        "error": _STR_OR_NULL,
        "readiness": _obj(
            {
                "score": {
                    "oneOf": [{"type": "null"}, {"type": "integer", "minimum": 0, "maximum": 100}]
                },
                "band": {"enum": ["good", "fair", "poor", "none"]},
                "summary": {"type": "string"},
                "measured_weight": {"type": "integer"},
                "parts": {"type": "array", "items": _PART},
            }
        ),
        "findings": {"type": "array", "items": _FINDING},
        "cells": {
            "type": "array",
            "items": _obj(
                {
                    "cell_index": {"type": "integer"},
                    "cell_number": {"type": "integer"},
                    "cell_type": {"type": "string"},
                    "execution_count": _INT_OR_NULL,
                    "source": {"type": "string"},
                    "highlight_lines": _INTS,
                }
            ),
        },
        "facts": _obj(
            {
                "cells": {"type": "integer"},
                "code_cells": {"type": "integer"},
                "markdown_cells": {"type": "integer"},
                "code_lines": {"type": "integer"},
                "kernel": _STR_OR_NULL,
                "imports": _STRINGS,
                "data_files": _STRINGS,
                "parameters": _STRINGS,
                "magics": {"type": "integer"},
                "has_outputs": {"type": "boolean"},
                "execution_order": {"type": "string"},
            }
        ),
        "repro": {"oneOf": [{"type": "null"}, REPRO_SCHEMA["properties"]["results"]["items"]]},
        "check": {
            "oneOf": [
                {"type": "null"},
                _obj(
                    {
                        "agree": {"type": "boolean"},
                        "error": _STR_OR_NULL,
                        "module_error": _STR_OR_NULL,
                        "values": {
                            "type": "array",
                            "items": _obj(
                                {
                                    "step": _STR_OR_NULL,
                                    "name": {"type": "string"},
                                    "outcome": {"enum": ["equal", "differ", "skipped"]},
                                    "detail": {"type": "string"},
                                }
                            ),
                        },
                    }
                ),
            ]
        },
        "frames": {
            "type": "array",
            "items": _obj(
                {
                    "name": {"type": "string"},
                    "rows": {"type": "integer"},
                    "source": {"type": "string"},
                    "suite": {"type": "string"},
                    "expectations": {"type": "array", "items": {"type": "string"}},
                    "validated": {"type": ["boolean", "null"]},
                    "columns": {
                        "type": "array",
                        "items": _obj(
                            {
                                "name": {"type": "string"},
                                "dtype": {"type": "string"},
                                "nulls": {"type": "integer"},
                                "minimum": _NUM_OR_NULL,
                                "maximum": _NUM_OR_NULL,
                                "counts": _INTS,
                            }
                        ),
                    },
                }
            ),
        },
        "next_steps": {
            "type": "array",
            "items": _obj(
                {
                    "number": {"type": "integer", "minimum": 1},
                    "text": {"type": "string"},
                    "kind": {
                        "enum": [
                            "lint",
                            "repro",
                            "module",
                            "handoff",
                            "tests",
                            "data",
                            "environment",
                        ]
                    },
                    "cells": _INTS,
                }
            ),
        },
    }
)
#: JSON Schema (draft 2020-12) of ``report.json``; ``docs/report.schema.json`` is this, dumped.
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "harden report.json, version 1",
    **_obj(
        {
            "version": {"const": SCHEMA_VERSION},
            "tool": {"const": "harden"},
            "harden_version": {"type": "string"},
            "command": {"enum": ["report", "handoff"]},
            "options": {"type": "object"},
            "scoring": {"type": "object"},
            "order": _INTS,
            "notebooks": {"type": "array", "items": _NOTEBOOK},
            "summary": _obj(
                {
                    "notebooks": {"type": "integer"},
                    "notebooks_with_errors": {"type": "integer"},
                    "findings": _obj(
                        {s: {"type": "integer"} for s in ("error", "warning", "info")}
                    ),
                    "lowest_score": _INT_OR_NULL,
                    "mean_score": _INT_OR_NULL,
                }
            ),
        }
    ),
}


def schema_text() -> str:
    return json.dumps(JSON_SCHEMA, indent=2, sort_keys=True) + "\n"


__all__ = ["JSON_SCHEMA", "SCHEMA_VERSION", "notebook_data", "render", "schema_text", "to_data"]
