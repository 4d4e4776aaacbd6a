"""Benchmark ``harden extract``: notebooks per second, and growth with notebook size.

    python benchmarks/bench_extract.py             # examples + 40 corpus notebooks + 50/200/800 cells
    python benchmarks/bench_extract.py --quick     # fewer repeats, 10 corpus notebooks

Measured in this process (extraction never runs notebook code), after one
warm-up extraction so imports are not counted:

* **examples**: every Python notebook in ``notebooks/examples`` (hidden-state
  ones with ``allow_hidden_state``, magics with ``drop_magics``, as the tests
  do); notebooks per second.
* **corpus**: generated notebooks from ``benchmarks/corpus.py`` (20–150 code
  cells each), extracted with ``allow_hidden_state`` and ``drop_magics``;
  notebooks per second, and how many extract cleanly without the flags.
* **scaling**: synthetic notebooks of 50, 200 and 800 code cells (a ``##``
  section every 8 cells; about 3 code lines per cell, as in the corpus;
  mutations, helpers that read globals, display lines, plots, magics); the median of ``--repeat`` runs, split into
  analysis, extraction proper and black.  Target: 200 cells in under 1 s.
  The growth ratios (time per cell at 800 vs 50) show whether it stays linear.

Results are printed and written to ``benchmarks/results/extract.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat import v4

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLES = ROOT / "notebooks" / "examples"
TARGET_200 = 1.0


#: One section of the synthetic notebook: 8 code cells, about 3 lines each, as in
#: the generated corpus (``corpus.py``: 2.9 code lines per code cell on average).
SECTION = (
    "frame['f{n}'] = frame['x'] * {n} + alpha\nframe[['x', 'f{n}']].describe()",
    "stats_{n} = frame.groupby(frame['x'] % 3)['f{n}'].agg(['mean', 'std'])\nstats_{n}",
    (
        'def helper_{n}(values):\n    """Scale by the global alpha."""\n'
        "    return values * alpha + frame['x'].mean()"
    ),
    "scaled_{n} = helper_{n}(frame['f{n}'])\nresults.append(float(scaled_{n}.sum()))",
    (
        "model_{n} = Ridge(alpha=alpha).fit(frame[['x']], frame['f{n}'])\n"
        "score_{n} = model_{n}.score(frame[['x']], frame['f{n}'])"
    ),
    "print('score', round(score_{n}, 3))",
    "for k in range(3):\n    results.append(k * {n})\nlen(results)",
    (
        "frame = frame.assign(g{n}=frame['f{n}'] - frame['x'])\n"
        "plt.plot(frame['x'], frame['g{n}'])\nplt.show()"
    ),
)


def synthetic(cells: int) -> nbformat.NotebookNode:
    """A notebook with ``cells`` code cells under a ``##`` heading every 8 cells;
    a ``%time`` every other section."""
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    nb.cells.append(v4.new_markdown_cell("# Synthetic analysis\n\nGenerated for the benchmark."))
    nb.cells.append(
        v4.new_code_cell(
            "%matplotlib inline\nimport numpy as np\nimport pandas as pd\n"
            "import matplotlib.pyplot as plt\nfrom sklearn.linear_model "
            "import Ridge"
        )
    )
    nb.cells.append(
        v4.new_code_cell(
            'data_path = "data.csv"\nalpha = 0.5\nseed = 0', metadata={"tags": ["parameters"]}
        )
    )
    nb.cells.append(
        v4.new_code_cell(
            "frame = pd.DataFrame({'x': np.arange(100.0), "
            "'y': np.arange(100.0) * 2})\nresults = []\nframe.head()"
        )
    )
    made, section = 3, 0
    while made < cells:
        section += 1
        nb.cells.append(v4.new_markdown_cell(f"## Section {section}\n\nStep {section}."))
        for position, template in enumerate(SECTION):
            if made >= cells:
                break
            body = template.format(n=section)
            if position == 5 and section % 2 == 0:
                body = f"%time total_{section} = sum(results)\n" + body
            nb.cells.append(v4.new_code_cell(body))
            made += 1
    return nb


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value


def phases(path: Path) -> dict[str, float]:
    """Total extract time, and analysis / black inside it."""
    import black

    from harden import analysis as analysis_module
    from harden.extractor import core

    spent = {"analysis": 0.0, "black": 0.0}
    real_analyze, real_format = core.analyze, black.format_str

    def analyze(*args, **kwargs):
        seconds, value = timed(real_analyze, *args, **kwargs)
        spent["analysis"] += seconds
        return value

    def format_str(*args, **kwargs):
        seconds, value = timed(real_format, *args, **kwargs)
        spent["black"] += seconds
        return value

    core.analyze, black.format_str = analyze, format_str
    try:
        total, _ = timed(core.extract, path)
    finally:
        core.analyze, black.format_str = real_analyze, real_format
    assert analysis_module  # imported for its side of the warm-up
    return {"total": total, **spent, "extract": total - spent["analysis"] - spent["black"]}


def options_for(path: Path) -> dict[str, bool]:
    from harden.errors import ExtractionError
    from harden.extractor import extract

    try:
        extract(path)
        return {}
    except ExtractionError:
        return {"allow_hidden_state": True, "drop_magics": True}


def bench_examples() -> dict[str, object]:
    from harden.extractor import extract

    paths = sorted(p for p in EXAMPLES.glob("*.ipynb") if "_r." not in p.name)
    options = {p: options_for(p) for p in paths}
    seconds, _ = timed(lambda: [extract(p, **options[p]) for p in paths])
    return {"notebooks": len(paths), "seconds": seconds, "notebooks_per_s": len(paths) / seconds}


def bench_corpus(count: int) -> dict[str, object]:
    from harden.errors import HardenError
    from harden.extractor import extract

    sys.path.insert(0, str(HERE))
    import corpus

    with tempfile.TemporaryDirectory() as folder:
        dest = Path(folder)
        corpus.build_corpus(dest=dest, count=count)
        paths = sorted(dest.glob("gen_*.ipynb"))
        clean = failed = 0
        started = time.perf_counter()
        for path in paths:
            try:
                extract(path, allow_hidden_state=True, drop_magics=True)
            except HardenError:
                failed += 1
        seconds = time.perf_counter() - started
        for path in paths:
            try:
                extract(path)
                clean += 1
            except HardenError:
                pass
    return {
        "notebooks": len(paths),
        "seconds": seconds,
        "notebooks_per_s": len(paths) / seconds,
        "extract_without_flags": clean,
        "failed_with_flags": failed,
    }


def bench_scaling(sizes: list[int], repeat: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = Path(folder) / f"synthetic_{size}.ipynb"
            nbformat.write(synthetic(size), path)
            runs = [phases(path) for _ in range(repeat)]
            median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
            median["per_cell_ms"] = median["total"] / size * 1000
            out[str(size)] = median
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", default=bool(os.environ.get("HARDEN_BENCH_QUICK"))
    )
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--corpus", type=int, default=None, help="generated notebooks (default 40)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 800])
    parser.add_argument("--output", type=Path, default=HERE / "results" / "extract.json")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    count = args.corpus if args.corpus is not None else (10 if args.quick else 40)

    from harden.extractor import extract

    with tempfile.TemporaryDirectory() as folder:  # warm-up: imports, black, libcst
        warm = Path(folder) / "warm.ipynb"
        nbformat.write(synthetic(8), warm)
        extract(warm)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    results = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_before": load},
        "examples": bench_examples(),
        "corpus": bench_corpus(count) if count else None,
        "scaling": bench_scaling(args.sizes, repeat),
    }
    scaling = results["scaling"]
    if "200" in scaling:
        results["target_200_cells_s"] = {
            "value": scaling["200"]["total"],
            "target": TARGET_200,
            "met": scaling["200"]["total"] < TARGET_200,
        }
    first, last = str(args.sizes[0]), str(args.sizes[-1])
    results["growth"] = {
        "time_ratio": scaling[last]["total"] / scaling[first]["total"],
        "size_ratio": args.sizes[-1] / args.sizes[0],
        "per_cell_ratio": scaling[last]["per_cell_ms"] / scaling[first]["per_cell_ms"],
    }
    _print(results, args.sizes)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def _print(results: dict, sizes: list[int]) -> None:
    ex = results["examples"]
    print(
        f"harden extract  (load {results['machine']['load_before']}, "
        f"{results['machine']['cpus']} CPUs, Python {results['machine']['python']})"
    )
    print(
        f"  examples: {ex['notebooks']} notebooks in {ex['seconds']:.2f} s = "
        f"{ex['notebooks_per_s']:.1f} notebooks/s"
    )
    corpus = results["corpus"]
    if corpus:
        print(
            f"  corpus:   {corpus['notebooks']} generated notebooks in {corpus['seconds']:.2f} s = "
            f"{corpus['notebooks_per_s']:.1f} notebooks/s "
            f"({corpus['extract_without_flags']} extract without --allow-hidden-state/--drop-magics)"
        )
    print("  cells   total s   analysis   extract   black   ms/cell")
    for size in sizes:
        row = results["scaling"][str(size)]
        print(
            f"  {size:5d}   {row['total']:7.3f}   {row['analysis']:8.3f}   {row['extract']:7.3f}"
            f"   {row['black']:5.3f}   {row['per_cell_ms']:7.2f}"
        )
    target = results.get("target_200_cells_s")
    if target:
        verdict = "met" if target["met"] else "MISSED"
        print(
            f"  200 cells: {target['value']:.3f} s (target < {target['target']:.1f} s: {verdict})"
        )
    growth = results["growth"]
    print(
        f"  growth {sizes[0]}->{sizes[-1]} cells: time x{growth['time_ratio']:.1f} for size "
        f"x{growth['size_ratio']:.0f} (per-cell time x{growth['per_cell_ratio']:.2f})"
    )


if __name__ == "__main__":
    sys.exit(main())
