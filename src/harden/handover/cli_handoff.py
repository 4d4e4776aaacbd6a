"""``harden handoff``: the subcommand's flags and its one function.

Exit codes: 0 the folder was written and everything in it holds (the notebook
runs, the module agrees with it, the tests are green); 1 the folder was written
but something could not be made or checked (the README and the report say
what); 2 a usage or input error (unreadable notebook, a hand-edited file in the
way without ``--force``), nothing run.

Given a folder (or several paths) it hands off every notebook found
(:mod:`harden.handover.batch`): ``--jobs N`` processes or ``--scheduler`` (Dask);
exit 0 every notebook complete, 1 any incomplete, failed or lost, 2 a usage or
input error (an unreachable scheduler, edited files in the way, an unreadable
notebook).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from harden.errors import UsageError
from harden.reproducer.cli_repro import add_cluster_arguments

if TYPE_CHECKING:
    from harden.handover.core import HandoffResult
    from harden.progress import Progress


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="NOTEBOOK",
        help="the notebook to hand off, or folders (every notebook in them: "
        "OUT/<path under the folder>/ each, and OUT/index.html)",
    )
    parser.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        required=True,
        metavar="OUT",
        help="the handoff folder (created): src/, tests/, expectations/, report.html, ...",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite files edited since harden wrote them"
    )
    parser.add_argument(
        "--no-mutate",
        action="store_true",
        help="skip the mutation pass (the tests part of the score is then not measured)",
    )
    parser.add_argument(
        "--max-mutants", type=int, metavar="N", help="measure at most N mutants (default all)"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="one notebook: mutants run in parallel (default 2); a folder: notebooks "
        "handed off in parallel (default one per core)",
    )
    parser.add_argument(
        "--mutant-jobs",
        type=int,
        metavar="N",
        help="a folder: mutants run in parallel within each handoff (default 1)",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "jsonl"],
        default="text",
        help="a folder: text, one JSON document, or one JSON line per notebook as it "
        "finishes and a summary line (default text)",
    )
    parser.add_argument("--package", help="the package's name (default: the module's)")
    parser.add_argument("--kernel", help="kernel to run the notebook in (default: its own)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds per cell (default 600)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    add_cluster_arguments(parser, keep_executed=False)


def run_command(args: argparse.Namespace) -> int:
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    if args.max_mutants is not None and args.max_mutants < 1:
        raise UsageError("--max-mutants must be at least 1")
    for flag in ("jobs", "mutant_jobs"):
        value = getattr(args, flag)
        if value is not None and value < (1 if flag == "mutant_jobs" else 0):
            raise UsageError(f"--{flag.replace('_', '-')} must be positive, got {value}")
    if len(args.paths) > 1 or args.paths[0].is_dir():
        from harden.handover.cli_batch import run_folder

        return run_folder(args)
    if args.scheduler is not None or args.ship_folder:
        raise UsageError("--scheduler and --ship-folder hand off a folder: give a folder")
    if args.format != "text" or args.mutant_jobs is not None:
        flag = "--format" if args.format != "text" else "--mutant-jobs"
        raise UsageError(f"{flag} goes with a folder of notebooks")
    args.notebook = args.paths[0]
    from harden.progress import progress_for

    with progress_for("text", interval=0) as shown:
        result = _handoff(args, None if args.quiet else shown)
    _render(result)
    return result.exit_code


def _handoff(args: argparse.Namespace, shown: Progress | None) -> HandoffResult:
    """A bar over the steps on a terminal (the step running as its label), one
    line per step in CI logs."""
    from harden.handover.core import handoff

    def progress(step: str, done: int, total: int) -> None:
        if shown is not None:
            shown("handoff", done, total, step)

    return handoff(
        args.notebook,
        args.output_dir,
        force=args.force,
        mutate=not args.no_mutate,
        kernel=args.kernel,
        timeout=args.timeout,
        package=args.package,
        max_mutants=args.max_mutants,
        jobs=args.jobs or 2,
        progress=progress,
    )


def _render(result: HandoffResult) -> None:
    out = sys.stdout
    out.write(f"wrote {result.output_dir} in {result.seconds:.0f}s\n")
    out.write(f"readiness {result.readiness.summary}\n")
    out.write(f"  run: {result.run_status}, repro: {result.repro_status}\n")
    if result.check is not None:
        out.write(f"  extract --check: {result.check}\n")
    if result.tests:
        score = (
            f", mutation score {result.mutation_score:.2f}"
            if result.mutation_score is not None
            else ""
        )
        out.write(f"  tests: {len(result.tests)}{score}\n")
    passed, total = result.frames_passing
    out.write(f"  expectations: {len(result.suites)} suite(s), {passed}/{total} frames pass\n")
    steps = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in result.timings.items())
    out.write(f"  time: {steps}\n")
    for problem in result.problems:
        out.write(f"  problem: {problem}\n")
    out.write(f"see {result.readme} and {result.report_html}\n")
