"""``harden repro``: re-run notebooks in a fresh kernel and say whether they reproduce.

:func:`repro_notebook` runs one notebook (``runs`` times) and judges it;
:func:`harden.reproducer.batch.repro_paths` does it for files and folders, in parallel worker
processes, results in input order.  Every notebook ends with one status:

``reproduced``  every cell gives its stored output (within the normalisers);
``executed``    it ran without error, but the notebook stores no outputs, so
                there was nothing to compare (a notebook saved cleared);
``differs``     some cell's output differs (diffs and probable causes attached);
``nondeterministic``  with ``runs >= 2``, some cell differs between runs;
``failed``      a cell raised (not an expected error), ``sys.exit``, a missing
                kernel, or the notebook could not be read;
``timeout`` / ``kernel_died``;
``worker_lost`` on a Dask cluster, the workers running it died (retried once).

Expected errors (a cell tagged ``raises-exception``, or whose stored output is
an error of the same class) count as reproduced and the run continues past them.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

from harden.analysis import Analysis, analyze
from harden.config import resolve
from harden.errors import HardenError
from harden.linter.engine import lint_notebook
from harden.linter.registry import all_rules
from harden.notebook import Notebook, load
from harden.notebook.tags import RAISES_EXCEPTION as RAISES_TAG
from harden.reproducer.causes import (
    CAUSE_RULES,
    Cause,
    difference_causes,
    failure_causes,
)
from harden.reproducer.compare import (
    CompareOptions,
    compare_notebooks,
    has_stored_outputs,
)
from harden.reproducer.normalize import DRIFT_LABELS
from harden.reproducer.redact import redact_result
from harden.run.facts import NotebookFacts, facts_from_analysis
from harden.run.inputs import changed_inputs, stored_hashes
from harden.run.runner import CellError, RunOptions, RunResult, run_notebook, warm_up

log = logging.getLogger(__name__)

ReproStatus = Literal[
    "reproduced",
    "executed",
    "differs",
    "nondeterministic",
    "failed",
    "timeout",
    "kernel_died",
    "worker_lost",
]
STATUSES: tuple[str, ...] = get_args(ReproStatus)

Progress = Callable[[int, int, "ReproResult"], None]


@dataclass(frozen=True)
class ReproOptions:
    """``run`` says how to execute, ``compare`` how to compare (``None``: the
    comparer's defaults); ``runs >= 2`` also compares the runs with each other.
    ``require_outputs``: a notebook that stores no outputs (verdict ``executed``)
    is not ``ok`` (for a CI gate that wants a comparison)."""

    run: RunOptions = RunOptions()  # noqa: RUF009 - frozen, so sharing the default is safe
    compare: Any = None
    runs: int = 1
    require_outputs: bool = False


@dataclass(frozen=True)
class CellResult:
    """One code cell: ``same``, ``differs``, ``nondeterministic``, ``info``,
    ``expected-error``, ``skipped``, ``executed`` (ran; the notebook stores no
    output to compare with), ``failed`` (where the run stopped) or ``not-run``;
    ``diffs`` are the comparer's ``OutputDiff`` values."""

    cell_index: int
    cell_id: str | None
    status: str
    diffs: tuple[Any, ...] = ()
    reason: str = ""
    normalized: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReproResult:
    """The verdict for one notebook.  ``input_error`` is set when the notebook
    or the request was invalid (the CLI exits 2); ``runs`` are the runner's
    results (without their notebooks).  ``outputs_required``: an ``executed``
    verdict is not ``ok`` (``--require-outputs``).  ``normalized``: per
    library-drift normaliser, the number of cells it made equal."""

    path: str
    status: ReproStatus
    message: str
    cells: tuple[CellResult, ...] = ()
    causes: tuple[Cause, ...] = ()
    failed_cell: int | None = None
    error: CellError | None = None
    warnings: tuple[str, ...] = ()
    duration: float = 0.0
    runs: tuple[RunResult, ...] = ()
    input_error: str | None = None
    outputs_required: bool = False
    normalized: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Reproduced, or executed (nothing stored to compare) unless outputs are required."""
        return self.status == "reproduced" or (
            self.status == "executed" and not self.outputs_required
        )

    @property
    def problem_cells(self) -> tuple[CellResult, ...]:
        return tuple(c for c in self.cells if c.status in ("differs", "nondeterministic", "failed"))


def repro_notebook(path: str | Path, options: ReproOptions = ReproOptions()) -> ReproResult:
    """Run and judge one notebook; every outcome is a result, never an exception."""
    started = time.monotonic()
    try:
        result = _repro(Path(path), options)
    except HardenError as exc:
        own = exc.path is not None and Path(exc.path) == Path(path)
        message = " ".join(exc.problem.split()) if own else exc.one_line()
        result = ReproResult(str(path), "failed", message, input_error=message)
    return replace(redact_result(result), duration=time.monotonic() - started)


def _repro(path: Path, options: ReproOptions) -> ReproResult:
    from concurrent.futures import ThreadPoolExecutor

    notebook = load(path)
    stored_errors = _stored_errors(notebook.node)
    run_options = replace(
        options.run, expected_error_cells=frozenset(stored_errors) | _tagged(notebook)
    )
    runs: list[RunResult] = []
    warm_up()  # shared imports first, so the analysis thread never races them
    # The analysis (libcst import, parsing) runs while the kernel starts.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="harden-analysis") as pool:
        analysed = pool.submit(_analyze, notebook)

        @functools.cache
        def facts() -> NotebookFacts:
            # Once, from the one analysis; a failed analysis is not run again.
            analysis = analysed.result()
            return facts_from_analysis(analysis) if analysis is not None else NotebookFacts()

        for number in range(1, max(1, options.runs) + 1):
            stem = Path(options.run.output_name or path.name).stem
            name = f"{stem}.run{number}.ipynb" if options.runs > 1 else options.run.output_name
            run = run_notebook(notebook, replace(run_options, output_name=name), facts)
            runs.append(run)
            if not run.ok:
                break
        analysis = analysed.result()
    return _judge(notebook, analysis, facts(), stored_errors, runs, options)


def expected_error_cells(notebook: Notebook) -> frozenset[int]:
    """Cells whose error must not stop a run: a stored error output, or tagged
    ``raises-exception``.  A run made elsewhere (``harden handoff``'s shared run)
    passes them as ``RunOptions.expected_error_cells`` before :func:`judge_run`."""
    return frozenset(_stored_errors(notebook.node)) | _tagged(notebook)


def judge_run(
    notebook: Notebook,
    analysis: Analysis | None,
    run: RunResult,
    options: ReproOptions = ReproOptions(),
) -> ReproResult:
    """The repro verdict on a ``run`` made by the caller (with
    :func:`expected_error_cells`; extra capture or seed cells are mapped out of
    its cells), as :func:`repro_notebook` judges its own single run."""
    facts = facts_from_analysis(analysis) if analysis is not None else NotebookFacts()
    try:
        result = _judge(notebook, analysis, facts, _stored_errors(notebook.node), [run], options)
    except HardenError as exc:
        message = exc.one_line()
        result = ReproResult(str(notebook.path), "failed", message, input_error=message)
    return replace(redact_result(result), duration=run.duration)


def _analyze(notebook: Notebook) -> Analysis | None:
    try:
        return analyze(notebook)
    except Exception:  # the analysis must never stop a run
        log.warning(
            "%s: analysis failed; causes will be less precise", notebook.path, exc_info=True
        )
        return None


def _stored_errors(node: Any) -> dict[int, str]:
    """Cell index → exception class of the stored error output."""
    errors = {}
    for index, cell in enumerate(node.cells):
        for output in cell.get("outputs", ()) if cell.cell_type == "code" else ():
            if output.get("output_type") == "error":
                errors[index] = str(output.get("ename", ""))
                break
    return errors


def _tagged(notebook: Any) -> frozenset[int]:
    return frozenset(c.index for c in notebook.cells if RAISES_TAG in c.tags)


def _judge(
    notebook: Any,
    analysis: Analysis | None,
    facts: Any,
    stored_errors: dict[int, str],
    runs: list[RunResult],
    options: ReproOptions,
) -> ReproResult:
    first, last = runs[0], runs[-1]
    compare_options = options.compare or _default_compare_options()
    stripped = tuple(replace(run, notebook=None) for run in runs)
    base: dict[str, Any] = {
        "path": str(notebook.path),
        "runs": stripped,
        "warnings": _warnings(runs),
    }
    if last.status == "not_started":
        cause = Cause("missing-kernel", last.message)
        return ReproResult(status="failed", message=last.message, causes=(cause,), **base)
    ran_vs_stored = compare_notebooks(notebook.node, first.notebook, compare_options)
    between: dict[int, Any] = {}
    for other in runs[1:]:
        for comparison in compare_notebooks(first.notebook, other.notebook, compare_options):
            if comparison.status == "differs":
                between.setdefault(comparison.cell_index, comparison)
    unexpected = _unexpected_error(first, stored_errors, _tagged(notebook))
    nothing_stored = not has_stored_outputs(notebook.node)
    cells = _cells(ran_vs_stored, between, last, unexpected, nothing_stored)
    cwd = Path(options.run.cwd) if options.run.cwd else Path(notebook.path).parent
    if last.status in ("timeout", "kernel_died"):
        return ReproResult(
            status=last.status,
            message=last.message,
            cells=cells,
            failed_cell=last.stopped_at,
            **base,
        )
    if last.status in ("error", "exited"):
        causes: tuple[Cause, ...] = ()
        if last.error is not None:
            causes = failure_causes(
                last.error, last.stopped_at, notebook.node, facts, analysis, cwd
            )
        return ReproResult(
            status="failed",
            message=last.message,
            cells=cells,
            causes=causes + (_fallback(runs) if causes else ()),
            failed_cell=last.stopped_at,
            error=last.error,
            **base,
        )
    if unexpected is not None:
        index, error = unexpected
        message = (
            f"cell {index + 1} raised {error.summary} (the stored output has "
            f"{stored_errors[index]})"
        )
        causes = failure_causes(error, index, notebook.node, facts, analysis, cwd)
        return ReproResult(
            status="failed",
            message=message,
            cells=cells,
            causes=causes + (_fallback(runs) if causes else ()),
            failed_cell=index,
            error=error,
            **base,
        )
    differing = [c for c in cells if c.status == "differs"]
    unstable = [c for c in cells if c.status == "nondeterministic"]
    if differing or unstable:
        cells_concerned = sorted(c.cell_index for c in differing + unstable)
        causes = difference_causes(
            cells_concerned, _findings(notebook, analysis), analysis, _input_changes(notebook, runs)
        )
        causes += _fallback(runs) if causes else ()
        if first.parameters and differing:
            given = ", ".join(f"{k}={v!r}" for k, v in first.parameters.items())
            causes = (
                Cause(
                    "parameters",
                    f"the run set {given}; the stored outputs may come from other values",
                ),
            ) + causes
        if differing:
            listing = ", ".join(str(c.cell_index + 1) for c in differing)
            return ReproResult(
                status="differs",
                message=f"{len(differing)} cell(s) differ from the stored outputs (cell {listing})",
                cells=cells,
                causes=causes,
                normalized=_normalized(cells),
                **base,
            )
        listing = ", ".join(str(c.cell_index + 1) for c in unstable)
        return ReproResult(
            status="nondeterministic",
            message=f"{len(unstable)} cell(s) differ between {len(runs)} runs (cell {listing})",
            cells=cells,
            causes=causes,
            **base,
        )
    if nothing_stored and any(c.status == "executed" for c in cells):
        ran = sum(1 for c in cells if c.status == "executed")
        message = (
            f"ran {ran} code cell(s) without error; the notebook stores no outputs, "
            "so there was nothing to compare"
        )
        if options.require_outputs:
            message += " (outputs are required: save the notebook with its outputs)"
        return ReproResult(
            status="executed",
            message=message,
            cells=cells,
            outputs_required=options.require_outputs,
            **base,
        )
    normalized = _normalized(cells)
    message = "every cell reproduces its stored output" + _after(normalized)
    return ReproResult(
        status="reproduced", message=message, cells=cells, normalized=normalized, **base
    )


def _normalized(cells: Iterable[CellResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for cell in cells:
        for name in cell.normalized:
            counts[name] = counts.get(name, 0) + 1
    return counts


def _after(normalized: Mapping[str, int]) -> str:
    """``, after: numpy-2 scalar reprs ×7, …`` (cells each drift normaliser made equal)."""
    if not normalized:
        return ""
    parts = (f"{DRIFT_LABELS.get(name, name)} ×{n}" for name, n in normalized.items())
    return ", after: " + ", ".join(parts)


def _default_compare_options() -> CompareOptions:
    return CompareOptions()


def _unexpected_error(
    run: RunResult, stored: dict[int, str], tagged: frozenset[int]
) -> tuple[int, CellError] | None:
    """The first cell allowed to fail (stored error) that raised a different exception class."""
    for cell in run.cells:
        if (
            cell.error
            and cell.index in stored
            and cell.index not in tagged
            and cell.error.ename != stored[cell.index]
        ):
            return cell.index, cell.error
    return None


def _cells(
    stored: Iterable[Any],
    between: dict[int, Any],
    run: RunResult,
    unexpected: tuple[int, CellError] | None,
    nothing_stored: bool = False,
) -> tuple[CellResult, ...]:
    """Per cell: the comparison's status, or where the run failed/stopped, or
    ``nondeterministic``; ``executed`` for cells that ran when the notebook
    stores no outputs at all (there is nothing to compare them with)."""
    cells = []
    failed = {run.stopped_at} if run.stopped_at is not None else set()
    if unexpected:
        failed.add(unexpected[0])
    for comparison in stored:
        index = comparison.cell_index
        status, diffs, reason = comparison.status, comparison.diffs, comparison.reason
        ran = run.cell(index)
        if index in failed:
            status, reason = "failed", run.message if index == run.stopped_at else reason
        elif ran is not None and not ran.executed and run.stopped_at is not None:
            status, reason = "not-run", "the run stopped before this cell"
        elif index in between:
            status, diffs = "nondeterministic", between[index].diffs
            reason = "the output differs between runs"
        elif nothing_stored and ran is not None and ran.executed:
            status, diffs = "executed", ()
            reason = "ran; the notebook stores no output to compare"
        normalized = comparison.normalized if status in ("same", "info", "expected-error") else ()
        cells.append(CellResult(index, comparison.cell_id, status, diffs, reason, normalized))
    return tuple(cells)


def _warnings(runs: list[RunResult]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for run in runs:
        seen.update(dict.fromkeys(run.warnings))
    return tuple(seen)


def _fallback(runs: list[RunResult]) -> tuple[Cause, ...]:
    """A kernel fallback, listed after a real cause (never in place of one: it stays a warning)."""
    return tuple(Cause("missing-kernel", w) for w in _warnings(runs) if "not installed" in w)


def _findings(notebook: Notebook, analysis: Analysis | None) -> tuple[Any, ...]:
    if analysis is None:
        return ()
    try:
        config = resolve(Path(notebook.path).parent)
        rules = [rule for rule in all_rules() if rule.id in CAUSE_RULES]
        return lint_notebook(notebook, config, rules, analysis).findings
    except Exception:  # a bad config or a rule crash must not hide the repro verdict
        log.warning("%s: lint for probable causes failed", notebook.path, exc_info=True)
        return ()


def _input_changes(notebook: Any, runs: list[RunResult]) -> tuple[Any, ...]:
    first = runs[0]
    changes = changed_inputs(stored_hashes(notebook.metadata), first.inputs, "notebook metadata")
    for run in runs:
        before = {item.path: item.sha256 for item in run.inputs}
        changes += changed_inputs(before, run.inputs_after, "during the run")
    return changes


__all__ = [
    "STATUSES",
    "CellResult",
    "ReproOptions",
    "ReproResult",
    "expected_error_cells",
    "judge_run",
    "repro_notebook",
]
