"""Each code cell's step code: what is left once the module-level parts are taken out.

Works on the libcst tree the analysis built for the cell (never re-parsed):
hoisted imports, constants, definitions and parameter assignments leave;
the last line is dropped when it only displays a value; notebook-only
statements are rewritten by :class:`~harden.extract.drops.CellRewriter`;
calls of functions that now take notebook globals as keyword arguments
pass them (:class:`~harden.extract.functions.PassGlobals`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from harden.analysis import CellAnalysis
from harden.errors import ExtractionError
from harden.extract.classify import Layout
from harden.extract.drops import CellDrops, CellRewriter, is_display_only, root_names
from harden.extract.functions import PassGlobals, add_keyword_parameters
from harden.extract.model import LogEntry

PLOT_METHODS = frozenset({"plot", "hist", "boxplot", "scatter", "imshow", "pie", "heatmap",
                          "barh", "bar", "kde", "savefig", "subplots", "figure"})


@dataclass
class CellCode:
    """One code cell after extraction."""

    index: int
    analysis: CellAnalysis
    body: list[cst.BaseStatement] = field(default_factory=list)
    imports: list[cst.BaseSmallStatement] = field(default_factory=list)
    guarded: list[cst.BaseCompoundStatement] = field(default_factory=list)
    definitions: dict[str, cst.BaseStatement] = field(default_factory=dict)
    displayed: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()  # every Name in the kept code
    passed: tuple[str, ...] = ()  # keyword arguments added to calls
    partial: bool = False
    plots: bool = False
    drops: CellDrops = field(default_factory=CellDrops)


def cell_code(cell: CellAnalysis, layout: Layout, removed: set[int], *,
              drop_magics: bool, no_prints: bool) -> CellCode:
    module = cell.module
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    out = CellCode(cell.index, cell)
    constant_lines = {id(line) for line in layout.constants.values()}
    definitions = {id(node) for node in layout.definitions.values()}
    hoisted: list[cst.BaseStatement] = []
    body: list[cst.BaseStatement] = []
    last_original = module.body[-1] if module.body else None
    last_kept: cst.BaseStatement | None = None
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            if id(statement) in constant_lines:
                continue
            original = statement
            rest: list[cst.BaseSmallStatement] = []
            for small in statement.body:
                if id(small) in layout.hoisted_imports:
                    out.imports.append(small)
                elif id(small) not in removed:
                    rest.append(small)
            if not rest:
                continue
            keeps_last = rest[-1] is statement.body[-1]
            if len(rest) != len(statement.body):
                rest[-1] = rest[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=rest)
            body.append(statement)
            if original is last_original and keeps_last:
                last_kept = statement
        elif id(statement) in layout.guarded:
            out.guarded.append(statement)
        elif id(statement) in definitions:
            hoisted.append(statement)
        else:
            body.append(statement)
    body = _drop_display(out, body, last_kept, positions)
    result = CellDrops(log=out.drops.log)
    rewriter = CellRewriter(cell, positions, drop_magics=drop_magics, no_prints=no_prints,
                            result=result)
    rewritten = cst.Module(body=body).visit(rewriter)
    result.displayed = out.displayed
    out.drops = result
    magic = cell.python.cell_magic
    if magic is not None:
        out.drops.log.append(LogEntry("changed", f"%%{magic.name} dropped, the cell body kept",
                                      cell.index, 1, f"%%{magic.name} {magic.line}".strip()))
    passer = PassGlobals(layout.changes)
    rewritten = rewritten.visit(passer)
    def_passer = PassGlobals(layout.changes)
    for definition in cst.Module(body=hoisted).visit(rewriter).visit(def_passer).body:
        name = definition.name.value  # type: ignore[attr-defined]
        if isinstance(definition, cst.FunctionDef) and layout.changes.get(name):
            definition = add_keyword_parameters(definition, layout.changes[name])
        out.definitions[name] = definition
    out.body = list(rewritten.body)
    out.passed, out.partial = tuple(passer.used), passer.partial or def_passer.partial
    if out.body and module.header:
        first = out.body[0]
        out.body[0] = first.with_changes(leading_lines=[*module.header, *first.leading_lines])
    out.names = frozenset(_names(out.body))
    out.plots = any(_plots(call.qualified_name, call.method) for call in cell.calls)
    _refuse_await(cell, out.body)
    return out


def _drop_display(out: CellCode, body: list[cst.BaseStatement],
                  last: cst.BaseStatement | None, positions: object) -> list[cst.BaseStatement]:
    if last is None or not body or body[-1] is not last:
        return body
    assert isinstance(last, cst.SimpleStatementLine)
    small = last.body[-1]
    calls = {call.node: call for call in out.analysis.calls if call.node is not None}
    if not isinstance(small, cst.Expr) or not is_display_only(small.value, calls):
        return body
    position = positions.get(small)  # type: ignore[attr-defined]
    line = out.analysis.line_map.line(position.start.line) if position is not None else None
    code = (out.analysis.cell.line(line) or "").strip() if line else ""
    out.displayed = root_names(small.value)
    out.drops.log.append(LogEntry("dropped", "display-only expression at the end of a cell",
                                  out.index, line, code))
    if len(last.body) == 1:
        return body[:-1]
    rest = [*last.body[:-1]]
    rest[-1] = rest[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return [*body[:-1], last.with_changes(body=rest)]


def _plots(qualified: str | None, method: str | None) -> bool:
    if qualified and qualified.split(".")[0] in {"matplotlib", "seaborn"}:
        return True
    return method in PLOT_METHODS


def _names(body: list[cst.BaseStatement]) -> set[str]:
    names: set[str] = set()

    class _Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> bool:
            names.add(node.value)
            return False

    visitor = _Names()
    for statement in body:
        statement.visit(visitor)
    return names


def _refuse_await(cell: CellAnalysis, body: list[cst.BaseStatement]) -> None:
    found: list[bool] = []

    class _Await(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Await(self, node: cst.Await) -> bool:
            found.append(True)
            return False

        def visit_For(self, node: cst.For) -> bool:
            if node.asynchronous is not None:
                found.append(True)
            return True

        def visit_With(self, node: cst.With) -> bool:
            if node.asynchronous is not None:
                found.append(True)
            return True

    for statement in body:
        statement.visit(_Await())
    if found:
        raise ExtractionError(
            f"cell {cell.index + 1} uses top-level `await`, which only a notebook allows; "
            "move it into an `async def` function run with asyncio.run(), then extract again"
        )
