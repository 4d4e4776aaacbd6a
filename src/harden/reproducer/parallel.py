"""Many notebooks at once: one worker process per notebook in flight, results in input order.

Each notebook runs in a worker of a ``ProcessPoolExecutor`` (forked while the
parent is single-threaded, else spawned).  A worker that dies is a ``failed`` result
for its notebook, never a crashed batch: when the pool breaks, the notebooks
it had not finished are retried one at a time in fresh single-worker pools,
so only the notebook that kills its worker is reported as such.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

from harden.reproducer.causes import Cause
from harden.reproducer.repro import Progress, ReproOptions, ReproResult, repro_notebook

log = logging.getLogger(__name__)

#: Loggers whose level the workers copy from the parent (papermill logs
#: "Kernel died" at ERROR; the CLI decides whether that is shown).
MIRRORED_LOGGERS = ("papermill", "harden", "traitlets")


Worker = Callable[[Path, ReproOptions], ReproResult]


def run_batch(
    paths: Iterable[str | Path], options: ReproOptions, jobs: int, progress: Progress | None,
    worker: Worker = repro_notebook,
) -> tuple[ReproResult, ...]:
    """``worker`` (a module-level function, so workers can import it) judges one notebook."""
    from harden.discover import discover

    targets = discover(paths)
    total = len(targets)
    results: dict[int, ReproResult] = {}
    work: list[tuple[int, Path, ReproOptions]] = []
    names = _output_names([t.path for t in targets]) if options.run.output_dir else {}
    for position, target in enumerate(targets):
        if target.error is not None:
            message = " ".join(target.error.problem.split())
            results[position] = ReproResult(str(target.path), "failed", message, input_error=message)
            _notify(progress, len(results), total, results[position])
            continue
        item_options = options
        if target.path in names:
            item_options = replace(options, run=replace(options.run, output_name=names[target.path]))
        work.append((position, target.path, item_options))

    def finished(position: int, result: ReproResult) -> None:
        results[position] = result
        _notify(progress, len(results), total, result)

    workers = _workers(jobs, len(work))
    if workers <= 1:
        for position, path, item_options in work:
            finished(position, worker(path, item_options))
    else:
        broken = _pool(work, workers, finished, worker)
        for item in broken:  # isolate: only the notebook that kills its worker fails
            if _pool([item], 1, finished, worker):
                finished(item[0], _crashed(item[1]))
    return tuple(results[i] for i in range(total))


def _pool(
    work: list[tuple[int, Path, ReproOptions]], workers: int,
    finished: Callable[[int, ReproResult], None], worker: Worker,
) -> list[tuple[int, Path, ReproOptions]]:
    """Run ``work``; return the items whose worker pool broke before they finished."""
    broken = []
    method = _start_method()
    if method == "fork":
        _preload()
    context = multiprocessing.get_context(method)
    levels = {name: logging.getLogger(name).getEffectiveLevel() for name in MIRRORED_LOGGERS}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_init_worker, initargs=(levels,)) as pool:
        futures: dict[Future[ReproResult], tuple[int, Path, ReproOptions]] = {
            pool.submit(worker, path, item_options): (position, path, item_options)
            for position, path, item_options in work
        }
        for future in as_completed(futures):
            item = futures[future]
            try:
                finished(item[0], future.result())
            except BrokenProcessPool:
                broken.append(item)
            except Exception as exc:  # an unpicklable result or a harden bug: still a result
                log.debug("worker failed on %s", item[1], exc_info=True)
                finished(item[0], _crashed(item[1], f"{type(exc).__name__}: {exc}"))
    return sorted(broken, key=lambda item: item[0])


def _preload() -> None:
    """Import what every worker needs once, here, so forked workers share it."""
    import importlib

    from harden.run.runner import warm_up

    try:
        warm_up()
        for name in ("harden.analysis", "harden.reproducer.compare"):
            importlib.import_module(name)
    except ImportError:  # a worker will report it
        log.debug("cannot preload", exc_info=True)


def _start_method() -> str:
    """``fork`` (fast, no re-import of ``__main__``) while this process has a single
    thread, which is when forking is safe; ``spawn`` otherwise."""
    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"


def _init_worker(levels: dict[str, int]) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())


def _crashed(path: Path, detail: str = "") -> ReproResult:
    message = "the harden worker process running this notebook died" + (f" ({detail})" if detail else "")
    return ReproResult(str(path), "failed", message, causes=(Cause("worker-crash", message),))


def _notify(progress: Progress | None, done: int, total: int, result: ReproResult) -> None:
    if progress is not None:
        try:
            progress(done, total, result)
        except Exception:  # a broken progress display must not stop the batch
            log.debug("progress callback failed", exc_info=True)


def _workers(jobs: int, count: int) -> int:
    wanted = jobs if jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, count))


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


__all__ = ["run_batch"]
