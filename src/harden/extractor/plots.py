"""Plotting out of the computation: each cell's figure becomes a ``plot_<step>`` function.

In a notebook every cell that draws gets a figure of its own (the inline
backend shows and closes it when the cell ends).  In a module, plotting
statements left inside the computation draw into whatever figure is
current, so two notebook figures can end up in one axes, and ``run()``
draws where nobody looks.  Here a cell's plotting statements leave its step
and become a function that receives the values it draws, starts its own
figure (unless its first statement makes one) and returns it
(``plot_<step>(df, model) -> Figure``).  ``run()`` never draws; the module's
``run_and_draw()`` runs the steps and calls each plot function right after
its step, with the values as the notebook had them at that point.

A statement is plotting when it calls matplotlib, seaborn or a plotting
method (``df.plot``, ``series.hist``), or a method of a value an earlier
plotting statement bound (``ax.set_title``), and the names it binds are read
only by plotting statements.  Everything else stays in the step.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import libcst as cst

from harden.analysis import Analysis
from harden.analysis.library import PLOT_METHODS, PLOT_MODULES
from harden.analysis.nodes import dotted_name
from harden.extractor.cells import CellCode
from harden.extractor.deadnames import scan
from harden.extractor.model import LogEntry
from harden.extractor.nodes import Statement
from harden.extractor.sections import Section

#: Names that mean a plotting module by convention, for a wildcard import that brings
#: them (``from preamble import *``) when the notebook binds them to nothing else.
CONVENTIONAL = {
    "plt": "matplotlib.pyplot",
    "sns": "seaborn",
    "mpl": "matplotlib",
    "mglearn": "mglearn",
}
#: Calls that start a figure of their own (no ``plt.figure()`` is added before them).
FIGURE_MAKERS = frozenset(
    {
        "matplotlib.pyplot.figure",
        "matplotlib.pyplot.subplots",
        "matplotlib.pyplot.subplot_mosaic",
        *(
            f"seaborn.{name}"
            for name in (
                "pairplot",
                "jointplot",
                "FacetGrid",
                "PairGrid",
                "JointGrid",
                "catplot",
                "relplot",
                "displot",
                "lmplot",
                "clustermap",
            )
        ),
    }
)


@dataclass(frozen=True)
class CellPlot:
    """The plotting statements of one cell, and whether they make their own figure."""

    cell_index: int
    body: tuple[Statement, ...]
    makes_figure: bool
    reads: frozenset[str]


def aliases(analysis: Analysis) -> dict[str, str]:
    """Imported name → qualified target (``plt`` → ``matplotlib.pyplot``)."""
    found: dict[str, str] = {}
    bound: set[str] = set()
    for cell in analysis.cells:
        bound |= {b.name for b in cell.bindings if b.kind != "import"}
        for binding in cell.imports:
            if not binding.is_star:
                found[binding.name] = binding.target
    for name, target in CONVENTIONAL.items():
        if name not in found and name not in bound:
            found[name] = target
    return found


def drawing_functions(definitions: Mapping[str, Statement], names: Mapping[str, str]) -> set[str]:
    """The notebook's functions that draw and return nothing: calling one is plotting."""
    found: set[str] = set()
    for name, definition in definitions.items():
        if not isinstance(definition, cst.FunctionDef):
            continue
        visitor = _PlotCalls(names, set())
        definition.body.visit(visitor)
        returns = _Returns()
        definition.body.visit(returns)
        if visitor.plots and not returns.value:
            found.add(name)
    return found


