"""``harden scaffold``: the subcommand's flags and its one function.

Exit codes: 0 tests written (with ``--mutate``: and the kill score reaches
``--min-score``), 1 with ``--mutate`` when it does not, 2 a usage or input
error (an extraction refused, a module that fails, a hand-edited file in the
way).  Errors are one line, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_WEAK, EXIT_ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "notebook",
        metavar="NOTEBOOK",
        nargs="?",
        help="the notebook to extract and test (optional with --module)",
    )
    parser.add_argument(
        "-o", "--output-dir", type=Path, required=True, metavar="DIR", help="folder for the tests"
    )
    parser.add_argument(
        "--module",
        type=Path,
        metavar="PATH",
        help="test this module (an existing extraction) instead of extracting the notebook",
    )
    parser.add_argument(
        "--module-dir",
        type=Path,
        metavar="DIR",
        help="where the extracted module is written (default: the notebook's folder)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite files edited by hand since harden wrote them",
    )
    parser.add_argument(
        "--mutate",
        action="store_true",
        help="then make mutants of the module, run the tests on each and report the kill score",
    )
    parser.add_argument(
        "--max-mutants",
        type=int,
        default=None,
        metavar="N",
        help="with --mutate: test at most N mutants, spread over the module (default: all)",
    )
    parser.add_argument(
        "--min-score",
        type=float,
        default=0.0,
        metavar="F",
        help="with --mutate: exit 1 when the kill score is below F (0..1)",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=2, help="with --mutate: mutants run in parallel"
    )
    parser.add_argument("--rel-tol", type=float, help="relative tolerance of the comparisons")
    parser.add_argument("--abs-tol", type=float, help="absolute tolerance of the comparisons")
    parser.add_argument(
        "--fixture-limit-mb", type=float, help="per-fixture size limit (default 5 MB)"
    )
    parser.add_argument("--timeout", type=float, help="seconds for the capture run (default 600)")
    parser.add_argument(
        "--expectations",
        type=Path,
        metavar="DIR",
        help="suites of harden expect (its -o folder): also write data contract and "
        "property tests (test_<module>_contract.py; needs hypothesis)",
    )


def run_command(args: argparse.Namespace) -> int:
    from harden.scaffolder import prepare_target, resolve_options, scaffold_target

    start = Path(args.notebook or args.module or ".").resolve().parent
    options = resolve_options(
        start,
        rel_tol=args.rel_tol,
        abs_tol=args.abs_tol,
        fixture_limit_mb=args.fixture_limit_mb,
        timeout=args.timeout,
    )
    target = prepare_target(args.notebook, args.module, args.module_dir, args.force)
    result = scaffold_target(
        target, args.output_dir, options, force=args.force, expectations=args.expectations
    )
    sys.stdout.write(result.render() + "\n")
    if not args.mutate:
        return EXIT_OK
    from harden.scaffolder.mutate import mutate

    report = mutate(
        result.module_path,
        result.directory,
        max_mutants=args.max_mutants,
        jobs=args.jobs,
        timeout=options.mutant_timeout or None,
    )
    sys.stdout.write(report.render() + "\n")
    return EXIT_OK if report.score >= args.min_score else EXIT_WEAK
