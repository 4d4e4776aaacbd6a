"""What a report holds: one :class:`NotebookReport` per notebook, in a :class:`Report`.

Plain frozen values; the HTML and JSON renderers read only these.  Every text
that comes from the notebook (sources, diffs, messages) is redacted before it
gets here (:mod:`harden.reporter.facts`, the linter and the reproducer redact their own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harden.linter.finding import Finding, LintResult
from harden.reporter.readiness import Readiness


@dataclass(frozen=True)
class ShownCell:
    """A cell the report shows: its (redacted) source and the lines to highlight."""

    index: int
    cell_type: str
    source: str
    execution_count: int | None = None
    lines: tuple[int, ...] = ()

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class StaticFacts:
    """What can be known without running the notebook."""

    cells: int = 0
    code_cells: int = 0
    markdown_cells: int = 0
    code_lines: int = 0
    kernel: str | None = None
    imports: tuple[str, ...] = ()
    data_files: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    magics: int = 0
    has_outputs: bool = False
    execution_order: str = "not run"


@dataclass(frozen=True)
class NextStep:
    """One thing for the engineer to do; ``kind`` says which part of the score it serves."""

    text: str
    kind: str
    cells: tuple[int, ...] = ()


@dataclass(frozen=True)
class ColumnSummary:
    """A numeric column of a captured frame: ``counts`` over equal bins from
    ``minimum`` to ``maximum`` (the handoff hook: ``repro`` captures no frames)."""

    name: str
    dtype: str
    nulls: int
    minimum: float | None = None
    maximum: float | None = None
    counts: tuple[int, ...] = ()


@dataclass(frozen=True)
class FrameSummary:
    """A captured DataFrame: where it came from, its size, its columns; with
    handoff also the suite generated from it (``suite``: its path in the handoff
    folder, ``expectations``: one line per expectation) and whether the frame
    passes it (``validated``; ``None``: not validated)."""

    name: str
    rows: int
    columns: tuple[ColumnSummary, ...] = ()
    source: str = ""
    suite: str = ""
    expectations: tuple[str, ...] = ()
    validated: bool | None = None


@dataclass(frozen=True)
class NotebookReport:
    """Everything the report says about one notebook.  ``repro`` is the reproducer's
    ``ReproResult`` (``None`` with ``--no-run``), ``check`` the extractor's
    ``CheckResult`` (``None`` unless asked), ``check_error`` why it could not run."""

    path: str
    lint: LintResult
    readiness: Readiness
    facts: StaticFacts = StaticFacts()
    cells: tuple[ShownCell, ...] = ()
    next_steps: tuple[NextStep, ...] = ()
    repro: Any = None
    check: Any = None
    check_error: str | None = None
    frames: tuple[FrameSummary, ...] = ()
    error: str | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.lint.findings

    def count(self, severity: str) -> int:
        return sum(1 for f in self.lint.findings if f.severity.value == severity)

    @property
    def worst_key(self) -> tuple[int, int, int, int]:
        """Worst first: lowest score, then most errors, warnings, infos."""
        score = self.readiness.score if self.readiness.score is not None else 101
        return (score, -self.count("error"), -self.count("warning"), -self.count("info"))


@dataclass(frozen=True)
class Report:
    """The notebooks in the order given, and what was asked for; ``command`` is
    ``report`` or ``handoff`` (which writes the same report into its folder)."""

    notebooks: tuple[NotebookReport, ...]
    ran: bool = True
    checked: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    command: str = "report"

    @property
    def worst_first(self) -> tuple[NotebookReport, ...]:
        return tuple(sorted(self.notebooks, key=lambda nb: nb.worst_key))


__all__ = [
    "ColumnSummary",
    "FrameSummary",
    "NextStep",
    "NotebookReport",
    "Report",
    "ShownCell",
    "StaticFacts",
]
