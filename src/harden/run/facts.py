"""What the runner and the failure diagnosis need to know about a notebook.

The facts come from the one :class:`~harden.analysis.model.Analysis` of the
notebook (:func:`facts_from_analysis`).  :func:`scan_facts` is a small
fallback for when the analysis fails: it reads the same facts with
:mod:`ast`, less precisely.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harden.run.params import NOT_LITERAL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotebookFacts:
    """``parameter_defaults`` is ``None`` when no cell is tagged ``parameters``;
    a name assigned there from a non-literal maps to :data:`NOT_LITERAL`.
    ``input_candidates`` are string literals that may name data files;
    ``defined_names`` are the names some cell binds; ``imports`` maps a bound
    import name to the module it came from (``np`` → ``numpy``)."""

    parameter_defaults: Mapping[str, Any] | None = None
    input_candidates: tuple[str, ...] = ()
    defined_names: frozenset[str] = frozenset()
    imports: Mapping[str, str] = field(default_factory=dict)


def facts_from_analysis(analysis: Any) -> NotebookFacts:
    """Read the facts from a :class:`harden.analysis.model.Analysis`."""
    defaults: dict[str, Any] | None = None
    if analysis.parameters_cell is not None:
        defaults = {}
        cell = analysis.cell(analysis.parameters_cell)
        for binding in getattr(cell, "bindings", ()) if cell is not None else ():
            defaults[binding.name] = binding.literal if binding.is_literal else NOT_LITERAL
        for parameter in analysis.parameters:
            defaults[parameter.name] = parameter.value
    strings = tuple(s.value for cell in analysis.cells for s in cell.strings)
    defined = frozenset(name for cell in analysis.cells for name in cell.defines)
    imports = {imp.name: imp.module or imp.target for imp in analysis.imports}
    return NotebookFacts(defaults, strings, defined, imports)


def scan_facts(notebook: Any) -> NotebookFacts:
    """The same facts from :mod:`ast`, for callers without an analysis."""
    from harden.notebook import to_python

    defaults: dict[str, Any] | None = None
    strings: list[str] = []
    defined: set[str] = set()
    imports: dict[str, str] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(to_python(cell.source).code)
        except (SyntaxError, ValueError):
            continue
        if "parameters" in cell.tags and defaults is None:
            defaults = _literal_assignments(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.append(node.value)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    defined.add(bound)
                    imports[bound] = alias.name if alias.asname else bound
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    defined.add(alias.asname or alias.name)
                    imports[alias.asname or alias.name] = node.module
    return NotebookFacts(defaults, tuple(strings), frozenset(defined), imports)


def _literal_assignments(tree: ast.Module) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for statement in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                try:
                    values[target.id] = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    values[target.id] = NOT_LITERAL
    return values


def notebook_facts(notebook: Any, analysis: Any = None) -> NotebookFacts:
    """Facts from ``analysis``; without one, the notebook is analysed here
    (:func:`scan_facts` only if the analysis itself fails)."""
    if analysis is None:
        try:
            from harden.analysis import analyze

            analysis = analyze(notebook)
        except Exception:  # the analysis must never stop a run
            log.warning("%s: analysis failed; scanning for parameters and paths", notebook.path,
                        exc_info=True)
            return scan_facts(notebook)
    return facts_from_analysis(analysis)
