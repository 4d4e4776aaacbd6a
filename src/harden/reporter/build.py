"""``harden report``: lint, repro and (when asked) extract ``--check`` every notebook,
then score and explain it.  Nothing here renders; :mod:`harden.reporter.html` and
:mod:`harden.reporter.json_format` do.

Each notebook is loaded and analysed once in this process (lint, static facts and
the redaction of shown sources share that analysis); ``repro`` runs them in fresh
kernels through its own batch (in worker processes), ``--check`` runs the
notebook and the module once more.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harden.analysis import Analysis, analyze
from harden.config import Config, Overrides, resolve, validate_rules
from harden.discover import discover
from harden.errors import HardenError, NotebookError
from harden.linter.engine import lint_notebook
from harden.linter.finding import LintResult
from harden.linter.registry import all_rules
from harden.notebook import Notebook, load
from harden.progress import ProgressCallback
from harden.reporter.facts import shown_cells, static_facts
from harden.reporter.model import FrameSummary, NextStep, NotebookReport, Report, StaticFacts
from harden.reporter.readiness import lint_value, readiness, repro_value
from harden.reporter.steps import next_steps
from harden.secrets import redact_text

if TYPE_CHECKING:
    from harden.reproducer.batch import Cluster

log = logging.getLogger(__name__)

#: Repro cell statuses that were compared with a stored output.
COMPARED = ("same", "differs", "nondeterministic", "info", "expected-error")
SAME = ("same", "info", "expected-error")


@dataclass(frozen=True)
class ReportOptions:
    """``run`` re-runs each notebook (repro); ``check`` also runs extract ``--check``;
    ``timeout`` is per cell; ``jobs`` notebooks run in parallel (0: one per core),
    or the re-runs go to a Dask ``cluster`` (``--scheduler``; ``check`` stays here)."""

    run: bool = True
    check: bool = False
    timeout: float | None = 600.0
    kernel: str | None = None
    jobs: int = 0
    overrides: Overrides | None = None
    cluster: Cluster | None = None


def build_report(
    paths: Iterable[str | Path],
    options: ReportOptions = ReportOptions(),
    progress: ProgressCallback | None = None,
) -> Report:
    """The report for every notebook under ``paths`` (files or folders);
    ``progress(step, done, total, label)`` as each notebook finishes a step."""
    targets = discover(paths)
    overrides = options.overrides or Overrides()
    rules = all_rules()
    defaults = {rule.id: dict(rule.options) for rule in rules}
    configs: dict[Path, Config] = {}
    static: list[tuple[str, LintResult, Notebook | None, Analysis | None]] = []
    for number, target in enumerate(targets, 1):
        if target.error is not None:
            static.append(
                (str(target.path), LintResult(str(target.path), error=target.error), None, None)
            )
        else:
            folder = target.path.parent
            if folder not in configs:
                configs[folder] = resolve(folder, overrides)
                validate_rules(configs[folder], defaults)
            static.append(_lint_one(target.path, configs[folder], rules))
        if progress:
            progress("lint", number, len(targets), target.path.name)
    runnable = [path for path, result, _, _ in static if result.error is None]
    repros = _repro(runnable, options, progress) if options.run else {}
    notebooks = []
    for number, (path, result, notebook, analysis) in enumerate(static, 1):
        check, check_error = None, None
        if options.check and notebook is not None:
            check, check_error = _check(notebook, repros.get(path), options)
            if progress:
                agree = "agrees" if check is not None and check.agree else "does not agree"
                progress("check", number, len(static), f"{Path(path).name} {agree}")
        notebooks.append(
            notebook_report(
                path,
                result,
                notebook,
                analysis,
                repros.get(path),
                check,
                check_error,
                ran=options.run,
            )
        )
    return Report(
        tuple(notebooks),
        ran=options.run,
        checked=options.check,
        options={"run": options.run, "check": options.check, "timeout": options.timeout},
    )


def _lint_one(
    path: Path, config: Config, rules: Sequence[Any]
) -> tuple[str, LintResult, Notebook | None, Analysis | None]:
    try:
        notebook = load(path)
        analysis = analyze(notebook)
        return str(path), lint_notebook(notebook, config, rules, analysis), notebook, analysis
    except HardenError as exc:
        return str(path), LintResult(str(path), error=exc), None, None
    except RecursionError:
        error = NotebookError("code nested too deeply to analyse", path)
        return str(path), LintResult(str(path), error=error), None, None


def _repro(
    paths: list[str], options: ReportOptions, progress: ProgressCallback | None
) -> dict[str, Any]:
    from harden.reproducer.batch import repro_paths
    from harden.reproducer.cli_repro import progress_label
    from harden.reproducer.repro import ReproOptions
    from harden.run.model import RunOptions

    if not paths:
        return {}

    def tick(done: int, total: int, result: Any) -> None:
        if progress:
            progress("repro", done, total, progress_label(result))

    with tempfile.TemporaryDirectory(prefix="harden-report-") as scratch:
        # On a cluster each worker keeps its executed copy in a folder of its own.
        output_dir = Path(scratch) if options.cluster is None else None
        run = RunOptions(kernel=options.kernel, timeout=options.timeout, output_dir=output_dir)
        results = repro_paths(
            paths, ReproOptions(run=run), jobs=options.jobs, progress=tick, cluster=options.cluster
        )
    # The executed copies went with the temporary folder: their paths mean nothing now.
    return {
        path: replace(result, runs=tuple(replace(r, output_path=None) for r in result.runs))
        for path, result in zip(paths, results)
    }


def _check(notebook: Notebook, repro: Any, options: ReportOptions) -> tuple[Any, str | None]:
    """extract + ``--check``; a refusal or a notebook that does not run is a reason, not a crash."""
    from harden.extractor import check_extraction, extract

    if repro is not None and not repro.ok and repro.status != "differs":
        return None, f"not checked: the notebook itself does not run ({repro.status})"
    try:
        extraction = extract(notebook)
        check = check_extraction(extraction, timeout=options.timeout, kernel=options.kernel)
    except HardenError as exc:
        return None, redact_text(exc.one_line())
    # Values the module and the notebook computed may quote a secret: never shown.
    values = tuple(replace(v, detail=redact_text(v.detail)) for v in check.values)
    error = redact_text(check.module_error) if check.module_error else check.module_error
    return replace(check, values=values, module_error=error), None


def notebook_report(
    path: str,
    lint: LintResult,
    notebook: Notebook | None = None,
    analysis: Analysis | None = None,
    repro: Any = None,
    check: Any = None,
    check_error: str | None = None,
    *,
    ran: bool = True,
    measured: dict[str, tuple[float, str]] | None = None,
    frames: tuple[FrameSummary, ...] = (),
    handoff_steps: tuple[NextStep, ...] | None = None,
) -> NotebookReport:
    """Score and explain one notebook from what the steps found.  ``measured`` adds
    parts other commands measured (``tests``, ``data``, ``environment``: handoff);
    ``frames`` are data profiles of captured frames (:func:`harden.reporter.frames.frame_summary`);
    ``handoff_steps`` (handoff) the next steps for the parts handoff measures."""
    if lint.error is not None:
        message = (
            lint.error.one_line()
            if lint.error.path is None
            else " ".join(lint.error.problem.split())
        )
        return NotebookReport(path, lint, readiness({}), error=message)
    parts: dict[str, tuple[float, str]] = {
        "lint": lint_value((f.rule_id, f.severity) for f in lint.findings)
    }
    if repro is not None:
        compared = [c for c in repro.cells if c.status in COMPARED]
        same = sum(1 for c in compared if c.status in SAME)
        parts["repro"] = repro_value(repro.status, len(compared), same, repro.message)
    if check is not None:
        parts["module"] = (1.0 if check.agree else 0.0, _check_detail(check))
    elif check_error is not None:
        parts["module"] = (0.0, check_error)
    parts.update(measured or {})
    facts = (
        static_facts(notebook, analysis)
        if notebook is not None and analysis is not None
        else StaticFacts()
    )
    cells = shown_cells(notebook, analysis, lint.findings) if notebook is not None else ()
    return NotebookReport(
        path=path,
        lint=lint,
        readiness=readiness(parts),
        facts=facts,
        cells=cells,
        next_steps=next_steps(path, lint.findings, repro, check, check_error, ran, handoff_steps),
        repro=repro,
        check=check,
        check_error=check_error,
        frames=frames,
    )


def _check_detail(check: Any) -> str:
    if check.module_error is not None:
        return f"the module failed: {check.module_error}"
    equal = sum(1 for v in check.values if v.outcome == "equal")
    if check.agree:
        return f"notebook and module agree ({equal} values compared)"
    return f"{len(check.differences)} value(s) differ, {equal} equal"


__all__ = ["ReportOptions", "build_report", "notebook_report"]
