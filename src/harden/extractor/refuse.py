"""Refuse notebooks with execution-state problems: H002, H003, H209 from lint.

The findings come from the lint rules themselves when they are installed
(suppressions in the notebook apply, as in ``harden lint``); a rule that is
not available is replaced by the analysis facts it reads
(``analysis.unresolved`` and ``cell.syntax_error``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from harden.analysis import Analysis
from harden.config import Config
from harden.linter.engine import lint_notebook
from harden.linter.registry import builtin_rules
from harden.notebook import Notebook
from harden.severity import Severity

log = logging.getLogger(__name__)

STATE_RULES = ("H002", "H003", "H209")
MAX_LISTED = 5


@dataclass(frozen=True)
class StateProblem:
    rule_id: str
    cell_index: int | None
    line: int | None
    message: str
    #: A cell Python runs that harden cannot analyse (H209 at warning level).
    unanalysable: bool = False

    def render(self) -> str:
        where = f"cell {self.cell_index + 1}" if self.cell_index is not None else "notebook"
        if self.line:
            where += f", line {self.line}"
        return f"{self.rule_id} {where}: {self.message}"


def state_problems(notebook: Notebook, analysis: Analysis) -> list[StateProblem]:
    """H002/H003/H209 findings for the notebook, in notebook order."""
    rules = [rule for rule in builtin_rules() if rule.id in STATE_RULES]
    found: list[StateProblem] = []
    if rules:
        config = Config(
            pack="extract",
            select=tuple(r.id for r in rules),
            ignore=(),
            severities={},
            options={},
            fail_on=Severity.ERROR,
        )
        result = lint_notebook(notebook, config, rules, analysis)
        found = [
            StateProblem(
                f.rule_id,
                f.cell_index,
                f.line,
                f.message,
                f.rule_id == "H209" and _python_accepts(analysis, f.cell_index),
            )
            for f in result.findings
        ]
    have = {rule.id for rule in rules}
    if "H002" not in have or "H003" not in have:
        for read in analysis.unresolved:
            rule_id = {"later": "H002", "undefined": "H003"}.get(read.kind)
            if rule_id is None or rule_id in have:
                continue
            via = f" (through `{read.via}`)" if read.via else ""
            text = (
                "is read before the cell that defines it"
                if read.kind == "later"
                else "is read but no cell defines it"
            )
            found.append(
                StateProblem(rule_id, read.reader, read.location.line, f"`{read.name}`{via} {text}")
            )
    if "H209" not in have:
        for cell in analysis.cells:
            if cell.syntax_error is not None:
                problem = cell.syntax_error
                found.append(
                    StateProblem(
                        "H209",
                        cell.index,
                        problem.location.line,
                        f"syntax error: {problem.message}",
                        problem.python_accepts,
                    )
                )
    found.sort(key=lambda p: (p.cell_index if p.cell_index is not None else -1, p.line or 0))
    return found


def _python_accepts(analysis: Analysis, cell_index: int | None) -> bool:
    """Whether the cell's syntax problem is only harden's: Python runs the cell."""
    cell = analysis.cell(cell_index) if cell_index is not None else None
    problem = cell.syntax_error if cell is not None else None
    return problem is not None and problem.python_accepts


def refusal_message(problems: list[StateProblem]) -> str:
    listed = "; ".join(p.render() for p in problems[:MAX_LISTED])
    more = f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    if problems and all(p.unanalysable for p in problems):
        return (
            f"refusing to extract: the notebook runs, but harden cannot analyse "
            f"{len(problems)} of its cells ({listed}{more}), and a module made without "
            "them would not compute what the notebook does. Split the expression each "
            "names into smaller ones"
        )
    return (
        f"refusing to extract: the notebook does not run top to bottom as it is "
        f"({len(problems)} execution-state problem{'s' if len(problems) != 1 else ''}: "
        f"{listed}{more}). Fix them so a fresh kernel runs every cell in order "
        "(`harden lint` shows each one with its fix), or pass --allow-hidden-state to extract "
        "anyway (names no cell defines become required arguments of run(), cells that do not "
        "parse are left out)"
    )
