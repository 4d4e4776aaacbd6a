"""Python's scope rules over a libcst tree: which name reads are notebook-level.

One walk records every scope (module, function, lambda, class,
comprehension), the names each binds and declares ``global``/``nonlocal``,
and every ``Name`` that is read, with its scope; reads are resolved when the
walk ends, because a function's locals are all its bindings, wherever they
sit in its body.  The rules are the language's: class bodies are invisible
to the scopes nested in them; the first iterable of a comprehension is
evaluated outside it; parameter defaults, annotations, decorators and base
classes belong to the enclosing scope; a walrus in a comprehension binds in
the enclosing function or module; ``del x`` and ``x: int`` make ``x`` local
to a function, which looks its locals up at compile time, while a class
body looks names up as it runs.

This replaces libcst's ``ScopeProvider`` for speed (see :mod:`.walk`); a
test checks the two agree on every read of the example notebooks and the
example notebooks, apart from where libcst departs from Python: ``import
a.b`` then ``a.b.c`` is a read of ``a``; ``match`` captures bind names; a
function reading a name before binding it reads its own local.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from harden.analysis.walk import Walker


@dataclass(eq=False)
class _Scope:
    kind: str  # "module", "function", "class" or "comprehension"
    parent: _Scope | None = None
    bound: set[str] = field(default_factory=set)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)

    def is_global(self, name: str) -> bool:
        """Whether ``name`` read in this scope refers to the module's binding."""
        scope: _Scope | None = self
        while scope is not None and scope.kind != "module":
            if name in scope.declared_global:
                return True
            if name in scope.declared_nonlocal or name in scope.bound:
                return False
            scope = scope.parent
            while scope is not None and scope.kind == "class":
                scope = scope.parent
        return True

    def function_or_module(self) -> _Scope:
        scope = self
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        return scope


@dataclass(frozen=True)
class Scopes:
    """The reads of one module.

    ``access`` maps every ``Name`` node that is read to whether it reads the
    module-level (notebook) binding: reads of a function's, class body's or
    comprehension's own names are ``False``.  :meth:`global_names_in` gives
    the notebook-level names read anywhere inside a node, without a walk.
    """

    access: Mapping[cst.Name, bool]
    _names: Sequence[str | None]
    _ranges: Mapping[cst.CSTNode, tuple[int, int]]
    #: Roots nested too deeply to walk (left out).
    too_deep: tuple[cst.CSTNode, ...] = ()

    def global_names_in(self, node: cst.CSTNode | None) -> frozenset[str]:
        span = self._ranges.get(node) if node is not None else None
        if span is None:
            return frozenset()
        return frozenset(name for name in self._names[span[0] : span[1]] if name is not None)


