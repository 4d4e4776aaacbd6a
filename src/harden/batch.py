"""Many notebooks at once: the one process pool that ``lint`` and ``repro`` share.

Each item runs in a worker of a ``ProcessPoolExecutor`` (forked while the
parent is single-threaded, else spawned).  A worker that dies — a native
crash in a parser, a kernel manager gone wrong, ``os._exit`` — is a result
for its item, never a crashed batch and never a crash of harden: when the
pool breaks, the items it had not finished are retried one at a time in
fresh single-worker pools, so only the item that kills its worker gets the
``crashed`` result.  A worker that raises (a harden bug, an unpicklable
result) is also the ``crashed`` result of that item.  Results come back in
input order.

A batch of many short items (lint) can give a ``weight`` per item and ask for
``chunks`` per worker: the items are then handed out heaviest first (so no
worker is left finishing a big notebook alone at the end) in chunks of several
items, one round trip through the parent per chunk rather than per item (on a
loaded machine the parent, waking up late to hand out the next item, otherwise
leaves workers idle).  A chunk whose worker dies or fails is retried item by
item, as above.

With ``scheduler`` (``tcp://host:port`` or ``local:N``) the same batch runs on
a Dask cluster instead (:mod:`harden.distributed`, imported only then): a
worker that dies is retried by Dask, then the ``lost`` result of its item.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

# multiprocessing and concurrent.futures are imported when a pool is made: one
# notebook (pre-commit's usual call) needs neither.
if TYPE_CHECKING:
    from concurrent.futures import Future

log = logging.getLogger(__name__)

#: Loggers whose level the workers copy from the parent (papermill logs
#: "Kernel died" at ERROR; the CLI decides whether that is shown).
MIRRORED_LOGGERS = ("papermill", "harden", "traitlets")

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batch(Generic[Item, Result]):
    """How to run one kind of item: ``worker`` (a module-level function, so worker
    processes can import it), the result for an item whose worker died or raised
    (``crashed(item, detail)``), and an optional ``preload`` run once in the parent
    before forking so workers share what it imports.

    On a Dask cluster: ``lost(item, worker_address)`` is the result of an item
    whose workers kept dying (default: ``crashed``), ``prepare(client, item)``
    turns an item into what is sent, ``cleanup()`` runs on every worker after
    Ctrl-C (stopping what running items started).

    ``weight(item)`` (an estimate of its cost) and ``chunks`` (chunks per worker,
    0 for one item per task) shape how a process pool is fed: heaviest first, in
    ``chunks × workers`` chunks."""

    def __init__(
        self,
        worker: Callable[[Item], Result],
        crashed: Callable[[Item, str], Result],
        preload: Callable[[], None] | None = None,
        lost: Callable[[Item, str], Result] | None = None,
        prepare: Callable[[Any, Item], Any] | None = None,
        cleanup: Callable[[], object] | None = None,
        weight: Callable[[Item], float] | None = None,
        chunks: int = 0,
    ) -> None:
        self.worker = worker
        self.weight = weight
        self.chunks = chunks
        self.crashed = crashed
        self.preload = preload
        self.lost = lost or crashed
        self.prepare = prepare
        self.cleanup = cleanup

    def run(
        self,
        items: Sequence[Item],
        workers: int,
        finished: Callable[[int, Result], None] | None = None,
        scheduler: str | None = None,
    ) -> list[Result]:
        """Every item's result, in input order; ``finished(position, result)`` is
        called in this process as each one completes (a failing callback is logged).
        ``scheduler``: run on that Dask cluster instead of ``workers`` processes."""
        results: dict[int, Result] = {}

        def done(position: int, result: Result) -> None:
            results[position] = result
            if finished is not None:
                try:
                    finished(position, result)
                except Exception:  # a broken progress display must not stop the batch
                    log.debug("progress callback failed", exc_info=True)

        work = list(enumerate(items))
        if scheduler is not None and work:
            from harden.distributed import run_on_dask

            run_on_dask(
                scheduler,
                self.worker,
                list(items),
                done,
                self.crashed,
                self.lost,
                self.prepare,
                self.cleanup,
            )
        elif workers <= 1 or len(work) <= 1:
            for position, item in work:
                done(position, self.worker(item))
        else:
            broken = self._pool(self._order(work), workers, done, self._chunk_size(work, workers))
            for entry in broken:  # isolate: only the item that kills its worker fails
                if self._pool([entry], 1, done):
                    done(entry[0], self.crashed(entry[1], ""))
        return [results[i] for i in range(len(work))]

    def _order(self, work: list[tuple[int, Item]]) -> list[tuple[int, Item]]:
        """Heaviest first (longest processing time first), when items have a weight."""
        if self.weight is None:
            return work
        weights = {position: self.weight(item) for position, item in work}
        return sorted(work, key=lambda entry: (-weights[entry[0]], entry[0]))

    def _chunk_size(self, work: list[tuple[int, Item]], workers: int) -> int:
        if self.chunks <= 0:
            return 1
        return max(1, len(work) // (self.chunks * max(1, min(workers, len(work)))))

    def _pool(
        self,
        work: list[tuple[int, Item]],
        workers: int,
        done: Callable[[int, Result], None],
        size: int = 1,
    ) -> list[tuple[int, Item]]:
        """Run ``work`` (in tasks of ``size`` items); return the entries whose pool
        broke before they finished, and those of a chunk that failed as a whole."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        broken: list[tuple[int, Item]] = []
        method = start_method()
        if method == "fork" and self.preload is not None:
            try:
                self.preload()
            except ImportError:  # a worker will report it
                log.debug("cannot preload", exc_info=True)
        context = multiprocessing.get_context(method)
        levels = {name: logging.getLogger(name).getEffectiveLevel() for name in MIRRORED_LOGGERS}
        with ProcessPoolExecutor(
            max_workers=min(workers, len(work)),
            mp_context=context,
            initializer=_init_worker,
            initargs=(levels,),
        ) as pool:
            if size > 1:
                chunks = [work[start : start + size] for start in range(0, len(work), size)]
                by_chunk: dict[Future[list[_Outcome[Result]]], list[tuple[int, Item]]] = {
                    pool.submit(_run_chunk, self.worker, [item for _, item in chunk]): chunk
                    for chunk in chunks
                }
                for task in as_completed(by_chunk):
                    chunk = by_chunk[task]
                    try:
                        outcomes = task.result()
                    except Exception:  # a dead worker or an unpicklable result: item by item
                        log.debug("a chunk of %d items failed", len(chunk), exc_info=True)
                        broken.extend(chunk)
                        continue
                    for (position, item), (result, detail) in zip(chunk, outcomes):
                        if detail is not None:
                            done(position, self.crashed(item, detail))
                        else:
                            done(position, cast("Result", result))
                return sorted(broken, key=lambda entry: entry[0])
            futures: dict[Future[Result], tuple[int, Item]] = {
                pool.submit(self.worker, item): (position, item) for position, item in work
            }
            for future in as_completed(futures):
                entry = futures[future]
                try:
                    done(entry[0], future.result())
                except BrokenProcessPool:
                    broken.append(entry)
                except Exception as exc:  # an unpicklable result or a harden bug: still a result
                    log.debug("worker failed on %r", entry[1], exc_info=True)
                    done(entry[0], self.crashed(entry[1], f"{type(exc).__name__}: {exc}"))
        return sorted(broken, key=lambda entry: entry[0])


