"""pytest plugin: ``pytest --harden-repro notebooks/`` checks that notebooks reproduce.

Each ``.ipynb`` file becomes one test item that runs ``harden repro`` on it;
a failure shows the same report as the CLI (diffs, traceback, causes).  The
plugin is registered through the ``pytest11`` entry point, so it loads in
every pytest run: it does nothing unless ``--harden-repro`` is given, and this
module imports nothing heavy (papermill, nbclient, the comparer load only when
a notebook item runs).

Options (all namespaced): ``--harden-repro``, ``--harden-timeout``,
``--harden-notebook-timeout``, ``--harden-kernel``, ``--harden-runs``,
``--harden-rel-tol``, ``--harden-abs-tol``, ``--harden-output-dir``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

_OPTIONS = pytest.StashKey[Any]()
_SCRATCH = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harden", "harden: notebook reproducibility")
    group.addoption(
        "--harden-repro",
        action="store_true",
        default=False,
        help="collect .ipynb files as tests that re-run them and compare outputs",
    )
    group.addoption(
        "--harden-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="per-cell timeout (default 600)",
    )
    group.addoption(
        "--harden-notebook-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time limit for a whole notebook (default: none)",
    )
    group.addoption(
        "--harden-kernel",
        default=None,
        help="kernel for every notebook (default: the notebook's own when installed, else python3)",
    )
    group.addoption(
        "--harden-runs",
        type=int,
        default=1,
        metavar="N",
        help="run each notebook N times; differences between runs fail as nondeterministic",
    )
    group.addoption(
        "--harden-rel-tol", type=float, default=None, help="relative tolerance for numbers"
    )
    group.addoption(
        "--harden-abs-tol", type=float, default=None, help="absolute tolerance for numbers"
    )
    group.addoption(
        "--harden-output-dir",
        default=None,
        metavar="DIR",
        help="keep the executed copies here (default: a temporary folder)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("harden_repro"):
        config.addinivalue_line("markers", "harden_repro: a notebook checked by harden repro")


def pytest_unconfigure(config: pytest.Config) -> None:
    scratch = config.stash.get(_SCRATCH, None)
    if scratch is not None:
        scratch.cleanup()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if (
        file_path.suffix == ".ipynb"
        and parent.config.getoption("harden_repro")
        and ".ipynb_checkpoints" not in file_path.parts
    ):
        return NotebookFile.from_parent(parent, path=file_path)
    return None


class NotebookFile(pytest.File):
    """A notebook file: it holds exactly one item, the whole notebook."""

    def collect(self) -> Any:
        item = NotebookItem.from_parent(self, name=self.path.name)
        item.add_marker("harden_repro")
        yield item


class ReproFailure(Exception):
    """Raised by an item whose notebook does not reproduce; carries the result."""

    def __init__(self, result: Any) -> None:
        super().__init__(result.message)
        self.result = result


class NotebookItem(pytest.Item):
    """Runs ``harden repro`` on one notebook."""

    def runtest(self) -> None:
        from dataclasses import replace

        from harden.reproducer.repro import repro_notebook

        options = _options(self.config)
        try:
            relative = self.path.resolve().relative_to(self.config.rootpath.resolve())
        except ValueError:
            relative = Path(self.path.name)
        name = "__".join(relative.parts)  # distinct executed copies in the shared folder
        try:
            shown = self.path.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            shown = self.path
        result = repro_notebook(shown, replace(options, run=replace(options.run, output_name=name)))
        self.user_properties.append(("harden_status", result.status))
        if not result.ok:
            raise ReproFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ReproFailure):
            from harden.reproducer.report import notebook_text

            return notebook_text(excinfo.value.result) + "(cells are numbered from 1)"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"harden repro: {self.path.name}"


def _options(config: pytest.Config) -> Any:
    """The repro options for this session, built once from the ``--harden-*`` flags."""
    cached = config.stash.get(_OPTIONS, None)
    if cached is not None:
        return cached
    from harden.reproducer.compare import CompareOptions
    from harden.reproducer.repro import ReproOptions
    from harden.run.runner import DEFAULT_TIMEOUT, RunOptions

    output_dir = config.getoption("harden_output_dir")
    if output_dir is None:
        scratch = tempfile.TemporaryDirectory(prefix="harden-pytest-")
        config.stash[_SCRATCH] = scratch
        output_dir = scratch.name
    timeout = config.getoption("harden_timeout")
    tolerances = {key: config.getoption(f"harden_{key}") for key in ("rel_tol", "abs_tol")}
    options = ReproOptions(
        run=RunOptions(
            kernel=config.getoption("harden_kernel"),
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            notebook_timeout=config.getoption("harden_notebook_timeout"),
            output_dir=output_dir,
        ),
        compare=CompareOptions(**{k: v for k, v in tolerances.items() if v is not None}),
        runs=max(1, config.getoption("harden_runs")),
    )
    config.stash[_OPTIONS] = options
    return options
