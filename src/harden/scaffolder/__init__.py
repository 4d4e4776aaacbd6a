"""``harden scaffold``: pytest tests that pin what an extracted module computes.

:func:`scaffold` extracts the notebook (or takes ``module``), runs the module
once in a fresh process capturing each step's inputs and outputs, stores them
as fixtures and writes ``conftest.py`` and ``test_<module>.py``.
:func:`harden.scaffolder.mutate.mutate` measures how much behaviour the tests pin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harden.scaffolder.core import ScaffoldResult, Target, Untested, prepare_target, scaffold_target
from harden.scaffolder.options import ScaffoldOptions, resolve_options


def scaffold(
    notebook: str | Path | None,
    output_dir: str | Path,
    *,
    module: str | Path | None = None,
    module_dir: str | Path | None = None,
    force: bool = False,
    options: ScaffoldOptions | None = None,
    expectations: str | Path | None = None,
    **settings: Any,
) -> ScaffoldResult:
    """Write the tests for ``notebook``'s module into ``output_dir``; without
    ``options``, ``[tool.harden.scaffold]`` overridden by ``settings``.  With
    ``expectations`` (the folder ``harden expect -o`` wrote), also the data contract
    and property tests."""
    start = Path(notebook if notebook is not None else module or ".").resolve().parent
    resolved = options if options is not None else resolve_options(start, **settings)
    target = prepare_target(notebook, module, module_dir, force)
    return scaffold_target(target, output_dir, resolved, force=force, expectations=expectations)


__all__ = [
    "ScaffoldOptions",
    "ScaffoldResult",
    "Target",
    "Untested",
    "prepare_target",
    "resolve_options",
    "scaffold",
    "scaffold_target",
]
