"""``expect``: run the notebook once with capture cells, profile each captured
frame here, and write one GX suite per frame to ``DIR/<notebook-stem>/<name>.json``.

The notebook runs in a fresh kernel through :mod:`harden.run.runner`; capture
cells save frames as Parquet into a temporary folder (dtypes kept), removed
afterwards.  A run that stops at a failing cell still yields the suites of the
frames captured before it (``ExpectResult.exit_code`` is then 1).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harden.analysis import analyze
from harden.expectations.capture import Target, plan
from harden.expectations.data import read_parquet
from harden.expectations.options import ExpectOptions
from harden.expectations.profile import profile_frame
from harden.expectations.suite import suite_document
from harden.notebook import load
from harden.run.facts import facts_from_analysis
from harden.run.runner import RunOptions, RunResult, run_notebook

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SuiteFile:
    """A suite written (or found identical) for one captured frame."""

    name: str
    path: str
    role: str
    variable: str
    cell_index: int
    rows: int
    expectations: int
    status: Literal["written", "unchanged"]
    sampled_rows: int | None = None


@dataclass(frozen=True)
class ExpectResult:
    """What ``expect`` did for one notebook.  ``skipped`` pairs a planned frame
    with the reason it has no suite (not a DataFrame, not reached)."""

    notebook: str
    output_dir: str
    suites: tuple[SuiteFile, ...]
    skipped: tuple[tuple[str, str], ...]
    run_status: str
    run_message: str
    failed_cell: int | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.run_status == "completed" else 1


@dataclass(frozen=True)
class CapturedSuite:
    """A suite made from one frame a run captured: ``text`` is the GX JSON to
    write at ``path``; ``frame_path`` the captured Parquet file (the run's, so
    only valid as long as the run's capture folder exists)."""

    target: Target
    path: Path
    text: str
    profile: Any
    frame_path: Path


def expect_notebook(
    notebook: str | Path,
    output_dir: str | Path,
    options: ExpectOptions = ExpectOptions(),
    *,
    frames: tuple[str, ...] = (),
    all_frames: bool = False,
    force: bool = False,
    kernel: str | None = None,
    timeout: float | None = 600.0,
    save_frames: bool = False,
) -> ExpectResult:
    """Capture, profile and write suites for ``notebook``; see the module docstring."""
    nb = load(notebook)
    analysis = analyze(nb)
    cwd = Path(nb.path).resolve().parent
    targets = plan(analysis, cwd, frames=frames, all_frames=all_frames)
    folder = Path(output_dir) / Path(nb.path).stem
    with tempfile.TemporaryDirectory(prefix="harden-expect-") as scratch:
        run_options = RunOptions(
            kernel=kernel,
            timeout=timeout,
            output_dir=Path(scratch) / "run",
            captures=tuple(t.capture() for t in targets),
            capture_dir=Path(scratch) / "frames",
        )
        result = run_notebook(nb, run_options, facts=facts_from_analysis(analysis))
        made, skipped = suites_from_run(str(nb.path), targets, result, folder, options)
        if save_frames:
            for suite in made:
                _save_frame(suite.frame_path, folder / f"{suite.target.name}.parquet")
    suites = _write([(m.target, m.path, m.text, m.profile) for m in made], force)
    return ExpectResult(
        notebook=str(nb.path),
        output_dir=str(folder),
        suites=suites,
        skipped=skipped,
        run_status=result.status,
        run_message=result.message,
        failed_cell=result.stopped_at if result.status != "completed" else None,
    )


def suites_from_run(
    notebook: str,
    targets: tuple[Target, ...],
    run: RunResult,
    folder: Path,
    options: ExpectOptions = ExpectOptions(),
) -> tuple[tuple[CapturedSuite, ...], tuple[tuple[str, str], ...]]:
    """Profile each frame ``run`` captured for ``targets`` (their
    :meth:`Target.capture` among the run's captures, in any order) and build its
    suite, to be written into ``folder``; nothing is written.  Also returns the
    (name, reason) of targets that have no suite."""
    captured = {c.label: c for c in run.captures}
    hashes = {Path(f.path).as_posix(): f.sha256 for f in run.inputs}
    made: list[CapturedSuite] = []
    skipped: list[tuple[str, str]] = []
    for target in targets:
        value = captured.get(target.capture().file_label)
        if value is None or not value.ok or value.format != "parquet" or value.path is None:
            reason = (value.error if value is not None else None) or "not a DataFrame"
            skipped.append((target.name, reason))
            log.info("%s: no suite for %s: %s", notebook, target.name, reason)
            continue
        text, profile = _suite_text(notebook, target, Path(value.path), options, hashes)
        made.append(
            CapturedSuite(target, folder / f"{target.name}.json", text, profile, Path(value.path))
        )
    return tuple(made), tuple(skipped)


def _save_frame(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _suite_text(
    notebook: str,
    target: Target,
    frame_path: Path,
    options: ExpectOptions,
    hashes: dict[str, str | None],
) -> tuple[str, Any]:
    profile = profile_frame(read_parquet(frame_path), options)
    source: dict[str, Any] | None = None
    if target.source is not None:
        source = {"path": target.source, "sha256": hashes.get(Path(target.source).as_posix())}
        # how the notebook read it, so that `harden validate` reads the file alike
        if target.reader:
            source["reader"] = target.reader
        if target.read_options:
            source["read_options"] = dict(target.read_options)
        if target.read_as_written is not None:
            source["read_as_written"] = target.read_as_written
    provenance = {
        "notebook": Path(notebook).as_posix(),
        "cell_index": target.after_cell,
        "variable": target.variable,
        "role": target.role,
        "source": source,
    }
    return suite_document(target.name, profile, options, provenance), profile


#: What ``harden expect`` wrote into a suites folder (:mod:`harden.manifests`).
MANIFEST = ".harden-expect.json"


def _write(documents: list[tuple[Target, Path, str, Any]], force: bool) -> tuple[SuiteFile, ...]:
    """Write every suite, or none.  A suite harden wrote is replaced by the one generated
    now (new data, a new harden); one a person edited since, or that harden did not
    write, needs ``force``."""
    from harden.manifests import edited_files, not_overwriting, write_files

    folders: dict[Path, dict[str, str]] = {}
    for _, path, text, _ in documents:
        folders.setdefault(path.parent, {})[path.name] = text
    if not force:  # every folder checked before any is written
        for folder, files in folders.items():
            changed = [
                name
                for name, text in files.items()
                if (folder / name).is_file()
                and (folder / name).read_text(encoding="utf-8", errors="replace") != text
            ]
            edited = edited_files(folder, changed, MANIFEST)
            if edited:
                raise not_overwriting(edited, folder)
    unchanged_paths: set[Path] = set()
    for folder, files in folders.items():
        result = write_files(folder, files, force=True, manifest_name=MANIFEST)
        unchanged_paths.update(result.unchanged)
    written = []
    for target, path, text, profile in documents:
        unchanged = path in unchanged_paths
        count = len(json.loads(text)["expectations"])
        written.append(
            SuiteFile(
                target.name,
                str(path),
                target.role,
                target.variable,
                target.after_cell,
                profile.rows,
                count,
                "unchanged" if unchanged else "written",
                profile.sampled_rows,
            )
        )
    return tuple(written)
