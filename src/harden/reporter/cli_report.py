"""``harden report``: the subcommand's flags and its one function.

Exit codes: 0 the report was written (and, with ``--fail-under N``, every
notebook scored at least N), 1 some notebook scored below ``--fail-under``,
2 a usage or input error (bad flag, no notebook found, a notebook that
cannot be read).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harden.errors import UsageError
from harden.progress import progress_for
from harden.reproducer.cli_repro import add_cluster_arguments, cluster_from_args

EXIT_OK, EXIT_BELOW, EXIT_ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder to write report.html and report.json into (created)",
    )
    parser.add_argument(
        "--no-run",
        action="store_true",
        help="static only: lint and what can be known without running (no kernel)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="also extract each notebook and check the module computes the same "
        "(runs it once more)",
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds per cell (default 600)"
    )
    parser.add_argument(
        "--kernel", help="kernel for every notebook (default: its own, else python3)"
    )
    parser.add_argument("--pack", help="rule pack (default: from [tool.harden], else default)")
    parser.add_argument(
        "-j", "--jobs", type=int, default=0, metavar="N", help="notebooks run in parallel"
    )
    parser.add_argument(
        "--fail-under",
        type=int,
        metavar="SCORE",
        help="exit 1 when a notebook's readiness is below SCORE (0-100)",
    )
    parser.add_argument("--title", default="harden report", help="the page's title")
    add_cluster_arguments(parser, keep_executed=False)


def run_command(args: argparse.Namespace) -> int:
    from harden.config import Overrides
    from harden.reporter import ReportOptions, build_report, write_report

    if args.no_run and args.check:
        raise UsageError("--check runs the notebook; it cannot go with --no-run")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise UsageError("--fail-under must be between 0 and 100")
    if args.output.exists() and not args.output.is_dir():
        raise UsageError(f"-o {args.output}: not a folder")
    if args.no_run and (args.scheduler is not None or args.ship_folder):
        flag = "--scheduler" if args.scheduler is not None else "--ship-folder"
        raise UsageError(f"{flag} runs the notebooks on a cluster; it cannot go with --no-run")
    if args.jobs < 0:
        raise UsageError(f"--jobs must be 0 (one per core) or more, got {args.jobs}")
    args.output_dir = None  # report keeps no executed copies
    cluster = cluster_from_args(args)
    options = ReportOptions(
        run=not args.no_run,
        check=args.check,
        timeout=args.timeout,
        kernel=args.kernel,
        jobs=args.jobs,
        overrides=Overrides(pack=args.pack),
        cluster=cluster,
    )
    with progress_for() as progress:
        report = build_report(args.paths, options, progress)
    if not report.notebooks:
        raise UsageError("no notebooks found in " + ", ".join(args.paths))
    page, _ = write_report(report, args.output, args.title)
    for nb in report.worst_first:
        score = "–" if nb.readiness.score is None else f"{nb.readiness.score:>3}"
        status = f" {nb.repro.status}" if nb.repro is not None else ""
        sys.stdout.write(
            f"{score}  {nb.path}: {nb.count('error')} error(s), {nb.count('warning')} "
            f"warning(s){status}\n"
        )
    sys.stdout.write(f"wrote {page} and report.json\n")
    if any(nb.error for nb in report.notebooks):
        return EXIT_ERROR
    if args.fail_under is not None and any(
        nb.readiness.score is not None and nb.readiness.score < args.fail_under
        for nb in report.notebooks
    ):
        return EXIT_BELOW
    return EXIT_OK
