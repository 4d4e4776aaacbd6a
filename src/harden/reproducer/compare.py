"""Compare a reference notebook's outputs with an actual run, cell by cell.

The reference is the notebook's stored outputs, or the first of several runs;
the actual notebook is a fresh run (both nbformat v4 ``NotebookNode``).  Code
cells are aligned by cell id when every compared cell on both sides has one,
else by position among code cells.  Cells papermill adds (``injected-parameters``,
the ``papermill-error-cell-tag`` banners) are ignored and not counted.

Per cell, every stream's chunks are merged first (the kernel splits them
differently between runs), then stdout, stderr, rich outputs and errors are
compared after :mod:`~harden.reproducer.normalize` and with numbers within a tolerance
(:mod:`~harden.reproducer.compare_text`).  Warnings on stderr and changed images are
``info``: reported, never a failure (unless ``image_severity="error"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from harden.reproducer.compare_outputs import RAISES_TAG, OutputComparer, first_error
from harden.reproducer.compare_types import (
    CellComparison,
    CellStatus,
    CompareOptions,
    DiffSeverity,
    ImageMode,
    OutputDiff,
)

__all__ = [
    "DEFAULT_OPTIONS",
    "INJECTED_TAG",
    "NONDETERMINISTIC_TAG",
    "PAPERMILL_ERROR_TAG",
    "RAISES_TAG",
    "CellComparison",
    "CellStatus",
    "CompareOptions",
    "DiffSeverity",
    "ImageMode",
    "OutputDiff",
    "cells_expected_to_raise",
    "compare_notebooks",
    "differing_cells",
    "first_difference",
    "has_stored_outputs",
    "reproduced",
]

from harden.notebook.tags import INJECTED_PARAMETERS as INJECTED_TAG
from harden.notebook.tags import NONDETERMINISTIC as NONDETERMINISTIC_TAG
from harden.notebook.tags import PAPERMILL_ERROR as PAPERMILL_ERROR_TAG


def first_difference(comparisons: Iterable[CellComparison]) -> CellComparison | None:
    """The first cell whose status is ``differs``, or ``None``."""
    return next((c for c in comparisons if c.status == "differs"), None)


def differing_cells(
    comparisons: Iterable[CellComparison],
) -> tuple[CellComparison, ...]:
    """All cells whose status is ``differs``, in notebook order."""
    return tuple(c for c in comparisons if c.status == "differs")


def reproduced(comparisons: Iterable[CellComparison]) -> bool:
    """True when no cell ``differs`` (same, info, skipped and expected-error all count)."""
    return first_difference(comparisons) is None


def has_stored_outputs(notebook: Any) -> bool:
    """True when some code cell stores an output (else there is nothing to compare).

    Execution counts alone do not count: a notebook saved "cleared" (outputs
    removed, counts kept, as whole books are published) stores nothing to
    compare with.
    """
    return any(cell.get("outputs") for cell in notebook["cells"] if cell.get("cell_type") == "code")


def cells_expected_to_raise(notebook: Any) -> tuple[int, ...]:
    """Positions (all cells counted) of code cells that may raise when re-run.

    Those tagged ``raises-exception`` and those whose stored outputs hold an
    error.  A runner can tag these ``raises-exception`` in the copy it executes
    so that nbclient carries on past them; the comparer reads that tag from
    the *reference* cell only, so tagging the executed copy does not loosen
    the comparison (the exception class must still match the stored one).
    """
    return tuple(
        index
        for index, cell in enumerate(notebook["cells"])
        if cell.get("cell_type") == "code"
        and (RAISES_TAG in _tags(cell) or first_error(cell.get("outputs", [])) is not None)
    )


@dataclass(frozen=True)
class _Slot:
    input_index: int
    notebook_index: int
    cell: Any


def _tags(cell: Any) -> frozenset[str]:
    return frozenset(cell.get("metadata", {}).get("tags", ()) or ())


def _papermill_added(cell: Any) -> bool:
    tags = _tags(cell)
    return (
        INJECTED_TAG in tags
        or PAPERMILL_ERROR_TAG in tags
        or str(cell.get("id", "")).startswith("papermill-error-cell")
    )


def _code_slots(notebook: Any) -> list[_Slot]:
    slots, input_index = [], 0
    for notebook_index, cell in enumerate(notebook["cells"]):
        if _papermill_added(cell):
            continue
        if cell.get("cell_type") == "code":
            slots.append(_Slot(input_index, notebook_index, cell))
        input_index += 1
    return slots


def _align(reference: list[_Slot], actual: list[_Slot]) -> list[tuple[_Slot, _Slot | None]]:
    ids = [slot.cell.get("id") for slot in actual]
    by_id = {slot.cell.get("id"): slot for slot in actual}
    if all(ids) and len(by_id) == len(ids) and all(s.cell.get("id") in by_id for s in reference):
        return [(slot, by_id[slot.cell.get("id")]) for slot in reference]
    return [(slot, actual[i] if i < len(actual) else None) for i, slot in enumerate(reference)]


DEFAULT_OPTIONS = CompareOptions()
"""The defaults: rel_tol 1e-6, abs_tol 1e-12, all built-in normalisers, images by size."""


def compare_notebooks(
    reference: Any, actual: Any, options: CompareOptions = DEFAULT_OPTIONS
) -> tuple[CellComparison, ...]:
    """Compare every code cell of ``reference`` with its counterpart in ``actual``."""
    pairs = _align(_code_slots(reference), _code_slots(actual))
    return tuple(_compare_cell(ref, act, options) for ref, act in pairs)


def _compare_cell(ref: _Slot, act: _Slot | None, options: CompareOptions) -> CellComparison:
    cell_id = ref.cell.get("id")
    tags = _tags(ref.cell) | (_tags(act.cell) if act else frozenset())
    if NONDETERMINISTIC_TAG in tags:
        return CellComparison(
            ref.input_index,
            cell_id,
            "skipped",
            (),
            f"tagged {NONDETERMINISTIC_TAG}",
            act.notebook_index if act else None,
        )
    if act is None:
        missing = OutputDiff(
            None, "cell", "", "", "", "error", "cell missing from the actual notebook"
        )
        return CellComparison(ref.input_index, cell_id, "differs", (missing,))
    ref_outputs, act_outputs = ref.cell.get("outputs", []), act.cell.get("outputs", [])
    if ref.cell.get("execution_count") is None and not ref_outputs and act_outputs:
        return CellComparison(
            ref.input_index,
            cell_id,
            "skipped",
            (),
            "no stored output (the cell was not run when saved)",
            act.notebook_index,
        )
    if act.cell.get("execution_count") is None and not act_outputs and ref_outputs:
        return CellComparison(
            ref.input_index,
            cell_id,
            "skipped",
            (),
            "not executed in the actual run",
            act.notebook_index,
        )
    comparer = OutputComparer(options)
    comparer.streams(ref_outputs, act_outputs)
    comparer.rich(ref_outputs, act_outputs)
    expected_error = comparer.error(
        first_error(ref_outputs),
        first_error(act_outputs),
        RAISES_TAG in _tags(ref.cell),
    )
    diffs = tuple(comparer.diffs)
    status: CellStatus
    if any(d.severity == "error" for d in diffs):
        status = "differs"
    elif expected_error:
        status = "expected-error"
    else:
        status = "info" if diffs else "same"
    return CellComparison(
        ref.input_index,
        cell_id,
        status,
        diffs,
        expected_error if status == "expected-error" else "",
        act.notebook_index,
        tuple(comparer.drift) if status != "differs" else (),
    )
