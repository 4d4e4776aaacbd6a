"""Mutants of a module, built with libcst: small changes a test should notice.

Operators: flip a comparison, swap an arithmetic operator, swap ``and``/``or``,
drop a ``not``, change a numeric constant (defaults of ``run()``'s parameters
included: they are module constants), flip ``True``/``False``, change a string
given as a keyword argument, drop a statement, swap two plain-name arguments.
Code that only reports or draws is left alone (``print``/logging calls,
``plot_*``, ``main``, ``run_and_draw``, docstrings, type annotations): changing
it changes no behaviour a test could pin.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from harden.extractor.entry import GENERATED_HELPERS

SKIPPED_FUNCTIONS = GENERATED_HELPERS
REPORTING = frozenset({"print", "display", "logging", "log", "logger", "warnings"})

_COMPARISONS: dict[type, type] = {
    cst.Equal: cst.NotEqual,
    cst.NotEqual: cst.Equal,
    cst.LessThan: cst.LessThanEqual,
    cst.LessThanEqual: cst.LessThan,
    cst.GreaterThan: cst.GreaterThanEqual,
    cst.GreaterThanEqual: cst.GreaterThan,
    cst.Is: cst.IsNot,
    cst.IsNot: cst.Is,
    cst.In: cst.NotIn,
    cst.NotIn: cst.In,
}
_ARITHMETIC: dict[type, type] = {
    cst.Add: cst.Subtract,
    cst.Subtract: cst.Add,
    cst.Multiply: cst.Divide,
    cst.Divide: cst.Multiply,
    cst.FloorDivide: cst.Divide,
    cst.Modulo: cst.Multiply,
    cst.Power: cst.Multiply,
}


@dataclass(frozen=True)
class Mutant:
    """One change: where (function, line), what (operator, description), the code."""

    number: int
    function: str
    line: int
    operator: str
    description: str
    source: str

    def diff(self, original: str, name: str = "module.py") -> str:
        lines = difflib.unified_diff(
            original.splitlines(keepends=True),
            self.source.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
            n=1,
        )
        return "".join(lines)


class _Mutator(cst.CSTTransformer):
    """Counts the places a mutation applies; changes the ``target``-th one."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, target: int = -1) -> None:
        self.target = target
        self.count = 0
        self.sites: list[tuple[str, int, str, str]] = []
        self.functions: list[str] = []
        self.skip = 0

    # -- where mutation applies --------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        name = node.name.value
        self.functions.append(name)
        if name in SKIPPED_FUNCTIONS or name.startswith("plot_"):
            self.skip += 1
        return True

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        name = self.functions.pop()
        if name in SKIPPED_FUNCTIONS or name.startswith("plot_"):
            self.skip -= 1
        return updated

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.skip += 1  # NamedTuple result types: annotations only
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.skip -= 1
        return updated

    def visit_If(self, node: cst.If) -> bool:
        if _is_main_guard(node):
            self.skip += 1
        return True

    def leave_If(self, original: cst.If, updated: cst.If) -> cst.If:
        if _is_main_guard(original):
            self.skip -= 1
        return updated

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        self.skip += 1
        return True

    def leave_Annotation(self, original: cst.Annotation, updated: cst.Annotation) -> cst.Annotation:
        self.skip -= 1
        return updated

    def visit_Call(self, node: cst.Call) -> bool:
        if _reporting(node):
            self.skip += 1
        return True

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return True

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def _site(self, node: cst.CSTNode, operator: str, description: str) -> bool:
        """Record a site; ``True`` when it is the one to change."""
        if self.skip:
            return False
        line = self.get_metadata(PositionProvider, node).start.line
        function = self.functions[0] if self.functions else "<module>"
        self.sites.append((function, line, operator, description))
        hit = self.count == self.target
        self.count += 1
        return hit

    # -- operators ---------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if _reporting(original):
            self.skip -= 1
            return updated
        positional = [i for i, a in enumerate(updated.args) if a.keyword is None and not a.star]
        if len(positional) >= 2:
            first, second = positional[0], positional[1]
            left, right = updated.args[first].value, updated.args[second].value
            if (
                isinstance(left, cst.Name)
                and isinstance(right, cst.Name)
                and left.value != right.value
                and self._site(original, "swap arguments", f"{left.value} <-> {right.value}")
            ):
                args = list(updated.args)
                args[first] = args[first].with_changes(value=right)
                args[second] = args[second].with_changes(value=left)
                return updated.with_changes(args=args)
        return updated

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        value = updated.value
        if (
            updated.keyword is not None
            and isinstance(value, cst.SimpleString)
            and isinstance(value.evaluated_value, str)
            and self._site(original, "keyword literal", f"{updated.keyword.value}={value.value}")
        ):
            return updated.with_changes(value=cst.SimpleString(repr(value.evaluated_value + "_x")))
        return updated

    def leave_ComparisonTarget(
        self, original: cst.ComparisonTarget, updated: cst.ComparisonTarget
    ) -> cst.ComparisonTarget:
        swap = _COMPARISONS.get(type(updated.operator))
        if swap is not None and self._site(
            original, "comparison", f"{type(updated.operator).__name__} -> {swap.__name__}"
        ):
            return updated.with_changes(operator=swap())
        return updated

    def leave_BinaryOperation(
        self, original: cst.BinaryOperation, updated: cst.BinaryOperation
    ) -> cst.BaseExpression:
        swap = _ARITHMETIC.get(type(updated.operator))
        if swap is not None and self._site(
            original, "arithmetic", f"{type(updated.operator).__name__} -> {swap.__name__}"
        ):
            return updated.with_changes(operator=swap())
        return updated

    def leave_BooleanOperation(
        self, original: cst.BooleanOperation, updated: cst.BooleanOperation
    ) -> cst.BaseExpression:
        swap = cst.Or if isinstance(updated.operator, cst.And) else cst.And
        if self._site(original, "boolean", f"-> {swap.__name__.lower()}"):
            return updated.with_changes(operator=swap())
        return updated

    def leave_UnaryOperation(
        self, original: cst.UnaryOperation, updated: cst.UnaryOperation
    ) -> cst.BaseExpression:
        if isinstance(updated.operator, cst.Not) and self._site(original, "boolean", "drop not"):
            return updated.expression
        return updated

    def leave_Integer(self, original: cst.Integer, updated: cst.Integer) -> cst.BaseExpression:
        value = int(updated.evaluated_value)
        if self._site(original, "constant", f"{value} -> {value + 1}"):
            return cst.Integer(str(value + 1))
        return updated

    def leave_Float(self, original: cst.Float, updated: cst.Float) -> cst.BaseExpression:
        value = float(updated.evaluated_value)
        new = value * 1.5 if value else 1.0
        if self._site(original, "constant", f"{value!r} -> {new!r}"):
            return cst.Float(repr(new))
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if updated.value in ("True", "False"):
            new = "False" if updated.value == "True" else "True"
            if self._site(original, "constant", f"{updated.value} -> {new}"):
                return cst.Name(new)
        return updated

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.RemovalSentinel:
        if not self.functions or len(updated.body) != 1:
            return updated
        small = updated.body[0]
        droppable = isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)) or (
            isinstance(small, cst.Expr)
            and isinstance(small.value, cst.Call)
            and not _reporting(small.value)
        )
        if droppable and self._site(original, "drop statement", _first_line(original)):
            return updated.with_changes(body=[cst.Pass()])
        return updated


