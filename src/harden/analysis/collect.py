"""Per-cell facts from libcst: each cell parsed on its own, one scope pass.

The walk visits a cell's top-level code in evaluation order (the value of an
assignment before its targets, a ``for`` loop's iterable before its target),
so "read before the cell binds it" means exactly what running the cell means.
Nested scopes (functions, lambdas, comprehensions, classes) are classified
by :mod:`harden.analysis.scopes`: a name read in a function body that is not
local to it is a notebook-level read *at call time* (``deferred``).
Positions come from libcst's code generator (:mod:`harden.analysis.walk`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from harden.analysis.library import (
    ACCUMULATING_METHODS,
    BUILTIN_CONSTRUCTORS,
    IDEMPOTENT_METHODS,
    MUTATING_METHODS,
    method_effect,
)
from harden.analysis.model import (
    Argument,
    Binding,
    CallSite,
    CellAnalysis,
    Definition,
    ImportBinding,
    Location,
    MagicUse,
    Mutation,
    MutationKind,
    NameRead,
    StringLiteral,
    SyntaxProblem,
)
from harden.analysis.modules import UNKNOWN, ModuleNames, SiblingFiles
from harden.analysis.nodes import (
    _LITERAL_NODES,
    _code,
    _contains_equal,
    _del_targets,
    _expanded_names,
    _target_names,
    dotted_name,
    literal_value,
    root_name,
)
from harden.analysis.parse import (
    ParsedCell,
    ParsedNotebook,
    _code_lines,
    _inline_code,
    parse_cells,
)
from harden.analysis.positions import _LEAVES, _PendingLocation
from harden.analysis.scopes import MatchCaptures
from harden.analysis.walk import children
from harden.notebook.ipython import PythonSource
from harden.notebook.magics import (
    HELP_MAGICS,
    PYTHON_LINE_MAGICS,
    body_binds,
    bound_names,
    decode_magic,
    run_target,
)
from harden.notebook.model import Cell


@dataclass(frozen=True)
class Environment:
    """What earlier cells tell this one: imported names and instance types."""

    imports: Mapping[str, str] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)
    #: The files beside the notebook (wildcard imports, ``%run``), when its folder is known.
    files: SiblingFiles | None = None


def analyze_cell(cell: Cell, env: Environment = Environment()) -> CellAnalysis:
    """Analyse one code cell on its own (the notebook path is :func:`collect`)."""
    parsed = parse_cells([cell])
    return collect(parsed.cells[0], parsed, env)


def collect(
    parsed: ParsedCell, notebook: ParsedNotebook, env: Environment = Environment()
) -> CellAnalysis:
    """The facts of one parsed cell, given what earlier cells imported."""
    cell, python = parsed.cell, parsed.python
    if parsed.problem is not None:
        return CellAnalysis(cell=cell, python=python, syntax_error=parsed.problem)
    module = cst.Module(body=parsed.statements)
    collector = _Collector(parsed, python, env, notebook, module)
    try:
        for statement in parsed.statements:
            collector.walk(statement)
    except RecursionError:
        # CPython accepts it, but it is nested too deeply for libcst's recursive walk.
        problem = SyntaxProblem("code nested too deeply to analyse", Location(cell.index, 1))
        return CellAnalysis(cell, python, problem)
    magics = list(collector.magics)
    if python.cell_magic is not None:
        magic = python.cell_magic
        # A cell magic whose body is not Python is also a ``run_cell_magic``
        # call the collector recorded: keep one record, at the ``%%`` line.
        magics = [m for m in magics if not (m.kind == "cell" and m.name == magic.name)]
        line = len(cell.source) - len(cell.source.lstrip("\n")) + 1
        magics.insert(0, MagicUse("cell", magic.name, magic.line, Location(cell.index, line, 1)))
        # ``%%capture out`` binds ``out`` once its body has run.
        for bound in bound_names("cell", magic.name, magic.line):
            collector.unbinds.discard(bound)
            collector.bindings.append(
                Binding(bound, Location(cell.index, line, 1), "other", order=collector._tick())
            )
    if python.cell_magic is not None and not body_binds(python.cell_magic.name):
        # ``%%timeit``: the body runs in a function of its own, only to be timed; it
        # reads the notebook's names and nothing else it does reaches the notebook.
        return CellAnalysis(
            cell=cell,
            python=python,
            reads=tuple(collector.reads),
            strings=tuple(collector.strings),
            magics=tuple(magics),
            code_lines=_code_lines(python, collector.string_lines),
            module=module,
            locator=parsed.location,
            local_reads=frozenset(collector.local_reads),
            expanded_reads=frozenset(collector.expanded_reads),
        )
    return CellAnalysis(
        cell=cell,
        python=python,
        bindings=tuple(collector.bindings),
        reads=tuple(collector.reads),
        mutations=tuple(collector.mutations),
        deletes=frozenset(collector.deletes),
        unbinds=frozenset(collector.unbinds),
        handler_names=frozenset(collector.handler_names),
        imports=tuple(collector.imports),
        calls=tuple(collector.calls),
        strings=tuple(collector.strings),
        definitions=tuple(collector.definitions),
        magics=tuple(magics),
        code_lines=_code_lines(python, collector.string_lines),
        module=module,
        locator=parsed.location,
        local_reads=frozenset(collector.local_reads),
        expanded_reads=frozenset(collector.expanded_reads),
        opaque=tuple(collector.opaque),
        provides=frozenset(collector.provided),
        typed=tuple(sorted(collector.typed.items())),
    )


class _Collector(MatchCaptures):
    def __init__(
        self,
        parsed: ParsedCell,
        python: PythonSource,
        env: Environment,
        notebook: ParsedNotebook,
        module: cst.Module,
    ) -> None:
        super().__init__()
        self.cell_index = parsed.cell.index
        self._cell = parsed
        self.python = python
        self.imports_env = dict(env.imports)
        self.types_env = dict(env.types)
        self.files = env.files
        self.opaque: list[str] = []
        self.provided: set[str] = set()
        #: Names this cell binds to a value of a known type (a builtin container).
        self.typed: dict[str, str] = {}
        self.bound: set[str] = set()
        self.bindings: list[Binding] = []
        self.reads: list[NameRead] = []
        self._read_keys: set[tuple[str, bool]] = set()
        self.local_reads: set[str] = set()
        self.expanded_reads: set[str] = set()
        self.mutations: list[Mutation] = []
        self.deletes: set[str] = set()
        self.unbinds: set[str] = set()
        self.handler_names: set[str] = set()
        self.imports: list[ImportBinding] = []
        self.calls: list[CallSite] = []
        self.strings: list[StringLiteral] = []
        self.definitions: list[Definition] = []
        self.magics: list[MagicUse] = []
        self._access = notebook.scopes.access
        self._parsed = notebook
        #: Lines inside multi-line strings that look blank or like comments.
        self.string_lines = 0
        self._nested = 0  # depth inside def/class/lambda/comprehension bodies
        self._functions: list[str] = []  # enclosing top-level function names
        self._function_reads: dict[str, set[str]] = {}
        self._function_globals: dict[str, set[str]] = {}
        self._assigned: dict[cst.Call, tuple[str, ...]] = {}
        self._conditional = 0
        self._override: Location | None = None
        self.module: cst.Module | None = module
        self._tick = itertools.count().__next__  # evaluation order of facts

    # -- set-up -------------------------------------------------------------

    def loc(self, node: cst.CSTNode) -> Location:
        if self._override is not None:
            return self._override
        return _PendingLocation(self.cell_index, where=(self._cell, node))

    def _source(self, node: cst.CSTNode) -> str:
        """The node's code (names and literals as written, without generating code)."""
        if isinstance(node, _LEAVES) and not node.lpar:
            return node.value
        return _code(self.module, node)

    def _literal(self, node: cst.BaseExpression) -> tuple[bool, Any]:
        if self.module is None:
            return False, None
        if not isinstance(node, _LITERAL_NODES):
            return False, None  # the common case, before any code is generated
        return literal_value(node, self.module, self._source(node))

    @property
    def at_top(self) -> bool:
        return self._nested == 0

    # -- names --------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> bool:
        if not self._access.get(node, False):
            return False
        name = node.value
        if self._functions:
            self._function_reads.setdefault(self._functions[0], set()).add(name)
            self._add_read(name, node, deferred=True)
        elif name not in self.bound:
            self._add_read(name, node, deferred=False)
        else:
            self.local_reads.add(name)
        return False

    def _add_read(self, name: str, node: cst.CSTNode, deferred: bool) -> None:
        if (name, deferred) in self._read_keys:
            return
        self._read_keys.add((name, deferred))
        function = self._functions[0] if self._functions else None
        self.reads.append(NameRead(name, self.loc(node), deferred, function))

    def _bind(self, name: str, node: cst.CSTNode, kind: Any, **extra: Any) -> None:
        if not self.at_top:
            return
        self.typed.pop(name, None)
        if self.types_env.get(name, "").startswith("builtins."):
            self.types_env.pop(name, None)
        self.bound.add(name)
        self.deletes.discard(name)
        self.unbinds.discard(name)
        self.handler_names.discard(name)
        self.bindings.append(Binding(name, self.loc(node), kind, order=self._tick(), **extra))

    def _names_in(self, node: cst.CSTNode | None) -> frozenset[str]:
        """Notebook-level names read inside ``node`` (from the scope pass, no walk)."""
        return self._parsed.scopes.global_names_in(node)

    def _bind_target(
        self,
        target: cst.BaseExpression,
        stmt: cst.CSTNode,
        kind: Any,
        value: cst.BaseExpression | None,
        sources: frozenset[str],
    ) -> None:
        if isinstance(target, cst.Name):
            is_literal, literal = (False, None)
            if value is not None and self.module is not None:
                is_literal, literal = self._literal(value)
            self._bind(
                target.value,
                target,
                kind,
                from_self=target.value in sources,
                literal=literal,
                is_literal=is_literal,
                sources=sources,
                statement=stmt,
            )
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, stmt, kind, None, sources)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, stmt, kind, None, sources)
        elif isinstance(target, (cst.Subscript, cst.Attribute)):
            self.walk(target)
            base = root_name(target)
            if base is not None and self.at_top and self._access.get(base, True):
                kind_name: MutationKind = (
                    "subscript" if isinstance(target, cst.Subscript) else "attribute"
                )
                self_ref = (
                    value is not None
                    and base.value in self._names_in(value)
                    and _contains_equal(value, target)
                )
                self.mutations.append(
                    Mutation(
                        base.value,
                        kind_name,
                        self.loc(target),
                        detail=self._source(target),
                        self_referential=self_ref,
                        statement=stmt,
                        order=self._tick(),
                    )
                )

    # -- statements in evaluation order ----------------------------------
    def visit_Assign(self, node: cst.Assign) -> bool:
        targets = tuple(t.target for t in node.targets)
        if isinstance(node.value, cst.Call):
            self._assigned[node.value] = tuple(n for t in targets for n in _target_names(t))
        self.walk(node.value)
        sources = self._names_in(node.value)
        for target in targets:
            self._bind_target(target, node, "assign", node.value, sources)
        container = self._container(node.value)
        if container is not None and self.at_top:
            for target in targets:
                if isinstance(target, cst.Name):
                    self.types_env[target.value] = container
                    self.typed[target.value] = container
        return False

    def _container(self, value: cst.BaseExpression) -> str | None:
        """``builtins.set`` for ``set()`` / ``{1, 2}`` and the like, else ``None``."""
        literal = {cst.Set: "set", cst.Dict: "dict", cst.List: "list", cst.Tuple: "tuple"}
        for kind, name in literal.items():
            if isinstance(value, kind):
                return f"builtins.{name}"
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Name)
            and value.func.value in BUILTIN_CONSTRUCTORS
            and value.func.value not in self.imports_env
            and value.func.value not in self.bound
        ):
            return f"builtins.{value.func.value}"
        return None

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        self.walk(node.annotation)
        if node.value is not None:
            self.walk(node.value)
            sources = self._names_in(node.value)
            self._bind_target(node.target, node, "assign", node.value, sources)
        return False

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        self.walk(node.target)
        self.walk(node.value)
        sources = self._names_in(node.value) | self._names_in(node.target)
        if isinstance(node.target, cst.Name):
            name = node.target.value
            if self.at_top:
                # ``x += 1`` reads ``x`` first (libcst records only the store).
                sources = sources | {name}
                if name not in self.bound:
                    self._add_read(name, node.target, deferred=False)
                else:
                    self.local_reads.add(name)
            elif self._functions and name in self._function_globals.get(self._functions[0], ()):
                # ``global x; x += 1`` in a function reads the notebook's ``x``.
                self._function_reads.setdefault(self._functions[0], set()).add(name)
                self._add_read(name, node.target, deferred=True)
            self._bind(
                name, node.target, "augmented", from_self=True, sources=sources, statement=node
            )
        else:
            base = root_name(node.target)
            if base is not None and self.at_top:
                self.mutations.append(
                    Mutation(
                        base.value,
                        "augmented",
                        self.loc(node.target),
                        detail=self._source(node.target),
                        self_referential=True,
                        statement=node,
                        order=self._tick(),
                    )
                )
        return False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
        self.walk(node.value)
        if isinstance(node.target, cst.Name) and self._nested <= 1:
            nested, self._nested = self._nested, 0
            self._bind(
                node.target.value,
                node.target,
                "walrus",
                sources=self._names_in(node.value),
                statement=node,
            )
            self._nested = nested
        return False

    def visit_For(self, node: cst.For) -> bool:
        self.walk(node.iter)
        self._bind_target(node.target, node, "for", None, self._names_in(node.iter))
        self._conditional += 1
        self.walk(node.body)
        if node.orelse is not None:
            self.walk(node.orelse)
        self._conditional -= 1
        return False

    def visit_With(self, node: cst.With) -> bool:
        for item in node.items:
            self.walk(item.item)
            if item.asname is not None:
                self._bind_target(item.asname.name, node, "with", None, self._names_in(item.item))
        self.walk(node.body)
        return False

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        if node.type is not None:
            self.walk(node.type)
        name = node.name.name.value if node.name and isinstance(node.name.name, cst.Name) else None
        unbound_before = name is not None and self.at_top and name not in self.bound
        first = len(self.bindings)
        if name is not None and node.name is not None:
            self._bind(name, node.name.name, "except", statement=node)
        self.walk(node.body)
        if name is not None and unbound_before:
            # Python deletes ``name`` when the handler ends: whether or not the handler
            # ran, nothing after it sees a value it bound.
            self.bound.discard(name)
            self.bindings[first:] = [b for b in self.bindings[first:] if b.name != name]
            self.handler_names.add(name)
        return False

    def visit_If(self, node: cst.If) -> bool:
        self._conditional += 1
        return True

    def leave_If(self, original_node: cst.If) -> None:
        self._conditional -= 1

    def visit_Try(self, node: cst.Try) -> bool:
        self._conditional += 1
        return True

    def leave_Try(self, original_node: cst.Try) -> None:
        self._conditional -= 1

    def visit_Del(self, node: cst.Del) -> bool:
        for element in _del_targets(node.target):
            if isinstance(element, cst.Name):
                if self.at_top:
                    self.bound.discard(element.value)
                    self.deletes.add(element.value)
                    if not self._conditional:
                        self.unbinds.add(element.value)
            else:
                self.walk(element)
                base = root_name(element)
                if base is not None and self.at_top:
                    self.mutations.append(
                        Mutation(
                            base.value,
                            "delete",
                            self.loc(element),
                            detail=self._source(element),
                            self_referential=True,
                            order=self._tick(),
                        )
                    )
        return False

    def visit_Global(self, node: cst.Global) -> bool:
        if self._functions:
            names = {item.name.value for item in node.names}
            self._function_globals.setdefault(self._functions[0], set()).update(names)
            for name in names:
                if name not in self.bound:
                    self.bound.add(name)
                    self.bindings.append(
                        Binding(name, self.loc(node), "global", statement=node, order=self._tick())
                    )
        return False

    def _capture(self, name: cst.Name, pattern: cst.CSTNode) -> None:
        self._bind(name.value, name, "other", statement=pattern)

    # -- imports ------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            full = self._source(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound, target = alias.asname.name.value, full
            else:
                bound = target = full.split(".")[0]
            self._import(bound, target, full, alias, node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = "." * len(node.relative) + (self._source(node.module) if node.module else "")
        if isinstance(node.names, cst.ImportStar):
            if self.at_top:
                provided = self.files.star(module) if self.files is not None else UNKNOWN
                self.imports.append(
                    ImportBinding(
                        "*",
                        f"{module}.*",
                        module,
                        self.loc(node),
                        is_star=True,
                        conditional=self._conditional > 0,
                        statement=node,
                        star_names=provided.names if provided.complete else None,
                        star_imports=tuple(sorted(provided.imports.items())),
                    )
                )
                self._bind_provided(provided, node, f"`from {module} import *`")
            return False
        for alias in node.names:
            name = self._source(alias.name)
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            target = f"{module}{name}" if module.endswith(".") else f"{module}.{name}"
            self._import(bound, target if module else name, module, alias, node)
        return False

    def _bind_provided(self, provided: ModuleNames, node: cst.CSTNode, what: str) -> None:
        """Bind the names a wildcard import or ``%run`` provides; note it when they are unknown."""
        for name in sorted(provided.names):
            target = provided.imports.get(name)
            if target is not None:
                self.imports_env[name] = target
            else:
                self.imports_env.pop(name, None)
            self.types_env.pop(name, None)
            # Provided, not bound by a statement of the notebook: later reads in the cell
            # are satisfied, and the graph counts the cell as defining the name.
            self.bound.add(name)
            self.deletes.discard(name)
            self.unbinds.discard(name)
            self.provided.add(name)
        if not provided.complete:
            self.opaque.append(what)

    def _import(
        self, bound: str, target: str, module: str, alias: cst.CSTNode, stmt: cst.CSTNode
    ) -> None:
        if not self.at_top:
            return
        self.imports.append(
            ImportBinding(
                bound,
                target,
                module,
                self.loc(alias),
                conditional=self._conditional > 0,
                statement=stmt,
            )
        )
        self.imports_env[bound] = target
        self.types_env.pop(bound, None)
        self._bind(bound, alias, "import", statement=stmt)

    # -- definitions --------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            self.walk(decorator)
        self.walk_defaults(node.params)
        if node.returns is not None:
            self.walk(node.returns)
        self._body(node, "function")
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            self.walk(decorator)
        for arg in (*node.bases, *node.keywords):
            self.walk(arg)
        self._body(node, "class")
        return False

    def _body(self, node: cst.FunctionDef | cst.ClassDef, kind: str) -> None:
        """Walk a def/class body as a nested scope, then bind its name."""
        top = self.at_top
        if top:
            self._functions.append(node.name.value)
        self._nested += 1
        self.walk(node.body)
        self._nested -= 1
        if top:
            self._functions.pop()
            self._define(node, node.name.value, kind)

    def _define(self, node: cst.CSTNode, name: str, kind: Any) -> None:
        reads = frozenset(self._function_reads.pop(name, set()))
        writes = frozenset(self._function_globals.pop(name, set()))
        self.definitions.append(
            Definition(name, kind, self.loc(node), reads - writes, writes, node=node)
        )
        self._bind(name, node, "def" if kind == "function" else "class", statement=node)
        self.types_env.pop(name, None)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.walk_defaults(node.params)
        self._nested += 1
        self.walk(node.body)
        self._nested -= 1
        return False

    def _visit_comprehension(self, node: cst.CSTNode) -> bool:
        self._nested += 1
        for child in children(node):
            self.walk(child)
        self._nested -= 1
        return False

    visit_ListComp = _visit_comprehension
    visit_SetComp = _visit_comprehension
    visit_DictComp = _visit_comprehension
    visit_GeneratorExp = _visit_comprehension

    # -- calls, strings, magics ---------------------------------------------
    def visit_Call(self, node: cst.Call) -> bool:
        if self._magic(node):
            return False
        dotted = dotted_name(node.func)
        qualified = receiver_type = receiver = None
        if dotted is not None:
            head, _, rest = dotted.partition(".")
            if head in self.imports_env:
                qualified = self.imports_env[head] + (f".{rest}" if rest else "")
            elif head in self.types_env and rest:
                receiver_type = self.types_env[head]
        if isinstance(node.func, cst.Attribute):
            receiver = dotted_name(node.func.value)
            inner = node.func.value
            if isinstance(inner, cst.Call):
                inner_dotted = dotted_name(inner.func)
                if inner_dotted and inner_dotted.split(".")[0] in self.imports_env:
                    head, _, rest = inner_dotted.partition(".")
                    receiver_type = self.imports_env[head] + (f".{rest}" if rest else "")
        args = tuple(self._argument(arg) for arg in node.args)
        assigned = self._assigned.get(node, ())
        call = CallSite(
            dotted,
            self.loc(node),
            args,
            qualified,
            receiver,
            receiver_type,
            assigned,
            self._functions[0] if self._functions else None,
            node=node,
            order=self._tick(),
        )
        self.calls.append(call)
        if self.at_top and qualified and len(assigned) == 1:
            self.types_env[assigned[0]] = qualified  # bound (and typed again) when assigned
        self._record_method_mutation(node, call)
        return True

    def _argument(self, arg: cst.Arg) -> Argument:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if arg.star:
            keyword = arg.star
        is_literal, literal = self._literal(arg.value)
        return Argument(keyword, self._names_in(arg.value), literal, is_literal, arg.value)

    def _record_method_mutation(self, node: cst.Call, call: CallSite) -> None:
        if not self.at_top or not isinstance(node.func, cst.Attribute):
            return
        base = root_name(node.func.value, self.imports_env)
        if base is None or not self._access.get(base, False):
            return
        method = node.func.attr.value
        inplace = call.keyword("inplace")
        receiver_type = self.types_env.get(base.value) if node.func.value is base else None
        effect = method_effect(receiver_type, method)
        if inplace is not None and inplace.literal is True:
            drop = call.keyword("drop")
            idempotent = method in IDEMPOTENT_METHODS or (
                method == "reset_index" and drop is not None and drop.literal is True
            )
            self.mutations.append(
                Mutation(
                    base.value,
                    "inplace",
                    self.loc(node),
                    method,
                    not idempotent,
                    order=self._tick(),
                )
            )
        elif method in MUTATING_METHODS and effect != "pure":
            self.mutations.append(
                Mutation(
                    base.value,
                    "method",
                    self.loc(node),
                    method,
                    method in ACCUMULATING_METHODS and effect != "idempotent",
                    order=self._tick(),
                )
            )

    def _magic(self, node: cst.Call) -> bool:
        magic = decode_magic(node)
        if magic is None:
            return False
        kind, texts = magic
        location = self.loc(node)
        if kind in {"shell", "shell-assign"}:
            command = texts[0].strip()
            name = command.split()[0] if command.split() else ""
            self.magics.append(MagicUse(kind, name, command, location))
            self.expanded_reads |= _expanded_names(command)
            return True
        name, args = texts[0], texts[1] if len(texts) > 1 else ""
        if name in HELP_MAGICS:
            kind = "help"
        elif kind == "line" and name not in PYTHON_LINE_MAGICS:
            self.expanded_reads |= _expanded_names(args)
        self.magics.append(MagicUse(kind, name, args, location))
        code = _inline_code(node)
        if code is not None:
            self._inline_python(code, location, node, binds=body_binds(name))
        for bound in bound_names(kind, name, args):
            self._bind(bound, node, "other")
        if kind == "line" and name == "run" and self.at_top:
            script = run_target(args)
            provided = UNKNOWN
            if script is not None and self.files is not None:
                provided = self.files.script(script)
            self._bind_provided(provided, node, f"`%run {args.strip()}`")
        return True

    def _inline_python(self, code: str, location: Location, node: cst.Call, *, binds: bool) -> None:
        """Names used in ``%time stmt`` and friends are reads; unless the magic only times
        its body (``%timeit``, see :func:`harden.notebook.magics.body_binds`), the statement
        also binds, calls and imports as if written in the cell.

        Inside a function body the statement's names belong to the function,
        whose scope is not known here: they are left out rather than guessed.
        """
        if not self.at_top:
            return
        env = Environment(self.imports_env, self.types_env)
        parsed = self._parsed.inline.get(node)
        if parsed is not None:
            inner = collect(parsed[0], parsed[1], env)
        else:
            inner = analyze_cell(Cell(index=self.cell_index, cell_type="code", source=code), env)
        if inner.syntax_error is not None:
            return
        for read in inner.reads:
            if read.name not in self.bound:
                if (read.name, read.deferred) not in self._read_keys:
                    self._read_keys.add((read.name, read.deferred))
                    self.reads.append(
                        NameRead(read.name, location, read.deferred, read.in_function)
                    )
            elif not read.deferred:
                self.local_reads.add(read.name)
        self.local_reads |= inner.local_reads
        self.expanded_reads |= inner.expanded_reads
        if not binds:
            return
        self.calls.extend(
            CallSite(
                c.dotted,
                location,
                c.args,
                c.qualified_name,
                c.receiver,
                c.receiver_type,
                c.assigned_to,
                c.in_function,
                node=c.node,
                order=self._tick(),
            )
            for c in inner.calls
        )
        for binding in inner.bindings:
            self.bound.add(binding.name)
            self.bindings.append(
                Binding(
                    binding.name,
                    location,
                    binding.kind,
                    order=self._tick(),
                    from_self=binding.from_self,
                    sources=binding.sources,
                )
            )
        self.imports.extend(
            ImportBinding(i.name, i.target, i.module, location, i.is_star, i.conditional)
            for i in inner.imports
        )

    def _string_lines(self, code: str) -> None:
        """Count the lines inside a multi-line string that look like no code."""
        for line in code.split("\n")[1:-1]:
            text = line.strip()
            if not text or text.startswith("#"):
                self.string_lines += 1

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        if "\n" in node.value:
            self._string_lines(node.value)
        value = node.evaluated_value
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        self.strings.append(StringLiteral(value, self.loc(node)))
        return False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        if len(node.start.lstrip("bBrRfFuU")) == 3:  # triple-quoted: may span lines
            self._string_lines(self._source(node))
        after_expression = False
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                self.strings.append(StringLiteral(part.value, self.loc(part), after_expression))
            else:
                after_expression = True
                self.walk(part)
        return False

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> bool:
        self.strings.append(StringLiteral(node.value, self.loc(node)))
        return False
