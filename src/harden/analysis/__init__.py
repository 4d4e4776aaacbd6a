"""Analysis: per-cell facts from libcst and the cell dependency graph.

``analyze(notebook)`` is computed once per notebook; lint rules, the
extractor, the runner and the test scaffolder all read the resulting
:class:`Analysis`.  Nothing here executes notebook code.
"""

from __future__ import annotations

from pathlib import Path

from harden.analysis.collect import Environment, analyze_cell, collect
from harden.analysis.graph import build_graph
from harden.analysis.model import (
    Analysis,
    Argument,
    Binding,
    CallSite,
    CellAnalysis,
    Definition,
    Dependency,
    ImportBinding,
    Location,
    MagicUse,
    Mutation,
    NameRead,
    Parameter,
    StringLiteral,
    SyntaxProblem,
    UnresolvedRead,
)
from harden.analysis.modules import ModuleNames, SiblingFiles
from harden.analysis.names import is_provided
from harden.analysis.nodes import dotted_name, literal_value
from harden.analysis.parse import parse_cells
from harden.notebook.model import Notebook
from harden.notebook.tags import PARAMETERS as PARAMETERS_TAG


def analyze(notebook: Notebook) -> Analysis:
    """Analyse every code cell of ``notebook`` in order, then link them."""
    cells: list[CellAnalysis] = []
    imports: dict[str, str] = {}
    types: dict[str, str] = {}
    files = SiblingFiles(_folder(notebook))
    if notebook.is_python:
        parsed = parse_cells(notebook.code_cells)
        for prepared in parsed.cells:
            result = collect(prepared, parsed, Environment(dict(imports), dict(types), files))
            cells.append(result)
            for binding in result.bindings:
                imports.pop(binding.name, None)
                types.pop(binding.name, None)
            for imp in result.imports:
                if not imp.is_star:
                    imports[imp.name] = imp.target
                else:
                    imports.update(imp.star_imports)
            for call in result.calls:
                if call.in_function is None and call.qualified_name and len(call.assigned_to) == 1:
                    types[call.assigned_to[0]] = call.qualified_name
            types.update(result.typed)
    dependencies, unresolved = build_graph(cells)
    parameters_cell = next(
        (c.index for c in notebook.cells if c.is_code and PARAMETERS_TAG in c.tags), None
    )
    by_index = {cell.index: cell for cell in cells}
    parameters: tuple[Parameter, ...] = ()
    if parameters_cell is not None and parameters_cell in by_index:
        parameters = _parameters(by_index[parameters_cell])
    return Analysis(
        notebook=notebook,
        cells=tuple(cells),
        dependencies=dependencies,
        unresolved=unresolved,
        parameters=parameters,
        parameters_cell=parameters_cell,
        _by_index=by_index,
    )


def _folder(notebook: Notebook) -> Path | None:
    """The notebook's folder, for files beside it; ``None`` for a notebook not on disk."""
    try:
        return notebook.path.parent if notebook.path.is_file() else None
    except OSError:
        return None


def _parameters(cell: CellAnalysis) -> tuple[Parameter, ...]:
    out: dict[str, Parameter] = {}
    for binding in cell.bindings:
        if binding.kind == "assign" and binding.is_literal:
            code = repr(binding.literal)
            out[binding.name] = Parameter(
                binding.name,
                binding.literal,
                type(binding.literal).__name__,
                binding.location,
                code,
            )
    return tuple(out.values())


def leading_literals(analysis: Analysis) -> tuple[Parameter, ...]:
    """Literal ``NAME = value`` assignments before the notebook does anything else.

    These are the configuration a notebook without a ``parameters`` cell could
    take as parameters (H403, the extractor).
    """
    import libcst as cst

    found: dict[str, Parameter] = {}
    for cell in analysis.cells:
        if cell.module is None:
            continue
        for statement in cell.module.body:
            if isinstance(statement, cst.SimpleStatementLine) and all(
                isinstance(small, (cst.Import, cst.ImportFrom)) or _is_inert(small)
                for small in statement.body
            ):
                continue
            binding = next(
                (
                    b
                    for b in cell.bindings
                    if b.statement is not None and _statement_of(statement, b.statement)
                ),
                None,
            )
            if binding is None or not binding.is_literal or binding.kind != "assign":
                return tuple(found.values())
            found[binding.name] = Parameter(
                binding.name,
                binding.literal,
                type(binding.literal).__name__,
                binding.location,
                repr(binding.literal),
            )
    return tuple(found.values())


def _is_inert(small: object) -> bool:
    """A docstring, or an IPython magic / shell line (``%matplotlib inline``,
    ``!pip install x``): notebook-only lines that compute nothing the code uses."""
    import libcst as cst

    if not isinstance(small, cst.Expr):
        return False
    value = small.value
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    func = value.func if isinstance(value, cst.Call) else None
    inner = func.value if isinstance(func, cst.Attribute) else None
    return (
        isinstance(inner, cst.Call)
        and isinstance(inner.func, cst.Name)
        and inner.func.value == "get_ipython"
    )


def _statement_of(statement: object, small: object) -> bool:
    import libcst as cst

    return isinstance(statement, cst.SimpleStatementLine) and any(
        s is small for s in statement.body
    )


__all__ = [
    "Analysis",
    "Argument",
    "Binding",
    "CallSite",
    "CellAnalysis",
    "Definition",
    "Dependency",
    "Environment",
    "ImportBinding",
    "Location",
    "MagicUse",
    "ModuleNames",
    "Mutation",
    "NameRead",
    "Parameter",
    "StringLiteral",
    "SiblingFiles",
    "SyntaxProblem",
    "UnresolvedRead",
    "analyze",
    "analyze_cell",
    "dotted_name",
    "is_provided",
    "leading_literals",
    "literal_value",
]
