"""harden: take a research notebook to production.

The Python API mirrors the command line::

    import harden
    report = harden.lint("notebooks/churn.ipynb")
    for result in report.results:
        for finding in result.findings:
            print(finding.rule_id, finding.cell_index, finding.message)

Everything is imported lazily so ``import harden`` stays cheap.

The functions are the commands (verbs); the subpackages are the pieces of the
design (nouns) — ``harden.linter``, ``harden.extractor``, ``harden.run``,
``harden.reproducer`` — so a function and a subpackage never share a name and
``import harden.linter.engine`` leaves ``harden.lint`` alone.  See
``docs/architecture.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harden.version import __version__

if TYPE_CHECKING:
    from harden.analysis import Analysis
    from harden.expectations.expect import ExpectResult
    from harden.expectations.validate import ValidationReport
    from harden.extractor.model import Extraction
    from harden.handover.batch import FolderHandoff
    from harden.handover.core import HandoffResult
    from harden.linter.engine import LintReport
    from harden.reporter.model import Report
    from harden.reproducer.batch import Cluster
    from harden.reproducer.repro import ReproResult
    from harden.scaffolder.core import ScaffoldResult


def lint(
    *paths: str | Path,
    pack: str | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    fail_on: str | None = None,
    jobs: int = 1,
) -> LintReport:
    """Lint notebooks (files or folders); never executes notebook code."""
    from harden.config import Overrides
    from harden.linter.engine import lint_paths
    from harden.linter.finding import Severity

    overrides = Overrides(
        pack=pack,
        select=select,
        ignore=tuple(ignore),
        fail_on=Severity.parse(fail_on) if fail_on else None,
    )
    return lint_paths(paths, overrides, jobs=jobs)


def analyze(path: str | Path) -> Analysis:
    """Load a notebook and return its analysis (the object every step reads)."""
    from harden.analysis import analyze as _analyze
    from harden.notebook import load

    return _analyze(load(path))


def repro(
    *paths: str | Path,
    parameters: Mapping[str, Any] | None = None,
    kernel: str | None = None,
    timeout: float | None = 600.0,
    runs: int = 1,
    jobs: int = 1,
    scheduler: str | None = None,
    ship_folder: bool = False,
    ship_limit_mb: float = 100.0,
) -> tuple[ReproResult, ...]:
    """Re-run notebooks in a fresh kernel and compare with their stored outputs.

    Each result has a ``status``: reproduced, differs, nondeterministic,
    failed, timeout or kernel_died (worker_lost on a cluster).  The input
    notebooks are never written.  ``scheduler`` (``"tcp://host:8786"`` or
    ``"local:N"``) runs them on Dask workers instead of ``jobs`` local
    processes; ``ship_folder`` sends each notebook's folder (at most
    ``ship_limit_mb``) instead of relying on a shared filesystem.
    """
    from harden.reproducer.batch import repro_paths
    from harden.reproducer.repro import ReproOptions
    from harden.run.runner import RunOptions

    cluster = _cluster(scheduler, ship_folder, ship_limit_mb, jobs)
    run = RunOptions(kernel=kernel, parameters=dict(parameters or {}), timeout=timeout)
    return repro_paths(paths, ReproOptions(run=run, runs=runs), jobs=jobs, cluster=cluster)


def _cluster(
    scheduler: str | None, ship_folder: bool, ship_limit_mb: float, jobs: int
) -> Cluster | None:
    """The Dask cluster of ``scheduler=...`` (checked as the command line checks it)."""
    from harden.errors import UsageError

    if scheduler is None:
        if ship_folder:
            raise UsageError("ship_folder needs a scheduler")
        return None
    from harden.distributed import Scheduler
    from harden.reproducer.batch import Cluster

    Scheduler.parse(scheduler)
    if jobs > 1:
        raise UsageError("jobs and scheduler: give one (the cluster's workers run in parallel)")
    if ship_limit_mb <= 0:
        raise UsageError("ship_limit_mb must be positive")
    return Cluster(scheduler, ship_folder, int(ship_limit_mb * 1_000_000))


def extract(path: str | Path, **options: Any) -> Extraction:
    """Turn a notebook into module source, a log and a step plan; writes nothing.

    Options are those of :func:`harden.extractor.core.extract` (``module_name``,
    ``split``, ``outputs``, ``drop_magics``, ``allow_hidden_state``, ...).
    """
    from harden.extractor.core import extract as _extract

    return _extract(path, **options)


def expect(
    path: str | Path,
    output_dir: str | Path = "expectations",
    *,
    frames: Sequence[str] = (),
    all_frames: bool = False,
    force: bool = False,
    kernel: str | None = None,
    timeout: float | None = 600.0,
    **thresholds: Any,
) -> ExpectResult:
    """Run a notebook once (fresh kernel), capture the frames that matter and
    write one Great Expectations suite per frame to ``output_dir/<stem>/<name>.json``.

    ``thresholds`` override ``[tool.harden.expect]`` (``row_tolerance``,
    ``columns``, ``range_margin``, ``max_categories``, ...).
    """
    from harden.expectations.expect import expect_notebook
    from harden.expectations.options import resolve_options

    options = resolve_options(Path(path), **thresholds)
    return expect_notebook(
        path,
        output_dir,
        options,
        frames=tuple(frames),
        all_frames=all_frames,
        force=force,
        kernel=kernel,
        timeout=timeout,
    )


def validate(
    suite: str | Path,
    data: str | Path,
    *,
    table: str | None = None,
    query: str | None = None,
) -> ValidationReport:
    """Check data (a CSV/Parquet/JSON-lines file, or a database URL with
    ``table`` or ``query``) against a suite; ``report.success``, ``report.failed``."""
    from harden.expectations.validate import validate_data

    return validate_data(suite, str(data), table=table, query=query)


def scaffold(
    notebook: str | Path | None,
    output_dir: str | Path,
    *,
    module: str | Path | None = None,
    module_dir: str | Path | None = None,
    force: bool = False,
    **settings: Any,
) -> ScaffoldResult:
    """Write pytest tests for ``notebook``'s extracted module into ``output_dir``.

    Extracts the notebook (its module written into ``module_dir``, default the
    notebook's folder) unless ``module`` names an existing extraction, runs the
    module once in a fresh process capturing each step's inputs and outputs, and
    writes ``conftest.py``, ``test_<module>.py`` and ``fixtures/``.  ``settings``
    override ``[tool.harden.scaffold]`` (``rel_tol``, ``abs_tol``,
    ``fixture_limit_mb``, ``total_limit_mb``, ``timeout``).  Measure the tests
    with :func:`harden.scaffolder.mutate.mutate`.
    """
    from harden import scaffolder

    return scaffolder.scaffold(
        notebook, output_dir, module=module, module_dir=module_dir, force=force, **settings
    )


def handoff(
    notebook: str | Path,
    output_dir: str | Path,
    *,
    force: bool = False,
    mutate: bool = True,
    kernel: str | None = None,
    timeout: float | None = 600.0,
    package: str | None = None,
    max_mutants: int | None = None,
    jobs: int = 2,
    progress: Any = None,
) -> HandoffResult:
    """Run every step once (one analysis, one instrumented kernel run) and write
    ``output_dir``: ``src/<package>/<module>.py``, ``tests/``, ``expectations/``,
    ``requirements.txt``, ``pyproject.toml``, ``data-manifest.json``, ``README.md``,
    ``report.html`` and ``report.json``.  ``result.readiness.score``, ``result.problems``;
    ``progress(step, done, total)`` is called as each step starts.  See ``docs/handoff.md``."""
    from harden.handover.core import handoff as _handoff

    return _handoff(
        notebook,
        output_dir,
        force=force,
        mutate=mutate,
        kernel=kernel,
        timeout=timeout,
        package=package,
        max_mutants=max_mutants,
        jobs=jobs,
        progress=progress,
    )


def handoff_folder(
    *paths: str | Path,
    output_dir: str | Path,
    force: bool = False,
    mutate: bool = True,
    kernel: str | None = None,
    timeout: float | None = 600.0,
    max_mutants: int | None = None,
    mutant_jobs: int = 1,
    jobs: int = 0,
    scheduler: str | None = None,
    ship_folder: bool = False,
    ship_limit_mb: float = 100.0,
    progress: Any = None,
) -> FolderHandoff:
    """:func:`handoff` for every notebook under ``paths`` (files or folders), each into
    ``output_dir/<its path under the folder>/``, with ``output_dir/index.html`` and
    ``report.json`` (a verdict per notebook: complete, incomplete, failed,
    worker_lost, error).  ``jobs`` processes at a time, or on Dask with ``scheduler``
    as in :func:`repro` (without ``ship_folder`` the workers write into ``output_dir``:
    a path they must share).  ``progress(done, total, result)`` as each one finishes.
    Edited files in the way (without ``force``) are refused before anything runs."""
    from harden.handover.batch import HandoffOptions
    from harden.handover.batch import handoff_folder as _handoff_folder

    cluster = _cluster(scheduler, ship_folder, ship_limit_mb, jobs)
    options = HandoffOptions(force, mutate, kernel, timeout, max_mutants, mutant_jobs)
    return _handoff_folder(
        paths, output_dir, options, jobs=jobs, cluster=cluster, finished=progress
    )


def report(
    *paths: str | Path,
    output_dir: str | Path | None = None,
    run: bool = True,
    check: bool = False,
    timeout: float | None = 600.0,
    kernel: str | None = None,
    pack: str | None = None,
    jobs: int = 0,
    scheduler: str | None = None,
    ship_folder: bool = False,
    ship_limit_mb: float = 100.0,
) -> Report:
    """Lint, re-run (unless ``run=False``) and, with ``check``, extract ``--check``
    notebooks; score each one's readiness.  With ``output_dir``, also write
    ``report.html`` and ``report.json`` there.  ``report.notebooks[i].readiness.score``.
    ``scheduler`` runs the re-runs on Dask, as in :func:`repro`."""
    from harden.config import Overrides
    from harden.errors import UsageError
    from harden.reporter import ReportOptions, build_report, write_report

    if not run and (scheduler is not None or ship_folder):
        raise UsageError("scheduler runs the notebooks on a cluster; it cannot go with run=False")
    options = ReportOptions(
        run=run,
        check=check,
        timeout=timeout,
        kernel=kernel,
        jobs=jobs,
        overrides=Overrides(pack=pack),
        cluster=_cluster(scheduler, ship_folder, ship_limit_mb, jobs),
    )
    result = build_report(paths, options)
    if output_dir is not None:
        write_report(result, output_dir)
    return result


__all__ = [
    "__version__",
    "analyze",
    "expect",
    "extract",
    "handoff",
    "handoff_folder",
    "lint",
    "report",
    "repro",
    "scaffold",
    "validate",
]
