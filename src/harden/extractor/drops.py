"""Notebook-only code: what extraction drops, keeps or refuses in a cell.

:class:`CellRewriter` is a libcst transformer over a cell's statements (the
tree the analysis built, IPython syntax already turned into
``get_ipython()...`` calls).  It drops notebook-only magics and display
calls, keeps the statement of ``%time``/``%timeit``, turns ``!pip install``
into requirements, drops prints with ``--no-prints``, and collects the
magics that have no Python equivalent (``!ls``, ``%run``, ``%%bash``) as
problems, or drops them as risky with ``--drop-magics``.  Every drop is a
:class:`~harden.extractor.model.LogEntry`.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from harden.analysis import Analysis, CellAnalysis
from harden.analysis.library import is_widget
from harden.analysis.nodes import root_name
from harden.extractor.model import LogEntry
from harden.extractor.nodes import Statement
from harden.notebook import magics
from harden.notebook.magics import Role, inspects, install_specs, strip_options


@dataclass
class CellDrops:
    """What rewriting one cell produced, beyond the rewritten statements."""

    log: list[LogEntry] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    problems: list[LogEntry] = field(default_factory=list)
    displayed: tuple[str, ...] = ()


class _RootNames(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def visit_Name(self, node: cst.Name) -> bool:
        if node.value not in self.names:
            self.names.append(node.value)
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def root_names(expr: cst.CSTNode) -> tuple[str, ...]:
    """Names an expression reads (in order, once each)."""
    visitor = _RootNames()
    expr.visit(visitor)
    return tuple(visitor.names)


def widget_names(analysis: Analysis) -> frozenset[str]:
    """Names that only make interactive widgets: those the notebook imports from a
    widget module (:data:`~harden.analysis.library.WIDGET_MODULES`), and its
    functions whose body does nothing but build one (``def explore(X):
    def show(depth=3): ...; return interact(show, depth=(1, 5))``)."""
    names = {
        b.name for c in analysis.cells for b in c.imports if not b.is_star and is_widget(b.target)
    }
    functions = [
        d
        for c in analysis.cells
        for d in c.definitions
        if d.kind == "function" and isinstance(d.node, cst.FunctionDef)
    ]
    changed = bool(names)
    while changed:
        changed = False
        for definition in functions:
            if definition.name not in names and _only_widgets(definition.node, names):
                names.add(definition.name)
                changed = True
    return frozenset(names)


def _only_widgets(function: cst.FunctionDef, widgets: AbstractSet[str]) -> bool:
    """A body of nested functions, assignments to local names and calls of
    widgets (bare or returned, at least one): nothing else it could do or return."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    calls = 0
    for index, statement in enumerate(body):
        if isinstance(statement, cst.FunctionDef):
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            return False
        for small in statement.body:
            if isinstance(small, cst.Assign) and all(
                _local_target(t.target) for t in small.targets
            ):
                continue
            value = small.value if isinstance(small, (cst.Expr, cst.Return)) else None
            if index == 0 and isinstance(value, cst.SimpleString):
                continue  # the docstring
            if not isinstance(value, cst.Call) or not _calls_widget(value, widgets):
                return False
            calls += 1
    return calls > 0


def _local_target(target: cst.BaseExpression) -> bool:
    if isinstance(target, (cst.Tuple, cst.List)):
        return all(_local_target(e.value) for e in target.elements)
    return isinstance(target, cst.Name)


def _calls_widget(node: cst.BaseExpression, widgets: AbstractSet[str]) -> bool:
    """A widget call or decorator: its callee's root is a widget name."""
    if isinstance(node, cst.Call):
        node = node.func
    root = root_name(node)
    return root is not None and root.value in widgets


