"""The papermill call itself, and turning whatever it did into an :class:`Outcome`.

Every cell of the copy is stamped ``metadata.harden.source_index`` with its
index in the original notebook, so the executed notebook maps back to the
original whatever papermill inserted (injected-parameters cell, error banner
cells) and whatever harden injected.  papermill and nbclient are imported here,
inside :func:`execute`, never at import time.
"""

from __future__ import annotations

import copy
import logging
import re
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harden.notebook.tags import INJECTED as INJECTED_TAG
from harden.notebook.tags import RAISES_EXCEPTION as EXPECTED_TAG
from harden.run.capture import cells_at
from harden.run.kernels import KernelChoice, kernel_manager
from harden.run.model import CellError, CellRun, RunOptions, RunStatus
from harden.run.seeding import seeded_environment

log = logging.getLogger(__name__)

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Outcome:
    status: RunStatus
    message: str
    cells: tuple[CellRun, ...]
    stopped_at: int | None
    error: CellError | None
    warnings: tuple[str, ...]
    kernel_log: str
    notebook: Any


class _Clock:
    """nbclient's ``timeout_func``: the per-cell timeout, cut to what is left of
    the notebook's limit; remembers the cell being executed."""

    def __init__(
        self,
        per_cell: float | None,
        limit: float | None,
        on_first: Callable[[], None] | None = None,
    ) -> None:
        self.on_first = on_first
        self.per_cell = per_cell if per_cell and per_cell > 0 else None
        self.limit = limit if limit and limit > 0 else None
        self.started = time.monotonic()
        self.cell: Any = None
        self.limit_bound = False

    def before_execute(self, cell: Any, **_: Any) -> None:
        """nbclient's ``on_cell_execute`` hook: runs just before a code cell is sent."""
        self.cell = cell
        if self.on_first is not None:
            first, self.on_first = self.on_first, None
            try:
                first()
            except Exception:  # never let bookkeeping stop the run
                log.debug("before-first-cell hook failed", exc_info=True)

    def __call__(self, cell: Any) -> float | None:
        self.cell = cell
        left = None if self.limit is None else self.limit - (time.monotonic() - self.started)
        choices = [t for t in (self.per_cell, left) if t is not None]
        if not choices:
            return None
        self.limit_bound = left is not None and left <= (self.per_cell or float("inf"))
        return max(min(choices), 0.05)


def prepare_copy(node: Any, options: RunOptions, capture_dir: Path) -> Any:
    """A deep copy, outputs cleared, stamped, expected-error cells tagged, cells injected."""
    from nbformat.v4 import new_code_cell

    prepared = copy.deepcopy(node)
    cells = []
    for index, cell in enumerate(prepared.cells):
        for where in ("before", "after"):
            injected = cells_at(index, where, options.injections, options.captures, capture_dir)
            new = []
            for label, source in injected:
                extra = new_code_cell(source)
                extra.metadata["tags"] = [INJECTED_TAG]
                extra.metadata["harden"] = {"injected": label}
                new.append(extra)
            if where == "before":
                cells.extend(new)
                cell.metadata.setdefault("harden", {})["source_index"] = index
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
                    if index in options.expected_error_cells:
                        tags = list(cell.metadata.get("tags", []))
                        cell.metadata["tags"] = tags + [EXPECTED_TAG] * (EXPECTED_TAG not in tags)
                cells.append(cell)
            else:
                cells.extend(new)
    prepared.cells = cells
    return prepared


#: Kernel starts tried when the kernel loses a race for its ports.
START_ATTEMPTS = 3
PORT_RACE = "Address already in use"


