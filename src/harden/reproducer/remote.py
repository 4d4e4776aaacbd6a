"""``repro`` on a Dask cluster: what is sent to a worker and what comes back.

A task carries the notebook's absolute path (the workers must see the same
path: a shared filesystem) or, with ``--ship-folder``, the notebook's folder
packed as a zip (scattered once per folder, at most ``ship_limit`` bytes).
The worker runs it with the same runner as the process pool
(:func:`~harden.reproducer.repro.repro_notebook`) and sends back a bounded
result: the verdict, diffs and causes, never the executed outputs (they stay
in ``--keep-executed DIR`` when asked for, which must be a shared path).
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harden.reproducer.causes import Cause
from harden.reproducer.repro import ReproOptions, ReproResult

#: Default ``--ship-limit``: bytes of a notebook's folder sent to a worker.
SHIP_LIMIT = 100 * 1024 * 1024
#: Folders never shipped (version control, checkpoints, caches).
SKIPPED_FOLDERS = frozenset({".git", ".hg", ".ipynb_checkpoints", "__pycache__", ".venv"})
#: Characters of a kernel's log sent back (its tail).
KERNEL_LOG_CHARS = 4000


@dataclass(frozen=True)
class RemoteItem:
    """One notebook as sent: ``display`` is the path as the user gave it, ``path``
    absolute; ``folder_name`` the name of its folder when the folder is shipped."""

    display: str
    path: str
    options: ReproOptions
    worker: Callable[[Path, ReproOptions], ReproResult]
    folder_name: str = ""


def judge(sent: RemoteItem | tuple[RemoteItem, bytes]) -> ReproResult:
    """Runs on a Dask worker: the notebook's bounded result, its path as given.
    ``sent`` is the item, or the item with its packed folder (Dask resolves the
    scattered folder's future in a tuple, not in a dataclass)."""
    item, data = sent if isinstance(sent, tuple) else (sent, None)
    if data is not None:
        with tempfile.TemporaryDirectory(prefix="harden-shipped-") as scratch:
            root = Path(scratch) / (item.folder_name or "folder")
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.extractall(root)
            return _run(item, root / Path(item.path).name)
    path = Path(item.path)
    if not path.is_file():
        message = not_on_worker(item.display)
        return ReproResult(item.display, "failed", message, input_error=message)
    return _run(item, path)


def not_on_worker(display: str) -> str:
    """Why a notebook sent by path cannot run on this Dask worker."""
    return (
        f"{display}: not found on the Dask worker {current_worker()} "
        "(workers must see the same path: a shared filesystem, or use --ship-folder)"
    )


def _run(item: RemoteItem, path: Path) -> ReproResult:
    options = item.options
    if options.run.output_dir is not None:
        return bounded(replace(item.worker(path, options), path=item.display))
    with tempfile.TemporaryDirectory(prefix="harden-repro-") as scratch:
        options = replace(options, run=replace(options.run, output_dir=scratch))
        result = item.worker(path, options)
    runs = tuple(replace(run, output_path=None) for run in result.runs)
    return bounded(replace(result, path=item.display, runs=runs))


def bounded(result: ReproResult) -> ReproResult:
    """What travels back: no cell outputs (the comparison already used them),
    the kernel log's tail only; diffs are already capped by the comparer."""
    runs = tuple(
        replace(
            run,
            notebook=None,
            cells=tuple(replace(cell, outputs=()) for cell in run.cells),
            kernel_log=run.kernel_log[-KERNEL_LOG_CHARS:],
        )
        for run in result.runs
    )
    return replace(result, runs=runs)


def crashed(item: RemoteItem, detail: str) -> ReproResult:
    message = "the harden task running this notebook on a Dask worker failed" + (
        f" ({detail})" if detail else ""
    )
    return ReproResult(item.display, "failed", message, causes=(Cause("worker-crash", message),))


def lost(item: RemoteItem, address: str) -> ReproResult:
    message = (
        f"the Dask worker {address} died running this notebook, "
        "and so did the worker it was retried on"
    )
    cause = Cause("worker-lost", message, details={"worker": address})
    return ReproResult(item.display, "worker_lost", message, causes=(cause,))


def folder_size(folder: Path, exclude: Collection[Path] = ()) -> int:
    """Bytes :func:`pack` would ship from ``folder``."""
    return sum(path.stat().st_size for path in _files(folder, exclude))


def pack(folder: Path, exclude: Collection[Path] = ()) -> bytes:
    """``folder`` as a zip, files relative to it; skipped folders and the folders
    ``exclude`` names (resolved paths, e.g. an output folder inside it) left out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in _files(folder, exclude):
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def over_ship_limit(folder: Path, size: int, limit: int) -> str:
    """Why a notebook's folder is not shipped (``size`` bytes, over ``--ship-limit``)."""
    return (
        f"--ship-folder: {folder} holds {size / 1e6:.1f} MB, over the limit of "
        f"{limit / 1e6:.1f} MB (--ship-limit); put its data on a path the workers share"
    )


def too_big(display: str, folder: Path, size: int, limit: int) -> ReproResult:
    message = over_ship_limit(folder, size, limit)
    return ReproResult(display, "failed", message, input_error=message)


def folder_scatterer(exclude: Collection[Path] = ()) -> Callable[[Any, Path], Any]:
    """``scatter(client, folder)``: the future of ``folder`` packed (:func:`pack`, without
    ``exclude``), packed and scattered once per folder however many notebooks it holds."""
    sent: dict[Path, Any] = {}

    def scatter(client: Any, folder: Path) -> Any:
        if folder not in sent:
            sent[folder] = client.scatter(pack(folder, exclude), hash=False)
        return sent[folder]

    return scatter


def shipper() -> Callable[[Any, RemoteItem], Any]:
    """``prepare(client, item)``: the item, with the future of its folder packed."""
    scatter = folder_scatterer()

    def prepare(client: Any, item: RemoteItem) -> tuple[RemoteItem, Any]:
        folder = Path(item.path).parent
        return replace(item, folder_name=folder.name), scatter(client, folder)

    return prepare


def _files(folder: Path, exclude: Collection[Path] = ()) -> list[Path]:
    left_out = {path.resolve() for path in exclude}
    found = []
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(
            name
            for name in folders
            if name not in SKIPPED_FOLDERS and (Path(root) / name).resolve() not in left_out
        )
        found += [Path(root) / name for name in sorted(files)]
    return [path for path in found if path.is_file() and not path.is_symlink()]


def current_worker() -> str:
    """The address of the Dask worker this runs on (``(no worker)`` outside one)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "(no worker)"


__all__ = [
    "SHIP_LIMIT",
    "RemoteItem",
    "bounded",
    "current_worker",
    "folder_scatterer",
    "folder_size",
    "judge",
    "not_on_worker",
    "over_ship_limit",
    "pack",
    "shipper",
]
