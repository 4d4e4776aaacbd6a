"""``harden handoff``: the subcommand's flags and its one function.

Exit codes: 0 the folder was written and everything in it holds (the notebook
runs, the module agrees with it, the tests are green); 1 the folder was written
but something could not be made or checked (the README and the report say
what); 2 a usage or input error (unreadable notebook, a hand-edited file in the
way without ``--force``), nothing run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from harden.errors import UsageError

if TYPE_CHECKING:
    from harden.handover.core import HandoffResult
    from harden.progress import Progress


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", type=Path, help="the notebook to hand off")
    parser.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        required=True,
        metavar="DIR",
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
        "-j", "--jobs", type=int, default=2, help="mutants run in parallel (default 2)"
    )
    parser.add_argument("--package", help="the package's name (default: the module's)")
    parser.add_argument("--kernel", help="kernel to run the notebook in (default: its own)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds per cell (default 600)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")


def run_command(args: argparse.Namespace) -> int:
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    if args.max_mutants is not None and args.max_mutants < 1:
        raise UsageError("--max-mutants must be at least 1")
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
        jobs=args.jobs,
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
