"""Run every benchmark in this folder: ``python benchmarks/run_all.py``.

Each ``bench_*.py`` beside this file is found at run time (so a new benchmark
needs no registration) and run in its own process, one after another, with the
same Python.  Their tables stream through as they print; each writes its own
JSON under ``benchmarks/results/``.  A summary of exit codes and durations
closes the run.

    python benchmarks/run_all.py                 # everything, full size
    python benchmarks/run_all.py --quick         # smoke run (HARDEN_BENCH_QUICK=1 for each)
    python benchmarks/run_all.py --only lint     # bench_lint.py only (repeatable)
    python benchmarks/run_all.py --list          # what would run

Exit status: 0 when every benchmark ran (a missed target is reported, not a
failure), 1 when one of them failed, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def discover(only: list[str] | None = None) -> list[Path]:
    """``bench_*.py`` in this folder, sorted; ``only`` keeps the named ones."""
    found = sorted(HERE.glob("bench_*.py"))
    if only:
        wanted = {name.removeprefix("bench_").removesuffix(".py") for name in only}
        found = [p for p in found if p.stem.removeprefix("bench_") in wanted]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke-size runs: sets HARDEN_BENCH_QUICK=1 for every benchmark",
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run only bench_NAME.py (repeatable)"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    benches = discover(args.only)
    if args.list:
        for path in benches:
            print(path.relative_to(ROOT))
        return 0
    if not benches:
        known = ", ".join(p.stem.removeprefix("bench_") for p in discover()) or "none"
        print(f"run_all: no benchmark matches {args.only} (present: {known})", file=sys.stderr)
        return 2

    env = dict(os.environ)
    if args.quick:
        env["HARDEN_BENCH_QUICK"] = "1"
    summary: list[tuple[str, int, float]] = []
    for path in benches:
        name = path.relative_to(ROOT)
        print(f"\n=== {name} " + "=" * max(0, 66 - len(str(name))), flush=True)
        started = time.perf_counter()
        try:
            code = subprocess.run(
                [sys.executable, str(path)], cwd=ROOT, env=env, check=False
            ).returncode
        except KeyboardInterrupt:
            print(f"\nrun_all: interrupted during {name}", file=sys.stderr)
            return 130
        summary.append((str(name), code, time.perf_counter() - started))

    print("\n=== summary " + "=" * 58)
    for name, code, seconds in summary:
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"{name:<40}{seconds:>9.1f} s   {status}")
    return 0 if all(code == 0 for _, code, _ in summary) else 1


if __name__ == "__main__":
    raise SystemExit(main())
