"""Seed global random state identically on both sides of a comparison.

``harden extract --check`` runs the notebook (a kernel) and the extracted
module (a ``python`` process) and compares what they compute.  Code drawing
from *global* random state (``random.random()``, ``np.random.rand()``, an
estimator without ``random_state``) computes the same values on both sides
only when both start from the same state, so both are seeded the same way:
the kernel before its first cell (:func:`seed_cell_source`, and
``PYTHONHASHSEED`` in its environment, :func:`seeded_environment`), the module
process just before ``run()`` (:func:`seed_all`).

Seeded: Python's :mod:`random`, NumPy's global ``RandomState`` (when NumPy is
installed), and torch's default generator when torch is already imported.
Randomness that does not come from global state (``np.random.default_rng()``
with no seed, ``os.urandom``) is not, and still differs: the checker then
reports it as nondeterministic, naming the call.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping

__all__ = ["DEFAULT_SEED", "seed_all", "seed_cell_source", "seeded_environment"]

DEFAULT_SEED = 0  # seed_all's default too


def seed_all(seed: int = 0) -> tuple[str, ...]:
    """Seed the global random state of this process; return what was seeded."""
    import importlib
    import random
    import sys

    random.seed(seed)
    seeded = ["random"]
    try:
        numpy = importlib.import_module("numpy")
    except ImportError:
        numpy = None
    if numpy is not None:
        numpy.random.seed(seed)
        seeded.append("numpy")
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        seeded.append("torch")
    return tuple(seeded)


def seed_cell_source(seed: int = DEFAULT_SEED) -> str:
    """The code of a kernel cell that seeds like :func:`seed_all` and leaves no name
    behind.  It is :func:`seed_all`'s own source (the kernel need not import harden)."""
    import libcst as cst

    from harden.run.cellcode import call_once, literal

    parsed = cst.parse_statement(inspect.getsource(seed_all))
    assert isinstance(parsed, cst.FunctionDef)
    return call_once(parsed.with_changes(name=cst.Name("_harden_seed_all")), [literal(int(seed))])


def seeded_environment(seed: int = DEFAULT_SEED, base: Mapping[str, str] | None = None) -> dict:
    """``base`` (default: this process's environment) with ``PYTHONHASHSEED`` set."""
    return dict(os.environ if base is None else base, PYTHONHASHSEED=str(int(seed)))
