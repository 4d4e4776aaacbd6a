"""What the passes of ``extract`` hand on to each other.

:class:`ExtractState` is frozen: each pass in
:data:`harden.extractor.core.EXTRACT_PASSES` takes one and returns a new one
(``dataclasses.replace``), filling in what it decided.  A field a pass needs
but no earlier pass set is a bug in the order of the passes (:func:`need`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from harden.analysis import Analysis
from harden.extractor.cells import CellCode
from harden.extractor.classify import Layout
from harden.extractor.model import LogEntry, ParameterSpec, Plan
from harden.extractor.plots import CellPlot
from harden.extractor.sections import Section
from harden.notebook import Notebook

T = TypeVar("T")


@dataclass(frozen=True)
class ExtractOptions:
    """The keyword arguments of :func:`harden.extractor.extract`."""

    module_name: str | None = None
    split: str = "headings"
    outputs: Sequence[str] | None = None
    drop_magics: bool = False
    no_prints: bool = False
    save_figures: str | None = None
    allow_hidden_state: bool = False
    parameters: str = "promote"
    prune: bool = False
    max_step_lines: int = 60


@dataclass(frozen=True)
class ExtractState:
    """The extraction so far; each field is set by the pass named beside it."""

    notebook: Notebook
    options: ExtractOptions
    name: str = ""  # choose_module_name, avoid_name_clashes
    analysis: Analysis | None = None  # analyse
    hidden: tuple[str, ...] = ()  # check_hidden_state: names run() requires
    parameters: tuple[ParameterSpec, ...] = ()  # resolve_parameters
    removed: frozenset[int] = frozenset()  # resolve_parameters: id() of assignments
    replacements: Mapping[int, str] = field(default_factory=dict)  # promote_parameters
    layout: Layout | None = None  # classify_code
    codes: Mapping[int, CellCode] = field(default_factory=dict)  # prepare_cells
    requirements: tuple[str, ...] = ()  # prepare_cells
    problems: tuple[LogEntry, ...] = ()  # prepare_cells: magics with no Python equivalent
    sections: tuple[Section, ...] = ()  # split_sections
    plots: tuple[CellPlot, ...] = ()  # split_plots
    plan: Plan | None = None  # plan_steps
    source: str = ""  # build_module
    local_modules: tuple[str, ...] = ()  # build_module
    log: tuple[LogEntry, ...] = ()  # every pass may add to it

    def logged(self, *entries: LogEntry, **changes: object) -> ExtractState:
        """A copy with ``entries`` added to the log and ``changes`` made."""
        return replace(self, log=(*self.log, *entries), **changes)  # type: ignore[arg-type]


Pass = Callable[[ExtractState], ExtractState]


def need(value: T | None, what: str) -> T:
    """``value``, which an earlier pass must have set."""
    if value is None:
        raise RuntimeError(f"extract pass order: {what} is not computed yet")
    return value
