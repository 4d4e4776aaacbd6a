"""Names a step binds that nothing reads: notebook globals left for inspection.

In the notebook ``top10 = ranking.head(10)`` leaves a global someone looked
at; inside a step function it is a local nobody reads (ruff F841).  A pure
value is dropped with its name; a value with side effects keeps its call
and loses the name; ``with … as x`` / ``except … as x`` lose ``as x``.
Each change is logged.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from harden.analysis import CallSite
from harden.extract.drops import is_display_only
from harden.extract.model import LogEntry

_EMPTY = cst.Module(body=[])


def loaded_names(node: cst.CSTNode) -> set[str]:
    """Names read anywhere under ``node`` (stores, attributes, keywords excluded)."""
    loads: set[str] = set()
    stores: set[int] = set()

    class _Loads(cst.CSTVisitor):
        def visit_AssignTarget(self, inner: cst.AssignTarget) -> None:
            if isinstance(inner.target, cst.Name):
                stores.add(id(inner.target))

        def visit_AnnAssign(self, inner: cst.AnnAssign) -> None:
            if isinstance(inner.target, cst.Name) and inner.value is not None:
                stores.add(id(inner.target))

        def visit_AsName(self, inner: cst.AsName) -> None:
            if isinstance(inner.name, cst.Name):
                stores.add(id(inner.name))

        def visit_Attribute(self, inner: cst.Attribute) -> None:
            stores.add(id(inner.attr))

        def visit_Arg(self, inner: cst.Arg) -> None:
            if inner.keyword is not None:
                stores.add(id(inner.keyword))

        def visit_Param(self, inner: cst.Param) -> None:
            stores.add(id(inner.name))

        def visit_FunctionDef(self, inner: cst.FunctionDef) -> None:
            stores.add(id(inner.name))

        def visit_ClassDef(self, inner: cst.ClassDef) -> None:
            stores.add(id(inner.name))

        def visit_Name(self, inner: cst.Name) -> None:
            if id(inner) not in stores:
                loads.add(inner.value)

    node.visit(_Loads())
    return loads


class DropDeadNames(cst.CSTTransformer):
    """Rewrite the body of one step function (see the module docstring)."""

    def __init__(self, dead: set[str], calls: Mapping[cst.CSTNode, CallSite],
                 log: list[LogEntry]) -> None:
        super().__init__()
        self.dead = dead
        self.calls = calls
        self.log = log

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine,
                                  updated_node: cst.SimpleStatementLine) -> object:
        body: list[cst.BaseSmallStatement] = []
        changed = False
        for small in updated_node.body:
            name = _dead_target(small, self.dead)
            if name is None:
                body.append(small)
                continue
            changed = True
            value = small.value  # type: ignore[union-attr]
            code = _EMPTY.code_for_node(small).strip()
            if is_display_only(value, self.calls):
                self.log.append(LogEntry("dropped", f"nothing reads `{name}`", code=code))
            else:
                self.log.append(LogEntry("changed", f"nothing reads `{name}`: the value is "
                                         "still computed, the name dropped", code=code))
                body.append(cst.Expr(value))
        if not changed:
            return updated_node
        if not body:
            return cst.RemovalSentinel.REMOVE
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(body=body)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if updated_node.body:
            return updated_node
        return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])

    def leave_WithItem(self, original_node: cst.WithItem,
                       updated_node: cst.WithItem) -> cst.WithItem:
        asname = updated_node.asname
        if asname is not None and isinstance(asname.name, cst.Name) and \
                asname.name.value in self.dead:
            self.log.append(LogEntry("changed", f"nothing reads `{asname.name.value}`: "
                                     "`as` dropped"))
            return updated_node.with_changes(asname=None)
        return updated_node

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler,
                            updated_node: cst.ExceptHandler) -> cst.ExceptHandler:
        name = updated_node.name
        if name is not None and isinstance(name.name, cst.Name) and name.name.value in self.dead:
            return updated_node.with_changes(name=None)
        return updated_node


def _dead_target(small: cst.BaseSmallStatement, dead: set[str]) -> str | None:
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if isinstance(target, cst.Name) and target.value in dead:
            return target.value
    if isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(
            small.target, cst.Name) and small.target.value in dead:
        return small.target.value
    return None


def drop_dead_names(function: cst.FunctionDef, calls: Mapping[cst.CSTNode, CallSite],
                    log: list[LogEntry]) -> cst.FunctionDef:
    """``function`` without bindings of names its body never reads."""
    loads = loaded_names(function.body)
    stored = _stored_names(function.body)
    dead = stored - loads
    if not dead:
        return function
    body = function.body.visit(DropDeadNames(dead, calls, log))
    return function.with_changes(body=body)


def _stored_names(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class _Stores(cst.CSTVisitor):
        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, inner: cst.ClassDef) -> bool:
            return False

        def visit_Lambda(self, inner: cst.Lambda) -> bool:
            return False

        def visit_AssignTarget(self, inner: cst.AssignTarget) -> None:
            if isinstance(inner.target, cst.Name):
                names.add(inner.target.value)

        def visit_AnnAssign(self, inner: cst.AnnAssign) -> None:
            if isinstance(inner.target, cst.Name) and inner.value is not None:
                names.add(inner.target.value)

        def visit_AsName(self, inner: cst.AsName) -> None:
            if isinstance(inner.name, cst.Name):
                names.add(inner.name.value)

        def visit_ImportAlias(self, inner: cst.ImportAlias) -> bool:
            return False

    node.visit(_Stores())
    return names
