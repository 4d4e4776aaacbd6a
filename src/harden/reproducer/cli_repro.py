"""``harden repro``: the subcommand's flags and its one function.

Exit codes: 0 every notebook reproduced (or executed: it stores no outputs,
unless ``--require-outputs``), 1 some notebook differs, is
nondeterministic, failed, timed out or lost its kernel, 2 a usage or input
error (bad flag, unreadable notebook, unknown parameter).  Defaults for
``timeout``, ``notebook-timeout``, ``rel-tol``, ``abs-tol``, the normalisers
and image comparison come from ``[tool.harden.repro]``; flags override them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from harden.errors import ConfigError, UsageError
from harden.progress import progress_for

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
CONFIG_KEYS = frozenset(
    {
        "timeout",
        "notebook-timeout",
        "rel-tol",
        "abs-tol",
        "normalizers",
        "disable-normalizers",
        "enable-normalizers",
        "image-mode",
        "image-severity",
        "compare-stderr",
    }
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="notebooks or folders (searched recursively, checkpoints skipped)",
    )
    parser.add_argument(
        "--kernel",
        help="run every notebook with this kernel "
        "(default: the notebook's own when installed, else python3)",
    )
    parser.add_argument(
        "--cwd", type=Path, help="working directory of the kernel (default: each notebook's folder)"
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter (value read as YAML, "
        "converted to the type of its default); repeatable",
    )
    parser.add_argument(
        "-f",
        "--parameters-file",
        type=Path,
        metavar="YAML",
        help="parameters from a YAML mapping (-p wins over it)",
    )
    parser.add_argument("--timeout", type=float, help="seconds per cell (default 600)")
    parser.add_argument(
        "--notebook-timeout", type=float, help="seconds for a whole notebook (default: no limit)"
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="keep the executed copies here (default: a temporary folder, removed afterwards)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        metavar="N",
        help="run each notebook N times; N >= 2 reports cells that differ "
        "between runs as nondeterministic",
    )
    parser.add_argument(
        "--require-outputs",
        action="store_true",
        help="a notebook that stores no outputs (verdict 'executed': it ran, "
        "nothing to compare) fails the run (exit 1)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="notebooks run in parallel (default: number of cores)",
    )
    parser.add_argument(
        "--format",
        default="text",
        choices=["text", "json", "jsonl", "junit"],
        help="report format (default: text); jsonl streams one JSON line per notebook "
        "as it finishes, then a summary line",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--rel-tol", type=float, help="relative tolerance for numbers (default 1e-6)"
    )
    parser.add_argument(
        "--abs-tol", type=float, help="absolute tolerance for numbers (default 1e-12)"
    )
    add_cluster_arguments(parser)
    parser.add_argument(
        "--enable-normalizer",
        action="append",
        default=[],
        metavar="NAME",
        help="turn on an opt-in normaliser (e.g. pandas2-value-counts); repeatable",
    )
    parser.add_argument(
        "--disable-normalizer",
        action="append",
        default=[],
        metavar="NAME",
        help="turn off a built-in normaliser (e.g. numpy2-scalar-repr, timestamp); repeatable",
    )
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the text report (default: only on a terminal)",
    )


def add_cluster_arguments(parser: argparse.ArgumentParser, *, keep_executed: bool = True) -> None:
    """``--scheduler``, ``--ship-folder``, ``--ship-limit`` and (unless
    ``keep_executed=False``) ``--keep-executed``: shared by every command that runs
    notebooks in a batch (read them back with :func:`cluster_from_args`)."""
    cluster = parser.add_argument_group("on a Dask cluster (pip install 'harden[dask]')")
    cluster.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the notebooks on Dask workers: tcp://host:8786 (a running scheduler) "
        "or local:N (N worker processes on this machine)",
    )
    cluster.add_argument(
        "--ship-folder",
        action="store_true",
        help="send each notebook's folder to the worker "
        "(default: workers read the same paths, a shared filesystem)",
    )
    cluster.add_argument(
        "--ship-limit",
        type=float,
        default=100.0,
        metavar="MB",
        help="largest folder --ship-folder sends (default 100 MB)",
    )
    if not keep_executed:
        return
    cluster.add_argument(
        "--keep-executed",
        type=Path,
        metavar="DIR",
        help="keep the executed copies in DIR (on a cluster: a path every worker can write)",
    )


def run_command(args: argparse.Namespace) -> int:
    from harden.reproducer.batch import repro_paths
    from harden.reproducer.report import render
    from harden.reproducer.repro import ReproOptions

    if args.runs < 1:
        raise UsageError(f"--runs must be at least 1, got {args.runs}")
    if args.jobs < 0:
        raise UsageError(f"--jobs must be 0 (one per core) or more, got {args.jobs}")
    for name in ("timeout", "notebook_timeout"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be positive")
    cluster = cluster_from_args(args)
    section = _config_section(args.paths)
    compare = compare_options(
        section, args.rel_tol, args.abs_tol, args.enable_normalizer, args.disable_normalizer
    )
    run = run_options(args, section)
    with tempfile.TemporaryDirectory(prefix="harden-repro-") as scratch:
        if args.output_dir is None and cluster is None:  # a worker makes its own
            run = replace(run, output_dir=Path(scratch))
        options = ReproOptions(
            run=run, compare=compare, runs=args.runs, require_outputs=args.require_outputs
        )
        shown = progress_for(args.format, bool(args.output))
        with shown, _stream(args) as stream:

            def progress(done: int, total: int, result: Any) -> None:
                if stream is not None:
                    stream(done, total, result)
                shown("repro", done, total, progress_label(result))

            results = repro_paths(
                args.paths, options, jobs=args.jobs, progress=progress, cluster=cluster
            )
            if stream is not None:
                stream.end(results)
        if args.output_dir is None and cluster is None:
            results = tuple(_forget_copies(result) for result in results)
    if args.format != "jsonl":
        color = args.format == "text" and not args.output and _use_color(args.color)
        text = render(results, args.format, color=color)
        if args.output:
            from harden.io import atomic_write

            atomic_write(args.output, text)
        else:
            sys.stdout.write(text)
    if any(result.input_error for result in results):
        return EXIT_ERROR
    return EXIT_OK if all(result.ok for result in results) else EXIT_FAILED


def run_options(args: argparse.Namespace, section: Mapping[str, Any]) -> Any:
    """The runner's options from the flags, with ``[tool.harden.repro]`` defaults."""
    from harden.run.params import load_parameter_file, parse_cli_parameter
    from harden.run.runner import DEFAULT_TIMEOUT, RunOptions

    parameters = list(load_parameter_file(args.parameters_file)) if args.parameters_file else []
    parameters += [parse_cli_parameter(name, value) for name, value in args.parameter]
    timeout = (
        args.timeout if args.timeout is not None else _number(section, "timeout", DEFAULT_TIMEOUT)
    )
    limit = (
        args.notebook_timeout
        if args.notebook_timeout is not None
        else _number(section, "notebook-timeout", None)
    )
    if args.cwd is not None and not args.cwd.is_dir():
        raise UsageError(f"--cwd {args.cwd}: not a folder")
    return RunOptions(
        kernel=args.kernel,
        cwd=args.cwd,
        parameters=tuple(parameters),
        timeout=timeout,
        notebook_timeout=limit,
        output_dir=args.output_dir,
    )


