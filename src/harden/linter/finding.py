"""The values lint produces: severities, findings, rule metadata, per-notebook results."""

from __future__ import annotations

from dataclasses import dataclass, field

from harden.errors import HardenError
from harden.severity import Severity


@dataclass(frozen=True)
class RuleInfo:
    """What outputs need to know about a rule (SARIF rule table, docs)."""

    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    fix: str


@dataclass(frozen=True)
class Finding:
    """One problem at one place in one notebook.

    ``cell_index`` is the 0-based position among *all* cells (markdown
    included) or ``None`` for a notebook-level finding.  ``line`` and
    ``column`` are 1-based and refer to the cell's source as the user sees it
    (magics included).  ``snippet`` is the offending source line, already
    redacted where the rule deals with secrets; ``None`` when there is nothing
    to show.  ``execution_count`` is the cell's ``In [n]`` when it was run;
    ``related_cells`` are the 0-based indexes of the cells the message names.
    """

    rule_id: str
    name: str
    severity: Severity
    path: str
    message: str
    fix: str
    cell_index: int | None = None
    cell_id: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    snippet: str | None = None
    execution_count: int | None = None
    related_cells: tuple[int, ...] = ()

    @property
    def cell_number(self) -> int | None:
        """The cell's 1-based position among all cells, as messages and the text output
        count ("cell 7"); ``None`` for a notebook-level finding."""
        return None if self.cell_index is None else self.cell_index + 1

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        return (
            -1 if self.cell_index is None else self.cell_index,
            self.line or 0,
            self.column or 0,
            self.rule_id,
        )


@dataclass(frozen=True)
class LintResult:
    """The outcome for one notebook: its findings, or the error that stopped it."""

    path: str
    findings: tuple[Finding, ...] = ()
    error: HardenError | None = None
    skipped_rules: tuple[str, ...] = field(default=())
