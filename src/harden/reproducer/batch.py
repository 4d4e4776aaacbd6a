"""``repro`` over many notebooks: :func:`repro_paths`, on the shared process pool.

The pool and its crash policy are :mod:`harden.batch`'s (shared with lint):
a worker that dies is a ``failed`` result for its notebook (cause
``worker-crash``), never a crashed batch.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from harden.batch import Batch, workers_for
from harden.discover import discover
from harden.reproducer.causes import Cause
from harden.reproducer.repro import Progress, ReproOptions, ReproResult, repro_notebook
from harden.run.runner import warm_up

log = logging.getLogger(__name__)

Worker = Callable[[Path, ReproOptions], ReproResult]
_Item = tuple[Path, ReproOptions, Worker]


def repro_paths(
    paths: Iterable[str | Path],
    options: ReproOptions = ReproOptions(),
    jobs: int = 0,
    progress: Progress | None = None,
) -> tuple[ReproResult, ...]:
    """Repro every notebook under ``paths`` (files or folders, ``.ipynb_checkpoints``
    skipped), ``jobs`` worker processes at a time (0: one per core; 1: in this
    process).  Results come back in input order; ``progress(done, total, result)``
    is called in this process as each notebook finishes."""
    return run_batch(paths, options, jobs, progress)


def run_batch(
    paths: Iterable[str | Path],
    options: ReproOptions,
    jobs: int,
    progress: Progress | None,
    worker: Worker = repro_notebook,
) -> tuple[ReproResult, ...]:
    """``worker`` (a module-level function, so workers can import it) judges one notebook."""
    targets = discover(paths)
    total = len(targets)
    results: dict[int, ReproResult] = {}
    work: list[tuple[int, _Item]] = []
    names = _output_names([t.path for t in targets]) if options.run.output_dir else {}
    for position, target in enumerate(targets):
        if target.error is not None:
            message = " ".join(target.error.problem.split())
            results[position] = ReproResult(
                str(target.path), "failed", message, input_error=message
            )
            _notify(progress, len(results), total, results[position])
            continue
        item_options = options
        if target.path in names:
            item_options = replace(
                options, run=replace(options.run, output_name=names[target.path])
            )
        work.append((position, (target.path, item_options, worker)))

    def finished(index: int, result: ReproResult) -> None:
        results[work[index][0]] = result
        _notify(progress, len(results), total, result)

    batch: Batch[_Item, ReproResult] = Batch(_judge, _crashed, preload=_preload)
    batch.run([item for _, item in work], workers_for(jobs, len(work)), finished)
    return tuple(results[i] for i in range(total))


def _judge(item: _Item) -> ReproResult:
    path, options, worker = item
    return worker(path, options)


def _crashed(item: _Item, detail: str) -> ReproResult:
    message = "the harden worker process running this notebook died" + (
        f" ({detail})" if detail else ""
    )
    return ReproResult(str(item[0]), "failed", message, causes=(Cause("worker-crash", message),))


def _preload() -> None:
    """Import what every worker needs once, here, so forked workers share it."""
    import importlib

    warm_up()
    for name in ("harden.analysis", "harden.reproducer.compare"):
        importlib.import_module(name)


def _notify(progress: Progress | None, done: int, total: int, result: ReproResult) -> None:
    if progress is not None:
        try:
            progress(done, total, result)
        except Exception:  # a broken progress display must not stop the batch
            log.debug("progress callback failed", exc_info=True)


def _output_names(paths: list[Path]) -> dict[Path, str]:
    """Distinct executed-copy names when two notebooks share a file name."""
    by_name: dict[str, list[Path]] = {}
    for path in paths:
        by_name.setdefault(path.name, []).append(path)
    names: dict[Path, str] = {}
    for group in by_name.values():
        if len(group) < 2:
            continue
        common = Path(os.path.commonpath([str(p.resolve().parent) for p in group]))
        for path in group:
            relative = path.resolve().relative_to(common)
            names[path] = "__".join(relative.parts)
    return names


__all__ = ["repro_paths", "run_batch"]
