"""Results a notebook shows instead of naming: found, named, and what each one means.

Research notebooks end a section by *showing* what it computed:
``cross_val_score(knn, X, y, cv=10, scoring="roc_auc").mean()`` as a cell's
last line, ``print("accuracy", accuracy_score(y_test, preds))``.  A module
that drops those lines (they display a value) or keeps them as bare
statements (their result discarded) loses the notebook's conclusions.  Here
such an expression's *result core* becomes a named local
(``cv_roc_auc = cross_val_score(...).mean()``) that its step returns, and the
print shows the name.

Formatting around a core stays display (``round(accuracy_score(...), 3)``
names ``accuracy``; the rounding is how the notebook showed it).  Views of
existing data (``df.head()``, ``df.shape``) are not results.  The kinds
(:data:`ResultKind`) let ``run()`` choose its outputs by meaning: metrics,
then parameters found by a search, then fitted models, then predictions.
The call tables are :mod:`harden.analysis.library`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import libcst as cst

from harden.analysis.library import (
    FITTED_METRICS,
    FITTED_MODELS,
    FITTED_PARAMS,
    METRIC_CV,
    METRIC_NAMES,
    METRIC_PREFIXES,
    PREDICT_METHODS,
    PREDICTION_FUNCTIONS,
    RESULT_REDUCTIONS,
)
from harden.analysis.model import CallSite
from harden.extractor.nodes import free_name
from harden.extractor.sections import identifier

ResultKind = Literal["metric", "params", "model", "prediction"]
#: The order ``run()`` returns results in.
KIND_ORDER: tuple[ResultKind, ...] = ("metric", "params", "model", "prediction")
_PREDICT_SUFFIX = {
    "predict": "predictions",
    "predict_proba": "probabilities",
    "predict_log_proba": "log_probabilities",
    "decision_function": "decision",
    "score_samples": "sample_scores",
}


@dataclass(frozen=True)
class Core:
    """A result inside a displayed expression: the node, its kind, a name for it."""

    node: cst.BaseExpression
    kind: ResultKind
    hint: str


def _receiver_hint(node: cst.BaseExpression) -> str:
    """``knn`` for ``knn``, ``best_estimator`` for ``grid.best_estimator_``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value.strip("_")
    return ""


def _keyword_text(call: cst.Call, name: str) -> str | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            value = arg.value
            if isinstance(value, cst.SimpleString):
                text = value.evaluated_value
                return text if isinstance(text, str) else None
    return None


def _metric_hint(qualified: str) -> str:
    function = qualified.rsplit(".", 1)[-1]
    if function in METRIC_NAMES:
        return METRIC_NAMES[function]
    for suffix in ("_score", "_error", "_loss"):
        if function.endswith(suffix) and len(function) > len(suffix):
            stem = function[: -len(suffix)]
            return stem if suffix == "_score" else function
    return function


def _cv_hint(qualified: str, call: cst.Call) -> str:
    if qualified.endswith("cross_validate"):
        return "cv_results"
    scoring = _keyword_text(call, "scoring")
    if scoring and scoring.isidentifier():
        return f"cv_{scoring}_scores"
    return "cv_scores"


def core_of(node: cst.CSTNode, calls: Mapping[cst.CSTNode, CallSite]) -> Core | None:
    """The result ``node`` computes, when it is one (not looking inside it)."""
    if isinstance(node, cst.Call):
        site = calls.get(node)
        qualified = site.qualified_name if site is not None else None
        if qualified:
            if qualified.startswith(METRIC_PREFIXES):
                return Core(node, "metric", _metric_hint(qualified))
            if qualified in METRIC_CV:
                return Core(node, "metric", _cv_hint(qualified, node))
            if qualified in PREDICTION_FUNCTIONS:
                return Core(node, "prediction", "cv_predictions")
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = _receiver_hint(func.value)
            if method in PREDICT_METHODS and receiver:
                return Core(node, "prediction", f"{receiver}_{_PREDICT_SUFFIX[method]}")
            if method == "score" and receiver:
                return Core(node, "metric", f"{receiver}_score")
            if method in RESULT_REDUCTIONS and not node.args:
                inner = core_of(func.value, calls)
                if inner is not None and inner.kind == "metric":
                    hint = inner.hint.removesuffix("_scores")
                    if hint == inner.hint:
                        hint = f"{method}_{inner.hint}"
                    elif method != "mean":
                        hint = f"{hint}_{method}"
                    return Core(node, "metric", hint)
    if isinstance(node, cst.Attribute) and isinstance(node.value, (cst.Name, cst.Attribute)):
        attr = node.attr.value
        if attr in FITTED_METRICS:
            return Core(node, "metric", attr.strip("_"))
        if attr in FITTED_PARAMS:
            return Core(node, "params", attr.strip("_"))
        if attr in FITTED_MODELS:
            return Core(node, "model", attr.strip("_"))
    return None


class _Cores(cst.CSTVisitor):
    def __init__(self, calls: Mapping[cst.CSTNode, CallSite]) -> None:
        super().__init__()
        self.calls = calls
        self.found: list[Core] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        # A core inside a comprehension or lambda reads names bound there: not liftable.
        if isinstance(
            node, (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
        ):
            return False
        core = core_of(node, self.calls)
        if core is not None:
            self.found.append(core)
            return False
        return True


def result_cores(
    expression: cst.BaseExpression, calls: Mapping[cst.CSTNode, CallSite]
) -> list[Core]:
    """The outermost results inside ``expression``, in source order."""
    visitor = _Cores(calls)
    expression.visit(visitor)
    return visitor.found


def result_name(core: Core, taken: set[str]) -> str:
    """A free name for ``core`` (never one the notebook or the module uses)."""
    base = core.hint if core.hint.isidentifier() else identifier(core.hint) or "result"
    return free_name(base, taken)


__all__ = ["KIND_ORDER", "Core", "ResultKind", "core_of", "result_cores", "result_name"]
