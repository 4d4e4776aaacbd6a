"""Each code cell's step code: what is left once the module-level parts are taken out.

Works on the libcst tree the analysis built for the cell (never re-parsed):
hoisted imports, constants, definitions and parameter assignments leave;
the last line is dropped when it only displays a value; notebook-only
statements are rewritten by :class:`~harden.extractor.drops.CellRewriter`;
calls of functions that now take notebook globals as keyword arguments
pass them (:class:`~harden.extractor.functions.PassGlobals`).

Each of these is a named step in :data:`CELL_STEPS`: a function taking the
:class:`CellDraft` so far (frozen) and the cell's :class:`CellContext`, and
returning the next draft; :func:`cell_code` runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

import libcst as cst

from harden.analysis import CellAnalysis
from harden.analysis.library import PLOT_METHODS
from harden.analysis.model import CallSite, Location
from harden.analysis.purity import is_display_only
from harden.errors import ExtractionError
from harden.extractor.classify import Layout
from harden.extractor.deadnames import CleanFunctions, Scan, discardable, scan
from harden.extractor.drops import CellDrops, CellRewriter, root_names
from harden.extractor.functions import PassGlobals, add_keyword_parameters
from harden.extractor.model import LogEntry
from harden.extractor.nodes import Statement, line
from harden.extractor.results import Core, ResultKind, result_cores, result_name


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
    shown: str | None = None  # a bare name shown at the end of the cell
    names: frozenset[str] = frozenset()  # every Name in the kept code
    loads: frozenset[str] = frozenset()  # the names it reads
    stores: frozenset[str] = frozenset()  # the names it binds (not in nested functions)
    passed: tuple[str, ...] = ()  # keyword arguments added to calls
    partial: bool = False
    plots: bool = False
    drops: CellDrops = field(default_factory=CellDrops)
    results: tuple[tuple[str, ResultKind], ...] = ()  # results it shows, now named
    result_sources: tuple[tuple[str, str], ...] = ()  # name → the notebook's expression
    uses: tuple[str, ...] = ()  # parameters that replaced literals in its calls


@dataclass(frozen=True)
class CellContext:
    """What every step of the per-cell pipeline reads and none changes."""

    cell: CellAnalysis
    layout: Layout
    removed: AbstractSet[int]  # id() of parameter assignments that leave the step
    drop_magics: bool
    no_prints: bool
    taken: AbstractSet[str] = frozenset()  # names a result must not take
    replacements: Mapping[int, str] = field(default_factory=dict)  # literal id() → parameter
    widgets: AbstractSet[str] = frozenset()  # names imported from widget modules


@dataclass(frozen=True)
class CellDraft:
    """One cell's code between two steps of :data:`CELL_STEPS`."""

    body: tuple[Statement, ...] = ()  # what stays in the step function
    hoisted: tuple[Statement, ...] = ()  # defs and classes that go to module level
    imports: tuple[cst.BaseSmallStatement, ...] = ()
    guarded: tuple[cst.BaseCompoundStatement, ...] = ()
    last: Statement | None = None  # the kept form of the cell's last line, if kept
    displayed: tuple[str, ...] = ()
    shown: str | None = None
    log: tuple[LogEntry, ...] = ()
    requirements: tuple[str, ...] = ()
    problems: tuple[LogEntry, ...] = ()
    rewritten: bool = False  # CellRewriter ran
    found: Scan | None = None  # the names of ``body`` once calls pass globals
    passed: tuple[str, ...] = ()
    partial: bool = False
    definitions: tuple[tuple[str, Statement], ...] = ()
    results: tuple[tuple[str, ResultKind], ...] = ()
    uses: tuple[str, ...] = ()
    result_sources: tuple[tuple[str, str], ...] = ()


CellStep = Callable[[CellDraft, CellContext], CellDraft]


def _needs_rewrite(cell: CellAnalysis, no_prints: bool, widgets: AbstractSet[str]) -> bool:
    """Whether the cell has anything :class:`CellRewriter` changes (from the analysis)."""
    if cell.magics:
        return True
    if widgets & (cell.free_reads | cell.local_reads | {d.name for d in cell.definitions}):
        return True
    for call in cell.calls:
        if (
            call.dotted == "display"
            or call.method == "show"
            or (no_prints and call.dotted == "print")
        ):
            return True
    return False