def execute(
    node: Any,
    choice: KernelChoice,
    parameters: Mapping[str, Any],
    options: RunOptions,
    cwd: Path,
    output_path: Path,
    capture_dir: Path,
    before_first_cell: Callable[[], None] | None = None,
) -> Outcome:
    import nbformat
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    prepared = prepare_copy(node, options, capture_dir)
    log_path = output_path.with_name(output_path.stem + ".kernel.log")
    startup = options.startup_timeout
    if options.notebook_timeout:
        startup = min(startup, options.notebook_timeout)
    for attempt in range(1, START_ATTEMPTS + 1):
        clock = _Clock(options.timeout, options.notebook_timeout, before_first_cell)
        failure: tuple[str, str] | None = None
        with open(log_path, "wb") as log_file:
            env = seeded_environment(options.seed) if options.seed is not None else None
            manager = kernel_manager(str(choice.name), str(cwd), log_file, env)
            try:
                papermill.execute_notebook(
                    prepared,
                    str(output_path),
                    parameters=dict(parameters) or None,
                    kernel_name=choice.name,
                    language=choice.language,
                    progress_bar=False,
                    start_timeout=startup,
                    execution_timeout=options.timeout,
                    km=manager,
                    timeout_func=clock,
                    on_cell_execute=clock.before_execute,
                    extra_arguments=list(choice.extra_arguments),
                    shutdown_kernel="immediate",  # outputs are in; a graceful stop only costs time
                )
            except PapermillExecutionError:
                pass  # judged from the outputs below
            except CellTimeoutError:
                failure = ("timeout", "")
            except DeadKernelError:
                failure = ("kernel_died", "")
            except NoSuchKernel as exc:
                failure = ("not_started", f"kernel {choice.name!r} is not installed ({exc})")
            except Exception as exc:  # papermill/nbclient/zmq: report, never a traceback
                log.debug("execution of %s broke off", output_path, exc_info=True)
                failure = ("broken", f"{type(exc).__name__}: {exc}".strip())
            returncode = _returncode(manager)
        if not (
            failure is not None
            and clock.cell is None
            and attempt < START_ATTEMPTS
            and PORT_RACE in _tail(log_path)
        ):
            break
        # jupyter_client picks free ports, then the kernel binds them: another
        # process starting a kernel at the same moment can take one first.
        log.info("%s: kernel port taken by another process; starting again", output_path)
    kernel_log = _tail(log_path)
    executed = nbformat.read(output_path, as_version=4) if output_path.exists() else prepared
    cells, injected = _map_back(executed, len(node.cells))
    status, message, stopped, error = _judge(
        cells, injected, failure, clock, returncode, kernel_log, options
    )
    return Outcome(status, message, cells, stopped, error, (), kernel_log, _fresh(node, cells))


def _map_back(
    executed: Any, count: int
) -> tuple[tuple[CellRun, ...], list[tuple[int, str, CellRun]]]:
    """CellRuns of the original cells, and (preceding original index, label, run) of injected ones."""
    by_index: dict[int, CellRun] = {}
    injected: list[tuple[int, str, CellRun]] = []
    previous = -1
    for cell in executed.cells:
        meta = cell.metadata.get("harden", {})
        run = _cell_run(cell, meta.get("source_index", -1))
        if "source_index" in meta and meta["source_index"] not in by_index:
            by_index[meta["source_index"]] = run
            previous = meta["source_index"]
        elif "injected" in meta:
            injected.append((previous, str(meta["injected"]), run))
    cells = tuple(by_index.get(i, CellRun(i, "code", False)) for i in range(count))
    return cells, injected


def _cell_run(cell: Any, index: int) -> CellRun:
    papermill_meta = cell.metadata.get("papermill", {})
    ran = cell.cell_type == "code" and bool(papermill_meta.get("start_time"))
    outputs = tuple(cell.get("outputs", ())) if ran else ()
    error = None
    for output in outputs:
        if output.get("output_type") == "error":
            error = CellError(
                str(output.get("ename", "")),
                str(output.get("evalue", "")),
                tuple(ANSI.sub("", line) for line in output.get("traceback", ())),
            )
            break
    return CellRun(
        index=index,
        cell_type=cell.cell_type,
        executed=ran,
        execution_count=cell.get("execution_count") if ran else None,
        outputs=outputs,
        duration=papermill_meta.get("duration"),
        error=error,
    )


