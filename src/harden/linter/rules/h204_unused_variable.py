"""H204 unused-variable."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from harden.analysis.library import DRAWING_METHODS, PLOT_MODULES
from harden.analysis.model import Analysis, Binding, CellAnalysis
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._state_helpers import any_syntax_error, exported_names

#: Binding kinds this rule looks at; loop targets, `with`/`except` names,
#: imports (H203), functions and classes are left alone.
KINDS = frozenset({"assign", "augmented", "walrus"})
#: Calls that can read any variable by name: the rule stays quiet when present.
DYNAMIC = frozenset({"locals", "globals", "vars", "eval", "exec"})


class UnusedVariable(Rule):
    """A notebook-level name is assigned and never read or displayed afterwards.
    ## What it does
    Flags a notebook-level name assigned in a cell and never read afterwards: not later
    in the same cell, not in any later cell, not in a function body, not displayed as a
    cell's last expression, not interpolated into a shell command.

    Names starting with `_`, names in `__all__`, names bound by tuple unpacking
    (`X_train, X_test, y_train, y_test = ...`), `for` targets and `with`/`except` names
    are not flagged; nor is a name a later `del` removes, or anything in a notebook that
    calls `locals()`/`globals()`/`eval`/`exec` or has a cell that does not parse (H209).
    A name an earlier cell reads is H002's business. A name bound in a loop and read
    in that loop before the binding (`if score > best: best = score`) is read on the
    next iteration, so it is used.

    A handle assigned only to keep its repr out of the output — what a drawing call
    returns (`fig = plt.figure()`, `ticks = ax.set_xticks(...)`, `bars = plt.bar(...)`),
    what a fit returns (`history = model.fit(...)`), a result timed with `%time` — is
    reported only when the option `display-handles` is on (off by default, on in the
    `strict` pack).

    ## Why is this bad?
    Dead assignments are left-overs of exploration: they cost time and memory when the
    notebook runs, and they make readers (and the extractor) believe a value matters.
    Sometimes they point at a bug — a result computed and never used.

    ## How to fix it
    Delete the assignment, or use the value (display it, return it, assert on it).
    """

    id = "H204"
    name = "unused-variable"
    severity = Severity.INFO
    options = {"display-handles": False}

    valid = (
        Example("x = 1", "print(x)"),
        Example("x = 1\nx", "_tmp = 3\n__all__ = ['y']\ny = 2"),
        Example(
            "a, b = 1, 2\nprint(a)",
            "for i in range(3):\n    pass",
            "with open('f') as fh:\n    pass",
        ),
        Example("THRESHOLD = 3", "def f():\n    return THRESHOLD"),
        Example("folder = 'data'", "!ls {folder}", "big = [0] * 10", "del big"),
        Example("x = 1", "print(eval('x'))"),
        Example("print(y)", "y = 2"),
        Example("n = 0\nwhile (n := n + 1) < 3:\n    pass\nprint(n)"),
        # %timeit runs its statement in a function of its own: nothing is bound.
        Example("x = 1", "%timeit y = x * 2", "%%timeit\nw = x * 3"),
        Example(
            "best = 0",
            "for score in [3, 1, 4]:\n    if score > best:\n        best = score",
            "i = 0\nwhile i < 3:\n    i = i + 1",
        ),
        Example(
            "import matplotlib.pyplot as plt\nimport seaborn as sns\nfig = plt.figure()\n"
            "ax = fig.add_subplot(111)\nticks = ax.set_xticks([1, 2])\nlabel = plt.xlabel('x')\n"
            "bars = ax.bar([1], [2])\ng = sns.heatmap([[1]])",
            "history = model.fit(X, y, epochs=2)\n%time r = sorted([2, 1])",
        ),
    )
    invalid = (
        Example(
            "x = 1",
            "y = 2\nprint(y)",
            message="`x` is assigned here and never read or displayed afterwards",
            severity="info",
            expect=[(0, 1)],
        ),
        Example("df = load()\nresult = df.mean()", expect=[(0, 2)]),
        Example("count = 0", "count += 1", message="`count` is assigned here", expect=[(1, 1)]),
        Example("x = 1\nx = 2", expect=[(0, 2)]),
        Example("%time r = sorted([2, 1])", options={"display-handles": True}, expect=[(0, 1)]),
        Example(
            "import matplotlib.pyplot as plt\nfig = plt.figure()\nticks = plt.xticks([1])",
            options={"display-handles": True},
            message="is assigned here and never read or displayed afterwards",
            expect=[(0, 2), (0, 3)],
        ),
        Example(
            "best = 0",
            "for score in [3, 1, 4]:\n    last = score\n    if score > best:\n        best = score",
            message="`last` is assigned here",
            expect=[(1, 2)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        analysis = ctx.analysis
        if any_syntax_error(analysis) or any(call.dotted in DYNAMIC for call in analysis.calls):
            return
        used = _used_anytime(analysis)
        too_early = _read_too_early(analysis)
        last_use: dict[str, int] = {}
        for cell in analysis.cells:
            for name in cell.uses | cell.deletes:
                last_use[name] = cell.index
        handles = bool(ctx.option("display-handles"))
        for cell in analysis.cells:
            last: dict[str, Binding] = {}
            for binding in cell.bindings:
                if binding.kind in KINDS:
                    last[binding.name] = binding
            for name, binding in last.items():
                if (
                    name.startswith("_")
                    or name in used
                    or _unpacked(binding)
                    or name in cell.local_reads | cell.expanded_reads | cell.deletes
                    or last_use.get(name, -1) > cell.index
                    or (name, cell.index) in too_early
                    or (not handles and _draws(cell, binding))
                    or (name in cell.immediate_reads and _read_in_its_loop(cell, binding))
                ):
                    continue
                yield Violation.at(
                    binding.location,
                    f"`{name}` is assigned here and never read or displayed afterwards",
                )


def _used_anytime(analysis: Analysis) -> frozenset[str]:
    """Names read in function bodies (any cell) and names in ``__all__``."""
    deferred = {r.name for c in analysis.cells for r in c.reads if r.deferred}
    return frozenset(deferred) | exported_names(analysis)


def _read_too_early(analysis: Analysis) -> frozenset[tuple[str, int]]:
    return frozenset(
        (u.name, d) for u in analysis.unresolved if u.kind == "later" for d in u.definers
    )


def _unpacked(binding: Binding) -> bool:
    statement = binding.statement
    if not isinstance(statement, cst.Assign):
        return False
    return not any(
        isinstance(t.target, cst.Name) and t.target.value == binding.name for t in statement.targets
    )


def _draws(cell: CellAnalysis, binding: Binding) -> bool:
    """A display handle: the value assigned is what a drawing call returns (a figure, an
    axes, an artist), what a fit returns (keras' ``history = model.fit(...)``), or the
    result of a statement timed with ``%time`` (assigned so the output stays short)."""
    statement = binding.statement
    if statement is None:
        return any(m.name == "time" and m.location == binding.location for m in cell.magics)
    value = getattr(statement, "value", None)
    if not isinstance(value, cst.Call):
        return False
    for call in cell.calls:
        if call.node is value:
            if call.qualified_name is not None:
                return call.qualified_name.startswith(PLOT_MODULES)
            method = call.method
            return method is not None and (
                method in DRAWING_METHODS or method.startswith("set_") or method == "fit"
            )
    return False


def _read_in_its_loop(cell: CellAnalysis, binding: Binding) -> bool:
    """``binding`` is in a loop that also reads the name: the next iteration reads it."""
    if cell.module is None or binding.statement is None:
        return False
    for loop in _loops(cell.module):
        if _contains(loop, binding.statement) and _reads(loop, binding.name):
            return True
    return False


def _loops(module: cst.Module) -> list[cst.For | cst.While]:
    found: list[cst.For | cst.While] = []

    class _Visitor(cst.CSTVisitor):
        def visit_For(self, node: cst.For) -> None:
            found.append(node)

        def visit_While(self, node: cst.While) -> None:
            found.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

    module.visit(_Visitor())
    return found


def _contains(tree: cst.CSTNode, target: object) -> bool:
    found = False

    class _Visitor(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            nonlocal found
            if node is target:
                found = True
            return not found

    tree.visit(_Visitor())
    return found


def _reads(tree: cst.CSTNode, name: str) -> bool:
    """A ``Name`` node ``name`` in ``tree`` that is not an assignment's target."""
    stores: set[int] = set()
    loads = False

    class _Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            if isinstance(node.target, cst.Name):
                stores.add(id(node.target))

        def visit_Name(self, node: cst.Name) -> None:
            nonlocal loads
            if node.value == name and id(node) not in stores:
                loads = True

    tree.visit(_Visitor())
    return loads
