"""The readiness report: ``harden report`` (and the report half of ``harden handoff``).

:func:`build_report` lints, re-runs and (when asked) checks notebooks and scores
each (:mod:`harden.reporter.readiness`); :func:`write_report` writes ``report.html``
and ``report.json`` into a folder.  See ``docs/report.md``.
"""

from __future__ import annotations

from pathlib import Path

from harden.io import atomic_write
from harden.reporter.build import ReportOptions, build_report, notebook_report
from harden.reporter.model import NotebookReport, Report
from harden.reporter.readiness import PARTS, Readiness, readiness


def write_report(
    report: Report, folder: str | Path, title: str = "harden report"
) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.json`` into ``folder`` (created), atomically."""
    from harden.reporter import html, json_format

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    page, data = out / "report.html", out / "report.json"
    atomic_write(page, html.render(report, title))
    atomic_write(data, json_format.render(report))
    return page, data


__all__ = [
    "PARTS",
    "NotebookReport",
    "Readiness",
    "Report",
    "ReportOptions",
    "build_report",
    "notebook_report",
    "readiness",
    "write_report",
]
