"""Shared facts for the ML-correctness rules (H401, H402): which calls fit a
transformer, which calls split data into train and test, and how names flow
from one to the other along assignments, in the order a top-to-bottom run
executes them.

Lineage follows ``Binding.sources``: a name bound from a value that reads a
tracked name is tracked too; a name rebound from untracked values is dropped.
Mutations (``df["a"] = ...``) only carry lineage on the statement of a fit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from harden.analysis import Analysis, Binding, CallSite, CellAnalysis
from harden.analysis.library import CV_FUNCTIONS as _CV_FUNCTIONS
from harden.analysis.library import (
    FIT_TRANSFORM_FUNCTIONS,
    POSITION_INDEXERS,
    POSITION_METHODS,
    STATELESS,
    TRANSFORMER_MODULES,
    TRANSFORMERS,
)
from harden.analysis.library import SEARCH_CV as _SEARCH_CV
from harden.analysis.library import SPLIT_FUNCTIONS as _SPLIT_FUNCTIONS
from harden.analysis.walk import children

_TEST_WORDS = frozenset({"test", "tst", "te", "val", "valid", "validation", "holdout"})


def method_of(call: CallSite) -> str | None:
    """The method a call invokes, also on chained receivers (``T().fit(X)``)."""
    if call.method:
        return call.method
    func = getattr(call.node, "func", None)
    return func.attr.value if isinstance(func, cst.Attribute) else None


def short(qualified: str | None) -> str:
    return (qualified or "").rsplit(".", 1)[-1]


def is_transformer(qualified: str | None) -> bool:
    if not qualified or qualified in STATELESS:
        return False
    if qualified in TRANSFORMERS:
        return True
    return qualified.startswith(TRANSFORMER_MODULES) and short(qualified)[:1].isupper()


def root(dotted: str | None) -> str | None:
    return dotted.split(".")[0] if dotted else None


def looks_like_test(name: str) -> bool:
    """``X_test``, ``test_df``, ``Xtest``, ``X_te``, ``X_val``: a name for held-out rows."""
    words = [w for w in re.split(r"[_\d]+", name.lower()) if w]
    return any(w in _TEST_WORDS or w.startswith("test") or w.endswith("test") for w in words)


def data_names(
    call: CallSite, positions: Sequence[int] = (0,), keywords: Iterable[str] = ("X",)
) -> frozenset[str]:
    """Names read by the data arguments of a call."""
    names: set[str] = set()
    for position in positions:
        arg = call.positional(position)
        if arg is not None:
            names |= arg.names
    for keyword in keywords:
        arg = call.keyword(keyword)
        if arg is not None:
            names |= arg.names
    return frozenset(names)


@dataclass(frozen=True)
class Split:
    """A call that splits data: ``kind`` is ``split`` (train/test, folds) or ``cv``
    (a cross-validation helper that splits internally)."""

    call: CallSite
    kind: str
    data: frozenset[str]
    label: str


def as_split(call: CallSite) -> Split | None:
    qualified = call.qualified_name
    if qualified in _SPLIT_FUNCTIONS:
        positional = frozenset(n for a in call.args if a.keyword is None for n in a.names)
        return Split(call, "split", positional, short(qualified))
    if qualified in _CV_FUNCTIONS:
        return Split(call, "cv", data_names(call, (1,)), short(qualified))
    receiver = call.receiver_type or ""
    method = method_of(call)
    if receiver.startswith("sklearn.model_selection."):
        label = f"{short(receiver)}.{method}"
        if method == "split":
            return Split(call, "split", data_names(call), label)
        if method == "fit" and short(receiver).endswith(_SEARCH_CV):
            return Split(call, "cv", data_names(call), label)
    return None


@dataclass(frozen=True)
class Event:
    """A binding or a top-level call, in execution order."""

    cell: CellAnalysis
    binding: Binding | None = None
    call: CallSite | None = None


def timeline(analysis: Analysis) -> list[Event]:
    """Top-level calls and bindings, ordered as a top-to-bottom run meets them
    (a statement's calls before the names it binds)."""
    keyed: list[tuple[tuple[int, int], Event]] = []
    for cell in analysis.cells:
        for binding in cell.bindings:
            keyed.append(((cell.index, binding.order), Event(cell, binding=binding)))
        for call in cell.calls:
            if call.in_function is None:
                keyed.append(((cell.index, call.order), Event(cell, call=call)))
    keyed.sort(key=lambda item: item[0])
    return [event for _, event in keyed]


@dataclass
class Lineage:
    """Names derived from a set of seeds; ``pending`` names are tracked when next bound."""

    names: set[str] = field(default_factory=set)
    pending: set[str] = field(default_factory=set)

    def bind(self, binding: Binding) -> None:
        if binding.name in self.pending:
            self.pending.discard(binding.name)
            self.names.add(binding.name)
        elif binding.sources & self.names:
            self.names.add(binding.name)
        else:
            self.names.discard(binding.name)

    def hits(self, names: Iterable[str]) -> list[str]:
        return sorted(set(names) & self.names)


@dataclass(frozen=True)
class Placement:
    """Where a call's result goes: the names the enclosing assignment binds,
    the roots it mutates (``df`` of ``df[c] = ...``), and the enclosing nodes."""

    names: frozenset[str]
    roots: frozenset[str]
    ancestors: tuple[cst.CSTNode, ...] = ()


def placement(cell: CellAnalysis, call: CallSite) -> Placement:
    if cell.module is None or call.node is None:
        return Placement(frozenset(call.assigned_to), frozenset())
    names: set[str] = set(call.assigned_to)
    roots: set[str] = set()
    path = _path_to(cell.module, call.node, []) or []
    for node in reversed(path):
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            targets = [node.target]
        else:
            continue
        for target in targets:
            _collect_target(target, names, roots)
        break
    return Placement(frozenset(names), frozenset(roots), tuple(path))


def inside_data_argument(call: cst.CSTNode, place: Placement) -> bool:
    """True when ``place`` lies in a positional (or ``X=``) argument of ``call``."""
    path = place.ancestors
    for position, node in enumerate(path[:-1]):
        if node is call:
            arg = path[position + 1]
            return (
                isinstance(arg, cst.Arg)
                and (arg.keyword is None or arg.keyword.value == "X")
                and not arg.star
            )
    return False


def split_outputs(cell: CellAnalysis, call: CallSite) -> list[tuple[str, ...]]:
    """The outputs of a split in order: for ``train_test_split`` the unpacked names
    (odd positions are test parts), for ``kf.split`` the loop or ``next`` targets."""
    if call.assigned_to and len(call.assigned_to) > 1:
        return [(name,) for name in call.assigned_to]
    for binding in cell.bindings:
        statement = binding.statement
        if isinstance(statement, cst.For) and _yields(statement.iter, call.node):
            target: cst.BaseExpression = statement.target
            if isinstance(statement.iter, cst.Call) and statement.iter is not call.node:
                target = _element(target, 1)  # enumerate(kf.split(X))
            return _parts(target)
        if isinstance(statement, cst.Assign) and _yields(statement.value, call.node):
            return _parts(statement.targets[0].target)
    return []


def _yields(node: cst.CSTNode, call: object) -> bool:
    if node is call:
        return True
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in {"enumerate", "next"}
        and bool(node.args)
        and node.args[0].value is call
    )


