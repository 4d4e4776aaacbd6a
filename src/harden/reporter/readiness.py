"""The readiness score: how far a notebook is from an engineer's starting point, 0–100.

Six parts, each scored 0–1 and weighted (the weights sum to 100; ``docs/report.md``
says why each weight is what it is).  A part a command did not measure is
``None`` ("not measured"); the score is computed over the measured parts only and
says so (``measured_weight``), so a ``--no-run`` report is not a lower score, only
a narrower one.  ``harden report`` measures lint, repro and (with ``--check``)
the module; ``harden handoff`` adds tests, data validation and the environment
by passing their values to :func:`readiness`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from harden.severity import Severity

#: Part key → (label, weight, what it measures in one sentence).
#: Lint and repro carry half the score: every later step depends on code that
#: runs and has no known production breakage.  The module and its tests carry
#: 30: they are the engineer's starting point.  Data validation and a pinned
#: environment carry 20: cheap once the rest holds, costly to miss in production.
PARTS: dict[str, tuple[str, int, str]] = {
    "lint": (
        "lint findings",
        25,
        "Each rule with an error finding costs a quarter of this part, each rule with "
        "only warnings a twentieth; info findings cost nothing.",
    ),
    "repro": (
        "reproduces in a fresh kernel",
        25,
        "Running top to bottom in a fresh kernel is half of this part; the other half "
        "is the share of compared cells that give their stored output.",
    ),
    "module": (
        "module equivalent to the notebook",
        15,
        "Full when `harden extract --check` finds the extracted module computes what "
        "the notebook computed, nothing otherwise.",
    ),
    "tests": (
        "generated tests green, mutants killed",
        15,
        "The share of mutants the generated tests kill, when those tests pass; nothing "
        "when they fail.",
    ),
    "data": (
        "data validation",
        10,
        "The share of captured frames whose data passes its generated expectations.",
    ),
    "environment": (
        "pinned environment",
        10,
        "The share of imported top-level packages pinned to the version the run used.",
    ),
}

#: What one rule's findings cost the lint part.  An error is something that breaks
#: in production: four distinct ones leave nothing of the part.  A warning is a
#: likely problem a person must judge: five of them weigh one error.  A rule counts
#: once however often it fires (30 unseeded calls are one fix).
ERROR_COST = 0.25
WARNING_COST = 0.05
#: In a notebook that differs, running at all earns this share of the repro part.
RUNS_SHARE = 0.5
#: Colour bands of the score (display only; they change no number): 80 and up
#: is green, below 50 red, amber between.
GOOD, POOR = 80, 50


@dataclass(frozen=True)
class Part:
    """One part of the score: ``value`` 0–1, or ``None`` when not measured;
    ``detail`` says what was found, in one line."""

    key: str
    label: str
    weight: int
    value: float | None
    explanation: str
    detail: str = "not measured"

    @property
    def measured(self) -> bool:
        return self.value is not None

    @property
    def points(self) -> float | None:
        return None if self.value is None else round(self.weight * self.value, 1)


@dataclass(frozen=True)
class Readiness:
    """The score (``None`` when nothing was measured) and its parts."""

    score: int | None
    parts: tuple[Part, ...]

    @property
    def measured_weight(self) -> int:
        return sum(part.weight for part in self.parts if part.measured)

    @property
    def band(self) -> str:
        if self.score is None:
            return "none"
        return "good" if self.score >= GOOD else "fair" if self.score >= POOR else "poor"

    @property
    def summary(self) -> str:
        """``62/100, over lint findings and reproduces in a fresh kernel (50 of 100 points)``."""
        measured = [p.label for p in self.parts if p.measured]
        if self.score is None:
            return "not scored: nothing was measured"
        over = ", ".join(measured[:-1]) + (" and " if len(measured) > 1 else "") + measured[-1]
        return f"{self.score}/100, over {over} ({self.measured_weight} of 100 points)"


def part(key: str, value: float | None, detail: str = "not measured") -> Part:
    label, weight, explanation = PARTS[key]
    if value is not None:
        value = min(1.0, max(0.0, value))
    return Part(key, label, weight, value, explanation, detail)


def readiness(measured: Mapping[str, tuple[float, str]]) -> Readiness:
    """The score from measured parts (key → (value 0–1, one-line detail)); parts
    missing from ``measured`` are "not measured"."""
    parts = tuple(
        part(key, *measured[key]) if key in measured else part(key, None) for key in PARTS
    )
    weight = sum(p.weight for p in parts if p.measured)
    if weight == 0:
        return Readiness(None, parts)
    points = sum(p.weight * (p.value or 0.0) for p in parts if p.measured)
    return Readiness(round(100 * points / weight), parts)


def lint_value(severities: Iterable[tuple[str, Severity]]) -> tuple[float, str]:
    """The lint part from (rule id, severity) pairs: each rule counted once at its worst."""
    worst: dict[str, Severity] = {}
    for rule_id, severity in severities:
        if rule_id not in worst or severity > worst[rule_id]:
            worst[rule_id] = severity
    errors = sum(1 for s in worst.values() if s is Severity.ERROR)
    warnings = sum(1 for s in worst.values() if s is Severity.WARNING)
    value = max(0.0, 1.0 - ERROR_COST * errors - WARNING_COST * warnings)
    detail = f"{errors} rule(s) with errors, {warnings} with warnings only"
    return value, detail


def repro_value(status: str, compared: int, same: int, message: str) -> tuple[float, str]:
    """The repro part from a repro verdict and its cell counts."""
    if status == "reproduced":
        return 1.0, message
    if status in ("differs", "nondeterministic"):
        share = same / compared if compared else 0.0
        return RUNS_SHARE + (1 - RUNS_SHARE) * share, f"{status}: {same} of {compared} cells same"
    return 0.0, f"{status}: {message}"


__all__ = [
    "ERROR_COST",
    "GOOD",
    "PARTS",
    "POOR",
    "RUNS_SHARE",
    "WARNING_COST",
    "Part",
    "Readiness",
    "lint_value",
    "readiness",
    "repro_value",
]
