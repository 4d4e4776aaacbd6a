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
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from harden.analysis.library import SYMMETRIC_FUNCTIONS
from harden.extractor.entry import GENERATED_HELPERS

SKIPPED_FUNCTIONS = GENERATED_HELPERS
REPORTING = frozenset({"print", "display", "logging", "log", "logger", "warnings"})
#: Calls whose arguments only label or style a drawing (``ax.set_title("...")``).
DRAWING_CALLS = frozenset(
    {
        "title",
        "suptitle",
        "set_title",
        "xlabel",
        "ylabel",
        "set_xlabel",
        "set_ylabel",
        "set_xticklabels",
        "set_yticklabels",
        "legend",
        "text",
        "annotate",
        "savefig",
        "grid",
        "axhline",
        "axvline",
        "tight_layout",
        "set_style",
        "set_theme",
        "use",
        "plot",
        "hist",
        "scatter",
        "boxplot",
        "bar",
        "barh",
        "pie",
        "imshow",
        "heatmap",
        "show",
        "figure",
        "subplots",
    }
)
#: Modules whose calls only draw.
DRAWING_MODULES = frozenset({"plt", "sns", "matplotlib"})
#: Keyword arguments that only label or style what is drawn or shown (``title="..."``).
DRAWING_KEYWORDS = frozenset(
    {
        "title",
        "label",
        "xlabel",
        "ylabel",
        "color",
        "c",
        "colors",
        "cmap",
        "palette",
        "marker",
        "linestyle",
        "ls",
        "fmt",
        "edgecolor",
        "facecolor",
        "style",
        "legend",
        "loc",
        "desc",
        "help",
        "metavar",
    }
)

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
        #: the parameters whose default is being visited (a change there: "default parameter")
        self.params: list[str] = []

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
        if self.target < 0:  # counting: where and what (positions are only known here)
            line = self.get_metadata(PositionProvider, node).start.line
            function = self.functions[0] if self.functions else "<module>"
            if self.params:
                operator, description = "default parameter", f"{self.params[-1]}: {description}"
            self.sites.append((function, line, operator, description))
        hit = self.count == self.target
        self.count += 1
        return hit

    # -- operators ---------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if _reporting(original):
            self.skip -= 1
            return updated
        pair = _same_typed_pair(updated.args)
        if pair == (0, 1) and _called_name(updated.func) in SYMMETRIC_FUNCTIONS:
            pair = None  # accuracy_score(y_test, y_pred): swapping changes nothing
        if pair is not None:
            first, second = pair
            left, right = updated.args[first].value, updated.args[second].value
            shown = f"{_short(_code(left))} <-> {_short(_code(right))}"
            if self._site(original, "swap arguments", shown):
                args = list(updated.args)
                args[first] = args[first].with_changes(value=right)
                args[second] = args[second].with_changes(value=left)
                return updated.with_changes(args=args)
        return updated

    def visit_Arg(self, node: cst.Arg) -> bool:
        if node.keyword is not None and node.keyword.value in DRAWING_KEYWORDS:
            self.skip += 1  # title="...", color="...": labels and styles, not behaviour
        return True

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if original.keyword is not None and original.keyword.value in DRAWING_KEYWORDS:
            self.skip -= 1
        return updated

    def visit_Expr(self, node: cst.Expr) -> bool:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            self.skip += 1  # a docstring or a bare string: no behaviour
        return True

    def leave_Expr(self, original: cst.Expr, updated: cst.Expr) -> cst.Expr:
        if isinstance(original.value, (cst.SimpleString, cst.ConcatenatedString)):
            self.skip -= 1
        return updated

    def visit_Raise(self, node: cst.Raise) -> bool:
        self.skip += 1  # the exception's message; that it raises is pinned elsewhere
        return True

    def leave_Raise(
        self, original: cst.Raise, updated: cst.Raise
    ) -> cst.BaseSmallStatement | cst.RemovalSentinel:
        self.skip -= 1
        return updated

    def visit_Param(self, node: cst.Param) -> bool:
        self.params.append(node.name.value)
        return True

    def leave_Param(self, original: cst.Param, updated: cst.Param) -> cst.Param:
        self.params.pop()
        return updated

    def leave_SimpleString(
        self, original: cst.SimpleString, updated: cst.SimpleString
    ) -> cst.BaseExpression:
        value = original.evaluated_value
        if not isinstance(value, str):
            return updated
        new = value + "_x" if value else "x"
        if self._site(original, "string", f"{_short(repr(value))} -> {_short(repr(new))}"):
            return cst.SimpleString(repr(new))
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


def _called_name(func: cst.BaseExpression) -> str | None:
    """The last dotted part of what a call calls (``metrics.accuracy_score`` →
    ``accuracy_score``)."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


def _same_typed_pair(args: Sequence[cst.Arg]) -> tuple[int, int] | None:
    """Two arguments of one call that can trade places: the first two positional ones
    when both are names (``train_test_split(X, y)``) or literals of one type, else the
    first two keyword ones that are literals of one type (``fit(a=1, b=2)``)."""
    positional = [i for i, a in enumerate(args) if a.keyword is None and not a.star]
    keywords = [i for i, a in enumerate(args) if a.keyword is not None and not a.star]
    for group, names_too in ((positional[:2], True), (keywords, False)):
        literals = [i for i in group if _literal_type(args[i].value) is not None]
        candidates = group if names_too else literals
        if len(candidates) < 2:
            continue
        first, second = candidates[0], candidates[1]
        left, right = args[first].value, args[second].value
        if isinstance(left, cst.Name) and isinstance(right, cst.Name):
            if left.value != right.value and left.value not in ("True", "False", "None"):
                return first, second
            continue
        kind = _literal_type(left)
        if kind is not None and kind == _literal_type(right) and _code(left) != _code(right):
            return first, second
    return None


def _literal_type(node: cst.BaseExpression) -> type | None:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    if isinstance(node, (cst.Integer, cst.Float)):
        return type(node)
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return cst.SimpleString
    return None


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_line(node: cst.CSTNode) -> str:
    text = cst.Module(body=[]).code_for_node(node).strip().splitlines()[0]
    return text if len(text) <= 70 else text[:67] + "..."


def _reporting(call: cst.Call) -> bool:
    """A call that only reports (print, logging) or labels a drawing (``set_title``)."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in DRAWING_CALLS:
        return True
    while isinstance(func, cst.Attribute):
        func = func.value
    return isinstance(func, cst.Name) and func.value in REPORTING | DRAWING_MODULES


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
        changed = module.visit(mutator)
        function, line, operator, description = counter.sites[number]
        code = changed.code
        if code != source:
            out.append(Mutant(number, function, line, operator, description, code))
    return out