def cluster_from_args(args: argparse.Namespace) -> Any:
    """The Dask cluster asked for (``None``: the local process pool); checks the
    flags that only make sense with one, and turns ``--keep-executed`` into the
    output folder (absolute: the workers resolve it)."""
    from harden.reproducer.batch import Cluster

    if getattr(args, "keep_executed", None) is not None:
        if args.output_dir is not None:
            raise UsageError("--keep-executed and --output-dir: give one")
        args.output_dir = args.keep_executed.resolve()
    if args.scheduler is None:
        if args.ship_folder:
            raise UsageError("--ship-folder needs --scheduler")
        return None
    from harden.distributed import Scheduler

    Scheduler.parse(args.scheduler)  # a malformed address is a usage error now
    if args.jobs:
        raise UsageError("--jobs and --scheduler: give one (the cluster's workers run in parallel)")
    cwd = getattr(args, "cwd", None)
    if args.ship_folder and cwd is not None:
        raise UsageError("--ship-folder runs each notebook in its shipped folder: drop --cwd")
    if args.ship_limit <= 0:
        raise UsageError("--ship-limit must be positive")
    if cwd is not None:
        args.cwd = cwd.resolve()
    return Cluster(args.scheduler, args.ship_folder, int(args.ship_limit * 1_000_000))


