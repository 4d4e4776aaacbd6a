"""Names a step binds that nothing reads: notebook globals left for inspection.

In the notebook ``top10 = ranking.head(10)`` leaves a global someone looked
at; inside a step function it is a local nobody reads (ruff F841).  A pure
value is dropped with its name; a value with side effects keeps its call
and loses the name; ``with … as x`` / ``except … as x`` lose ``as x``.
Each change is logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import libcst as cst

from harden.analysis import CallSite
from harden.extract.drops import is_display_only
from harden.extract.model import LogEntry

_EMPTY = cst.Module(body=[])


@dataclass
class Scan:
    """One walk over some statements: every name, the names read, the names
    bound at this function level (not in nested functions), ``await`` seen."""

    names: set[str] = field(default_factory=set)
    loads: set[str] = field(default_factory=set)
    stores: set[str] = field(default_factory=set)
    awaits: bool = False


def scan(statements: Iterable[cst.CSTNode]) -> Scan:
    result = Scan()
    not_loads: set[int] = set()
    nested = [0]

    class _Scan(cst.CSTVisitor):
        def _store(self, node: cst.CSTNode) -> None:
            if isinstance(node, cst.Name):
                not_loads.add(id(node))
                if not nested[0]:
                    result.stores.add(node.value)

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            self._store(node.target)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if node.value is not None:
                self._store(node.target)

        def visit_AsName(self, node: cst.AsName) -> None:
            self._store(node.name)

        def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> None:
            not_loads.add(id(node.attr))

        def visit_Arg(self, node: cst.Arg) -> None:
            if node.keyword is not None:
                not_loads.add(id(node.keyword))

        def visit_Param(self, node: cst.Param) -> None:
            not_loads.add(id(node.name))

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            not_loads.add(id(node.name))
            nested[0] += 1

        def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
            nested[0] -= 1

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            not_loads.add(id(node.name))
            nested[0] += 1

        def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
            nested[0] -= 1

        def visit_Lambda(self, node: cst.Lambda) -> None:
            nested[0] += 1

        def leave_Lambda(self, original_node: cst.Lambda) -> None:
            nested[0] -= 1

        def visit_Await(self, node: cst.Await) -> None:
            if not nested[0]:
                result.awaits = True

        def visit_For(self, node: cst.For) -> None:
            if node.asynchronous is not None and not nested[0]:
                result.awaits = True

        def visit_With(self, node: cst.With) -> None:
            if node.asynchronous is not None and not nested[0]:
                result.awaits = True

        def visit_Name(self, node: cst.Name) -> None:
            result.names.add(node.value)
            if id(node) not in not_loads:
                result.loads.add(node.value)

    visitor = _Scan()
    for statement in statements:
        statement.visit(visitor)
    return result


class DropDeadNames(cst.CSTTransformer):
    """Rewrite the body of one step function (see the module docstring)."""

    def __init__(self, dead: set[str], calls: Mapping[cst.CSTNode, CallSite],
                 log: list[LogEntry]) -> None:
        super().__init__()
        self.dead = dead
        self.calls = calls
        self.qualified = {c.dotted: c.qualified_name for c in calls.values()
                          if c.dotted and c.qualified_name}
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
            if is_display_only(value, self.calls, self.qualified):
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


def drop_dead_names(statements: list[cst.BaseStatement], dead: set[str],
                    calls: Mapping[cst.CSTNode, CallSite],
                    log: list[LogEntry]) -> list[cst.BaseStatement]:
    """``statements`` (a step's body) without the bindings of ``dead`` names.

    Simple lines are rewritten directly; only compound statements (loops,
    ``with``, ``try``) need the transformer's walk.
    """
    if not dead:
        return statements
    transformer = DropDeadNames(dead, calls, log)
    out: list[cst.BaseStatement] = []
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            result = transformer.leave_SimpleStatementLine(statement, statement)
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            result = statement
        else:
            result = statement.visit(transformer)
        if isinstance(result, cst.BaseStatement):
            out.append(result)
        elif isinstance(result, cst.FlattenSentinel):
            out.extend(result.nodes)
    return out
