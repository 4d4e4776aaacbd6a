"""What the runner and the failure diagnosis need to know about a notebook.

The facts come from the one :class:`~harden.analysis.model.Analysis` of the
notebook (:func:`facts_from_analysis`); nothing here parses code again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harden.analysis import Analysis, analyze
from harden.notebook import Notebook
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


def facts_from_analysis(analysis: Analysis) -> NotebookFacts:
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


def notebook_facts(notebook: Notebook, analysis: Analysis | None = None) -> NotebookFacts:
    """Facts from ``analysis``; without one, the notebook is analysed here.
    If the analysis itself fails (a bug), the run goes on with no facts."""
    if analysis is None:
        try:
            analysis = analyze(notebook)
        except Exception:  # the analysis must never stop a run
            log.warning(
                "%s: analysis failed; running without its facts", notebook.path, exc_info=True
            )
            return NotebookFacts()
    return facts_from_analysis(analysis)
