"""Each code cell's step code: what is left once the module-level parts are taken out.

Works on the libcst tree the analysis built for the cell (never re-parsed):
hoisted imports, constants, definitions and parameter assignments leave;
the last line is dropped when it only displays a value; notebook-only
statements are rewritten by :class:`~harden.extractor.drops.CellRewriter`;
calls of functions that now take notebook globals as keyword arguments
pass them (:class:`~harden.extractor.functions.PassGlobals`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from harden.analysis import CellAnalysis
from harden.analysis.library import PLOT_METHODS
from harden.analysis.purity import is_display_only
from harden.errors import ExtractionError
from harden.extractor.classify import Layout
from harden.extractor.deadnames import CleanFunctions, scan
from harden.extractor.drops import CellDrops, CellRewriter, root_names
from harden.extractor.functions import PassGlobals, add_keyword_parameters
from harden.extractor.model import LogEntry
from harden.extractor.nodes import Statement


@dataclass
class CellCode:
    """One code cell after extraction."""

    index: int
    analysis: CellAnalysis
    body: list[Statement] = field(default_factory=list)
    imports: list[cst.BaseSmallStatement] = field(default_factory=list)
    guarded: list[cst.BaseCompoundStatement] = field(default_factory=list)
    definitions: dict[str, Statement] = field(default_factory=dict)
    displayed: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()  # every Name in the kept code
    loads: frozenset[str] = frozenset()  # the names it reads
    stores: frozenset[str] = frozenset()  # the names it binds (not in nested functions)
    passed: tuple[str, ...] = ()  # keyword arguments added to calls
    partial: bool = False
    plots: bool = False
    drops: CellDrops = field(default_factory=CellDrops)


def _needs_rewrite(cell: CellAnalysis, no_prints: bool) -> bool:
    """Whether the cell has anything :class:`CellRewriter` changes (from the analysis)."""
    if cell.magics:
        return True
    for call in cell.calls:
        if call.dotted == "display" or call.method == "show" or (
                no_prints and call.dotted == "print"):
            return True
    return False


def cell_code(cell: CellAnalysis, layout: Layout, removed: set[int], *,
              drop_magics: bool, no_prints: bool) -> CellCode:
    module = cell.module
    out = CellCode(cell.index, cell)
    constant_lines = {id(line) for line in layout.constants.values()}
    definitions = {id(node) for node in layout.definitions.values()}
    hoisted: list[Statement] = []
    body: list[Statement] = []
    last_original = module.body[-1] if module.body else None
    last_kept: Statement | None = None
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
    body = _drop_display(out, body, last_kept)
    result = CellDrops(log=out.drops.log, displayed=out.displayed)
    out.drops = result
    if _needs_rewrite(cell, no_prints):
        rewriter = CellRewriter(cell, drop_magics=drop_magics, no_prints=no_prints,
                                result=result)
        body = list(cst.Module(body=body).visit(rewriter).body)
        hoisted = list(cst.Module(body=hoisted).visit(rewriter).body)
        if no_prints:  # prints were the only readers of some function locals
            cleaner = CleanFunctions(result.log)
            body = list(cst.Module(body=body).visit(cleaner).body)
            hoisted = list(cst.Module(body=hoisted).visit(cleaner).body)
    magic = cell.python.cell_magic
    if magic is not None:
        out.drops.log.append(LogEntry("changed", f"%%{magic.name} dropped, the cell body kept",
                                      cell.index, 1, f"%%{magic.name} {magic.line}".strip()))
    found = scan(body)
    if layout.changes and found.names & set(layout.changes):
        passer = PassGlobals(layout.changes)
        body = list(cst.Module(body=body).visit(passer).body)
        out.passed, out.partial = tuple(passer.used), passer.partial
        found = scan(body)
    for definition in hoisted:
        name = definition.name.value  # type: ignore[union-attr]  # hoisted: defs and classes
        if layout.changes:
            passer = PassGlobals(layout.changes)
            definition = definition.visit(passer)  # type: ignore[assignment]
            out.partial = out.partial or passer.partial
        if isinstance(definition, cst.FunctionDef) and layout.changes.get(name):
            definition = add_keyword_parameters(definition, layout.changes[name])
        out.definitions[name] = definition
    out.body = body
    out.names, out.loads = frozenset(found.names), frozenset(found.loads)
    out.stores = frozenset(found.stores)
    out.plots = any(_plots(call.qualified_name, call.method) for call in cell.calls)
    if found.awaits:
        raise ExtractionError(
            f"cell {cell.index + 1} uses top-level `await`, which only a notebook allows; "
            "move it into an `async def` function run with asyncio.run(), then extract again"
        )
    return out


def _drop_display(out: CellCode, body: list[Statement],
                  last: Statement | None) -> list[Statement]:
    if last is None or not body or body[-1] is not last:
        return body
    assert isinstance(last, cst.SimpleStatementLine)
    small = last.body[-1]
    calls = {call.node: call for call in out.analysis.calls if call.node is not None}
    if not isinstance(small, cst.Expr) or not is_display_only(small.value, calls):
        return body
    location = out.analysis.location(last)
    line = location.line if location is not None else None
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