#: An item's result, or ``None`` and why its worker raised.
_Outcome = tuple[Result | None, str | None]


def _run_chunk(worker: Callable[[Item], Result], items: list[Item]) -> list[_Outcome[Result]]:
    """Run ``worker`` over a chunk in a pool process; an item whose worker raises is
    that item's outcome (its detail), never the whole chunk's."""
    outcomes: list[_Outcome[Result]] = []
    for item in items:
        try:
            outcomes.append((worker(item), None))
        except Exception as exc:  # a harden bug: still a result for this item alone
            log.debug("worker failed on %r", item, exc_info=True)
            outcomes.append((None, f"{type(exc).__name__}: {exc}"))
    return outcomes


def workers_for(jobs: int, count: int, auto_threshold: int = 1) -> int:
    """Worker processes for ``count`` items: ``jobs`` when positive (at most one per
    item), else one per core once there are at least ``auto_threshold`` items."""
    if jobs > 0:
        return max(1, min(jobs, count))
    if count < auto_threshold:
        return 1
    return max(1, min(os.cpu_count() or 1, count))


def start_method() -> str:
    """``fork`` (fast, no re-import of ``__main__``) while this process has a single
    thread, which is when forking is safe; ``spawn`` otherwise."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"


def _init_worker(levels: dict[str, int]) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())


__all__ = ["MIRRORED_LOGGERS", "Batch", "start_method", "workers_for"]
