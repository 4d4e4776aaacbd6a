"""``extract()``: notebook → module source, log and step plan.  Writes nothing, runs nothing.

The extraction is the list of named passes :data:`EXTRACT_PASSES` (see
:mod:`harden.extractor.passes`), run in order over a frozen
:class:`~harden.extractor.state.ExtractState`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from harden.analysis import Analysis
from harden.errors import ExtractionError, HardenError, UsageError
from harden.extractor.model import Extraction
from harden.extractor.names import check_module_name, default_module_name
from harden.extractor.passes import (
    analyse,
    avoid_name_clashes,
    build_module,
    check_hidden_state,
    check_split_mode,
    choose_module_name,
    classify_code,
    log_cell_changes,
    note_layout,
    note_results,
    plan_steps,
    prepare_cells,
    promote_parameters,
    refuse_global_writers,
    refuse_notebook_only,
    require_python,
    resolve_parameters,
    split_long_sections,
    split_plots,
    split_sections,
)
from harden.extractor.state import ExtractOptions, ExtractState, Pass, need
from harden.notebook import Notebook, load

log = logging.getLogger(__name__)

#: What ``extract`` does, in order.  A pass that refuses the notebook raises.
EXTRACT_PASSES: tuple[Pass, ...] = (
    check_split_mode,
    choose_module_name,
    require_python,
    analyse,
    avoid_name_clashes,
    check_hidden_state,
    resolve_parameters,
    promote_parameters,
    classify_code,
    refuse_global_writers,
    prepare_cells,
    refuse_notebook_only,
    split_sections,
    split_plots,
    split_long_sections,
    log_cell_changes,
    plan_steps,
    note_layout,
    build_module,
    note_results,
)


def extract(
    path_or_notebook: str | Path | Notebook,
    *,
    module_name: str | None = None,
    split: str = "headings",
    outputs: Sequence[str] | None = None,
    drop_magics: bool = False,
    no_prints: bool = False,
    save_figures: str | None = None,
    allow_hidden_state: bool = False,
    parameters: str = "promote",
    prune: bool = False,
    max_step_lines: int = 60,
    analysis: Analysis | None = None,
) -> Extraction:
    """Turn a notebook into a module; see ``docs/extract.md``.  ``analysis``: the
    notebook's analysis when the caller has it (of this very ``Notebook``), so it
    is not analysed again.

    Raises :class:`~harden.errors.ExtractionError` for notebooks with
    execution-state problems (unless ``allow_hidden_state``) or magics with
    no Python equivalent (unless ``drop_magics``), :class:`UsageError` for
    bad options, :class:`NotebookError` for unreadable input.
    """
    notebook = (
        path_or_notebook if isinstance(path_or_notebook, Notebook) else load(path_or_notebook)
    )
    options = ExtractOptions(
        module_name,
        split,
        outputs,
        drop_magics,
        no_prints,
        save_figures,
        allow_hidden_state,
        parameters,
        prune,
        max_step_lines,
    )
    try:
        return _extract(notebook, options, analysis)
    except HardenError as exc:
        if exc.path is None and not isinstance(exc, UsageError):
            raise type(exc)(exc.problem, notebook.path) from None
        raise
    except RecursionError:
        raise ExtractionError("code nested too deeply to extract", notebook.path) from None


def _extract(
    notebook: Notebook, options: ExtractOptions, analysis: Analysis | None = None
) -> Extraction:
    if analysis is not None and analysis.notebook is not notebook:
        analysis = None  # another notebook's analysis: analyse this one
    state = run_passes(ExtractState(notebook, options, analysis=analysis), EXTRACT_PASSES)
    entries = sorted(
        state.log, key=lambda e: (e.cell_index is None, e.cell_index or 0, e.line or 0)
    )
    return Extraction(
        notebook.path,
        state.name,
        state.source,
        need(state.plan, "plan"),
        tuple(entries),
        tuple(dict.fromkeys(state.requirements)),
        state.local_modules,
        state.analysis,
    )


def run_passes(state: ExtractState, passes: Sequence[Pass]) -> ExtractState:
    """Run ``passes`` in order; each one's log entries are debug-logged under its name."""
    for step in passes:
        before = len(state.log)
        state = step(state)
        if log.isEnabledFor(logging.DEBUG):
            for entry in state.log[before:]:
                log.debug("%s: %s", step.__name__, entry.render())
    return state


__all__ = ["EXTRACT_PASSES", "check_module_name", "default_module_name", "extract", "run_passes"]
