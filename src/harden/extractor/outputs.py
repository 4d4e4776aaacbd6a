"""What ``run()`` returns, chosen by what the values mean.

A notebook's conclusions are its scores, the parameters a search found, the
models it fitted and their predictions — from every step, not only the
last.  Each step-level name gets a :data:`~harden.extractor.results.ResultKind`
from the statement that last gave it its value (a metric function, a
``predict``, a search's ``best_params_``, a ``fit``), or from the result
naming of :mod:`harden.extractor.results`.  Raw data read from files and
train/test splits are inputs, not conclusions: left out unless asked for
(``--outputs``), and said in the log.  When a notebook concludes with none
of these (a data-cleaning or reporting notebook), ``run()`` returns what its
last step computes and shows, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import libcst as cst

from harden.analysis import Analysis
from harden.analysis.library import (
    ESTIMATOR_PACKAGES,
    FIT_METHODS,
    FRAME_READERS,
    SPLIT_FUNCTIONS,
)
from harden.analysis.model import CallSite
from harden.extractor.cells import CellCode
from harden.extractor.model import LogEntry
from harden.extractor.results import KIND_ORDER, ResultKind, core_of

_KIND_WORDS: dict[str, str] = {
    "metric": "metrics",
    "params": "parameters found",
    "model": "fitted models",
    "prediction": "predictions",
}
_INPUT_WORDS = {"data": "data read from a file", "split": "train/test splits"}


@dataclass(frozen=True)
class Meanings:
    """What each step-level name holds at the end of the notebook."""

    kinds: dict[str, ResultKind]
    inputs: dict[str, str]  # name → "data" | "split"
    unfitted: frozenset[str]  # estimators constructed and never fitted


def meanings(analysis: Analysis, codes: Mapping[int, CellCode]) -> Meanings:
    """Classify the names the notebook's top-level code binds, in notebook order."""
    kinds: dict[str, ResultKind] = {}
    inputs: dict[str, str] = {}
    constructed: set[str] = set()
    fitted: set[str] = set()
    for index in sorted(codes):
        code = codes[index]
        cell = code.analysis
        calls = {c.node: c for c in cell.calls if c.node is not None}
        events: list[tuple[int, str, str | None]] = []  # (order, name, meaning)
        for binding in cell.bindings:
            statement = binding.statement
            value = getattr(statement, "value", None)
            if binding.kind != "assign" or value is None:
                continue
            events.append((binding.order, binding.name, _meaning(value, calls)))
        for call in cell.calls:
            if call.in_function is not None:
                continue
            if call.method in FIT_METHODS and call.receiver and call.receiver.isidentifier():
                events.append((call.order, call.receiver, "fit"))
        for _, name, meaning in sorted(events, key=lambda e: e[0]):
            if meaning == "fit":
                fitted.add(name)
                kinds[name] = "model"
                continue
            kinds.pop(name, None)
            inputs.pop(name, None)
            constructed.discard(name)
            fitted.discard(name)
            if meaning in KIND_ORDER:
                kinds[name] = cast(ResultKind, meaning)
                if meaning == "model":
                    fitted.add(name)
            elif meaning in ("data", "split"):
                inputs[name] = meaning
            elif meaning == "estimator":
                constructed.add(name)
        for name, kind in code.results:
            kinds[name] = kind
    return Meanings(kinds, inputs, frozenset(constructed - fitted))


def _meaning(value: cst.BaseExpression, calls: Mapping[cst.CSTNode, CallSite]) -> str | None:
    core = core_of(value, calls)
    if core is not None and core.node is value:
        return core.kind
    if not isinstance(value, cst.Call):
        return None
    if isinstance(value.func, cst.Attribute) and value.func.attr.value == "fit":
        return "model"  # `model = Estimator(...).fit(X, y)`: fit returns the estimator
    site = calls.get(value)
    qualified = getattr(site, "qualified_name", None) or ""
    if qualified.startswith(FRAME_READERS):
        return "data"
    if qualified in SPLIT_FUNCTIONS:
        return "split"
    if _estimator_class(qualified):
        return "estimator"
    return None


def _estimator_class(qualified: str) -> bool:
    last = qualified.rsplit(".", 1)[-1]
    return qualified.startswith(ESTIMATOR_PACKAGES) and last[:1].isupper()


def choose(
    meaning: Meanings, candidates: Sequence[str], excluded: frozenset[str]
) -> tuple[str, ...]:
    """The results ``run()`` returns: by kind (metrics first), then notebook order."""
    chosen: list[str] = []
    for kind in KIND_ORDER:
        chosen += [
            n
            for n in candidates
            if meaning.kinds.get(n) == kind and n not in excluded and not n.startswith("_")
        ]
    return tuple(dict.fromkeys(chosen))


def notes(meaning: Meanings, outputs: Sequence[str], known: Sequence[str]) -> list[LogEntry]:
    """Log what ``run()`` returns by kind, the notable values left out, unfitted estimators."""
    entries: list[LogEntry] = []
    grouped = []
    for kind in KIND_ORDER:
        names = [n for n in outputs if meaning.kinds.get(n) == kind]
        if names:
            grouped.append(f"{_KIND_WORDS[kind]} {', '.join(names)}")
    others = [n for n in outputs if n not in meaning.kinds]
    if others:
        grouped.append(("values " if grouped else "") + ", ".join(others))
    if grouped:
        entries.append(LogEntry("info", "run() returns " + "; ".join(grouped)))
    left = []
    for what in ("data", "split"):
        names = [n for n in known if meaning.inputs.get(n) == what and n not in outputs]
        if names:
            left.append(f"{', '.join(names)} ({_INPUT_WORDS[what]})")
    if left:
        entries.append(
            LogEntry(
                "info",
                "run() leaves out " + "; ".join(left) + ": pass --outputs to return them",
            )
        )
    for name in outputs:
        if name in meaning.unfitted:
            entries.append(
                LogEntry(
                    "risky",
                    f"run() returns `{name}`, an estimator the notebook never fits "
                    "(cross-validation fits copies of it)",
                )
            )
    return entries


__all__ = ["Meanings", "choose", "meanings", "notes"]