class _Returns(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.value = False

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.value = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's returns are its own


class _PlotCalls(cst.CSTVisitor):
    def __init__(
        self,
        aliases: Mapping[str, str],
        plot_names: set[str],
        drawing: AbstractSet[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.aliases = aliases
        self.plot_names = plot_names
        self.drawing = drawing
        self.plots = False
        self.first: str | None = None  # qualified name of the first call seen

    def visit_Call(self, node: cst.Call) -> None:
        qualified = _qualified(node.func, self.aliases)
        if self.first is None:
            self.first = qualified or ""
        if qualified and qualified.startswith(PLOT_MODULES):
            self.plots = True
        elif isinstance(node.func, cst.Name) and node.func.value in self.drawing:
            self.plots = True
        elif isinstance(node.func, cst.Attribute):
            root = _root(node.func)
            if node.func.attr.value in PLOT_METHODS or root in self.plot_names:
                self.plots = True

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _root(node: cst.BaseExpression) -> str | None:
    while isinstance(node, (cst.Attribute, cst.Subscript, cst.Call)):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node.value if isinstance(node, cst.Name) else None


def _qualified(func: cst.BaseExpression, aliases: Mapping[str, str]) -> str | None:
    dotted = dotted_name(func)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    target = aliases.get(head)
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target


def bound_names(statements: Sequence[Statement]) -> set[str]:
    """Every name the statements bind (assignment targets of any shape, loop and
    ``with`` targets, definitions), from CPython's ``ast`` of their code."""
    code = cst.Module(body=list(statements)).code
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
    return found


def partition(
    code: CellCode,
    aliases: Mapping[str, str],
    read_later: set[str],
    drawers: AbstractSet[str] = frozenset(),
) -> tuple[list[Statement], CellPlot | None]:
    """The cell's computation, and its plotting statements (``None`` when it draws nothing).

    ``read_later`` holds the names code after this cell reads (later cells, run()'s results).
    """
    plot_names: set[str] = set()
    kinds: list[bool] = []
    first_call: str | None = None
    for statement in code.body:
        visitor = _PlotCalls(aliases, plot_names, drawers)
        statement.visit(visitor)
        kinds.append(visitor.plots)
        if visitor.plots:
            plot_names |= bound_names([statement])
            if first_call is None:
                first_call = visitor.first
    if not any(kinds):
        return list(code.body), None
    # A plotting statement whose names the computation reads stays computation.
    changed = True
    while changed:
        changed = False
        compute_reads = set(read_later)
        for statement, plotting in zip(code.body, kinds):
            if not plotting:
                compute_reads |= scan([statement]).loads
        for position, (statement, plotting) in enumerate(zip(code.body, kinds)):
            if plotting and bound_names([statement]) & compute_reads:
                kinds[position] = False
                changed = True
    compute = [s for s, plotting in zip(code.body, kinds) if not plotting]
    drawing = [s for s, plotting in zip(code.body, kinds) if plotting]
    if not drawing:
        return compute, None
    found = scan(drawing)
    first = _PlotCalls(aliases, set())
    drawing[0].visit(first)
    makes = (first.first or "") in FIGURE_MAKERS
    return compute, CellPlot(code.index, tuple(drawing), makes, frozenset(found.loads))


def plot_inputs(
    plot: CellPlot, module_level: Iterable[str], stores: Iterable[str]
) -> tuple[str, ...]:
    """The values a plot function receives: what it reads that its own code does not bind."""
    outside = set(module_level) | set(dir(builtins))
    bound = set(stores)
    return tuple(sorted(n for n in plot.reads if n not in outside and n not in bound))


def split_at_plots(
    sections: Sequence[Section], plots: Sequence[CellPlot], codes: Mapping[int, CellCode]
) -> tuple[tuple[Section, ...], list[LogEntry]]:
    """Sections cut after a plotting cell whose values a later cell of the section
    changes: ``run_and_draw()`` draws between the two steps, with the values the
    notebook drew."""
    at = {plot.cell_index: plot for plot in plots}
    out: list[Section] = []
    log: list[LogEntry] = []
    for section in sections:
        start = 0
        after: int | None = None  # the notebook cell after the last cut
        cells = list(section.cells)
        for position, index in enumerate(cells):
            plot = at.get(index)
            if plot is None or position == len(cells) - 1:
                continue
            later = [codes[i] for i in cells[position + 1 :] if i in codes]
            changed = bound_names([s for c in later for s in c.body]) | {
                m.name for c in later for m in c.analysis.mutations
            }
            if not plot.reads & changed:
                continue
            piece = tuple(cells[start : position + 1])
            out.append(_piece(section, piece, after))
            log.append(
                LogEntry(
                    "changed",
                    "step split after this cell: later cells change "
                    + ", ".join(f"`{n}`" for n in sorted(plot.reads & changed))
                    + ", which its figure draws",
                    index,
                )
            )
            start = position + 1
            after = index + 1
        rest = tuple(cells[start:])
        if rest or start == 0:
            out.append(_piece(section, rest, after))
    return tuple(out), log


def _piece(section: Section, cells: tuple[int, ...], after: int | None) -> Section:
    """Part of ``section``: the first keeps its title; a later one starts after the cut."""
    if after is None:
        return replace(section, cells=cells)
    return replace(section, cells=cells, title=None, start=after)


def rescanned(code: CellCode, body: Sequence[Statement]) -> CellCode:
    """``code`` holding only ``body``, its name sets computed again."""
    found = scan(list(body))
    return replace(
        code,
        body=list(body),
        names=frozenset(found.names),
        loads=frozenset(found.loads),
        stores=frozenset(found.stores),
        plots=False,
    )


def plot_log(plot: CellPlot, function: str) -> LogEntry:
    return LogEntry(
        "moved",
        f"{len(plot.body)} plotting statement(s) moved into {function}(), "
        "which run() never calls (run_and_draw() and --figures do)",
        plot.cell_index,
    )


__all__ = [
    "CellPlot",
    "aliases",
    "partition",
    "plot_inputs",
    "plot_log",
    "rescanned",
    "split_at_plots",
]
