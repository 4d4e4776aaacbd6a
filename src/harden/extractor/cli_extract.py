"""``harden extract``: the subcommand's flags and its one function.

Exit codes: 0 written (with ``--check``: notebook and module agree), 1 with
``--check`` when they differ, 2 a usage or input error (bad flag, unreadable
notebook, a notebook refused for hidden state or magics, a file edited by
hand in the way).  Errors are one line, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harden.extractor.splits import split_modes

EXIT_OK, EXIT_DIFFER, EXIT_ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", metavar="NOTEBOOK", help="the notebook (.ipynb or # %% script)")
    parser.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="folder for the module, its log and requirements (default: the notebook's folder)",
    )
    parser.add_argument(
        "--module-name", metavar="NAME", help="module name (default: from the notebook's file name)"
    )
    parser.add_argument(
        "--split",
        choices=split_modes(),
        default="headings",
        help="steps from markdown headings (default), 'step:<name>' cell tags, or one per cell",
    )
    parser.add_argument(
        "--outputs",
        metavar="A,B",
        help="names run() returns (default: what the last step defines and the last cell shows)",
    )
    parser.add_argument(
        "--drop-magics",
        action="store_true",
        help="drop shell escapes and magics with no Python equivalent "
        "(!ls, %%run, %%%%bash) instead of stopping; logged as risky",
    )
    parser.add_argument("--no-prints", action="store_true", help="drop print() calls")
    parser.add_argument(
        "--prune",
        action="store_true",
        help="remove steps that contribute nothing to run()'s results (they only print "
        "and draw); without it they are kept and logged",
    )
    parser.add_argument(
        "--max-step-lines",
        type=int,
        default=60,
        metavar="N",
        help="split a section longer than N lines of step code at its next heading level "
        "(### inside ##); 0 never splits (default: 60)",
    )
    parser.add_argument(
        "--parameters",
        choices=("promote", "suggest"),
        default="promote",
        help="literal paths, seeds, split sizes, cv folds and grids in calls: make them "
        "run() keywords (promote, the default) or only list them in the log (suggest)",
    )
    parser.add_argument(
        "--save-figures",
        metavar="DIR",
        help="save matplotlib figures into DIR when the module runs",
    )
    parser.add_argument(
        "--allow-hidden-state",
        action="store_true",
        help="extract even when lint finds H002/H003/H209 (hidden state)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite files edited by hand since the last extraction",
    )
    parser.add_argument(
        "--stdout", action="store_true", help="print the module instead of writing files"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="also run the notebook (papermill) and the module (fresh python) "
        "and compare their results: exit 0 agree, 1 differ",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="with --check: run both with this parameter (YAML value)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="with --check: seconds per cell and for the module (default 600)",
    )
    parser.add_argument(
        "--kernel", help="with --check: kernel for the notebook (default: its own, else python3)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="do not print the log")


def run_command(args: argparse.Namespace) -> int:
    from harden.errors import UsageError
    from harden.extractor import check_extraction, extract, write_extraction

    outputs = None
    if args.outputs is not None:
        outputs = [name.strip() for name in args.outputs.split(",") if name.strip()]
        if not outputs or not all(name.isidentifier() for name in outputs):
            raise UsageError(f"--outputs {args.outputs!r}: give comma-separated Python names")
    if args.stdout and args.output_dir is not None:
        raise UsageError("--stdout and --output-dir exclude each other")
    if args.parameter and not args.check:
        raise UsageError("-p/--parameter only applies with --check")
    extraction = extract(
        args.notebook,
        module_name=args.module_name,
        split=args.split,
        outputs=outputs,
        drop_magics=args.drop_magics,
        no_prints=args.no_prints,
        save_figures=args.save_figures,
        allow_hidden_state=args.allow_hidden_state,
        parameters=args.parameters,
        prune=args.prune,
        max_step_lines=args.max_step_lines,
    )
    info = sys.stderr if args.stdout else sys.stdout
    if args.stdout:
        sys.stdout.write(extraction.source)
    else:
        result = write_extraction(extraction, args.output_dir, force=args.force)
        plan = extraction.plan
        written = ", ".join(str(p) for p in result.written) or "nothing (files up to date)"
        info.write(
            f"wrote {written}: {len(plan.steps)} steps, {len(plan.parameters)} "
            f"parameters, run() returns {', '.join(plan.outputs) or 'nothing'}\n"
        )
    if not args.quiet:
        info.write(extraction.log_text)
    if not args.check:
        return EXIT_OK
    parameters = _parameters(args.parameter, extraction)
    checked = check_extraction(
        extraction, parameters=parameters, timeout=args.timeout, kernel=args.kernel
    )
    info.write(checked.render() + "\n")
    return EXIT_OK if checked.agree else EXIT_DIFFER


def _parameters(pairs: list[list[str]], extraction: object) -> dict[str, object]:
    from harden.errors import UsageError
    from harden.run.params import convert_value, parse_cli_parameter

    specs = {p.name: p for p in extraction.plan.parameters}  # type: ignore[attr-defined]
    out: dict[str, object] = {}
    for name, text in pairs:
        arg = parse_cli_parameter(name, text)
        if name not in specs:
            known = ", ".join(specs) or "none"
            raise UsageError(f"unknown parameter {name!r} (the notebook's parameters: {known})")
        out[name] = convert_value(arg, specs[name].value)
    return out
