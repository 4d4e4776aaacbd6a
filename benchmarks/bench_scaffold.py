"""Benchmark ``harden scaffold``: generation against one ``harden repro``, and
the mutation pass per mutant against a naive fresh ``pytest`` process per mutant.

    python benchmarks/bench_scaffold.py                   # demand_params, sensor_anomalies
    python benchmarks/bench_scaffold.py --mutants 6 --json

1. **generation vs repro**: ``harden scaffold NB -o DIR --module SNAPSHOT`` and
   ``harden repro NB`` as command-line processes, interleaved (a busy machine
   hurts both alike); ratio of the times (target: under 3, both are one run).
2. **per mutant**: :func:`harden.scaffolder.mutate.mutate` on N mutants (one
   worker, forked children, ``jobs=1`` so both sides use one core) against the
   same N mutants each tested by ``python -m pytest -x DIR`` in a fresh process
   with ``SCAFFOLD_MODULE_PATH`` set (:func:`harden.scaffolder.mutate.fresh_verdict`);
   seconds per mutant (target: under 1.5 s), and how many verdicts agree.

HARDEN_BENCH_QUICK=1 runs one example with 3 mutants.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "notebooks" / "examples"
SNAPSHOTS = ROOT / "tests" / "snapshots" / "extract"
NAMES = ["demand_params", "sensor_anomalies"]


def _timed(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    return time.perf_counter() - started


def bench(name: str, mutants: int) -> dict[str, float]:
    from harden.scaffolder.mutate import fresh_verdict, mutate

    notebook, module = EXAMPLES / f"{name}.ipynb", SNAPSHOTS / f"{name}.py"
    with tempfile.TemporaryDirectory() as work:
        tests = Path(work) / "tests"
        harden = [sys.executable, "-c", "import sys; from harden.cli import main; sys.exit(main())"]
        scaffold = _timed(
            [*harden, "scaffold", str(notebook), "-o", str(tests), "--module", str(module)]
        )
        repro = _timed([*harden, "repro", str(notebook)])
        started = time.perf_counter()
        report = mutate(module, tests, max_mutants=mutants, jobs=1)
        total = time.perf_counter() - started
        # Per mutant: the children's own time (the worker's start-up, its warm-up import and
        # the baseline run are paid once per pass, reported as overhead).
        forked = sum(r.seconds for r in report.results) / max(1, len(report.results))
        overhead = total - sum(r.seconds for r in report.results)
        naive, agree = 0.0, 0
        for index, result in enumerate(report.results):
            path = Path(work) / f"m{index}" / module.name
            path.parent.mkdir()
            path.write_text(result.mutant.source)
            started = time.perf_counter()
            verdict = fresh_verdict(path, tests)
            naive += time.perf_counter() - started
            agree += (verdict != "survived") == result.killed
        naive /= max(1, len(report.results))
    return {
        "scaffold_s": scaffold,
        "repro_s": repro,
        "scaffold_over_repro": scaffold / repro,
        "per_mutant_s": forked,
        "pass_overhead_s": overhead,
        "naive_per_mutant_s": naive,
        "naive_over_forked": naive / forked,
        "score": report.score,
        "mutants": len(report.results),
        "same_verdict_as_fresh": agree,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutants", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    quick = os.environ.get("HARDEN_BENCH_QUICK") == "1"
    names = NAMES[:1] if quick else NAMES
    figures = {name: bench(name, 3 if quick else args.mutants) for name in names}
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        for name, row in figures.items():
            print(
                f"{name}: scaffold {row['scaffold_s']:.1f}s vs repro {row['repro_s']:.1f}s "
                f"(x{row['scaffold_over_repro']:.2f}, target < 3); per mutant "
                f"{row['per_mutant_s']:.2f}s forked vs {row['naive_per_mutant_s']:.2f}s fresh "
                f"pytest (x{row['naive_over_forked']:.2f}; target < 1.5 s; once per pass "
                f"{row['pass_overhead_s']:.1f}s); "
                f"score {row['score']:.2f} on {row['mutants']}, "
                f"{row['same_verdict_as_fresh']} of {row['mutants']} verdicts as fresh pytest"
            )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_scaffold.json").write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
