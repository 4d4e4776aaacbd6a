"""Benchmark ``harden expect``'s profiling + suite and ``harden validate`` on a
1,000,000 × 20 frame (12 float, 5 category, an id, a datetime, a string) from Parquet.

    python benchmarks/bench_expect.py [--rows N] [--json]

Baseline in the same run: pandas ``read_parquet`` + ``describe(include="all")``.
Reported: profile+suite and validation as ratios to the baseline (targets ≤ 1.5
and ≤ 1), peak memory of each step (``ru_maxrss`` of a fresh process) against the
frame's in-memory size (target ≤ 2.5), the whole ``harden validate`` command, and
validation inside PostgreSQL (when its binaries exist) next to pandas.
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
STEP = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[4])
import pandas as pd
step, parquet, suite = sys.argv[1], sys.argv[2], sys.argv[3]
if step != "baseline":
    from harden.expectations.gxsession import gx_module
    gx_module()
started = time.perf_counter()
if step == "baseline":
    pd.read_parquet(parquet).describe(include="all")
elif step == "profile":
    from harden.expectations.options import ExpectOptions
    from harden.expectations.profile import profile_frame
    from harden.expectations.suite import suite_document
    frame = pd.read_parquet(parquet)
    open(suite, "w").write(suite_document("bench", profile_frame(frame), ExpectOptions(), {}))
else:
    from harden.expectations.validate import validate_data
    kwargs = {"table": "bench"} if step == "postgres" else {}
    report = validate_data(suite, parquet, **kwargs)
    assert report.success, [(o.expectation, o.column) for o in report.failed]
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_frame(rows: int):  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    data = {f"f{i}": rng.normal(100, 15, rows).round(2) for i in range(12)}
    for i in range(5):
        data[f"c{i}"] = pd.Categorical(rng.choice(["a", "b", "c", "d", "e"], rows))
    data["customer_id"] = np.arange(rows)
    data["created_at"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        rng.integers(0, 10**7, rows), unit="s"
    )
    data["code"] = pd.array(rng.choice(["x1", "y22", "z333"], rows), dtype="str")
    return pd.DataFrame(data)


def step(name: str, parquet: Path | str, suite: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", STEP, name, str(parquet), str(suite), str(ROOT / "src")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        frame = make_frame(args.rows)
        frame_mb = frame.memory_usage(deep=True).sum() / 2**20
        parquet, suite = Path(folder) / "bench.parquet", Path(folder) / "bench.json"
        frame.to_parquet(parquet)
        results = {"rows": args.rows, "frame_mb": round(frame_mb, 1)}
        for name in ("baseline", "profile", "validate"):
            results[name] = step(name, parquet, suite)
            print(name, results[name], file=sys.stderr, flush=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "harden.cli", "validate", str(suite), str(parquet)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        results["validate_command_seconds"] = time.perf_counter() - started
        results.update(_postgres(frame, suite, Path(folder)))
    base = results["baseline"]["seconds"]  # type: ignore[index]
    summary = {
        "profile+suite / baseline": round(results["profile"]["seconds"] / base, 2),  # type: ignore[index]
        "validation / baseline": round(results["validate"]["seconds"] / base, 2),  # type: ignore[index]
        "profile peak / frame": float(round(results["profile"]["peak_mb"] / frame_mb, 2)),  # type: ignore[index]
        "validate peak / frame": float(round(results["validate"]["peak_mb"] / frame_mb, 2)),  # type: ignore[index]
    }
    results["summary"] = summary
    print(
        json.dumps(results, indent=2)
        if args.json
        else "\n".join(f"{k}: {v}" for k, v in results.items())
    )


def _postgres(frame, suite: Path, folder: Path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Start a throwaway server (as in tests/conftest.py), load the frame, validate in the database."""
    import glob
    import shutil
    import socket

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        return {"postgres": "skipped: no PostgreSQL binaries"}
    bin_dir = Path(found[-1]).parent
    pg = folder / "pg"
    pg.mkdir()
    prefix = []
    if os.geteuid() == 0:
        shutil.chown(pg, "postgres", "postgres")
        os.chmod(folder, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(pg / "data"), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    ctl = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(pg / "data")]
    subprocess.run(
        [
            *ctl,
            "-o",
            f"-p {port} -k {pg} -c listen_addresses=127.0.0.1",
            "-l",
            str(pg / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        import sqlalchemy as sa

        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        engine = sa.create_engine(url)
        table = frame.assign(**{c: frame[c].astype(str) for c in frame.select_dtypes("category")})
        table.head(0).to_sql("bench", engine, index=False)
        connection = engine.raw_connection()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY bench FROM STDIN (FORMAT csv)") as copy,
        ):
            copy.write(table.to_csv(index=False, header=False))
        connection.commit()
        connection.close()
        engine.dispose()
        return {"postgres": step("postgres", url, suite)}
    finally:
        subprocess.run([*ctl, "-m", "fast", "-w", "stop"], capture_output=True)


if __name__ == "__main__":
    main()
