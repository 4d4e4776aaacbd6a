"""Many items on a Dask cluster: the distributed executor of :class:`harden.batch.Batch`.

``scheduler`` is ``tcp://host:port`` (an existing ``dask scheduler``) or
``local:N`` (a ``LocalCluster`` of N single-threaded worker processes on this
machine, started and stopped here).  ``distributed`` is an optional extra
(``pip install 'harden[dask]'``) imported only here, only when asked for.

Policy, the same as the process pool's where it can be:

- results come back through ``done(position, result)`` as they finish; the
  caller orders them;
- a task that raises (a harden bug) is the ``crashed`` result of its item;
- a worker that dies while running an item: the scheduler runs the item again
  on another worker, up to ``distributed.scheduler.allowed-failures`` times
  (``local:N`` sets it to 1, so: retried once); after that the item's result is
  ``lost(item, worker_address)`` and the batch goes on;
- an unreachable scheduler is a one-line :class:`~harden.errors.HardenError`;
- Ctrl-C cancels every future, runs ``cleanup`` on every worker (to stop what
  the running items started: kernels) and re-raises ``KeyboardInterrupt``.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from harden.errors import HardenError, UsageError

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Seconds to wait for a scheduler that does not answer (Dask's own
#: ``distributed.comm.timeouts.connect`` wins when set in the environment).
CONNECT_TIMEOUT = 10.0
#: How often a notebook is re-run after its worker died, on a ``local:N`` cluster.
ALLOWED_FAILURES = 1
_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"\b((?:tcp|tls|inproc|ws|wss|ucx)://[^\s,;)]+?)\.?(?=\s|$)")


class SchedulerError(HardenError):
    """The Dask scheduler cannot be reached, or ``distributed`` is not installed."""


@dataclass(frozen=True)
class Scheduler:
    """Where to send the work: ``address`` of a running scheduler, or a local
    cluster of ``local_workers`` processes."""

    address: str | None = None
    local_workers: int = 0

    @classmethod
    def parse(cls, text: str) -> Scheduler:
        match = _LOCAL.fullmatch(text.strip())
        if match:
            workers = int(match.group(1))
            if workers < 1:
                raise UsageError(f"--scheduler {text}: local:N needs at least one worker")
            return cls(local_workers=workers)
        if "://" not in text and text.startswith("local"):
            raise UsageError(f"--scheduler {text}: write local:N (N worker processes)")
        address = text.strip() if "://" in text else f"tcp://{text.strip()}"
        return cls(address=address)

    def __str__(self) -> str:
        return self.address or f"local:{self.local_workers}"


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise SchedulerError(
            "--scheduler needs Dask distributed: pip install 'harden[dask]'"
        ) from exc
    return distributed


@contextmanager
def connect(scheduler: str | Scheduler) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler``, closed (and a local cluster
    stopped) on exit."""
    target = scheduler if isinstance(scheduler, Scheduler) else Scheduler.parse(scheduler)
    distributed = _import_distributed()
    import dask

    # The workers' own logs: quiet unless harden logs at debug level (the CLI
    # quiets this process's "distributed" logger the same way).
    quiet = logging.getLogger().getEffectiveLevel() > logging.DEBUG
    if target.local_workers:
        # A notebook is a long task: a worker takes the next one only when it is
        # free (saturation 1.0), so no notebook waits behind another at the end.
        settings = {
            "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
            "distributed.scheduler.worker-saturation": 1.0,
        }
        with dask.config.set(settings):
            cluster = distributed.LocalCluster(
                n_workers=target.local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: two local clusters never collide
                silence_logs=logging.CRITICAL if quiet else logging.WARNING,
                host="127.0.0.1",
            )
        try:
            with distributed.Client(cluster, set_as_default=False) as client:
                yield client
        finally:
            cluster.close()
        return
    configured = os.environ.get("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT")
    timeout = float(dask.utils.parse_timedelta(configured or CONNECT_TIMEOUT))
    try:
        client = distributed.Client(target.address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise SchedulerError(
            f"cannot reach the Dask scheduler at {target.address}: {detail[:200]}"
        ) from None
    with client:
        yield client


def run_on_dask(
    scheduler: str | Scheduler,
    worker: Callable[[Any], Result],
    items: Sequence[Item],
    done: Callable[[int, Result], None],
    crashed: Callable[[Item, str], Result],
    lost: Callable[[Item, str], Result],
    prepare: Callable[[Any, Item], Any] | None = None,
    cleanup: Callable[[], object] | None = None,
) -> None:
    """Run ``worker(item)`` for every item on the cluster; ``prepare(client, item)``
    may turn an item into what is sent (e.g. a tuple with the future of data
    scattered once: Dask resolves futures in tuples, lists and dicts)."""
    with connect(scheduler) as client:
        run_on_client(client, worker, items, done, crashed, lost, prepare, cleanup)


def run_on_client(
    client: Any,
    worker: Callable[[Any], Result],
    items: Sequence[Item],
    done: Callable[[int, Result], None],
    crashed: Callable[[Item, str], Result],
    lost: Callable[[Item, str], Result],
    prepare: Callable[[Any, Item], Any] | None = None,
    cleanup: Callable[[], object] | None = None,
) -> None:
    """:func:`run_on_dask` with a client the caller owns."""
    from distributed import as_completed

    futures: dict[Any, int] = {}
    batch = uuid.uuid4().hex[:8]
    try:
        for position, item in enumerate(items):
            sent = prepare(client, item) if prepare is not None else item
            future = client.submit(worker, sent, pure=False, key=f"harden-{batch}-{position}")
            futures[future] = position
        for future in as_completed(list(futures), loop=client.loop):
            position = futures[future]
            item = items[position]
            try:
                result = future.result()
            except Exception as exc:
                if type(exc).__name__ == "KilledWorker":
                    result = lost(item, worker_address(exc))
                else:
                    log.debug("task failed on %r", item, exc_info=True)
                    result = crashed(item, f"{type(exc).__name__}: {exc}")
            done(position, result)
            future.release()
    except KeyboardInterrupt:
        _interrupt(client, list(futures), cleanup)
        raise


def _interrupt(client: Any, futures: list[Any], cleanup: Callable[[], object] | None) -> None:
    """Cancel everything, then stop what the running tasks started on the workers."""
    try:
        client.cancel(futures, force=True)
    except Exception:  # a dead scheduler: nothing left to cancel
        log.debug("cancel failed", exc_info=True)
    if cleanup is None:
        return
    try:
        client.run(cleanup, on_error="ignore")
    except Exception:
        log.debug("cleanup on the workers failed", exc_info=True)


def worker_address(exc: BaseException) -> str:
    """The address of the last worker that died running a task (``KilledWorker``)."""
    last = getattr(exc, "last_worker", None)
    address = getattr(last, "address", None)
    if isinstance(address, str):
        return address
    match = _ADDRESS.search(str(exc))
    return match.group(1) if match else "an unknown worker"


__all__ = [
    "ALLOWED_FAILURES",
    "CONNECT_TIMEOUT",
    "Scheduler",
    "SchedulerError",
    "connect",
    "run_on_client",
    "run_on_dask",
    "worker_address",
]
