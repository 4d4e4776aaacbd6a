"""``harden handoff DIR -o OUT``: one handoff per notebook of a folder.

Notebooks are found as ``repro`` and ``report`` find them
(:func:`harden.discover.discover`); each gets the folder a single handoff
writes, at ``OUT/<its path under DIR, without .ipynb>/``.  Before anything runs,
every one of those folders is checked for files a person edited since harden
wrote them (:func:`harden.handover.core.guard_conflicts`): one refusal names them
all, nothing is run, unless ``force``.

The handoffs run on harden's one process pool (:class:`harden.batch.Batch`,
``jobs`` processes) or, with a :class:`Cluster`, as Dask tasks
(:mod:`harden.distributed`).  On Dask a worker writes straight into ``OUT``
(which must then be a path every worker sees: a shared filesystem), or, with
``ship_folder``, gets the notebook's folder zipped (at most ``ship_limit`` bytes)
and sends the handoff folder back zipped (bounded by the same limit); this
process unpacks it into ``OUT``.

Each notebook gets a verdict (:class:`NotebookHandoff`): ``complete``
(everything made and holds), ``incomplete`` (the folder was written but
something failed: the single handoff's exit 1), ``failed`` (its worker died or
raised: no folder, or a partial one), ``worker_lost`` (on Dask: its worker died,
so did the one it was retried on) and ``error`` (bad input, one line).
``OUT/index.html`` links each notebook to its ``report.html``; ``OUT/report.json``
lists the verdicts in input order.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from harden.batch import Batch, workers_for
from harden.discover import discover
from harden.errors import HardenError, UsageError
from harden.io import atomic_write
from harden.manifests import edited_files, not_overwriting, write_files

# repro's: with ship_folder, its limit also bounds the handoff folder sent back
from harden.reproducer.batch import Cluster
from harden.reproducer.remote import SHIP_LIMIT

log = logging.getLogger(__name__)

#: Verdicts, best first; a notebook's verdict is one of these.
VERDICTS = ("complete", "incomplete", "failed", "worker_lost", "error")
#: The summary and the index written into ``OUT``.
SUMMARY, INDEX = "report.json", "index.html"
#: What harden last wrote of those two (so a hand-edited index is not overwritten).
FOLDER_MANIFEST = ".harden-handoff-folder.json"

Finished = Callable[[int, int, "NotebookHandoff"], None]


@dataclass(frozen=True)
class HandoffOptions:
    """The single handoff's options, the same for every notebook."""

    force: bool = False
    mutate: bool = True
    kernel: str | None = None
    timeout: float | None = 600.0
    max_mutants: int | None = None
    mutant_jobs: int = 2


@dataclass(frozen=True)
class NotebookHandoff:
    """One notebook's outcome: ``name`` is its folder under ``OUT``; ``readiness``
    its score (``None``: not measured or no report); ``problems`` the handoff's,
    one line each; ``worker`` the Dask worker lost (``worker_lost``)."""

    notebook: str
    name: str
    verdict: str
    message: str = ""
    readiness: int | None = None
    problems: tuple[str, ...] = ()
    seconds: float = 0.0
    worker: str | None = None
    report: Any = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["report"]
        data["problems"] = list(self.problems)
        data["report_html"] = f"{self.name}/report.html" if self.report is not None else None
        return data


@dataclass(frozen=True)
class FolderHandoff:
    """Every notebook's outcome in input order, and where the index is."""

    output_dir: Path
    results: tuple[NotebookHandoff, ...]
    index_html: Path | None = None
    summary_json: Path | None = None

    def count(self, verdict: str) -> int:
        return sum(1 for r in self.results if r.verdict == verdict)

    @property
    def exit_code(self) -> int:
        """0 every notebook complete; 2 a notebook could not be read (bad input, as
        for one notebook); else 1 when any is incomplete, failed or lost."""
        if any(r.verdict == "error" for r in self.results):
            return 2
        return 0 if all(r.verdict == "complete" for r in self.results) else 1

    def summary(self) -> dict[str, Any]:
        return {"notebooks": len(self.results), **{v: self.count(v) for v in VERDICTS}}

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": "handoff",
            "output_dir": str(self.output_dir),
            "summary": self.summary(),
            "exit_code": self.exit_code,
            "notebooks": [r.to_dict() for r in self.results],
        }


