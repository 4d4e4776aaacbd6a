"""``harden validate``: the subcommand's flags and its one function.

Exit codes: 0 every expectation is met, 1 some failed, 2 a usage or input
error (missing or unreadable data, a suite that is not GX JSON or holds
unknown expectation types, a missing table, a refused connection).
"""

from __future__ import annotations

import argparse
import sys

from harden.expectations.formats import FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suite", metavar="SUITE", help="a Great Expectations suite (JSON)")
    parser.add_argument(
        "data",
        metavar="DATA",
        help="CSV, Parquet or JSON-lines file, or a database URL "
        "(sqlite:///path.db, postgresql://user@host/db) with --table or --query",
    )
    parser.add_argument("--table", help="the table to validate (database URLs)")
    parser.add_argument(
        "--query", metavar="SQL", help="a query whose rows to validate (database URLs)"
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default: text)"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE (atomically)"
    )


def run_command(args: argparse.Namespace) -> int:
    from harden.expectations.formats import render
    from harden.expectations.validate import validate_data

    report = validate_data(args.suite, args.data, table=args.table, query=args.query)
    text = render(report, args.format)
    if args.output:
        from harden.io import atomic_write

        atomic_write(args.output, text)
    else:
        sys.stdout.write(text)
    return report.exit_code