class _Stream:
    """``--format jsonl``: one line per notebook as it finishes (to stdout or to
    ``-o FILE``, flushed each time), then the summary line."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def __call__(self, done: int, total: int, result: Any) -> None:
        from harden.reproducer.report import render_line

        self.out.write(render_line(result))
        self.out.flush()

    def end(self, results: Any) -> None:
        from harden.reproducer.report import summary_json_line

        self.out.write(summary_json_line(results))
        self.out.flush()


@contextmanager
def _stream(args: argparse.Namespace) -> Iterator[_Stream | None]:
    if args.format != "jsonl":
        yield None
    elif args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            yield _Stream(out)
    else:
        yield _Stream(sys.stdout)


def compare_options(
    section: Mapping[str, Any],
    rel_tol: float | None,
    abs_tol: float | None,
    enable: list[str] | None = None,
    disable: list[str] | None = None,
) -> Any:
    """The comparer's options: defaults, then ``[tool.harden.repro]``, then flags
    (``--enable-normalizer`` / ``--disable-normalizer`` add to the section's lists)."""
    from harden.reproducer.compare import CompareOptions
    from harden.reproducer.normalize import build_normalizers

    values: dict[str, Any] = {}
    for key in ("rel-tol", "abs-tol"):
        if key in section:
            values[key.replace("-", "_")] = _number(section, key, None)
    if rel_tol is not None:
        values["rel_tol"] = rel_tol
    if abs_tol is not None:
        values["abs_tol"] = abs_tol
    keys = ("normalizers", "disable-normalizers", "enable-normalizers")
    if any(key in section for key in keys) or enable or disable:
        custom, off, on = (section.get(key, []) for key in keys)
        if not all(isinstance(value, list) for value in (custom, off, on)):
            raise ConfigError(
                "[tool.harden.repro] normalizers, disable-normalizers and "
                "enable-normalizers must be arrays"
            )
        values["normalizers"] = build_normalizers(
            disable=[*off, *(disable or ())], custom=custom, enable=[*on, *(enable or ())]
        )
    for key in ("image-mode", "image-severity", "compare-stderr"):
        if key in section:
            values[key.replace("-", "_")] = section[key]
    return CompareOptions(**values)


def _config_section(paths: list[str]) -> Mapping[str, Any]:
    from harden.config import resolve

    first = Path(paths[0]) if paths else Path.cwd()
    start = first if first.is_dir() else first.parent if first.parent.exists() else Path.cwd()
    section = resolve(start).sections.get("repro", {})
    unknown = sorted(set(section) - CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            f"[tool.harden.repro]: unknown key(s) {', '.join(unknown)} "
            f"(known: {', '.join(sorted(CONFIG_KEYS))})"
        )
    return section


def _number(section: Mapping[str, Any], key: str, default: float | None) -> float | None:
    value = section.get(key, default)
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
    ):
        raise ConfigError(f"[tool.harden.repro] {key} must be a non-negative number, got {value!r}")
    return value


def _forget_copies(result: Any) -> Any:
    """Executed copies in the removed temporary folder: drop their paths from the report."""
    runs = tuple(replace(run, output_path=None) for run in result.runs)
    return replace(result, runs=runs)


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def progress_label(result: Any) -> str:
    """What a progress line says of a finished notebook: ``churn.ipynb reproduced (4.1s)``."""
    return f"{Path(result.path).name} {result.status} ({result.duration:.1f}s)"