@dataclass(frozen=True)
class _Item:
    """One notebook as a worker gets it: absolute paths; ``output_dir`` empty when
    the handoff folder is sent back (shipped)."""

    display: str
    path: str
    name: str
    output_dir: str
    options: HandoffOptions
    ship_limit: int = 0
    #: Shipped: where the folder will be unpacked (paths in its files are made to say so).
    target: str = ""


# -- planning ------------------------------------------------------------------------------
def plan(
    paths: Iterable[str | Path], output_dir: Path
) -> tuple[list[tuple[str, Path | None, str]], dict[str, str]]:
    """``(display, notebook or None, folder name)`` per notebook found, and the
    one-line error of each path that is not one (by display)."""
    found: list[tuple[str, Path | None, str]] = []
    errors: dict[str, str] = {}
    names: dict[str, str] = {}
    for raw in paths:
        root = Path(raw)
        for target in discover([root]):
            display = str(target.path)
            if target.error is not None:
                errors[display] = target.error.one_line()
                found.append((display, None, ""))
                continue
            base = root if root.is_dir() else target.path.parent
            name = target.path.relative_to(base).with_suffix("").as_posix()
            if name in names and names[name] != display:
                raise UsageError(
                    f"{names[name]} and {display} would both hand off into "
                    f"{output_dir / name}: give them in separate commands"
                )
            names[name] = display
            found.append((display, target.path, name))
    return found, errors


def check_overwrites(output_dir: Path, names: Iterable[str]) -> None:
    """Refuse, before anything runs, when a handoff folder, or the index and summary
    in ``output_dir``, holds a file a person edited since harden wrote it (every
    folder's, in one error)."""
    from harden.handover.core import guard_conflicts

    conflicts = edited_files(output_dir, [INDEX, SUMMARY], FOLDER_MANIFEST)
    for name in names:
        conflicts += [f"{name}/{c}" for c in guard_conflicts(output_dir / name)]
    if conflicts:
        raise not_overwriting(conflicts, output_dir)


