"""Is an expression display-only?  Evaluating it only computes a value to show.

``df.head()``, ``df.describe()``, ``len(x)`` and ``np.mean(a)`` are; anything
that reads a file, draws from random state, changes options or passes
``inplace=`` or ``out=`` (it writes into an object it is given) is not.  The
tables come from :mod:`harden.analysis.library`.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from harden.analysis.library import (
    ESTIMATOR_READ_METHODS,
    IMPURE_PREFIXES,
    PURE_FUNCTIONS,
    PURE_METHODS,
    PURE_MODULES,
    PURE_QUALIFIED,
    WRITING_KEYWORDS,
)
from harden.analysis.model import CallSite
from harden.analysis.nodes import dotted_name


class _PureCheck(cst.CSTVisitor):
    def __init__(
        self, calls: Mapping[cst.CSTNode, CallSite], qualified: Mapping[str, str] | None
    ) -> None:
        super().__init__()
        self.calls = calls
        self.qualified = qualified
        self.pure = True

    def visit_Call(self, node: cst.Call) -> bool:
        site = self.calls.get(node)
        name = None if site is not None else dotted_name(node.func)
        resolved = self.qualified.get(name) if self.qualified and name else None
        if not _pure_call(node, site, resolved):
            self.pure = False
        return self.pure

    def _impure(self, node: cst.CSTNode) -> bool:
        self.pure = False
        return False

    visit_Await = _impure
    visit_Yield = _impure
    visit_NamedExpr = _impure


def is_display_only(
    expr: cst.BaseExpression,
    calls: Mapping[cst.CSTNode, CallSite],
    qualified: Mapping[str, str] | None = None,
) -> bool:
    """True when evaluating ``expr`` only computes a value to show.  Calls are
    looked up in ``calls`` (original nodes), else their dotted name in
    ``qualified`` (``pd.Timedelta`` → ``pandas.Timedelta``)."""
    if isinstance(expr, (cst.Name, cst.BaseString, cst.Integer, cst.Float)):
        return True
    check = _PureCheck(calls, qualified)
    expr.visit(check)
    return check.pure


def is_pure_call(
    node: cst.Call,
    calls: Mapping[cst.CSTNode, CallSite],
    qualified: Mapping[str, str] | None = None,
) -> bool:
    """Whether calling ``node``'s function (not evaluating its arguments) is pure."""
    site = calls.get(node)
    name = None if site is not None else dotted_name(node.func)
    resolved = qualified.get(name) if qualified and name else None
    return _pure_call(node, site, resolved)


def _pure_call(node: cst.Call, site: CallSite | None, resolved: str | None = None) -> bool:
    if any(arg.keyword is not None and arg.keyword.value in WRITING_KEYWORDS for arg in node.args):
        return False
    qualified = site.qualified_name if site is not None else resolved
    if qualified:
        if qualified.startswith(IMPURE_PREFIXES):
            return False
        if qualified.startswith(PURE_MODULES) or qualified.startswith(PURE_QUALIFIED):
            return True
    if isinstance(node.func, cst.Name):
        return node.func.value in PURE_FUNCTIONS
    if isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        return method in PURE_METHODS or method in ESTIMATOR_READ_METHODS
    return False


__all__ = ["is_display_only", "is_pure_call"]
