"""``harden handoff DIR -o OUT``: the folder form of the subcommand (its flags are
:mod:`harden.handover.cli_handoff`'s), rendering :mod:`harden.handover.batch`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO

from harden.errors import UsageError
from harden.handover.batch import (
    VERDICTS,
    FolderHandoff,
    HandoffOptions,
    NotebookHandoff,
    handoff_folder,
)
from harden.reproducer.cli_repro import cluster_from_args


def run_folder(args: argparse.Namespace) -> int:
    if args.package is not None:
        raise UsageError("--package names one notebook's package: not with a folder")
    cluster = cluster_from_args(args)  # repro's checks of --scheduler and --ship-*
    options = HandoffOptions(
        force=args.force,
        mutate=not args.no_mutate,
        kernel=args.kernel,
        timeout=args.timeout,
        max_mutants=args.max_mutants,
        mutant_jobs=args.mutant_jobs or 1,
    )
    from harden.progress import progress_for

    out = sys.stdout
    shown = progress_for(args.format)

    def finished(done: int, total: int, result: NotebookHandoff) -> None:
        if not args.quiet:
            shown("handoff", done, total, f"{result.notebook}: {result.verdict}")
        if args.format == "jsonl":
            out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            out.flush()

    with shown:
        summary = handoff_folder(
            args.paths,
            args.output_dir,
            options,
            jobs=args.jobs or 0,
            cluster=cluster,
            finished=finished,
        )
    _render(summary, args.format, out)
    return summary.exit_code


def _render(summary: FolderHandoff, output_format: str, out: IO[str]) -> None:
    if output_format == "jsonl":
        out.write(json.dumps({"summary": summary.summary(), "exit_code": summary.exit_code}))
        out.write("\n")
        return
    if output_format == "json":
        out.write(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    width = max(len(v) for v in VERDICTS)
    for result in summary.results:
        score = "–" if result.readiness is None else str(result.readiness)
        line = f"{result.verdict:<{width}} {score:>3}  {result.notebook}"
        if result.name:
            line += f" → {result.name}/"
        out.write(line + "\n")
        if result.message:
            out.write(f"    {result.message}\n")
    counts = ", ".join(f"{n} {v}" for v, n in summary.summary().items() if n and v != "notebooks")
    out.write(f"{len(summary.results)} notebook(s): {counts}\n")
    out.write(f"wrote {summary.index_html} and {summary.summary_json}\n")
