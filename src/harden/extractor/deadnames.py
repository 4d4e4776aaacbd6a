"""Names a step binds that nothing reads: notebook globals left for inspection.

In the notebook ``top10 = ranking.head(10)`` leaves a global someone looked
at; inside a step function it is a local nobody reads (ruff F841).  A pure
value is dropped with its name; a value with side effects keeps its call
and loses the name; ``with … as x`` / ``except … as x`` lose ``as x``.
Each change is logged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import libcst as cst

from harden.analysis import CallSite
from harden.analysis.library import ESTIMATOR_PACKAGES, FIT_METHODS
from harden.analysis.nodes import dotted_name
from harden.analysis.purity import is_display_only, is_pure_call
from harden.extractor.model import LogEntry
from harden.extractor.nodes import Statement

_EMPTY = cst.Module(body=[])


@dataclass
class Scan:
    """One walk over some statements: every name, the names read, the names
    bound at this function level (not in nested functions), ``await`` seen."""

    names: set[str] = field(default_factory=set)
    loads: set[str] = field(default_factory=set)
    stores: set[str] = field(default_factory=set)
    awaits: bool = False


def scan(statements: Iterable[Statement]) -> Scan:
    """Generate the statements' code once and walk CPython's ``ast`` of it:
    several times faster than a libcst visitor over the same nodes."""
    result = Scan()
    code = cst.Module(body=list(statements)).code
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return result
    _walk(tree, result, nested=False)
    return result


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _walk(node: ast.AST, result: Scan, nested: bool) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Name):
            result.names.add(child.id)
            if not isinstance(child.ctx, ast.Store):
                result.loads.add(child.id)
            continue
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            result.names.add(child.name)
        elif isinstance(child, ast.alias):
            result.names.add((child.asname or child.name).split(".")[0])
        elif isinstance(child, ast.ExceptHandler) and child.name:
            result.names.add(child.name)
        if not nested:
            if (
                isinstance(child, ast.Assign)
                and len(child.targets) == 1
                and isinstance(child.targets[0], ast.Name)
            ):
                result.stores.add(child.targets[0].id)
            elif (
                isinstance(child, ast.AnnAssign)
                and child.value is not None
                and isinstance(child.target, ast.Name)
            ):
                result.stores.add(child.target.id)
            elif isinstance(child, ast.withitem) and isinstance(child.optional_vars, ast.Name):
                result.stores.add(child.optional_vars.id)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                result.stores.add(child.name)
            elif isinstance(child, ast.NamedExpr) and isinstance(child.target, ast.Name):
                result.stores.add(child.target.id)
            elif isinstance(child, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
                result.awaits = True
        if isinstance(child, ast.AugAssign) and isinstance(child.target, ast.Name):
            result.loads.add(child.target.id)
        _walk(child, result, nested or isinstance(child, _SCOPES))


class DropDeadNames(cst.CSTTransformer):
    """Rewrite the body of one step function (see the module docstring)."""

    def __init__(
        self, dead: set[str], calls: Mapping[cst.CSTNode, CallSite], log: list[LogEntry]
    ) -> None:
        super().__init__()
        self.dead = dead
        self.calls = calls
        self.qualified = {
            c.dotted: c.qualified_name for c in calls.values() if c.dotted and c.qualified_name
        }
        self.log = log

        self._tries = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Try(self, node: cst.Try) -> None:
        self._tries += 1

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.Try:
        self._tries -= 1
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_SimpleStatementLine(  # type: ignore[override]  # returns what libcst accepts
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> object:
        body: list[cst.BaseSmallStatement] = []
        changed = False
        for small in updated_node.body:
            name = _dead_target(small, self.dead)
            if name is None:
                body.append(small)
                continue
            changed = True
            value = small.value  # type: ignore[attr-defined]  # an assignment's
            code = _EMPTY.code_for_node(small).strip()
            # Inside ``try`` an exception may be the point: keep the value there.
            if not self._tries and discardable(value, self.calls, self.qualified):
                self.log.append(LogEntry("dropped", f"nothing reads `{name}`", code=code))
            else:
                self.log.append(
                    LogEntry(
                        "changed",
                        f"nothing reads `{name}`: the value is still computed, the name dropped",
                        code=code,
                    )
                )
                body.append(cst.Expr(value))
        if not changed:
            return updated_node
        if not body:
            return cst.RemovalSentinel.REMOVE
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(body=body)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if updated_node.body:
            return updated_node
        return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])

    def leave_WithItem(
        self, original_node: cst.WithItem, updated_node: cst.WithItem
    ) -> cst.WithItem:
        asname = updated_node.asname
        if (
            asname is not None
            and isinstance(asname.name, cst.Name)
            and asname.name.value in self.dead
        ):
            self.log.append(
                LogEntry("changed", f"nothing reads `{asname.name.value}`: `as` dropped")
            )
            return updated_node.with_changes(asname=None)
        return updated_node

    def leave_NamedExpr(
        self, original_node: cst.NamedExpr, updated_node: cst.NamedExpr
    ) -> cst.BaseExpression:
        target = updated_node.target
        if isinstance(target, cst.Name) and target.value in self.dead:
            self.log.append(LogEntry("changed", f"nothing reads `{target.value}`: `:=` dropped"))
            return updated_node.value
        return updated_node

    def leave_ExceptHandler(
        self, original_node: cst.ExceptHandler, updated_node: cst.ExceptHandler
    ) -> cst.ExceptHandler:
        name = updated_node.name
        if name is not None and isinstance(name.name, cst.Name) and name.name.value in self.dead:
            return updated_node.with_changes(name=None)
        return updated_node


def _dead_target(small: cst.BaseSmallStatement, dead: set[str]) -> str | None:
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if isinstance(target, cst.Name) and target.value in dead:
            return target.value
    if (
        isinstance(small, cst.AnnAssign)
        and small.value is not None
        and isinstance(small.target, cst.Name)
        and small.target.value in dead
    ):
        return small.target.value
    return None


def discardable(
    value: cst.BaseExpression,
    calls: Mapping[cst.CSTNode, CallSite],
    qualified: Mapping[str, str] | None = None,
) -> bool:
    """Evaluating ``value`` changes nothing anyone can see: display-only, an estimator
    constructed (``Pipeline([...])``), or one constructed and fitted in place
    (``DecisionTreeClassifier().fit(X, y)``) with the result unused."""
    if is_display_only(value, calls, qualified):
        return True
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    if isinstance(func, cst.Attribute) and func.attr.value in FIT_METHODS:
        receiver = func.value
        return (
            isinstance(receiver, cst.Call)
            and _constructs_estimator(receiver, calls, qualified)
            and all(is_display_only(arg.value, calls, qualified) for arg in value.args)
        )
    return _constructs_estimator(value, calls, qualified)


def _constructs_estimator(
    call: cst.Call, calls: Mapping[cst.CSTNode, CallSite], qualified: Mapping[str, str] | None
) -> bool:
    if not _estimator_class(call, calls, qualified):
        return False
    return all(_builds_only(arg.value, calls, qualified) for arg in call.args)


def _estimator_class(
    call: cst.Call, calls: Mapping[cst.CSTNode, CallSite], qualified: Mapping[str, str] | None
) -> bool:
    site = calls.get(call)
    name = site.qualified_name if site is not None else None
    if name is None and qualified:
        dotted = dotted_name(call.func)
        name = qualified.get(dotted) if dotted else None
    return bool(
        name and name.startswith(ESTIMATOR_PACKAGES) and name.rsplit(".", 1)[-1][:1].isupper()
    )


def _builds_only(
    value: cst.BaseExpression,
    calls: Mapping[cst.CSTNode, CallSite],
    qualified: Mapping[str, str] | None,
) -> bool:
    """Every call in ``value`` is pure or builds an estimator (``[("t", Tree())]``)."""
    if is_display_only(value, calls, qualified):
        return True
    found = [True]

    class _Check(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> bool:
            if not _estimator_class(node, calls, qualified) and not is_pure_call(
                node, calls, qualified
            ):
                found[0] = False
            return found[0]

        def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
            found[0] = False
            return False

    value.visit(_Check())
    return found[0]


def drop_dead_names(
    statements: list[Statement],
    dead: set[str],
    calls: Mapping[cst.CSTNode, CallSite],
    log: list[LogEntry],
) -> list[Statement]:
    """``statements`` (a step's body) without the bindings of ``dead`` names.

    Simple lines are rewritten directly; only compound statements (loops,
    ``with``, ``try``) need the transformer's walk.
    """
    if not dead:
        return statements
    transformer = DropDeadNames(dead, calls, log)
    out: list[Statement] = []
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine) and not _has_walrus(statement):
            result = transformer.leave_SimpleStatementLine(statement, statement)
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            result = statement
        else:
            result = statement.visit(transformer)
        if isinstance(result, Statement):
            out.append(result)
        elif isinstance(result, cst.FlattenSentinel):
            out.extend(result.nodes)
    return out


def _has_walrus(statement: cst.SimpleStatementLine) -> bool:
    return ":=" in _EMPTY.code_for_node(statement)


def drop_shadowed_definitions(statements: list[Statement], log: list[LogEntry]) -> list[Statement]:
    """A ``def``/``class`` defined again before anything uses it is dead code
    (ruff F811): the earlier one goes, logged.  Decorated ones stay."""
    names = [s.name.value for s in statements if isinstance(s, (cst.FunctionDef, cst.ClassDef))]
    if len(names) == len(set(names)):
        return statements
    pending: dict[str, int] = {}
    drop: set[int] = set()
    for position, statement in enumerate(statements):
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            name = statement.name.value
            if name in pending:
                drop.add(pending[name])
                log.append(
                    LogEntry(
                        "dropped", "defined again before anything used this definition", code=name
                    )
                )
            used = scan([statement]).loads
            pending = {n: p for n, p in pending.items() if n not in used}
            pending[name] = position if not statement.decorators else -1
            if pending[name] == -1:
                del pending[name]
        else:
            used = scan([statement]).loads
            pending = {n: p for n, p in pending.items() if n not in used}
    return [s for position, s in enumerate(statements) if position not in drop]


class CleanFunctions(cst.CSTTransformer):
    """Drop dead locals inside every function of a statement (after ``--no-prints``
    removed the prints that were their only readers)."""

    def __init__(self, log: list[LogEntry]) -> None:
        super().__init__()
        self.log = log

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        body = updated_node.body
        if not isinstance(body, cst.IndentedBlock):
            return updated_node
        statements = [
            s
            for s in body.body
            if isinstance(s, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
        ]
        found = scan(statements)
        dead = found.stores - found.loads
        if not dead:
            return updated_node
        kept = drop_dead_names(statements, dead, {}, self.log)
        return updated_node.with_changes(
            body=body.with_changes(body=kept or [cst.SimpleStatementLine([cst.Pass()])])
        )
