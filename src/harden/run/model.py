"""What a run is asked to do and what came back: :class:`RunOptions`, :class:`RunResult`.

Plain frozen dataclasses, shared by the runner (:mod:`harden.run.runner`) and
the papermill engine (:mod:`harden.run.execute`) without either importing the other's
internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harden.run.capture import Capture, CapturedValue, Injection
from harden.run.inputs import InputFile
from harden.run.params import ParameterArg

RunStatus = Literal["completed", "error", "exited", "timeout", "kernel_died", "not_started"]
DEFAULT_TIMEOUT = 600.0


@dataclass(frozen=True)
class RunOptions:
    """How to run.  ``timeout`` is per cell, ``notebook_timeout`` for the whole
    run (``None``: no limit).  ``cwd`` defaults to the notebook's folder,
    ``output_dir`` to a new temporary folder (kept: the caller owns it).
    ``expected_error_cells`` are original cell indices whose error must not
    stop the run (they get nbclient's ``raises-exception`` tag in the copy).
    ``seed``: when set, the kernel starts with ``PYTHONHASHSEED`` set to it and
    a cell seeding Python's, NumPy's and torch's global random state runs
    before the first cell (:mod:`harden.run.seeding`); ``None`` (the default,
    and ``harden repro``'s): unseeded, so ``--runs 2`` still finds
    nondeterminism.
    """

    kernel: str | None = None
    cwd: str | Path | None = None
    parameters: Mapping[str, Any] | Sequence[ParameterArg] = ()
    timeout: float | None = DEFAULT_TIMEOUT
    notebook_timeout: float | None = None
    startup_timeout: float = 60.0
    output_dir: str | Path | None = None
    output_name: str | None = None
    injections: tuple[Injection, ...] = ()
    captures: tuple[Capture, ...] = ()
    capture_dir: str | Path | None = None
    expected_error_cells: frozenset[int] = frozenset()
    seed: int | None = None


@dataclass(frozen=True)
class CellError:
    """An error output: exception class, message and traceback (ANSI colours removed)."""

    ename: str
    evalue: str
    traceback: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return f"{self.ename}: {self.evalue}" if self.evalue else self.ename


@dataclass(frozen=True)
class CellRun:
    """One cell of the original notebook after the run (``executed`` is false
    for markdown cells and for cells after the point where the run stopped)."""

    index: int
    cell_type: str
    executed: bool
    execution_count: int | None = None
    outputs: tuple[Mapping[str, Any], ...] = ()
    duration: float | None = None
    error: CellError | None = None


@dataclass(frozen=True)
class RunResult:
    """What happened when the notebook ran.

    ``status``: ``completed`` (every cell ran; errors only in expected-error
    cells), ``error`` (a cell raised and the run stopped there), ``exited``
    (a cell called ``sys.exit``), ``timeout``, ``kernel_died``,
    ``not_started`` (no kernel could be started).  ``stopped_at`` is the
    original cell index where the run stopped; ``message`` says it in one line
    (cells 1-based).  ``notebook`` is the original notebook with the fresh
    outputs in place (an nbformat node), ready for comparison.
    """

    path: str
    status: RunStatus
    message: str
    kernel: str | None = None
    cells: tuple[CellRun, ...] = ()
    stopped_at: int | None = None
    error: CellError | None = None
    duration: float = 0.0
    output_path: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    inputs: tuple[InputFile, ...] = ()
    inputs_after: tuple[InputFile, ...] = ()
    captures: tuple[CapturedValue, ...] = ()
    warnings: tuple[str, ...] = ()
    kernel_log: str = ""
    notebook: Any = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    def cell(self, index: int) -> CellRun | None:
        return next((cell for cell in self.cells if cell.index == index), None)


__all__ = ["DEFAULT_TIMEOUT", "CellError", "CellRun", "RunOptions", "RunResult", "RunStatus"]