def _judge(
    cells: tuple[CellRun, ...],
    injected: list[tuple[int, str, CellRun]],
    failure: tuple[str, str] | None,
    clock: _Clock,
    returncode: int | None,
    kernel_log: str,
    options: RunOptions,
) -> tuple[RunStatus, str, int | None, CellError | None]:
    current = _source_index(clock.cell)
    where = f"cell {current + 1}" if current is not None else "an injected cell"
    if failure is not None:
        kind, detail = failure
        if kind == "timeout":
            if clock.limit_bound:
                return (
                    "timeout",
                    (
                        f"the notebook did not finish within its time limit of "
                        f"{clock.limit:g} s (stopped in {where})"
                    ),
                    current,
                    None,
                )
            return (
                "timeout",
                (f"{where} did not finish within the per-cell timeout of {clock.per_cell:g} s"),
                current,
                None,
            )
        if kind == "kernel_died":
            return "kernel_died", _death_message(where, returncode, kernel_log), current, None
        if kind == "not_started" or clock.cell is None:
            tail = f"; kernel log: {_last_line(kernel_log)}" if kernel_log else ""
            return "not_started", f"the kernel did not start: {detail}{tail}", None, None
        return "error", f"the run broke off in {where}: {detail}", current, None
    ordered = sorted(
        [(c.index, 0, f"cell {c.index + 1}", c) for c in cells]
        + [(i, 1, f"injected cell {label!r}", run) for i, label, run in injected],
        key=lambda item: (item[0], item[1]),
    )
    for index, is_injected, label, run in ordered:
        if run.error is None or (not is_injected and run.index in options.expected_error_cells):
            continue
        stop = index if index >= 0 else None
        later = sum(
            1 for c in cells if c.cell_type == "code" and c.index > index and not c.executed
        )
        rest = f"; {later} later code cell(s) did not run" if later else ""
        if run.error.ename == "SystemExit":
            code = run.error.evalue or "None"
            return (
                "exited",
                f"{label} called sys.exit({code}): the run stopped there{rest}",
                stop,
                run.error,
            )
        return "error", f"{label} raised {run.error.summary}{rest}", stop, run.error
    ran = sum(1 for c in cells if c.executed)
    return "completed", f"ran {ran} code cell(s)", None, None


def _source_index(cell: Any) -> int | None:
    if cell is None:
        return None
    index = cell.get("metadata", {}).get("harden", {}).get("source_index")
    return index if isinstance(index, int) else None


def _death_message(where: str, returncode: int | None, kernel_log: str) -> str:
    how = "(os._exit, a crash in native code, or out of memory)"
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        how = f"(killed by {name}{', often the out-of-memory killer' if name == 'SIGKILL' else ''})"
    elif returncode is not None:
        how = f"(the kernel process exited with code {returncode})"
    line = _last_line(kernel_log)
    return f"the kernel died while running {where} {how}" + (
        f"; kernel log: {line}" if line else ""
    )


def _returncode(manager: Any) -> int | None:
    process = getattr(manager, "harden_process", None)
    process = process or getattr(getattr(manager, "provisioner", None), "process", None)
    try:
        return process.poll() if process is not None else None
    except Exception:  # noqa: BLE001 - already reaped
        return getattr(process, "returncode", None)


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    if not text.strip():
        path.unlink(missing_ok=True)
        return ""
    return text[-limit:]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _fresh(node: Any, cells: tuple[CellRun, ...]) -> Any:
    """The original notebook with the fresh outputs and execution counts."""
    import nbformat

    fresh = copy.deepcopy(node)
    for cell, run in zip(fresh.cells, cells):
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(dict(output)) for output in run.outputs]
            cell.execution_count = run.execution_count
    return fresh
