"""Great Expectations, imported lazily and kept quiet: an ephemeral context
(no ``gx/`` folder), no progress bars, no analytics."""

from __future__ import annotations

import logging
import os
import warnings
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