# -- the batch -----------------------------------------------------------------------------
def handoff_folder(
    paths: Iterable[str | Path],
    output_dir: str | Path,
    options: HandoffOptions = HandoffOptions(),
    *,
    jobs: int = 0,
    cluster: Cluster | None = None,
    finished: Finished | None = None,
) -> FolderHandoff:
    """Hand off every notebook under ``paths`` into ``output_dir/<name>/``; see the
    module docstring.  ``finished(done, total, result)`` is called in this process as
    each notebook finishes.  Raises :class:`~harden.errors.HardenError` for the whole
    command (no notebook found, edited files in the way, an unreachable scheduler)."""
    out = Path(output_dir).resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o {output_dir}: exists and is not a folder")
    found, errors = plan(paths, out)
    if not any(path is not None for _, path, _ in found):
        raise UsageError(
            "no notebooks found: " + "; ".join(errors.values()) if errors else "no notebooks found"
        )
    if not options.force:
        check_overwrites(out, [name for _, path, name in found if path is not None])
    if cluster is not None:
        from harden.distributed import Scheduler

        Scheduler.parse(cluster.scheduler)

    total = len(found)
    results: dict[int, NotebookHandoff] = {}

    def record(position: int, result: NotebookHandoff) -> None:
        results[position] = result
        if finished is not None:
            try:
                finished(len(results), total, result)
            except Exception:  # a broken progress display must not stop the batch
                log.debug("progress callback failed", exc_info=True)

    work: list[tuple[int, _Item]] = []
    sizes: dict[Path, int] = {}
    for position, (display, path, name) in enumerate(found):
        if path is None:
            record(position, NotebookHandoff(display, "", "error", errors[display]))
            continue
        shipped = cluster is not None and cluster.ship_folder
        if cluster is not None and shipped:
            from harden.reproducer.remote import folder_size

            folder = path.resolve().parent
            if folder not in sizes:  # an -o inside the folder is not shipped
                sizes[folder] = folder_size(folder, exclude=(out,))
            if sizes[folder] > cluster.ship_limit:
                record(position, _too_big(display, name, folder, sizes[folder], cluster.ship_limit))
                continue
        item = _Item(
            display,
            str(path.resolve()),
            name,
            "" if shipped else str(out / name),
            options,
            cluster.ship_limit if cluster is not None and shipped else 0,
            str(out / name),
        )
        work.append((position, item))

    def done(index: int, result: Any) -> None:
        position, item = work[index]
        if isinstance(result, tuple):  # shipped back: (result, the folder zipped)
            result, data = result
            if data is not None:
                unpack(data, out / item.name)
        record(position, result)

    if cluster is None:
        batch: Batch[_Item, NotebookHandoff] = Batch(_run_item, _crashed, preload=_preload)
        batch.run([item for _, item in work], workers_for(jobs, len(work)), done)
    else:
        from harden.run.kernels import stop_kernels

        remote: Batch[_Item, Any] = Batch(
            _run_remote,
            _crashed,
            lost=_lost,
            prepare=_shipper(out) if cluster.ship_folder else None,
            cleanup=stop_kernels,
        )
        remote.run([item for _, item in work], 0, done, scheduler=cluster.scheduler)

    ordered = tuple(results[i] for i in range(total))
    out.mkdir(parents=True, exist_ok=True)
    index, data = write_index(FolderHandoff(out, ordered))
    return FolderHandoff(out, ordered, index, data)


def write_index(summary: FolderHandoff, title: str = "harden handoff") -> tuple[Path, Path]:
    """``index.html`` (the folder report's table, each notebook linked to its
    handoff's ``report.html``) and the ``report.json`` of verdicts, in ``OUT``."""
    from harden.linter.finding import LintResult
    from harden.reporter import Report
    from harden.reporter.html import render
    from harden.reporter.model import NotebookReport
    from harden.reporter.readiness import Readiness

    notebooks = []
    links: dict[str, str] = {}
    for result in summary.results:
        if result.report is not None:
            nb = result.report
            links[nb.path] = f"{result.name}/report.html"
        else:
            nb = NotebookReport(
                result.notebook,
                LintResult(result.notebook),
                Readiness(None, ()),
                error=f"{result.verdict}: {result.message}",
            )
        notebooks.append(nb)
    report = Report(tuple(notebooks), ran=True, checked=True, command="handoff")
    index = summary.output_dir / INDEX
    data = summary.output_dir / SUMMARY
    verdicts = {nb.path: r.verdict for nb, r in zip(notebooks, summary.results)}
    files = {
        INDEX: render(report, title, links, verdicts),
        SUMMARY: json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n",
    }
    # Checked before the run (check_overwrites); what is written now is harden's.
    write_files(summary.output_dir, files, force=True, manifest_name=FOLDER_MANIFEST)
    return index, data


# -- what runs in a worker -----------------------------------------------------------------
def _run_item(item: _Item) -> NotebookHandoff:
    """One handoff into ``item.output_dir`` (pool process or Dask worker)."""
    from harden.handover.core import handoff

    options = item.options
    try:
        result = handoff(
            item.path,
            item.output_dir,
            force=options.force,
            mutate=options.mutate,
            kernel=options.kernel,
            timeout=options.timeout,
            max_mutants=options.max_mutants,
            jobs=options.mutant_jobs,
        )
    except HardenError as exc:
        return NotebookHandoff(item.display, item.name, "error", exc.one_line())
    return NotebookHandoff(
        item.display,
        item.name,
        "complete" if result.complete else "incomplete",
        "" if result.complete else result.problems[0],
        result.readiness.score,
        result.problems,
        round(result.seconds, 2),
        report=_renamed(result.report, item.display),
    )


