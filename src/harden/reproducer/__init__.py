"""Judging reproduction: ``harden repro``, the comparer and its normalisers, failure causes,
reports and the pytest plugin.

Executing a notebook is :mod:`harden.run`'s job; this package decides whether
what came back reproduces what the notebook stored.  Nothing here imports
papermill, nbclient or pandas at import time.
"""

from harden.reproducer.batch import repro_paths
from harden.reproducer.report import render
from harden.reproducer.repro import (
    STATUSES,
    CellResult,
    ReproOptions,
    ReproResult,
    repro_notebook,
)

__all__ = [
    "STATUSES",
    "CellResult",
    "ReproOptions",
    "ReproResult",
    "render",
    "repro_notebook",
    "repro_paths",
]
