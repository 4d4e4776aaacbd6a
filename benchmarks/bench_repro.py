"""Benchmark ``harden repro`` against plain papermill, and ``--jobs 1`` against ``--jobs 2``.

    python benchmarks/bench_repro.py                 # 5 rounds
    python benchmarks/bench_repro.py --rounds 3 --json

1. **harden vs papermill**: the same notebooks through ``harden repro NB -j 1``
   and through ``papermill NB OUT -k python3 --cwd FOLDER`` on the command
   line, one after the other in each round (interleaved, so a busy machine
   hurts both alike); the ratio of the medians (target: at most 1.1).
2. **jobs 1 vs jobs 2**: a folder of 8 small notebooks through
   ``harden repro FOLDER -j 1`` and ``-j 2``; the ratio of the medians
   (target: at least 1.7 on 2 cores).

Both sides are whole command-line processes, start-up included.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = [
    ROOT / "tests" / "data" / "repro" / "reproduces.ipynb",
    ROOT / "notebooks" / "examples" / "sensor_anomalies.ipynb",
    ROOT / "notebooks" / "examples" / "churn_clean.ipynb",
]
SMALL_CELLS = [
    "import math\nvalues = [math.sqrt(i) for i in range(200_000)]",
    "total = sum(values)\nprint(round(total, 3))",
    "squares = {i: i * i for i in range(10)}\nsquares",
    "print('done')",
]


def _timed(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr[-2000:]}"
        )
    return elapsed


def _harden() -> list[str]:
    return [sys.executable, "-m", "harden.cli", "repro"]


def _small_folder(folder: Path, count: int = 8) -> Path:
    """``count`` small notebooks with real stored outputs (run once to fill them)."""
    from nbclient import NotebookClient

    folder.mkdir(parents=True, exist_ok=True)
    template = new_notebook(
        cells=[new_markdown_cell("# small")] + [new_code_cell(s) for s in SMALL_CELLS]
    )
    template.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    NotebookClient(template, timeout=60, kernel_name="python3").execute()
    for index in range(count):
        nbformat.write(template, folder / f"small_{index}.ipynb")
    return folder


def bench(rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-repro-") as scratch:
        scratch_path = Path(scratch)
        harden_times, papermill_times = [], []
        for _ in range(rounds):
            h = p = 0.0
            for notebook in NOTEBOOKS:
                h += _timed(_harden() + [str(notebook), "-j", "1"])
                p += _timed(
                    [
                        "papermill",
                        str(notebook),
                        str(scratch_path / "out.ipynb"),
                        "-k",
                        "python3",
                        "--cwd",
                        str(notebook.parent),
                        "--no-progress-bar",
                    ]
                )
            harden_times.append(h)
            papermill_times.append(p)
        folder = _small_folder(scratch_path / "small")
        jobs1, jobs2 = [], []
        for _ in range(rounds):
            jobs1.append(_timed(_harden() + [str(folder), "-j", "1"]))
            jobs2.append(_timed(_harden() + [str(folder), "-j", "2"]))
    figures = {
        "notebooks": len(NOTEBOOKS),
        "harden_s": statistics.median(harden_times),
        "papermill_s": statistics.median(papermill_times),
        "jobs1_s": statistics.median(jobs1),
        "jobs2_s": statistics.median(jobs2),
        "cores": os.cpu_count() or 1,
        "rounds": rounds,
    }
    figures["harden_over_papermill"] = figures["harden_s"] / figures["papermill_s"]
    figures["jobs1_over_jobs2"] = figures["jobs1_s"] / figures["jobs2_s"]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = bench(args.rounds)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(
        f"harden repro vs papermill CLI, {figures['notebooks']} notebooks, median of {args.rounds} rounds:"
    )
    print(
        f"  harden {figures['harden_s']:.2f} s, papermill {figures['papermill_s']:.2f} s, "
        f"ratio {figures['harden_over_papermill']:.2f}x (target <= 1.1x)"
    )
    print(f"8 small notebooks on {figures['cores']} cores:")
    print(
        f"  --jobs 1 {figures['jobs1_s']:.2f} s, --jobs 2 {figures['jobs2_s']:.2f} s, "
        f"speed-up {figures['jobs1_over_jobs2']:.2f}x (target >= 1.7x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