def _element(target: cst.BaseExpression, index: int) -> cst.BaseExpression:
    if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) > index:
        return target.elements[index].value
    return target


def _parts(target: cst.BaseExpression) -> list[tuple[str, ...]]:
    if not isinstance(target, (cst.Tuple, cst.List)):
        return []
    out: list[tuple[str, ...]] = []
    for element in target.elements:
        names: set[str] = set()
        _collect_target(element.value, names, set())
        out.append(tuple(sorted(names)))
    return out


def _collect_target(target: cst.BaseExpression, names: set[str], roots: set[str]) -> None:
    if isinstance(target, cst.Name):
        names.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _collect_target(element.value, names, roots)
    elif isinstance(target, cst.StarredElement):
        _collect_target(target.value, names, roots)
    elif isinstance(target, (cst.Subscript, cst.Attribute)):
        node: cst.BaseExpression = target
        while isinstance(node, (cst.Subscript, cst.Attribute)):
            node = node.value
        if isinstance(node, cst.Name):
            roots.add(node.value)


def _path_to(
    node: cst.CSTNode, target: cst.CSTNode, stack: list[cst.CSTNode]
) -> list[cst.CSTNode] | None:
    """The chain of nodes from ``node`` down to ``target`` (not into functions,
    classes or lambdas), or ``None`` when ``target`` is not below ``node``."""
    if node is target:
        return list(stack)
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return None
    stack.append(node)
    for child in children(node):
        found = _path_to(child, target, stack)
        if found is not None:
            return found
    stack.pop()
    return None