class CellRewriter(cst.CSTTransformer):
    """Drop or rewrite notebook-only statements of one cell (see module docstring)."""

    def __init__(
        self,
        cell: CellAnalysis,
        *,
        drop_magics: bool,
        no_prints: bool,
        result: CellDrops,
        widgets: AbstractSet[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.cell = cell
        self.widgets = widgets  # names the notebook imports from widget modules
        self.drop_magics = drop_magics
        self.no_prints = no_prints
        self.result = result
        self.calls = {call.node: call for call in cell.calls if call.node is not None}
        cell_magic = cell.python.cell_magic
        self._magic_lines = [
            m.location.line
            for m in cell.magics
            if not (
                cell_magic is not None
                and m.kind == "cell"
                and m.name == cell_magic.name
                and cell_magic.name in magics.PYTHON_BODY_CELL_MAGICS
            )
        ]

    # -- locations ----------------------------------------------------------
    def line_of(self, node: cst.CSTNode) -> int | None:
        """The cell line of a statement: from the analysis when it knows the
        call (magics in document order, other calls by node), else the analysis' positions."""
        value = getattr(node, "value", None)
        if isinstance(value, cst.Call):
            if magics.decode(value) is not None and self._magic_lines:
                return self._magic_lines.pop(0)
            site = self.calls.get(value)
            if site is not None:
                return site.location.line
        location = self.cell.location(node)
        return location.line if location is not None else None

    def note(self, kind: Any, message: str, node: cst.CSTNode, code: str | None = None) -> None:
        line = self.line_of(node)
        if code is None:
            code = (self.cell.cell.line(line) or "").strip() if line else ""
        self.result.log.append(LogEntry(kind, message, self.cell.index, line, code))

    # -- statements ---------------------------------------------------------
    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Any:
        kept: list[cst.BaseSmallStatement] = []
        extra: list[Statement] = []
        for original, small in zip(original_node.body, updated_node.body):
            replaced = self._small(original, small)
            if replaced is None:
                continue
            if isinstance(replaced, list):
                extra.extend(replaced)
            else:
                kept.append(replaced)
        if not extra and len(kept) == len(updated_node.body):
            return updated_node
        statements: list[Statement] = []
        if kept:
            last = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            statements.append(updated_node.with_changes(body=[*kept[:-1], last]))
        statements.extend(extra)
        if not statements:
            return cst.RemovalSentinel.REMOVE
        if statements[0] is not updated_node:
            statements[0] = statements[0].with_changes(leading_lines=updated_node.leading_lines)
        return cst.FlattenSentinel(statements) if len(statements) > 1 else statements[0]

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> Any:
        """``@interact`` (a widget decorator) goes, the function stays; a
        function that only builds a widget goes whole."""
        if original_node.name.value in self.widgets and self._widget_only(original_node):
            self.note(
                "dropped",
                "only builds an interactive widget: widgets only work in a live notebook",
                original_node,
                code=f"def {original_node.name.value}",
            )
            return cst.RemovalSentinel.REMOVE
        kept = [d for d in updated_node.decorators if not self._widget(d.decorator)]
        if len(kept) == len(updated_node.decorators):
            return updated_node
        dropped = next(d for d in original_node.decorators if self._widget(d.decorator))
        code = "@" + cst.Module(body=[]).code_for_node(dropped.decorator)
        self.note(
            "dropped",
            "interactive widget decorator: widgets only work in a live notebook",
            dropped,
            code=code,
        )
        return updated_node.with_changes(decorators=kept)

    def _widget(self, node: cst.BaseExpression) -> bool:
        return _calls_widget(node, self.widgets)

    def _widget_only(self, node: cst.FunctionDef) -> bool:
        """The notebook's widget function itself (not a nested one that shares its name)."""
        return any(d.node is node for d in self.cell.definitions)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if updated_node.body:
            return updated_node
        return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> Any:
        if updated_node.body:
            return updated_node
        return updated_node.with_changes(body=[cst.Pass()])

    def _small(self, original: cst.BaseSmallStatement, small: cst.BaseSmallStatement) -> Any:
        """The replacement of one small statement: itself, ``None`` (dropped),
        another small statement, or a list of statements."""
        if isinstance(original, cst.Expr):
            magic = magics.decode(original.value)
            if magic is not None:
                return self._magic_statement(original, magic)
            if isinstance(original.value, cst.Call):
                return self._call_statement(original, small)
        if isinstance(original, (cst.Assign, cst.AnnAssign)) and original.value is not None:
            magic = magics.decode(original.value)
            if magic is not None:
                return self._magic_value(original, small, magic)
        return small

    def _call_statement(self, original: cst.Expr, small: cst.BaseSmallStatement) -> Any:
        call = original.value
        assert isinstance(call, cst.Call)
        site = self.calls.get(call)
        dotted = site.dotted if site is not None else None
        qualified = site.qualified_name if site is not None else None
        if dotted == "display" or qualified == "IPython.display.display":
            self.note("dropped", "display() only shows a value in the notebook", original)
            return None
        if qualified == "matplotlib.pyplot.show" or (
            isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "show"
            and site is not None
            and (site.receiver_type or "").startswith("matplotlib")
        ):
            self.note("dropped", "showing a figure has no effect outside the notebook", original)
            return None
        if self._widget(call):
            self.note(
                "dropped", "interactive widget: widgets only work in a live notebook", original
            )
            return None
        if self.no_prints and dotted == "print":
            self.note("dropped", "print dropped (--no-prints)", original)
            return None
        return small

    # -- magics -------------------------------------------------------------
    def _magic_statement(self, original: cst.Expr, magic: tuple[str, list[str]]) -> Any:
        method, texts = magic
        name = texts[0] if texts else ""
        if method in {"system", "getoutput"}:
            command = name.strip()
            if self._requirement(original, command):
                return None
            if method == "system" and inspects(command):
                self.note("dropped", "shell command that only shows output", original)
                return None
            return self._unsupported(original, f"shell command `!{command.split(' ')[0]}`")
        if method == "run_line_magic":
            args = texts[1] if len(texts) > 1 else ""
            what = magics.role("line", name, args)
            if what in (Role.PACKAGES, Role.SHELL) and self._requirement(
                original, args if what is Role.SHELL else f"{name} {args}"
            ):
                return None
            if what is Role.SHELL and inspects(args):
                self.note("dropped", "shell command that only shows output", original)
                return None
            if what in (Role.DISPLAY, Role.SESSION):
                self.note("dropped", f"%{name} only configures the notebook", original)
                return None
            if what is Role.TIMED:
                return self._timed(original, name, args)
            return self._unsupported(original, f"magic `%{name}`")
        if method == "run_cell_magic":
            if magics.role("cell", name, texts[1] if len(texts) > 1 else "") is Role.DISPLAY:
                self.note("dropped", f"%%{name} only displays its body", original, code=f"%%{name}")
                return None
            return self._unsupported(original, f"cell magic `%%{name}`", code=f"%%{name}")
        return self._unsupported(original, "IPython call")

    def _requirement(self, original: cst.CSTNode, command: str) -> bool:
        """An install of Python packages becomes requirements; True when it was one."""
        specs = install_specs(command)
        if specs is None:
            return False
        self.result.requirements.extend(specs)
        self.note("requirement", "package install moved to requirements-notebook.txt", original)
        return True

    def _timed(self, original: cst.CSTNode, name: str, args: str) -> Any:
        code = strip_options(args)
        try:
            body = cst.parse_module(code + "\n").body
        except cst.ParserSyntaxError:
            return self._unsupported(original, f"`%{name}` with code harden cannot parse")
        self.note("changed", f"%{name} dropped, the statement kept", original)
        return list(body)

    def _magic_value(
        self, original: cst.BaseSmallStatement, small: Any, magic: tuple[str, list[str]]
    ) -> Any:
        method, texts = magic
        name = texts[0] if texts else ""
        if method == "run_line_magic" and magics.role("line", name) is Role.TIMED:
            code = texts[1] if len(texts) > 1 else ""
            try:
                value = cst.parse_expression(strip_options(code))
            except cst.ParserSyntaxError:
                return self._unsupported(original, f"`%{name}` with code harden cannot parse")
            self.note("changed", f"%{name} dropped, the expression kept", original)
            return small.with_changes(value=value)
        what = "shell command output" if method in {"system", "getoutput"} else f"magic `%{name}`"
        return self._unsupported(original, what)

    def _unsupported(self, original: cst.CSTNode, what: str, code: str | None = None) -> Any:
        if self.drop_magics:
            self.note(
                "risky", f"{what} has no Python equivalent; dropped (--drop-magics)", original, code
            )
            return None
        line = self.line_of(original)
        if code is None:
            code = (self.cell.cell.line(line) or "").strip() if line else ""
        self.result.problems.append(
            LogEntry("risky", f"{what} has no Python equivalent", self.cell.index, line, code)
        )
        return None
