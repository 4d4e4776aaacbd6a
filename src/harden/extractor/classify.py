"""Which notebook names live at module level, and which flow between steps.

Module level: imports (every binding of the name is the same top-level
import), guarded import blocks (``try: import x`` / ``except ImportError``),
literal constants bound once and never changed (UPPER_CASE ones, and
lower-case ones a notebook function reads), and functions and classes
defined once.  Everything else the notebook binds is *step level*: a local
of a step function, passed along by ``run()``.  Parameters are step level.

A definition stays module level when what it evaluates at definition time
(decorators, default values, annotations, base classes) is module level;
otherwise it stays inside its step.  A module-level function that reads
step-level names gets them as keyword-only parameters; a class cannot, so it
stays in its step.  Both decisions feed each other: computed to a fixpoint.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from harden.analysis import Analysis, Binding, CellAnalysis, Definition
from harden.analysis.library import configures
from harden.analysis.nodes import dotted_name, names_in
from harden.extractor.nodes import Statement

_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*[A-Z0-9]")


@dataclass
class Layout:
    """The decisions, by name and by statement node (identity)."""

    hoisted_imports: set[int] = field(default_factory=set)  # id() of Import/ImportFrom nodes
    guarded: set[int] = field(default_factory=set)  # id() of compound statements
    constants: dict[str, cst.SimpleStatementLine] = field(default_factory=dict)
    definitions: dict[str, Statement] = field(default_factory=dict)
    definition_cells: dict[str, int] = field(default_factory=dict)
    constant_cells: dict[str, int] = field(default_factory=dict)
    module_level: set[str] = field(default_factory=set)
    step_level: set[str] = field(default_factory=set)
    changes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kept_in_step: dict[str, str] = field(default_factory=dict)  # name -> reason
    removed: set[int] = field(default_factory=set)  # id() of parameter assignments
    #: Lines that only configure the session (``plt.style.use``, ``pd.set_option``,
    #: ``warnings.filterwarnings``): id() of the line → (its cell, the line), notebook order.
    configuration: dict[int, tuple[int, cst.SimpleStatementLine]] = field(default_factory=dict)
    configuration_calls: set[int] = field(default_factory=set)  # id() of their Call nodes


def top_level_smalls(module: cst.Module) -> dict[int, cst.SimpleStatementLine]:
    """id() of each top-level small statement → its line."""
    out: dict[int, cst.SimpleStatementLine] = {}
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                out[id(small)] = statement
    return out


def guarded_import_block(statement: cst.CSTNode) -> bool:
    """``try``/``if`` at top level holding only imports, ``pass`` and literal fallbacks."""
    if not isinstance(statement, (cst.Try, cst.If)):
        return False
    has_import = [False]
    ok = [True]

    class _Check(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
            for small in node.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    has_import[0] = True
                elif isinstance(small, cst.Assign):
                    if not _literalish(small.value):
                        ok[0] = False
                elif not isinstance(small, (cst.Pass, cst.Raise, cst.Expr)):
                    ok[0] = False
            return False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            ok[0] = False
            return False

        def visit_For(self, node: cst.For) -> bool:
            ok[0] = False
            return False

        def visit_While(self, node: cst.While) -> bool:
            ok[0] = False
            return False

    statement.visit(_Check())
    return ok[0] and has_import[0]


def _literalish(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Name, cst.BaseString, cst.Integer, cst.Float, cst.Attribute))


def _evaluated_at_definition(defn: cst.CSTNode) -> Iterable[cst.CSTNode]:
    yield from getattr(defn, "decorators", ())
    if isinstance(defn, cst.FunctionDef):
        params = defn.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.default is not None:
                yield param.default
            if param.annotation is not None:
                yield param.annotation
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param) and star.annotation is not None:
                yield star.annotation
        if defn.returns is not None:
            yield defn.returns
    elif isinstance(defn, cst.ClassDef):
        yield from (*defn.bases, *defn.keywords)
        body = defn.body.body if isinstance(defn.body, cst.IndentedBlock) else ()
        for statement in body:
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                yield from _evaluated_at_definition(statement)
            else:
                yield statement


def definition_time_names(node: cst.CSTNode) -> set[str]:
    """Names a ``def``/``class`` evaluates when it is defined (not when called)."""
    names: set[str] = set()
    for part in _evaluated_at_definition(node):
        names |= names_in(part)
    return names


def classify(analysis: Analysis, parameters: Iterable[str], removed: set[int]) -> Layout:
    """Decide what is module level.  ``removed`` holds id() of the parameter
    assignments that leave the step code."""
    layout = Layout(removed=set(removed))
    params = set(parameters)
    cells = [c for c in analysis.cells if c.module is not None]
    smalls = {c.index: top_level_smalls(c.module) for c in cells}
    bindings: dict[str, list[tuple[CellAnalysis, Binding]]] = {}
    for cell in cells:
        for binding in cell.bindings:
            if id(binding.statement) in removed:
                continue
            bindings.setdefault(binding.name, []).append((cell, binding))
    mutated = {m.name for c in cells for m in c.mutations} | {n for c in cells for n in c.deletes}

    imports = _import_names(cells, smalls, bindings, layout)
    guarded_names = _guarded_names(cells, bindings, layout)
    defs = {
        d.name: (c, d)
        for c in cells
        for d in c.definitions
        if d.name in bindings
        and len(bindings[d.name]) == 1
        and d.node is not None
        and any(s is d.node for s in c.module.body)
        and d.name not in mutated
    }
    for cell in cells:
        for definition in cell.definitions:
            if definition.name not in defs:
                layout.kept_in_step.setdefault(
                    definition.name,
                    "it is bound more than once in the notebook, so each "
                    "definition stays in the step that makes it",
                )
    for name, (_cell, definition) in defs.items():
        if definition.global_writes:
            layout.kept_in_step[name] = "it assigns notebook globals with `global`"
    literal = {}
    for name, found in bindings.items():
        if len(found) != 1 or name in mutated or name in params:
            continue
        cell, binding = found[0]
        line = smalls[cell.index].get(id(binding.statement))
        if (
            binding.kind == "assign"
            and binding.is_literal
            and line is not None
            and len(line.body) == 1
            and _single_target(line.body[0])
        ):
            literal[name] = line
    hoisted = {n for n in defs if n not in layout.kept_in_step}
    while True:
        constants = {n for n in literal if _CONSTANT.fullmatch(n)}
        reads_by_defs = {r for n in hoisted for r in defs[n][1].global_reads}
        constants |= {n for n in literal if n in reads_by_defs}
        module_level = imports | guarded_names | constants | hoisted
        step_level = (set(bindings) - module_level) | params
        changes = _kwargs(hoisted, defs, step_level)
        demote: dict[str, str] = {}
        for name in hoisted:
            cell, definition = defs[name]
            early = definition_time_names(definition.node) & step_level
            if early:
                demote[name] = f"its definition reads {_names(early)} when it is defined"
            elif definition.kind == "class" and changes.get(name):
                demote[name] = f"its methods read {_names(changes[name])} from the notebook"
        if not demote:
            break
        hoisted -= set(demote)
        layout.kept_in_step.update(demote)
    layout.constants = {n: literal[n] for n in sorted(constants, key=lambda n: _order(bindings, n))}
    layout.definitions = {
        n: defs[n][1].node for n in sorted(hoisted, key=lambda n: _order(bindings, n))
    }
    layout.definition_cells = {n: defs[n][0].index for n in hoisted}
    layout.constant_cells = {n: _order(bindings, n)[0] for n in constants}
    layout.module_level = module_level
    layout.step_level = step_level
    layout.changes = {n: v for n, v in changes.items() if v and n in hoisted}
    _configuration(cells, imports | guarded_names | constants, layout)
    return layout


def _configuration(cells: Sequence[CellAnalysis], module_names: set[str], layout: Layout) -> None:
    """Top-level lines made only of configuration (:func:`~harden.analysis.library.configures`)
    that read nothing but module-level names: they go to the module's preamble."""
    for cell in cells:
        targets = {i.name: i.target for i in cell.imports if not i.is_star}
        calls = {id(c.node): c.qualified_name for c in cell.calls if c.node is not None}
        for statement in cell.module.body:
            if not isinstance(statement, cst.SimpleStatementLine) or not statement.body:
                continue
            found: set[int] = set()
            if all(_configures(s, targets, calls, found) for s in statement.body) and (
                _free_names(statement) <= module_names | _BUILTINS
            ):
                layout.configuration[id(statement)] = (cell.index, statement)
                layout.configuration_calls |= found