def all_outputs(cell: CellAnalysis, call: CallSite) -> set[str]:
    """Every name a split's result is bound to (train and test parts)."""
    if call.assigned_to:
        return set(call.assigned_to)
    return {name for part in split_outputs(cell, call) for name in part}


def split_derived(events: Sequence[Event]) -> list[frozenset[str]]:
    """For each event, the names derived from any earlier split's outputs."""
    lineage = Lineage()
    out: list[frozenset[str]] = []
    for event in events:
        out.append(frozenset(lineage.names))
        if event.binding is not None:
            lineage.bind(event.binding)
        elif event.call is not None and as_split(event.call) is not None:
            lineage.pending |= all_outputs(event.cell, event.call)
    return out


def transformer_fit(call: CallSite) -> str | None:
    """How to name the transformer ``call`` fits, or ``None`` if it fits none."""
    if call.qualified_name in FIT_TRANSFORM_FUNCTIONS:
        return f"`{short(call.qualified_name)}()`"
    method = method_of(call)
    if method in {"fit", "fit_transform"} and is_transformer(call.receiver_type):
        kind = short(call.receiver_type)
        return f"`{call.receiver}` ({kind})" if call.receiver else f"a {kind}"
    if method == "fit_resample" and (call.receiver_type or "").startswith("imblearn."):
        return f"the resampler {short(call.receiver_type)}"
    return None


def position_part(binding: Binding) -> tuple[str, str] | None:
    """``(base, "head" | "tail")`` when ``binding`` takes the first or last rows of a name
    (``X[:n]``, ``X[n:]``, ``X.iloc[:n]``, ``X.head(n)``, ``X.tail(m)``), else ``None``."""
    value = _bound_value(binding)
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        side = POSITION_METHODS.get(value.func.attr.value)
        base = _root_name(value.func.value)
        return (base, side) if side is not None and base is not None else None
    if not isinstance(value, cst.Subscript) or len(value.slice) != 1:
        return None
    index = value.slice[0].slice
    if isinstance(index, cst.Slice) and index.step is None:
        side = (
            "head"
            if index.lower is None and index.upper is not None
            else "tail"
            if index.upper is None and index.lower is not None
            else None
        )
        target = value.value
        if isinstance(target, cst.Attribute):
            if target.attr.value not in POSITION_INDEXERS:
                return None
            target = target.value
        base = _root_name(target)
        return (base, side) if side is not None and base is not None else None
    return None


def _bound_value(binding: Binding) -> cst.BaseExpression | None:
    statement = binding.statement
    if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
        return None
    target, value = statement.targets[0].target, statement.value
    if isinstance(target, cst.Name):
        return value if target.value == binding.name else None
    if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
        for element, item in zip(target.elements, value.elements, strict=False):
            if isinstance(element.value, cst.Name) and element.value.value == binding.name:
                return item.value
    return None


def _root_name(node: cst.BaseExpression) -> str | None:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


@dataclass
class SplitParts:
    """Names derived from the training parts and from the test parts of splits, and
    the names that join both (``np.vstack([X_train, X_test])``)."""

    train: set[str] = field(default_factory=set)
    test: set[str] = field(default_factory=set)
    mixed: set[str] = field(default_factory=set)
    pending: dict[str, str] = field(default_factory=dict)

    def split(self, cell: CellAnalysis, call: CallSite) -> None:
        for position, names in enumerate(split_outputs(cell, call)):
            for name in names:
                self.pending[name] = "train" if position % 2 == 0 else "test"

    def bind(self, binding: Binding) -> None:
        name, sources = binding.name, binding.sources
        for group in (self.train, self.test, self.mixed):
            group.discard(name)
        if name in self.pending:
            (self.train if self.pending.pop(name) == "train" else self.test).add(name)
            return
        train = bool(sources & (self.train | self.mixed))
        test = bool(sources & (self.test | self.mixed))
        if train and test:
            self.mixed.add(name)
        elif train:
            self.train.add(name)
        elif test:
            self.test.add(name)

    def joined(self, names: frozenset[str]) -> list[str]:
        """The names among ``names`` that join training and test rows."""
        if names & self.train and names & self.test:
            return sorted(names & (self.train | self.test))
        return sorted(names & self.mixed)
