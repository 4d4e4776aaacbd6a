"""``harden expect``: the subcommand's flags and its one function.

Exit codes: 0 every notebook ran and its suites are written, 1 a notebook
failed while running (the suites captured before the failing cell are
written), 2 a usage or input error (unreadable notebook, bad configuration,
a suite edited by hand in the way without ``--force``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "notebooks", nargs="+", metavar="NOTEBOOK", help="notebooks to run and profile"
    )
    parser.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        default=Path("expectations"),
        metavar="DIR",
        help="suites go to DIR/<notebook>/<frame>.json (default: expectations)",
    )
    parser.add_argument(
        "--frames", metavar="NAME,...", help="also capture these top-level DataFrames"
    )
    parser.add_argument(
        "--all-frames",
        action="store_true",
        help="capture every top-level DataFrame at the end of each section",
    )
    parser.add_argument(
        "--columns",
        choices=["exact", "subset"],
        help="exact column set (default) or allow extra columns",
    )
    parser.add_argument(
        "--column-order",
        action="store_true",
        default=None,
        help="also expect the columns in the observed order",
    )
    parser.add_argument(
        "--row-tolerance",
        type=float,
        metavar="F",
        help="row count within ±F of the observed count (default 0.5)",
    )
    parser.add_argument(
        "--range-margin",
        type=float,
        metavar="F",
        help="widen numeric/date bounds by F of the range (default 0.1; 0: observed)",
    )
    parser.add_argument(
        "--null-margin",
        type=float,
        metavar="F",
        help="allowed drop of the non-null rate (default 0.1)",
    )
    parser.add_argument(
        "--max-categories",
        type=int,
        metavar="N",
        help="largest value set for a categorical column (default 20)",
    )
    parser.add_argument(
        "--sample-rows",
        type=int,
        metavar="N",
        help="profile larger frames on a deterministic sample of N rows (default 100000)",
    )
    parser.add_argument(
        "--statistics",
        action="store_true",
        default=None,
        help="also expect mean and median within bounds",
    )
    parser.add_argument(
        "--exclude", metavar="COL,...", help="columns with no column-level expectations"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite suites that differ (edited by hand)"
    )
    parser.add_argument("--kernel", help="kernel (default: the notebook's own, else python3)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds per cell (default 600)"
    )
    parser.add_argument(
        "--save-frames",
        action="store_true",
        help="also keep each captured frame as DIR/<notebook>/<frame>.parquet",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PYPROJECT",
        help="use this pyproject.toml instead of searching upwards",
    )


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def run_command(args: argparse.Namespace) -> int:
    from harden.expectations.expect import expect_notebook
    from harden.expectations.options import resolve_options

    code = EXIT_OK
    for notebook in args.notebooks:
        options = resolve_options(
            Path(notebook),
            args.config,
            columns=args.columns,
            column_order=args.column_order,
            row_tolerance=args.row_tolerance,
            range_margin=args.range_margin,
            null_margin=args.null_margin,
            max_categories=args.max_categories,
            sample_rows=args.sample_rows,
            statistics=args.statistics,
            exclude=_names(args.exclude) or None,
        )
        result = expect_notebook(
            notebook,
            args.output_dir,
            options,
            frames=_names(args.frames),
            all_frames=args.all_frames,
            force=args.force,
            kernel=args.kernel,
            timeout=args.timeout,
            save_frames=args.save_frames,
        )
        sys.stdout.write(render_result(result))
        code = max(code, result.exit_code)
    return code


def render_result(result: object) -> str:
    from harden.expectations.expect import ExpectResult

    assert isinstance(result, ExpectResult)
    lines = []
    if result.run_status != "completed":
        lines.append(f"{result.notebook}: {result.run_message}")
        lines.append(
            f"  suites of the {len(result.suites)} frame(s) captured before the failure are written"
            if result.suites
            else "  no frame was captured before the failure: no suite written"
        )
    else:
        lines.append(f"{result.notebook}: {len(result.suites)} suite(s) in {result.output_dir}/")
    for suite in result.suites:
        sampled = f", profiled on {suite.sampled_rows} sampled rows" if suite.sampled_rows else ""
        unchanged = " (unchanged)" if suite.status == "unchanged" else ""
        lines.append(
            f"  {Path(suite.path).name}: {suite.role} `{suite.variable}` after cell "
            f"{suite.cell_index + 1}, {suite.rows} rows{sampled}, "
            f"{suite.expectations} expectations{unchanged}"
        )
    for name, reason in result.skipped:
        lines.append(f"  no suite for {name}: {reason}")
    return "\n".join(lines) + "\n"