def _configures(
    small: cst.BaseSmallStatement,
    targets: Mapping[str, str],
    calls: Mapping[int, str | None],
    found: set[int],
) -> bool:
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        found.add(id(small.value))
        return configures(calls.get(id(small.value)))
    if isinstance(small, (cst.Assign, cst.AugAssign)):
        nodes = (
            [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
        )
        return all(configures(_qualified(n, targets)) for n in nodes)
    return False


def _qualified(node: cst.BaseExpression, targets: Mapping[str, str]) -> str | None:
    """``plt.rcParams["x"]`` → ``matplotlib.pyplot.rcParams``, through the cell's imports."""
    while isinstance(node, cst.Subscript):
        node = node.value
    dotted = dotted_name(node)
    if dotted is None:
        return None
    root, _, rest = dotted.partition(".")
    if root not in targets:
        return None
    return f"{targets[root]}.{rest}" if rest else targets[root]


def _free_names(node: cst.CSTNode) -> set[str]:
    """The names a line reads, less the parameters of its lambdas."""
    params: set[str] = set()

    class _Params(cst.CSTVisitor):
        def visit_Param(self, param: cst.Param) -> None:
            params.add(param.name.value)

    node.visit(_Params())
    return names_in(node) - params


_BUILTINS = frozenset(dir(builtins))


def _order(
    bindings: Mapping[str, list[tuple[CellAnalysis, Binding]]], name: str
) -> tuple[int, int]:
    cell, binding = bindings[name][0]
    return (cell.index, binding.location.line)


def _single_target(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, cst.Assign):
        return len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)
    return isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name)