def _first_line(node: cst.CSTNode) -> str:
    text = cst.Module(body=[]).code_for_node(node).strip().splitlines()[0]
    return text if len(text) <= 70 else text[:67] + "..."


def _reporting(call: cst.Call) -> bool:
    func = call.func
    while isinstance(func, cst.Attribute):
        func = func.value
    return isinstance(func, cst.Name) and func.value in REPORTING


def _is_main_guard(node: cst.If) -> bool:
    test = node.test
    return (
        isinstance(test, cst.Comparison)
        and isinstance(test.left, cst.Name)
        and test.left.value == "__name__"
    )


def mutants(source: str, limit: int | None = None) -> list[Mutant]:
    """Every mutant of ``source`` (or ``limit`` of them, spread evenly), in source order."""
    module = cst.parse_module(source)
    counter = _Mutator()
    MetadataWrapper(module, unsafe_skip_copy=True).visit(counter)
    chosen = list(range(counter.count))
    if limit is not None and limit < len(chosen):
        step = len(chosen) / limit
        chosen = sorted({int(i * step) for i in range(limit)})
    out = []
    for number in chosen:
        mutator = _Mutator(number)
        changed = MetadataWrapper(module, unsafe_skip_copy=True).visit(mutator)
        function, line, operator, description = counter.sites[number]
        code = changed.code
        if code != source:
            out.append(Mutant(number, function, line, operator, description, code))
    return out