def _deleted(target: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [item for element in target.elements for item in _deleted(element.value)]
    return [target]


def resolve_scopes(roots: cst.CSTNode | Sequence[cst.CSTNode]) -> Scopes:
    """Resolve every read in ``roots``: modules (a notebook's cells, in order)
    or statements, all at the top level of one program."""
    walker = _ScopeWalker()
    for root in [roots] if isinstance(roots, cst.CSTNode) else roots:
        mark = len(walker.loads)
        try:
            walker.walk(root)
        except RecursionError:
            # Nested too deeply to walk: the caller reports that root; its
            # reads are dropped and the walk goes on at the top level.
            del walker.loads[mark:]
            walker.scope = walker.module_scope
            walker.too_deep.append(root)
    cache: dict[tuple[int, str], bool] = {}
    access: dict[cst.Name, bool] = {}
    names: list[str | None] = []
    for node, scope in walker.loads:
        is_global = False  # ``scope is None``: a class body's own name
        if scope is not None:
            key = (id(scope), node.value)
            known = cache.get(key)
            is_global = (
                known if known is not None else cache.setdefault(key, scope.is_global(node.value))
            )
        access[node] = is_global
        names.append(node.value if is_global else None)
    return Scopes(access, names, walker.ranges, tuple(walker.too_deep))


class MatchCaptures(Walker):
    """Walks ``match`` patterns: names a pattern captures go to ``_capture``
    (they bind), values it compares against are walked (they are reads)."""

    def _capture(self, name: cst.Name, pattern: cst.CSTNode) -> None:
        raise NotImplementedError

    def visit_MatchAs(self, node: cst.MatchAs) -> bool:
        if node.pattern is not None:
            self.walk(node.pattern)
        if node.name is not None:
            self._capture(node.name, node)
        return False

    def visit_MatchStar(self, node: cst.MatchStar) -> bool:
        if node.name is not None:
            self._capture(node.name, node)
        return False

    def visit_MatchMapping(self, node: cst.MatchMapping) -> bool:
        for element in node.elements:
            self.walk(element.key)
            self.walk(element.pattern)
        if node.rest is not None:
            self._capture(node.rest, node)
        return False

    def visit_MatchKeywordElement(self, node: cst.MatchKeywordElement) -> bool:
        self.walk(node.pattern)  # ``key=`` names an attribute, not a variable
        return False


class _ScopeWalker(MatchCaptures):
    def __init__(self) -> None:
        super().__init__()
        self.module_scope = self.scope = _Scope("module")
        self.too_deep: list[cst.CSTNode] = []
        #: Every read with its scope (``None``: a class body's own name).
        self.loads: list[tuple[cst.Name, _Scope | None]] = []
        self.ranges: dict[cst.CSTNode, tuple[int, int]] = {}

    def walk(self, node: cst.CSTNode) -> None:
        start = len(self.loads)
        super().walk(node)
        if len(self.loads) > start:
            self.ranges[node] = (start, len(self.loads))

    def _bind(self, name: str, scope: _Scope | None = None) -> None:
        (scope or self.scope).bound.add(name)

    def _enter(self, kind: str) -> _Scope:
        outer = self.scope
        self.scope = _Scope(kind, outer)
        return outer

    # -- reads ---------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> bool:
        scope = self.scope
        if scope.kind == "class":
            # A class body runs top to bottom and looks its names up as it
            # goes: a name it binds later still reads the enclosing one here.
            outer = scope.parent
            while outer is not None and outer.kind == "class":
                outer = outer.parent
            self.loads.append((node, None if node.value in scope.bound else outer))
        else:
            self.loads.append((node, scope))
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.walk(node.value)  # ``.attr`` is not a name in any scope
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        self.walk(node.value)  # ``keyword=`` is not a read
        return False

    # -- bindings --------------------------------------------------------------
    def _store(self, target: cst.CSTNode, scope: _Scope | None = None) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, scope)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._store(element.value, scope)
        elif isinstance(target, cst.StarredElement):
            self._store(target.value, scope)
        else:  # ``a.b = …`` / ``a[i] = …`` read ``a`` (and ``i``)
            self.walk(target)

    def visit_Assign(self, node: cst.Assign) -> bool:
        self.walk(node.value)
        for target in node.targets:
            self._store(target.target)
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        self.walk(node.annotation)
        if node.value is not None:
            self.walk(node.value)
        self._store(node.target)
        return False

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        self.walk(node.value)
        self._store(node.target)
        return False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
        self.walk(node.value)
        self._store(node.target, self.scope.function_or_module())
        return False

    def visit_For(self, node: cst.For) -> bool:
        self.walk(node.iter)
        self._store(node.target)
        self.walk(node.body)
        if node.orelse is not None:
            self.walk(node.orelse)
        return False

    def visit_WithItem(self, node: cst.WithItem) -> bool:
        self.walk(node.item)
        if node.asname is not None:
            self._store(node.asname.name)
        return False

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        if node.type is not None:
            self.walk(node.type)
        if node.name is not None:
            self._store(node.name.name)
        self.walk(node.body)
        return False

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> bool:
        self.walk(node.type)
        if node.name is not None:
            self._store(node.name.name)
        self.walk(node.body)
        return False

    def visit_Del(self, node: cst.Del) -> bool:
        # ``del x`` needs ``x`` (a read) and makes it local to a function.
        for target in _deleted(node.target):
            if isinstance(target, cst.Name):
                self.walk(target)
                self._bind(target.value)
            else:
                self.walk(target)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            if alias.asname is not None:
                self._store(alias.asname.name)
            else:
                head: cst.BaseExpression = alias.name
                while isinstance(head, cst.Attribute):
                    head = head.value
                self._store(head)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._store(alias.asname.name if alias.asname is not None else alias.name)
        return False

    def visit_Global(self, node: cst.Global) -> bool:
        self.scope.declared_global.update(item.name.value for item in node.names)
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        self.scope.declared_nonlocal.update(item.name.value for item in node.names)
        return False

    def _capture(self, name: cst.Name, pattern: cst.CSTNode) -> None:
        self._bind(name.value)

    # -- new scopes ----------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            self.walk(decorator)
        if node.type_parameters is not None:
            self.walk(node.type_parameters)
        names = [param.name.value for param in self.walk_defaults(node.params)]
        if node.returns is not None:
            self.walk(node.returns)
        self._bind(node.name.value)
        outer = self._enter("function")
        self.scope.bound.update(names)
        self.walk(node.body)
        self.scope = outer
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        names = [param.name.value for param in self.walk_defaults(node.params)]
        outer = self._enter("function")
        self.scope.bound.update(names)
        self.walk(node.body)
        self.scope = outer
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            self.walk(decorator)
        if node.type_parameters is not None:
            self.walk(node.type_parameters)
        for arg in (*node.bases, *node.keywords):
            self.walk(arg)
        self._bind(node.name.value)
        outer = self._enter("class")
        self.walk(node.body)
        self.scope = outer
        return False

    def _comprehension(
        self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp
    ) -> bool:
        self.walk(node.for_in.iter)  # evaluated in the enclosing scope
        first: cst.CompFor | None = node.for_in
        outer = self._enter("comprehension")
        while first is not None:
            self._store(first.target)
            if first is not node.for_in:
                self.walk(first.iter)
            for condition in first.ifs:
                self.walk(condition)
            first = first.inner_for_in
        if isinstance(node, cst.DictComp):
            self.walk(node.key)
            self.walk(node.value)
        else:
            self.walk(node.elt)
        self.scope = outer
        return False

    visit_ListComp = _comprehension
    visit_SetComp = _comprehension
    visit_GeneratorExp = _comprehension
    visit_DictComp = _comprehension

    # -- Python 3.12 type parameters and aliases ----------------------------
    def visit_TypeAlias(self, node: cst.TypeAlias) -> bool:
        self._bind(node.name.value)
        if node.type_parameters is not None:
            self.walk(node.type_parameters)
        self.walk(node.value)
        return False

    def visit_TypeVar(self, node: cst.TypeVar) -> bool:
        self._bind(node.name.value)
        if node.bound is not None:
            self.walk(node.bound)
        return False

    def visit_TypeVarTuple(self, node: cst.TypeVarTuple) -> bool:
        self._bind(node.name.value)
        return False

    def visit_ParamSpec(self, node: cst.ParamSpec) -> bool:
        self._bind(node.name.value)
        return False
