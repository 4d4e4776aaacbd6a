"""Next steps for the engineer, most important first.

Order: make it run (nothing else holds until it does), then error findings,
then outputs that do not reproduce, then the module check, then warnings, then
what the report did not measure (the run first, then the module check, then
what only ``handoff`` measures).  A rule's findings are one step (one fix),
listing the cells it fired in.  Info findings are advice, not steps.
"""

from __future__ import annotations

from typing import Any

from harden.linter.finding import Finding
from harden.reporter.model import NextStep
from harden.severity import Severity

FAILED = ("failed", "timeout", "kernel_died")
#: How many probable causes a step quotes (the report's repro section lists them all).
CAUSES_QUOTED = 2


def next_steps(
    path: str,
    findings: tuple[Finding, ...],
    repro: Any,
    check: Any,
    check_error: str | None,
    ran: bool,
    handoff: tuple[NextStep, ...] | None = None,
) -> tuple[NextStep, ...]:
    """``handoff``: the steps ``harden handoff`` found for the parts it measures
    (tests, data, environment), placed after the module's; a handoff report does
    not suggest running handoff or ``--check`` again."""
    steps: list[NextStep] = []
    if repro is not None and repro.status in FAILED:
        where = (repro.failed_cell,) if repro.failed_cell is not None else ()
        steps.append(
            NextStep(
                f"Make the notebook run top to bottom in a fresh kernel: {repro.message}"
                + _causes(repro),
                "repro",
                where,
            )
        )
    steps += _rule_steps(findings, Severity.ERROR)
    if repro is not None and repro.status in ("differs", "nondeterministic"):
        cells = tuple(c.cell_index for c in repro.problem_cells)
        steps.append(
            NextStep(
                f"Make the outputs reproducible: {repro.message}" + _causes(repro),
                "repro",
                cells,
            )
        )
    if check is not None and not check.agree:
        first = check.module_error or "; ".join(
            f"{v.where}: {v.detail}" for v in check.differences[:CAUSES_QUOTED]
        )
        steps.append(
            NextStep(
                f"Make the extracted module compute what the notebook computes ({first}).",
                "module",
            )
        )
    elif check_error is not None:
        steps.append(NextStep(f"Make the notebook extractable: {check_error}", "module"))
    steps += handoff or ()
    steps += _rule_steps(findings, Severity.WARNING)
    if not ran:
        steps.append(
            NextStep(
                f"Re-run it in a fresh kernel: `harden repro {path}` "
                "(this report was made with --no-run).",
                "repro",
            )
        )
    if handoff is not None:
        return tuple(steps)
    if check is None and check_error is None:
        steps.append(
            NextStep(
                "Check that the extracted module computes what the notebook computes: "
                f"`harden extract {path} -o src/ --check`.",
                "module",
            )
        )
    steps.append(
        NextStep(
            "Generate tests, data expectations and a pinned environment with "
            f"`harden handoff {path} -o handoff/`; it scores the parts this report "
            "did not measure.",
            "handoff",
        )
    )
    return tuple(steps)


def _rule_steps(findings: tuple[Finding, ...], severity: Severity) -> list[NextStep]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.severity is severity:
            groups.setdefault(finding.rule_id, []).append(finding)
    steps = []
    # The rule that fires most often first: one fix clears the most findings.
    for rule_id, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        cells = tuple(sorted({f.cell_index for f in group if f.cell_index is not None}))
        where = (
            f" (cell{'s' if len(cells) > 1 else ''} {', '.join(str(c + 1) for c in cells)})"
            if cells
            else ""
        )
        first = group[0]
        steps.append(
            NextStep(
                f"Fix {rule_id} {first.name}{where}: {first.message.rstrip('.')}. {first.fix}",
                "lint",
                cells,
            )
        )
    return steps


def _causes(repro: Any) -> str:
    causes = [c.message for c in repro.causes[:CAUSES_QUOTED]]
    return (". Probable cause: " + "; ".join(causes)) if causes else ""


__all__ = ["next_steps"]
