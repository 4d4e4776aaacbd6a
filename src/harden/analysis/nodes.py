"""Small helpers over libcst nodes: dotted names, literal values, names read by a subtree."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Container, Sequence
from typing import Any

import libcst as cst

from harden.analysis.walk import Walker, any_node


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else ``None``."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def root_name(node: cst.BaseExpression, imported: Container[str] | None = None) -> cst.Name | None:
    """The name at the root of ``a.b[1].c(...)``-style chains.

    With ``imported`` (the names imports bind), the variable a method call on
    ``node`` may change: through method calls (``model.set_params(...)`` may
    return ``model``), but ``None`` past the call of a plain or imported name
    (``make_model(3).fit(X, y)``, ``np.array(x).sort()``): that builds a new
    object, and the name is a function, not a variable it changes."""
    while True:
        if isinstance(node, cst.Name):
            return node
        if isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        elif isinstance(node, cst.Call):
            if imported is not None:
                if isinstance(node.func, cst.Name):
                    return None
                dotted = dotted_name(node.func)
                if dotted is not None and dotted.split(".")[0] in imported:
                    return None
            node = node.func
        else:
            return None


#: Node kinds a Python literal can be (``Name`` only for True/False/None).
_LITERAL_NODES = (
    cst.BaseString,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.Name,
    cst.UnaryOperation,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.Set,
)


def literal_value(
    node: cst.BaseExpression, module: cst.Module, code: str | None = None
) -> tuple[bool, Any]:
    """``(True, value)`` when ``node`` is a Python literal, else ``(False, None)``.

    ``code`` is the node's source when the caller already has it.
    """
    if isinstance(node, cst.Name) and node.value not in {"True", "False", "None"}:
        return False, None
    if not isinstance(node, _LITERAL_NODES):
        return False, None
    if isinstance(node, cst.FormattedString) or _has_fstring(node):
        return False, None
    try:
        text = code if code is not None else module.code_for_node(node)
        return True, ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def _has_fstring(node: cst.CSTNode) -> bool:
    return any_node(node, lambda inner: isinstance(inner, cst.FormattedString))


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for element in target.elements for n in _target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def _del_targets(target: cst.BaseExpression) -> Sequence[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [element.value for element in target.elements]
    return [target]


def _contains_equal(haystack: cst.CSTNode, needle: cst.CSTNode) -> bool:
    return any_node(haystack, lambda node: type(node) is type(needle) and node.deep_equals(needle))


def _code(module: cst.Module | None, node: cst.CSTNode) -> str:
    return (module or cst.Module(body=[])).code_for_node(node)


#: ``$name`` in a command line (``$$`` escapes a dollar).
_DOLLAR_NAME = re.compile(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)")


def _expanded_names(command: str) -> set[str]:
    """Names IPython's ``var_expand`` may substitute: ``{expr}`` and ``$name``."""
    names = {match.group(1) for match in _DOLLAR_NAME.finditer(command)}
    try:
        fields = [text for _, text, _, _ in string.Formatter().parse(command) if text]
    except ValueError:
        return names
    for text in fields:
        try:
            # CPython's verdict first: libcst must never see what it refuses.
            compile(text.strip(), "<magic>", "eval", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
            expression = cst.parse_expression(text.strip())
        except (SyntaxError, ValueError, cst.ParserSyntaxError, RecursionError, MemoryError):
            continue
        names.update(names_in(expression))
    return names


def names_in(node: cst.CSTNode) -> set[str]:
    """Every name an expression or statement mentions (attribute names excluded),
    without scope resolution: for small pieces of code taken out of context."""
    return _NameGatherer.gather(node)


class _NameGatherer(Walker):
    """Every ``Name`` in a small expression (not attribute names)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    @classmethod
    def gather(cls, node: cst.CSTNode) -> set[str]:
        visitor = cls()
        visitor.walk(node)
        return visitor.names

    def visit_Name(self, node: cst.Name) -> bool:
        self.names.add(node.value)
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.walk(node.value)
        return False
