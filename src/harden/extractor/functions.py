"""Notebook functions that read notebook globals: the globals become keyword arguments.

In the notebook ``def score(x): return x > threshold`` reads ``threshold``
when it is called.  In the module ``threshold`` is a local of some step, so
``score`` gets a keyword-only parameter ``threshold`` and every call passes
the caller's current value: ``score(x, threshold=threshold)``.  A reference
that is not a call (``df.apply(score)``) becomes
``functools.partial(score, threshold=threshold)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst


def add_keyword_parameters(node: cst.FunctionDef, names: tuple[str, ...]) -> cst.FunctionDef:
    """``def f(x)`` → ``def f(x, *, a, b)`` for ``names`` (a, b)."""
    params = node.params
    existing = {
        p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)
    }
    new = [cst.Param(cst.Name(name)) for name in names if name not in existing]
    if not new:
        return node
    star = params.star_arg
    if not isinstance(star, (cst.Param, cst.ParamStar)):
        star = cst.ParamStar()
    return node.with_changes(
        params=params.with_changes(star_arg=star, kwonly_params=[*params.kwonly_params, *new])
    )


class PassGlobals(cst.CSTTransformer):
    """Pass the keyword arguments ``changes`` (function → names) at every use.

    ``used`` collects the names passed, so the caller knows what a step now
    reads; ``partial`` is set when a ``functools.partial`` was needed.
    """

    def __init__(self, changes: Mapping[str, tuple[str, ...]]) -> None:
        super().__init__()
        self.changes = changes
        self.used: list[str] = []
        self.partial = False
        self._callees: set[int] = set()
        self._not_loads: set[int] = set()

    # -- names that are not reads -------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._not_loads.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._not_loads.add(id(node.keyword))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._not_loads.add(id(node.name))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._not_loads.add(id(node.name))

    def visit_Param(self, node: cst.Param) -> None:
        self._not_loads.add(id(node.name))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._not_loads.add(id(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._not_loads.add(id(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._not_loads.add(id(node.target))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False

    def visit_Global(self, node: cst.Global) -> bool:
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        return False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in self.changes:
            self._callees.add(id(node.func))

    # -- rewriting ------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = original_node.func
        if not (isinstance(func, cst.Name) and func.value in self.changes):
            return updated_node
        given = {arg.keyword.value for arg in updated_node.args if arg.keyword is not None}
        extra = [self._keyword(name) for name in self.changes[func.value] if name not in given]
        if not extra:
            return updated_node
        args = list(updated_node.args)
        if args and args[-1].comma is not cst.MaybeSentinel.DEFAULT:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(args=[*args, *extra])

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        name = original_node.value
        if (
            name not in self.changes
            or id(original_node) in self._callees
            or id(original_node) in self._not_loads
            or not self.changes[name]
        ):
            return updated_node
        self.partial = True
        func = cst.Attribute(cst.Name("functools"), cst.Name("partial"))
        keywords = [self._keyword(n) for n in self.changes[name]]
        return cst.Call(func, [cst.Arg(cst.Name(name)), *keywords])

    def _keyword(self, name: str) -> cst.Arg:
        if name not in self.used:
            self.used.append(name)
        return cst.Arg(cst.Name(name), keyword=cst.Name(name))
