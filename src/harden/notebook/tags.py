"""Every cell tag harden reads or writes, defined once.

Tags are strings in a cell's ``metadata.tags``.  Some come from the Jupyter
ecosystem (papermill, nbval, Jupyter Book); some are harden's own.  A test
greps the package for these literals: use the constants, never the strings.
"""

from __future__ import annotations

from typing import Final

# -- papermill ----------------------------------------------------------------
#: The cell that holds a notebook's parameters (papermill's convention).
PARAMETERS: Final = "parameters"
#: The cell papermill inserts after ``parameters`` with the values it was given.
INJECTED_PARAMETERS: Final = "injected-parameters"
#: The banner cells papermill inserts above a failing cell.
PAPERMILL_ERROR: Final = "papermill-error-cell-tag"

# -- Jupyter ecosystem (nbval, nbmake, Jupyter Book) ------------------------------
#: A cell that raises on purpose: its error is expected, not a failure.
RAISES_EXCEPTION: Final = "raises-exception"
#: A cell deliberately not run (nbmake, Jupyter Book).
SKIP_EXECUTION: Final = "skip-execution"

# -- harden's own ---------------------------------------------------------------
#: ``harden-ignore`` silences every rule for a cell; ``harden-ignore:H101,H203`` some.
IGNORE: Final = "harden-ignore"
#: Cells harden adds to an executed copy (capture and injection cells).
INJECTED: Final = "harden-injected"
#: A cell whose outputs legitimately differ from run to run (repro compares its shape only).
NONDETERMINISTIC: Final = "harden-nondeterministic"
#: Prefix of ``step:<name>``: the extractor's ``--split tags`` names steps with it.
STEP_PREFIX: Final = "step:"

#: Tags that mark a cell holding parameters (the original or papermill's injected copy).
PARAMETER_TAGS = frozenset({PARAMETERS, INJECTED_PARAMETERS})


def step_name(tags: frozenset[str] | tuple[str, ...] | list[str]) -> str | None:
    """The ``<name>`` of the first (sorted) ``step:<name>`` tag, if any."""
    return next((t[len(STEP_PREFIX) :] for t in sorted(tags) if t.startswith(STEP_PREFIX)), None)


__all__ = [
    "IGNORE",
    "INJECTED",
    "INJECTED_PARAMETERS",
    "NONDETERMINISTIC",
    "PAPERMILL_ERROR",
    "PARAMETERS",
    "PARAMETER_TAGS",
    "RAISES_EXCEPTION",
    "SKIP_EXECUTION",
    "STEP_PREFIX",
    "step_name",
]