def sort_statements(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """Hoisted imports, guarded imports and definitions leave the body;
    constants and parameter assignments go (they are module level)."""
    layout, module = ctx.layout, ctx.cell.module
    constant_lines = {id(line) for line in layout.constants.values()}
    definitions = {id(node) for node in layout.definitions.values()}
    imports: list[cst.BaseSmallStatement] = []
    guarded: list[cst.BaseCompoundStatement] = []
    hoisted: list[Statement] = []
    body: list[Statement] = []
    last_original = module.body[-1] if module.body else None
    last_kept: Statement | None = None
    pending: tuple[cst.EmptyLine, ...] = ()  # comments above hoisted imports
    for statement in module.body:
        carried, pending = pending, ()
        if isinstance(statement, cst.SimpleStatementLine):
            if id(statement) in constant_lines or id(statement) in layout.configuration:
                continue  # module level: a constant, or configuration (the preamble)
            original = statement
            rest: list[cst.BaseSmallStatement] = []
            for small in statement.body:
                if id(small) in layout.hoisted_imports:
                    imports.append(small)
                elif id(small) not in ctx.removed:
                    rest.append(small)
            if not rest:
                if all(id(small) in layout.hoisted_imports for small in statement.body):
                    pending = _import_comments(statement, carried)
                continue
            statement = _with_comments(statement, carried)
            keeps_last = rest[-1] is statement.body[-1]
            if len(rest) != len(statement.body):
                rest[-1] = rest[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=rest)
            body.append(statement)
            if original is last_original and keeps_last:
                last_kept = statement
        elif id(statement) in layout.guarded:
            guarded.append(statement)
        elif id(statement) in definitions:
            hoisted.append(statement)
        else:
            body.append(_with_comments(statement, carried))
    return replace(
        draft,
        body=tuple(body),
        hoisted=tuple(hoisted),
        imports=tuple(imports),
        guarded=tuple(guarded),
        last=last_kept,
    )


def _import_comments(
    statement: cst.SimpleStatementLine, carried: tuple[cst.EmptyLine, ...]
) -> tuple[cst.EmptyLine, ...]:
    """The comments above an import line that leaves for the module's top,
    kept for the statement right below it: a comment directly above a block
    (``# predict diabetes if ...`` over ``from sklearn.preprocessing import
    binarize`` and the line that uses it) explains the block.  A comment
    naming the import (``# import the class``) goes with the import."""
    lines = statement.leading_lines
    if not lines:
        return carried  # the next import of the same block
    if not any(line.comment is not None for line in lines):
        return ()
    if any(line.comment is not None and _about_import(line.comment.value) for line in lines):
        return ()
    return tuple(lines)


def _about_import(comment: str) -> bool:
    words = "".join(c if c.isalpha() else " " for c in comment.lower()).split()
    return any(word in {"import", "imports", "importing", "imported"} for word in words)


_S = TypeVar("_S", cst.SimpleStatementLine, cst.BaseCompoundStatement)


def _with_comments(statement: _S, carried: tuple[cst.EmptyLine, ...]) -> _S:
    """``statement`` under the comments of the import above it, when nothing
    (no blank line, no comment of its own) separates them; else the comments
    were about the import and go with it."""
    if not carried or statement.leading_lines:
        return statement
    return statement.with_changes(leading_lines=carried)


def _location(cell: CellAnalysis, statement: Statement) -> Location | None:
    """Where a line starts, also when it is a copy of the parsed one (a
    comment moved onto it): its first small statement is the parsed node."""
    found = cell.location(statement)
    if found is None and isinstance(statement, cst.SimpleStatementLine) and statement.body:
        found = cell.location(statement.body[0])
    return found


def drop_display_line(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """The last line goes when it only displays a value (``df.head()``); when
    it shows a result (a score, a prediction, a search's best parameters),
    the result is named instead (:mod:`harden.extractor.results`)."""
    body, last, cell = draft.body, draft.last, ctx.cell
    if last is None or not body or body[-1] is not last:
        return draft
    assert isinstance(last, cst.SimpleStatementLine)
    small = last.body[-1]
    calls = {call.node: call for call in cell.calls if call.node is not None}
    if not isinstance(small, cst.Expr) or not is_display_only(small.value, calls):
        return draft
    location = _location(cell, last)
    line_number = location.line if location is not None else None
    code = (cell.cell.line(line_number) or "").strip() if line_number else ""
    cores = result_cores(small.value, calls)
    rest = [*last.body[:-1]]
    if rest:
        rest[-1] = rest[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    kept: list[Statement] = list(body[:-1])
    if rest:
        kept.append(last.with_changes(body=rest))
    if cores:
        taken = _taken(ctx, draft)
        named = _assignments(cores, taken)
        lines = [line(assign) for assign, _, _ in named]
        lines[0] = lines[0].with_changes(leading_lines=last.leading_lines if not rest else [])
        names = ", ".join(f"`{n}` ({kind})" for _, n, kind in named)
        entry = LogEntry(
            "changed",
            f"result shown at the end of a cell named {names} and returned",
            cell.index,
            line_number,
            code,
        )
        return replace(
            draft,
            body=(*kept, *lines),
            log=(*draft.log, entry),
            results=(*draft.results, *((n, k) for _, n, k in named)),
            result_sources=(*draft.result_sources, *_sources(named)),
        )
    entry = LogEntry(
        "dropped", "display-only expression at the end of a cell", cell.index, line_number, code
    )
    return replace(
        draft,
        body=tuple(kept),
        displayed=root_names(small.value),
        shown=small.value.value if isinstance(small.value, cst.Name) else None,
        log=(*draft.log, entry),
    )


def _sources(named: list[tuple[cst.Assign, str, ResultKind]]) -> list[tuple[str, str]]:
    empty = cst.Module(body=[])
    return [(name, empty.code_for_node(assign.value)) for assign, name, _ in named]


def _taken(ctx: CellContext, draft: CellDraft) -> set[str]:
    return set(ctx.taken) | {name for name, _ in draft.results}


def _assignments(cores: list[Core], taken: set[str]) -> list[tuple[cst.Assign, str, ResultKind]]:
    out = []
    for core in cores:
        name = result_name(core, taken)
        assign = cst.Assign([cst.AssignTarget(cst.Name(name))], core.node)
        out.append((assign, name, core.kind))
    return out


def drop_no_op_statements(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """A statement that only computes a value nobody uses (``Pipeline([...])``, ``df.head()``
    mid-cell, ``DecisionTreeClassifier().fit(X, y)``) goes whole, logged."""
    cell = ctx.cell
    calls = {call.node: call for call in cell.calls if call.node is not None}
    body: list[Statement] = []
    log = list(draft.log)
    for statement in draft.body:
        if (
            isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and not isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
            and discardable(statement.body[0].value, calls)
        ):
            location = _location(cell, statement)
            number = location.line if location is not None else None
            code = (cell.cell.line(number) or "").strip() if number else ""
            log.append(
                LogEntry(
                    "dropped", "computes a value nothing uses or shows", cell.index, number, code
                )
            )
            continue
        body.append(statement)
    if len(body) == len(draft.body):
        return draft
    return replace(draft, body=tuple(body), log=tuple(log))


def name_printed_results(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """``print("auc", roc_auc_score(y, p))`` at a cell's top level: the result is
    named (``roc_auc = ...``) and returned, the print shows the name (and with
    ``--no-prints`` only the print goes)."""
    cell = ctx.cell
    calls = {call.node: call for call in cell.calls if call.node is not None}
    body: list[Statement] = []
    log = list(draft.log)
    results = list(draft.results)
    sources = list(draft.result_sources)
    changed = False
    for statement in draft.body:
        printed = _printed_cores(statement, calls)
        if not printed:
            body.append(statement)
            continue
        assert isinstance(statement, cst.SimpleStatementLine)
        taken = set(ctx.taken) | {n for n, _ in results}
        named = _assignments(printed, taken)
        small = statement.body[0]
        for (_, name, _), core in zip(named, printed):
            small = cast(cst.BaseSmallStatement, small.deep_replace(core.node, cst.Name(name)))
        lines = [line(assign) for assign, _, _ in named]
        lines[0] = lines[0].with_changes(leading_lines=statement.leading_lines)
        location = _location(cell, statement)
        number = location.line if location is not None else None
        code = (cell.cell.line(number) or "").strip() if number else ""
        body.extend(lines)
        if ctx.no_prints:
            log.append(LogEntry("dropped", "print dropped (--no-prints)", cell.index, number, code))
        else:
            body.append(statement.with_changes(body=[small], leading_lines=[]))
        log.append(
            LogEntry(
                "changed",
                "printed result named "
                + ", ".join(f"`{n}` ({k})" for _, n, k in named)
                + " and returned",
                cell.index,
                number,
                code,
            )
        )
        results += [(n, k) for _, n, k in named]
        sources += _sources(named)
        changed = True
    if not changed:
        return draft
    return replace(
        draft,
        body=tuple(body),
        log=tuple(log),
        results=tuple(results),
        result_sources=tuple(sources),
    )


def _printed_cores(statement: Statement, calls: Mapping[cst.CSTNode, CallSite]) -> list[Core]:
    """The results a one-statement ``print(...)`` line shows, when its arguments are pure."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return []
    small = statement.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return []
    call = small.value
    if not (isinstance(call.func, cst.Name) and call.func.value == "print"):
        return []
    cores: list[Core] = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            continue
        if not is_display_only(arg.value, calls):
            return []
        cores += result_cores(arg.value, calls)
    return cores


def rewrite_notebook_only(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """Magics, shell escapes, display calls (and prints with ``--no-prints``):
    dropped, kept or refused by :class:`CellRewriter`."""
    if not _needs_rewrite(ctx.cell, ctx.no_prints, ctx.widgets):
        return draft
    result = CellDrops(log=list(draft.log), displayed=draft.displayed)
    rewriter = CellRewriter(
        ctx.cell,
        drop_magics=ctx.drop_magics,
        no_prints=ctx.no_prints,
        result=result,
        widgets=ctx.widgets,
    )
    body = cst.Module(body=draft.body).visit(rewriter).body
    hoisted = cst.Module(body=draft.hoisted).visit(rewriter).body
    return replace(
        draft,
        body=tuple(body),
        hoisted=tuple(hoisted),
        log=tuple(result.log),
        requirements=tuple(result.requirements),
        problems=tuple(result.problems),
        rewritten=True,
    )


def drop_print_only_locals(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """With ``--no-prints``, prints were the only readers of some function locals."""
    if not (ctx.no_prints and draft.rewritten):
        return draft
    log = list(draft.log)
    cleaner = CleanFunctions(log)
    body = cst.Module(body=draft.body).visit(cleaner).body
    hoisted = cst.Module(body=draft.hoisted).visit(cleaner).body
    return replace(draft, body=tuple(body), hoisted=tuple(hoisted), log=tuple(log))


class _UseParameters(cst.CSTTransformer):
    def __init__(self, replacements: Mapping[int, str]) -> None:
        super().__init__()
        self.replacements = replacements
        self.used: list[str] = []

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        name = self.replacements.get(id(original_node))
        if name is None:
            return updated_node
        if name not in self.used:
            self.used.append(name)
        return cst.Name(name)


def use_parameters(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """Literals that became parameters (``random_state=42``) read the parameter."""
    if not ctx.replacements:
        return draft
    user = _UseParameters(ctx.replacements)
    body = cst.Module(body=draft.body).visit(user).body
    if not user.used:
        return draft
    return replace(draft, body=tuple(body), uses=tuple(user.used))


def note_cell_magic(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """A ``%%magic`` whose body is Python: the magic line goes, logged."""
    magic = ctx.cell.python.cell_magic
    if magic is None:
        return draft
    entry = LogEntry(
        "changed",
        f"%%{magic.name} dropped, the cell body kept",
        ctx.cell.index,
        1,
        f"%%{magic.name} {magic.line}".strip(),
    )
    return replace(draft, log=(*draft.log, entry))


def pass_globals(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """Calls of functions that now take notebook globals pass them by keyword."""
    changes = ctx.layout.changes
    body, found = list(draft.body), scan(list(draft.body))
    if not (changes and found.names & set(changes)):
        return replace(draft, found=found)
    passer = PassGlobals(changes)
    body = list(cst.Module(body=body).visit(passer).body)
    return replace(
        draft, body=tuple(body), found=scan(body), passed=tuple(passer.used), partial=passer.partial
    )


def prepare_definitions(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """Hoisted functions pass globals too, and take the ones they read as keywords."""
    changes, partial = ctx.layout.changes, draft.partial
    definitions: list[tuple[str, Statement]] = []
    for definition in draft.hoisted:
        name = definition.name.value  # type: ignore[union-attr]  # hoisted: defs and classes
        if changes:
            passer = PassGlobals(changes)
            definition = definition.visit(passer)  # type: ignore[assignment]
            partial = partial or passer.partial
        if isinstance(definition, cst.FunctionDef) and changes.get(name):
            definition = add_keyword_parameters(definition, changes[name])
        definitions.append((name, definition))
    return replace(draft, definitions=tuple(definitions), partial=partial)


def refuse_top_level_await(draft: CellDraft, ctx: CellContext) -> CellDraft:
    """Top-level ``await`` runs only in a notebook: refused."""
    if draft.found is not None and draft.found.awaits:
        raise ExtractionError(
            f"cell {ctx.cell.index + 1} uses top-level `await`, which only a notebook allows; "
            "move it into an `async def` function run with asyncio.run(), then extract again"
        )
    return draft


#: What happens to each code cell's statements, in order.
CELL_STEPS: tuple[CellStep, ...] = (
    sort_statements,
    drop_display_line,
    drop_no_op_statements,
    name_printed_results,
    rewrite_notebook_only,
    drop_print_only_locals,
    use_parameters,
    note_cell_magic,
    pass_globals,
    prepare_definitions,
    refuse_top_level_await,
)


def cell_code(
    cell: CellAnalysis,
    layout: Layout,
    removed: AbstractSet[int],
    *,
    drop_magics: bool,
    no_prints: bool,
    taken: AbstractSet[str] = frozenset(),
    replacements: Mapping[int, str] | None = None,
    widgets: AbstractSet[str] = frozenset(),
) -> CellCode:
    """Run :data:`CELL_STEPS` over one code cell; results it shows take names not in ``taken``."""
    ctx = CellContext(
        cell, layout, removed, drop_magics, no_prints, taken, replacements or {}, widgets
    )
    draft = CellDraft()
    for step in CELL_STEPS:
        draft = step(draft, ctx)
    found = draft.found if draft.found is not None else scan(list(draft.body))
    drops = CellDrops(
        log=list(draft.log),
        requirements=list(draft.requirements),
        problems=list(draft.problems),
        displayed=draft.displayed,
    )
    return CellCode(
        cell.index,
        cell,
        body=list(draft.body),
        imports=list(draft.imports),
        guarded=list(draft.guarded),
        definitions=dict(draft.definitions),
        displayed=draft.displayed,
        shown=draft.shown,
        names=frozenset(found.names),
        loads=frozenset(found.loads),
        stores=frozenset(found.stores),
        passed=draft.passed,
        partial=draft.partial,
        plots=any(
            _plots(call.qualified_name, call.method)
            for call in cell.calls
            if id(call.node) not in ctx.layout.configuration_calls
        ),
        drops=drops,
        results=draft.results,
        uses=draft.uses,
        result_sources=draft.result_sources,
    )


def _plots(qualified: str | None, method: str | None) -> bool:
    if qualified and qualified.split(".")[0] in {"matplotlib", "seaborn"}:
        return True
    return method in PLOT_METHODS
