"""Run one notebook in a fresh kernel through papermill and describe what happened.

:func:`run_notebook` executes a *copy* of the notebook (the input file is
never written) and returns a :class:`RunResult` for every outcome that comes
from the notebook itself: a cell error, ``sys.exit``, a timeout, a kernel that
dies, a kernel that is not installed.  Only problems with the request raise
(:class:`~harden.errors.HardenError`: unreadable notebook, unknown parameter,
injection at a cell that does not exist, output path equal to the input).

Cells are always identified by their 0-based index in the *original*
notebook; papermill's injected-parameters cell, its error banner cells and
harden's injected cells are mapped out.  See ``docs/repro.md``.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from harden.errors import UsageError
from harden.run.capture import Injection, check_against, read_captures
from harden.run.facts import NotebookFacts, notebook_facts
from harden.run.inputs import InputFile, hash_inputs, rehash
from harden.run.model import (
    DEFAULT_TIMEOUT,
    CellError,
    CellRun,
    RunOptions,
    RunResult,
    RunStatus,
)
from harden.run.params import as_parameter_args, resolve_parameters
from harden.run.seeding import seed_cell_source

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Import the execution stack (papermill, nbclient, and ipykernel's kernelspec,
    which imports IPython) now, in this thread.  Call it before starting other
    threads that import IPython: two threads importing the same package at once
    can see it half-initialised."""
    from harden.run import execute  # noqa: F401 - imported for its side effect
    from harden.run.kernels import installed_kernels

    installed_kernels()


def run_notebook(
    notebook: Any,
    options: RunOptions = RunOptions(),
    facts: NotebookFacts | Callable[[], NotebookFacts] | None = None,
) -> RunResult:
    """Run ``notebook`` (a path or a :class:`harden.notebook.Notebook`) in a fresh kernel.

    ``facts`` (parameter defaults, literal paths) come from the caller's
    analysis; without them the notebook is scanned.  ``facts`` may be a
    function: it is then called only when needed (parameters to check, or the
    first cell about to run), so an analysis in another thread overlaps the
    kernel's start-up.  Input files are hashed just before the first cell runs.
    """
    from harden.notebook import Notebook, load
    from harden.run import execute
    from harden.run.kernels import choose_kernel

    nb = notebook if isinstance(notebook, Notebook) else load(notebook)
    if options.seed is not None and nb.cells:
        seed_cell = Injection(seed_cell_source(options.seed), before_cell=0, label="seed")
        options = replace(options, injections=(seed_cell, *options.injections))
    source_path = Path(nb.path).resolve()
    get_facts = _provider(nb, facts)
    given = as_parameter_args(options.parameters)
    parameters = resolve_parameters(given, get_facts().parameter_defaults, nb.path) if given else {}
    check_against(len(nb.cells), options.injections, options.captures)
    cwd = Path(options.cwd).resolve() if options.cwd else source_path.parent
    if not cwd.is_dir():
        raise UsageError(f"working directory {cwd} does not exist")
    output_dir = (
        Path(options.output_dir)
        if options.output_dir
        else Path(tempfile.mkdtemp(prefix="harden-run-"))
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    name = (options.output_name or source_path.name).replace("{", "_").replace("}", "_")
    output_path = (output_dir / name).resolve()
    if output_path == source_path:
        raise UsageError(f"the executed copy would overwrite the input notebook {source_path}")
    capture_dir = Path(options.capture_dir or output_dir / f"{output_path.stem}.captures").resolve()

    choice = choose_kernel(nb.kernel_name, nb.language, options.kernel)
    base: dict[str, Any] = {"path": str(nb.path), "parameters": parameters, "kernel": choice.name}
    warnings = (choice.warning,) if choice.warning else ()
    if choice.error:
        return RunResult(status="not_started", message=choice.error, warnings=warnings, **base)
    hashed: list[tuple[InputFile, ...]] = []

    def before_first_cell() -> None:
        hashed.append(hash_inputs(get_facts().input_candidates, cwd))

    started = time.monotonic()
    outcome = execute.execute(
        nb.node, choice, parameters, options, cwd, output_path, capture_dir, before_first_cell
    )
    duration = time.monotonic() - started
    inputs = hashed[0] if hashed else hash_inputs(get_facts().input_candidates, cwd)
    captures = (
        read_captures(options.captures, capture_dir, outcome.stopped_at) if options.captures else ()
    )
    return RunResult(
        status=outcome.status,
        message=outcome.message,
        cells=outcome.cells,
        stopped_at=outcome.stopped_at,
        error=outcome.error,
        duration=duration,
        output_path=str(output_path) if output_path.exists() else None,
        inputs=inputs,
        inputs_after=rehash(inputs, cwd),
        captures=captures,
        warnings=warnings + outcome.warnings,
        kernel_log=outcome.kernel_log,
        notebook=outcome.notebook,
        **base,
    )


def _provider(
    nb: Any, facts: NotebookFacts | Callable[[], NotebookFacts] | None
) -> Callable[[], NotebookFacts]:
    """A function returning the facts, computing them at most once."""
    cache: list[NotebookFacts] = []

    def get() -> NotebookFacts:
        if not cache:
            if isinstance(facts, NotebookFacts):
                cache.append(facts)
            elif facts is not None:
                cache.append(facts())
            else:
                cache.append(notebook_facts(nb))
        return cache[0]

    return get


#: The run's value types live in :mod:`harden.run.model`; they are re-exported here
#: so ``from harden.run.runner import RunOptions, run_notebook`` keeps working.
__all__ = [
    "DEFAULT_TIMEOUT",
    "CellError",
    "CellRun",
    "RunOptions",
    "RunResult",
    "RunStatus",
    "run_notebook",
    "warm_up",
]