def _import_names(
    cells: Sequence[CellAnalysis],
    smalls: Mapping[int, Mapping[int, object]],
    bindings: Mapping[str, list],
    layout: Layout,
) -> set[str]:
    """Names every binding of which is the same top-level import."""
    targets: dict[str, set[str]] = {}
    for cell in cells:
        for imp in cell.imports:
            if not imp.is_star:
                targets.setdefault(imp.name, set()).add(imp.target)
    names: set[str] = set()
    for name, found in bindings.items():
        if name not in targets or len(targets[name]) != 1:
            continue
        if all(b.kind == "import" and id(b.statement) in smalls[c.index] for c, b in found):
            names.add(name)
    for cell in cells:
        for imp in cell.imports:
            top = id(imp.statement) in smalls[cell.index]
            if top and (imp.is_star or imp.name in names):
                layout.hoisted_imports.add(id(imp.statement))
    # A statement binding several names is hoisted only when all of them are.
    for cell in cells:
        for imp in cell.imports:
            if not imp.is_star and imp.name not in names:
                layout.hoisted_imports.discard(id(imp.statement))
    hoisted_names = {
        imp.name
        for c in cells
        for imp in c.imports
        if id(imp.statement) in layout.hoisted_imports and not imp.is_star
    }
    return hoisted_names


class _NodeIds(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.ids.add(id(node))
        return True


def _guarded_names(
    cells: Sequence[CellAnalysis], bindings: Mapping[str, list], layout: Layout
) -> set[str]:
    blocks: dict[int, set[int]] = {}
    for cell in cells:
        for statement in cell.module.body:
            if guarded_import_block(statement):
                collector = _NodeIds()
                statement.visit(collector)
                blocks[id(statement)] = collector.ids
    if not blocks:
        return set()
    inside = set().union(*blocks.values())
    names = {
        name for name, found in bindings.items() if any(id(b.statement) in inside for _, b in found)
    }
    bad = {name for name in names if not all(id(b.statement) in inside for _, b in bindings[name])}
    for block, inner in blocks.items():
        bound_here = {
            name for name in names if any(id(b.statement) in inner for _, b in bindings[name])
        }
        if not bound_here & bad:
            layout.guarded.add(block)
    return {
        name
        for name in names - bad
        if any(id(b.statement) in blocks[k] for k in layout.guarded for _, b in bindings[name])
    }


def _kwargs(
    hoisted: set[str], defs: Mapping[str, tuple[CellAnalysis, Definition]], step_level: set[str]
) -> dict[str, tuple[str, ...]]:
    """For each module-level definition: the step-level names it needs at call
    time, through the module-level functions it calls too."""
    needs = {n: set(defs[n][1].global_reads) & step_level for n in hoisted}
    changed = True
    while changed:
        changed = False
        for name in hoisted:
            for other in defs[name][1].global_reads & hoisted:
                if other != name and not needs[other] <= needs[name]:
                    needs[name] |= needs[other]
                    changed = True
    return {name: tuple(sorted(found)) for name, found in needs.items()}


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(names))
