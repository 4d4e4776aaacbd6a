"""``repro`` over many notebooks: :func:`repro_paths`, on the shared process pool.

The pool and its crash policy are :mod:`harden.batch`'s (shared with lint):
a worker that dies is a ``failed`` result for its notebook (cause
``worker-crash``), never a crashed batch.  With a :class:`Cluster` the same
runner runs on Dask workers (:mod:`harden.reproducer.remote`): a worker that
dies is retried by Dask, then ``worker_lost`` with the worker's address.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from harden.batch import Batch, workers_for
from harden.discover import discover
from harden.reproducer.causes import Cause
from harden.reproducer.remote import (
    SHIP_LIMIT,
    RemoteItem,
    folder_size,
    judge,
    lost,
    shipper,
    too_big,
)
from harden.reproducer.remote import crashed as remote_crashed
from harden.reproducer.repro import Progress, ReproOptions, ReproResult, repro_notebook
from harden.run.runner import warm_up

log = logging.getLogger(__name__)

Worker = Callable[[Path, ReproOptions], ReproResult]
_Item = tuple[Path, ReproOptions, Worker]


@dataclass(frozen=True)
class Cluster:
    """Run on Dask instead of local processes: ``scheduler`` is ``tcp://host:port``
    or ``local:N``; ``ship_folder`` sends each notebook's folder (at most
    ``ship_limit`` bytes) instead of relying on a shared filesystem."""

    scheduler: str
    ship_folder: bool = False
    ship_limit: int = SHIP_LIMIT


def repro_paths(
    paths: Iterable[str | Path],
    options: ReproOptions = ReproOptions(),
    jobs: int = 0,
    progress: Progress | None = None,
    cluster: Cluster | None = None,
) -> tuple[ReproResult, ...]:
    """Repro every notebook under ``paths`` (files or folders, ``.ipynb_checkpoints``
    skipped), ``jobs`` worker processes at a time (0: one per core; 1: in this
    process), or on the Dask ``cluster``.  Results come back in input order;
    ``progress(done, total, result)`` is called in this process as each notebook
    finishes."""
    return run_batch(paths, options, jobs, progress, cluster=cluster)


def run_batch(
    paths: Iterable[str | Path],
    options: ReproOptions,
    jobs: int,
    progress: Progress | None,
    worker: Worker = repro_notebook,
    cluster: Cluster | None = None,
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

    if cluster is not None:
        _run_on_cluster(
            cluster, work, results, lambda result: _notify(progress, len(results), total, result)
        )
        return tuple(results[i] for i in range(total))
    batch: Batch[_Item, ReproResult] = Batch(_judge, _crashed, preload=_preload)
    batch.run([item for _, item in work], workers_for(jobs, len(work)), finished)
    return tuple(results[i] for i in range(total))


def _run_on_cluster(
    cluster: Cluster,
    work: list[tuple[int, _Item]],
    results: dict[int, ReproResult],
    notify: Callable[[ReproResult], None],
) -> None:
    """Send ``work`` to Dask (``results`` filled by input position, ``notify`` called
    as each one finishes) as :class:`~harden.reproducer.remote.RemoteItem` values:
    absolute paths, or folders shipped when they fit under the limit."""
    from harden.run.kernels import stop_kernels

    items: list[RemoteItem] = []
    positions: list[int] = []
    sizes: dict[Path, int] = {}
    for position, (path, options, worker) in work:
        absolute = path.resolve()
        if cluster.ship_folder:
            folder = absolute.parent
            if folder not in sizes:
                sizes[folder] = folder_size(folder)
            if sizes[folder] > cluster.ship_limit:
                results[position] = too_big(str(path), folder, sizes[folder], cluster.ship_limit)
                notify(results[position])
                continue
        items.append(RemoteItem(str(path), str(absolute), options, worker))
        positions.append(position)

    def done(index: int, result: ReproResult) -> None:
        results[positions[index]] = result
        notify(result)

    prepare = shipper() if cluster.ship_folder else None
    batch: Batch[RemoteItem, ReproResult] = Batch(
        judge, remote_crashed, lost=lost, prepare=prepare, cleanup=stop_kernels
    )
    batch.run(items, 0, done, scheduler=cluster.scheduler)


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


__all__ = ["Cluster", "repro_paths", "run_batch"]
