"""Great Expectations, imported lazily and kept quiet: an ephemeral context
(no ``gx/`` folder), no progress bars, no analytics."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)


def gx_module() -> ModuleType:
    """``great_expectations``, with analytics off before it is imported."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # GX logs what harden reports itself (an unknown expectation type is
    # logged with a traceback, then dropped): keep its loggers quiet.
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    logging.getLogger("great_expectations.core.expectation_suite").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import great_expectations as gx
    return gx


def ephemeral_context() -> Any:
    """A context that writes nothing to disk and draws no progress bars."""
    gx = gx_module()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@contextmanager
def no_frame_fingerprint() -> Iterator[None]:
    """GX without its pandas batch fingerprint while the block runs.

    GX hashes every row of a pandas frame under 1 GB (``HASH_THRESHOLD``) into
    ``batch_markers["pandas_data_fingerprint"]``, which nothing in a
    validation reads; larger frames go without it.  On a 1M × 20 frame the hash
    costs ~0.15 s and ~40 MB.  The threshold is a module constant of GX's
    pandas execution engine: lowered to 0 here, restored after (a GX without
    it is left alone).  Not for threads that run GX meanwhile.
    """
    from great_expectations.execution_engine import pandas_execution_engine as engine

    if not hasattr(engine, "HASH_THRESHOLD"):
        yield
        return
    threshold = engine.HASH_THRESHOLD
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = threshold
