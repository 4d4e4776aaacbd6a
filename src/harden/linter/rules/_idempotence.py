"""Which self-referential assignments give the same result when run twice.

``df = df.dropna()``, ``df["d"] = pd.to_datetime(df["d"])`` and
``df = df[df["price"] > 0]`` are self-referential but idempotent: a second run
changes nothing. H004 stays quiet for them. Anything else computed from the
target's own value (arithmetic, ``drop``, ``merge``, an unknown function) is
treated as changing on a second run.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from harden.analysis.library import (
    ACCESSORS,
    IDEMPOTENT_FUNCTIONS,
    IDEMPOTENT_METHODS,
    PREDICATES,
)
from harden.analysis.walk import any_node


def assigned_value(statement: Any) -> cst.BaseExpression | None:
    """The value of a plain ``target = value`` statement, else ``None``."""
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
        return statement.value
    if isinstance(statement, cst.AnnAssign):
        return statement.value
    return None


def is_idempotent(statement: Any) -> bool:
    """True when the assignment ``statement`` gives the same result run twice."""
    value = assigned_value(statement)
    if value is None:
        return False
    target = statement.targets[0].target if isinstance(statement, cst.Assign) else statement.target
    return _transforms(value, target)


def _transforms(node: cst.BaseExpression, target: cst.BaseExpression) -> bool:
    receiver = False  # is ``node`` the receiver of a method call or subscript?
    while True:
        if node.deep_equals(target):
            return True
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and _idempotent_method(node, func.attr.value):
                # ``fillna(df.median())`` fills nothing on a second run; ``head(len(df) // 2)``
                # halves again: arguments reading the target break idempotence.
                if func.attr.value != "fillna" and any(
                    _mentions(arg.value, target) for arg in node.args
                ):
                    return False
                node, receiver = func.value, True
                continue
            name = (
                func.attr.value
                if isinstance(func, cst.Attribute)
                else (func.value if isinstance(func, cst.Name) else "")
            )
            if name in IDEMPOTENT_FUNCTIONS and node.args and node.args[0].keyword is None:
                if any(_mentions(arg.value, target) for arg in node.args[1:]):
                    return False
                node, receiver = node.args[0].value, False
                continue
            return False
        if receiver and isinstance(node, cst.Attribute) and node.attr.value in ACCESSORS:
            node = node.value
            continue
        if isinstance(node, cst.Subscript) and all(_is_mask(e.slice) for e in node.slice):
            node, receiver = node.value, True
            continue
        if (
            isinstance(node, cst.Subscript)
            and isinstance(node.value, cst.Attribute)
            and node.value.attr.value == "loc"
            and all(_is_mask(e.slice) or _is_labels(e.slice) for e in node.slice)
        ):
            # ``df.loc[:, 2:5]``, ``df.loc[titles]``: labels select the same labels again.
            node, receiver = node.value.value, True
            continue
        if isinstance(node, cst.ListComp):
            # ``df.columns = [c.strip().lower() for c in df.columns]``
            loop = node.for_in
            return (
                loop.inner_for_in is None
                and not loop.ifs
                and isinstance(loop.target, cst.Name)
                and loop.iter.deep_equals(target)
                and _transforms(node.elt, loop.target)
            )
        return False


def _idempotent_method(call: cst.Call, method: str) -> bool:
    if method == "reset_index":
        return any(
            a.keyword is not None
            and a.keyword.value == "drop"
            and isinstance(a.value, cst.Name)
            and a.value.value == "True"
            for a in call.args
        )
    return method in IDEMPOTENT_METHODS


def _is_labels(element: cst.BaseSlice) -> bool:
    """A slice by label, or a variable holding labels (or a mask), in ``.loc[...]``."""
    if isinstance(element, cst.Slice):
        return element.step is None
    return isinstance(element, cst.Index) and isinstance(element.value, cst.Name)


def _is_mask(element: cst.BaseSlice) -> bool:
    """A row filter or column selection: the same rows/columns on a second run."""
    if not isinstance(element, cst.Index):
        return False
    value = element.value
    if isinstance(value, (cst.Comparison, cst.BooleanOperation, cst.SimpleString)):
        return True
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.BitInvert):
        return True
    if isinstance(value, cst.BinaryOperation) and isinstance(
        value.operator, (cst.BitAnd, cst.BitOr)
    ):
        return True
    if isinstance(value, (cst.List, cst.Tuple)):
        return all(isinstance(e.value, cst.SimpleString) for e in value.elements)
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        return value.func.attr.value in PREDICATES
    return False


def _mentions(haystack: cst.CSTNode, needle: cst.CSTNode) -> bool:
    return any_node(haystack, lambda node: type(node) is type(needle) and node.deep_equals(needle))