def _renamed(report: Any, display: str) -> Any:
    return replace(report, path=display) if report is not None else None


def _run_remote(sent: _Item | tuple[_Item, bytes]) -> Any:
    """On a Dask worker: the result, or with a shipped folder ``(result, zip)``."""
    item, data = sent if isinstance(sent, tuple) else (sent, None)
    if data is None:
        if not Path(item.path).is_file():
            from harden.reproducer.remote import not_on_worker

            return NotebookHandoff(item.display, item.name, "error", not_on_worker(item.display))
        return _run_item(item)
    with tempfile.TemporaryDirectory(prefix="harden-handoff-shipped-") as scratch:
        root = Path(scratch) / "in" / Path(item.path).parent.name
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.extractall(root)
        made = Path(scratch) / "out" / Path(item.name).name
        local = _Item(
            item.display, str(root / Path(item.path).name), item.name, str(made), item.options
        )
        result = _run_item(local)
        if not made.is_dir():
            return result, None
        _repath(made, {str(root): str(Path(item.path).parent), str(made): item.target})
        from harden.reproducer.remote import pack

        packed = pack(made)
        if len(packed) > item.ship_limit:
            message = (
                f"--ship-folder: the handoff folder is {len(packed) / 1e6:.1f} MB zipped, over "
                f"the limit of {item.ship_limit / 1e6:.1f} MB (--ship-limit); write to a "
                "path the workers share instead"
            )
            return NotebookHandoff(item.display, item.name, "failed", message), None
        return result, packed


def _repath(folder: Path, paths: dict[str, str]) -> None:
    """In a handoff folder made on a worker, the worker's scratch paths (keys)
    replaced by the paths they stand for (values), in every text file; harden's
    manifests then record the files as rewritten, so they do not read as edited."""
    from harden.manifests import rerecord

    changed: dict[Path, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(".harden-"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        new = text
        for old, replacement in paths.items():
            new = new.replace(old, replacement)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed[path] = new.encode("utf-8")
    rerecord(folder, changed)


def unpack(data: bytes, folder: Path) -> None:
    """Write a handoff folder sent back zipped into ``folder``, file by file, atomically."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            target = (folder / info.filename).resolve()
            if not target.is_relative_to(folder.resolve()):
                raise UsageError(f"a shipped handoff holds a path outside its folder: {info}")
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, archive.read(info))


def _shipper(out: Path) -> Callable[[Any, _Item], Any]:
    """``prepare(client, item)``: the item, with the future of its folder packed
    (without the output folder ``out``, when it is inside it: earlier handoffs stay home)."""
    from harden.reproducer.remote import folder_scatterer

    scatter = folder_scatterer(exclude=(out,))

    def prepare(client: Any, item: _Item) -> tuple[_Item, Any]:
        return item, scatter(client, Path(item.path).parent)

    return prepare


def _too_big(display: str, name: str, folder: Path, size: int, limit: int) -> NotebookHandoff:
    from harden.reproducer.remote import over_ship_limit

    return NotebookHandoff(display, name, "error", over_ship_limit(folder, size, limit))


def _crashed(item: _Item, detail: str) -> NotebookHandoff:
    message = "the harden worker running this handoff died or failed" + (
        f" ({detail})" if detail else ""
    )
    return NotebookHandoff(item.display, item.name, "failed", message)


def _lost(item: _Item, address: str) -> NotebookHandoff:
    message = (
        f"the Dask worker {address} died running this handoff, "
        "and so did the worker it was retried on"
    )
    return NotebookHandoff(item.display, item.name, "worker_lost", message, worker=address)


def _preload() -> None:
    from harden.run.runner import warm_up

    warm_up()


__all__ = [
    "SHIP_LIMIT",
    "VERDICTS",
    "Cluster",
    "FolderHandoff",
    "HandoffOptions",
    "NotebookHandoff",
    "check_overwrites",
    "handoff_folder",
    "plan",
    "unpack",
    "write_index",
]
