"""Parameters found where they are: literals in calls become ``run()`` keywords.

A notebook's real knobs are rarely in a parameters cell: they sit in its
calls — ``pd.read_csv("churn.csv")``, ``train_test_split(..., test_size=0.3,
random_state=42)``, ``GridSearchCV(..., param_grid={"C": [0.1, 1]}, cv=5)``.
Each such literal (a path or URL passed to a reader, a keyword of
:data:`~harden.analysis.library.PARAMETER_KEYWORDS` passed to a scikit-learn
style call) becomes a module constant and a keyword argument of ``run()``;
the call reads the argument.  A keyword given different values in different
calls is not one knob: it is listed in the log as a candidate, as every
literal is with ``--parameters suggest``.  Calls inside the notebook's own
functions are left alone (the function would need the value passed in).

Unseeded estimators and searches (H101's findings) are logged: they make
``--check`` fail, since the notebook and the module draw different numbers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import libcst as cst

from harden.analysis import Analysis
from harden.analysis.library import (
    ESTIMATOR_PACKAGES,
    PARAMETER_KEYWORDS,
    SPLIT_FUNCTIONS,
)
from harden.analysis.model import CallSite
from harden.extractor.model import LogEntry, ParameterSpec
from harden.extractor.parameters import type_name
from harden.extractor.sections import identifier

PARAMETER_MODES = ("promote", "suggest")
#: Readers outside pandas whose first argument is a path.
READERS = ("pandas.read_", "numpy.loadtxt", "numpy.genfromtxt", "numpy.load", "joblib.load")


@dataclass(frozen=True)
class _Candidate:
    name: str
    value: Any
    node: cst.BaseExpression
    cell_index: int
    line: int
    what: str  # "path", "url" or the keyword


@dataclass(frozen=True)
class Promoted:
    """The parameters found in calls, and where their literals were."""

    specs: tuple[ParameterSpec, ...]
    replacements: dict[int, str]  # id() of a literal node → the parameter that replaces it
    log: tuple[LogEntry, ...]


def promote(
    analysis: Analysis,
    existing: Sequence[ParameterSpec],
    taken: set[str],
    mode: str,
) -> Promoted:
    """Find call literals; with ``mode="promote"`` make them parameters."""
    found: dict[str, list[_Candidate]] = {}
    for call in _top_level_calls(analysis, existing):
        for candidate in _candidates(call):
            found.setdefault(candidate.name, []).append(candidate)
    specs: list[ParameterSpec] = []
    replacements: dict[int, str] = {}
    log: list[LogEntry] = []
    suggested: list[str] = []
    names = {p.name for p in existing} | {p.constant for p in existing}
    for name, candidates in found.items():
        values = {repr(c.value) for c in candidates}
        first = candidates[0]
        constant = name.upper()
        blocked = name in taken or constant in taken or name in names or constant in names
        if mode != "promote" or len(values) > 1 or blocked:
            why = (
                f"values {', '.join(sorted(values))} in different calls"
                if len(values) > 1
                else "its name is taken in the notebook"
                if blocked and mode == "promote"
                else ""
            )
            suggested.append(f"{name}={_short(first.value)}" + (f" ({why})" if why else ""))
            continue
        specs.append(
            ParameterSpec(
                name,
                constant,
                type_name(first.value),
                first.value,
                first.cell_index,
                "call-literal",
                node=first.node,
            )
        )
        for candidate in candidates:
            replacements[id(candidate.node)] = name
        log.append(
            LogEntry(
                "moved",
                f"literal {first.what} became the parameter `{name}` "
                f"(module constant {constant}, run() keyword)",
                first.cell_index,
                first.line,
                f"{_short(first.value)}",
            )
        )
    if suggested:
        log.append(
            LogEntry(
                "info",
                "parameter candidates left in the code: " + "; ".join(suggested),
            )
        )
    log += _unseeded(analysis)
    return Promoted(tuple(specs), replacements, tuple(log))


def _top_level_calls(analysis: Analysis, existing: Sequence[ParameterSpec]) -> Iterable[CallSite]:
    skip = {p.cell_index for p in existing if p.source != "call-literal"}
    for cell in analysis.cells:
        if cell.index in skip or cell.module is None:
            continue
        for call in cell.calls:
            if call.in_function is None and call.node is not None:
                yield call


def _candidates(call: CallSite) -> Iterable[_Candidate]:
    qualified = call.qualified_name or ""
    line = call.location.line
    index = call.location.cell_index
    if qualified.startswith(READERS) and call.args:
        first = call.args[0]
        if first.keyword is None and first.is_literal and isinstance(first.literal, str):
            path = first.literal
            url = path.startswith(("http://", "https://", "s3://", "gs://"))
            stem = identifier(PurePosixPath(path.split("?")[0]).stem) or "data"
            name = f"{stem}_{'url' if url else 'path'}"
            yield _Candidate(name, path, first.node, index, line, "URL" if url else "path")
    if not (qualified.startswith(ESTIMATOR_PACKAGES) or qualified in SPLIT_FUNCTIONS):
        return
    for arg in call.args:
        if arg.keyword not in PARAMETER_KEYWORDS or arg.node is None:
            continue
        value = _literal(arg.node, arg.literal, arg.is_literal)
        if value is None or isinstance(value, bool):
            continue
        yield _Candidate(arg.keyword, value, arg.node, index, line, f"`{arg.keyword}=`")


def _literal(node: cst.BaseExpression, literal: Any, is_literal: bool) -> Any:
    if is_literal:
        return literal
    if isinstance(node, (cst.Dict, cst.List, cst.Tuple)):
        try:  # a literal grid: evaluated by Python's own literal parser, never run
            return ast.literal_eval(cst.Module(body=[]).code_for_node(node))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return None
    return None


def _unseeded(analysis: Analysis) -> list[LogEntry]:
    """Scikit-learn style calls H101 finds unseeded."""
    from harden.linter.registry import builtin_rules

    rules = [rule for rule in builtin_rules() if rule.id == "H101"]
    if not rules:
        return []
    from harden.config import Config
    from harden.linter.engine import lint_notebook
    from harden.severity import Severity

    config = Config(
        pack="extract",
        select=("H101",),
        ignore=(),
        severities={},
        options={},
        fail_on=Severity.ERROR,
    )
    result = lint_notebook(analysis.notebook, config, rules, analysis)
    return [
        LogEntry(
            "risky",
            f"{finding.message}: unseeded, so the module's results change from run to run "
            "(--check seeds both sides alike, and says nondeterministic if values still differ)",
            finding.cell_index,
            finding.line,
        )
        for finding in result.findings
    ]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["PARAMETER_MODES", "Promoted", "promote"]
