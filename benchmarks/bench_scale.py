"""Scale on paper, from figures measured here: ``harden repro`` over 10,000 notebooks.

    python benchmarks/bench_scale.py            # full: 1,000 tasks per scheduler
    python benchmarks/bench_scale.py --json

Measured on this machine:

1. **per notebook**: a python3 kernel's start (median of 5), and each example
   notebook's repro (``harden repro notebooks/examples --jobs 1``: one at a time,
   so no notebook waits for a core): run time (kernel start + cells) and whole
   repro time (run + judge), and the bytes each reads (the notebook and its
   inputs);
2. **Dask, on ``local:2`` and on a real ``dask scheduler`` with two
   ``dask worker`` processes on 127.0.0.1**: a trivial task's round trip
   (submit → result, nothing queued), the scheduler's sustained rate (1,000
   trivial tasks, tasks/s), and a repro task's overhead (submit → result of
   ``harden.reproducer.remote.judge`` minus the repro's own duration);
3. **the Python environment a kernel reads**: bytes a kernel process reads to
   start, then to import pandas, scikit-learn and matplotlib (``/proc/PID/io``
   ``rchar``) — what every kernel pulls from a shared filesystem when the
   environment lives there.

Then the projection of 10,000 notebooks on 1, 10 and 100 workers (one notebook
at a time per worker): ``max(compute, scheduler, filesystem)`` where compute
is ``N × (repro + Dask overhead) / W``, scheduler is ``N / rate`` and the
filesystem ``N × bytes / bandwidth`` (bandwidth assumed: 100 MB/s, a modest
NFS server, and 1 GB/s; not measurable on one machine).

``HARDEN_BENCH_QUICK=1``: 200 tasks, 3 notebooks.  Figures go to stdout and
``benchmarks/results/scale.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "notebooks" / "examples"
RESULTS = ROOT / "benchmarks" / "results"
ESTATE = 10_000
WORKERS = (1, 10, 100)
#: Assumed shared-filesystem read rates (bytes/s): a modest NFS server, a good one.
FS_RATES = {"100 MB/s": 100e6, "1 GB/s": 1e9}
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    "CI": "1",
}


def _noop(x: int) -> int:
    return x


def _kernel(times: int) -> dict[str, float]:
    """Median seconds to a python3 kernel ready to execute; bytes a kernel reads to
    start, and to import the usual data-science stack."""
    from jupyter_client.manager import start_new_kernel

    samples = []
    start_bytes = stack_bytes = 0.0
    for number in range(times):
        started = time.perf_counter()
        manager, client = start_new_kernel(
            kernel_name="python3", extra_arguments=["--IPKernelApp.log_level=ERROR"]
        )
        samples.append(time.perf_counter() - started)
        if number == 0:
            pid = manager.provisioner.process.pid  # type: ignore[union-attr]
            start_bytes = _rchar(pid)
            client.execute_interactive(
                "import pandas, sklearn.linear_model, matplotlib.pyplot", timeout=120
            )
            stack_bytes = _rchar(pid)
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return {
        "kernel_start_s": statistics.median(samples),
        "kernel_start_read_bytes": start_bytes,
        "kernel_stack_read_bytes": stack_bytes,
    }


def _rchar(pid: int) -> float:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return float(line.split()[1])
    return 0.0


def _examples(limit: int | None) -> dict[str, Any]:
    """Each example's repro, one notebook at a time."""
    notebooks = sorted(EXAMPLES.glob("*.ipynb"))[:limit]
    completed = subprocess.run(
        [sys.executable, "-m", "harden.cli", "repro", *map(str, notebooks)]
        + ["--jobs", "1", "--format", "json"],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    if completed.returncode not in (0, 1):
        raise SystemExit(f"harden repro failed:\n{completed.stderr[-2000:]}")
    rows = []
    for result in json.loads(completed.stdout)["results"]:
        run = result["runs"][0] if result["runs"] else None
        if run is None or run["duration"] <= 0:
            continue  # e.g. a kernel that is not installed: nothing ran
        path = Path(result["path"])
        inputs = sum(i["size"] for i in run["inputs"])
        rows.append(
            {
                "notebook": path.name,
                "status": result["status"],
                "run_s": run["duration"],
                "repro_s": result["duration"],
                "read_bytes": path.stat().st_size + inputs,
            }
        )
    return {
        "per_notebook": rows,
        "run_s": statistics.mean(r["run_s"] for r in rows),
        "repro_s": statistics.mean(r["repro_s"] for r in rows),
        "read_bytes": statistics.mean(r["read_bytes"] for r in rows),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Processes:
    """A ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1."""

    def __init__(self) -> None:
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.started: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> str:
        dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
        port = self.address.rsplit(":", 1)[1]
        commands = [[dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"]]
        commands += [
            [dask, "worker", self.address, "--nthreads", "1", "--no-dashboard"] for _ in (1, 2)
        ]
        for command in commands:
            self.started.append(
                subprocess.Popen(
                    command,
                    env=ENV,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        return self.address

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.started):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _dask(client: Any, tasks: int, notebook: Path) -> dict[str, float]:
    """Round trip, sustained rate, and a repro task's overhead on ``client``'s cluster."""

    from harden.reproducer.remote import RemoteItem, judge
    from harden.reproducer.repro import ReproOptions, repro_notebook
    from harden.run.model import RunOptions

    deadline = time.monotonic() + 60
    while len(client.scheduler_info(n_workers=-1)["workers"]) < 2:
        if time.monotonic() > deadline:
            raise SystemExit("the Dask workers did not start")
        time.sleep(0.2)
    client.submit(_noop, -1, pure=False).result()  # warm
    trips = []
    for i in range(30):
        started = time.perf_counter()
        client.submit(_noop, i, pure=False).result()
        trips.append(time.perf_counter() - started)
    started = time.perf_counter()
    client.gather([client.submit(_noop, i, pure=False) for i in range(tasks)])
    rate = tasks / (time.perf_counter() - started)
    options = ReproOptions(run=RunOptions(timeout=600))
    item = RemoteItem(str(notebook), str(notebook.resolve()), options, repro_notebook)
    client.submit(judge, item, pure=False).result()  # warm the worker's imports
    overheads = []
    for _ in range(3):
        started = time.perf_counter()
        result = client.submit(judge, item, pure=False).result()
        overheads.append(time.perf_counter() - started - result.duration)
    return {
        "round_trip_s": statistics.median(trips),
        "tasks_per_s": rate,
        "repro_task_overhead_s": statistics.median(overheads),
    }


def _on_dask(tasks: int, notebook: Path) -> dict[str, dict[str, float]]:
    from distributed import Client

    from harden.distributed import connect

    figures = {}
    with connect("local:2") as client:
        figures["local:2"] = _dask(client, tasks, notebook)
    with _Processes() as address:
        time.sleep(1)
        with Client(address, timeout=60, set_as_default=False) as client:
            figures["tcp (scheduler + 2 workers)"] = _dask(client, tasks, notebook)
    return figures


def project(figures: dict[str, Any]) -> dict[str, Any]:
    """Wall time of ``ESTATE`` notebooks on 1, 10 and 100 workers, and what bounds it."""
    repro = float(figures["examples"]["repro_s"])
    overhead = max(d["repro_task_overhead_s"] for d in figures["dask"].values())
    rate = min(d["tasks_per_s"] for d in figures["dask"].values())
    notebook_bytes = float(figures["examples"]["read_bytes"])
    env_bytes = float(figures["kernel"]["kernel_stack_read_bytes"])
    per_notebook = repro + overhead
    rows = {}
    for workers in WORKERS:
        compute = ESTATE * per_notebook / workers
        bounds = {"compute": compute, "scheduler": ESTATE / rate}
        for name, bandwidth in FS_RATES.items():
            bounds[f"fs {name} (data)"] = ESTATE * notebook_bytes / bandwidth
            bounds[f"fs {name} (data + environment)"] = (
                ESTATE * (notebook_bytes + env_bytes) / bandwidth
            )
        data_only = {k: v for k, v in bounds.items() if "environment" not in k}
        rows[str(workers)] = {
            "wall_s": max(data_only.values()),
            "bound_by": max(data_only, key=data_only.__getitem__),
            "wall_s_environment_on_100MBps_fs": max(
                compute, bounds["fs 100 MB/s (data + environment)"]
            ),
            "bounds_s": bounds,
        }
    return {
        "per_notebook_s": per_notebook,
        "workers": rows,
        # Past these worker counts the scheduler, or the filesystem, is the limit.
        "scheduler_limit_workers": per_notebook * rate,
        "fs_limit_workers": {
            name: {
                "data": bandwidth * per_notebook / notebook_bytes,
                "data + environment": bandwidth * per_notebook / (notebook_bytes + env_bytes),
            }
            for name, bandwidth in FS_RATES.items()
        },
    }


def bench(tasks: int, limit: int | None) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "load_average_at_start": os.getloadavg()[0],
        "kernel": _kernel(5),
        "examples": _examples(limit),
    }
    quick = min(figures["examples"]["per_notebook"], key=lambda r: r["repro_s"])
    figures["repro_task_notebook"] = quick["notebook"]
    figures["dask"] = _on_dask(tasks, EXAMPLES / quick["notebook"])
    figures["projection"] = project(figures)
    return figures


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:6.2f} h" if seconds >= 360 else f"{seconds:6.0f} s"


def _report(f: dict[str, Any]) -> None:
    k, e, p = f["kernel"], f["examples"], f["projection"]
    print(f"{f['date']}, {f['machine']}, load {f['load_average_at_start']:.1f} at start")
    print(f"kernel start (python3, ready)           {k['kernel_start_s']:.2f} s")
    print(
        f"kernel reads to start / + pandas,sklearn,mpl  {k['kernel_start_read_bytes'] / 1e6:.0f} MB / {k['kernel_stack_read_bytes'] / 1e6:.0f} MB"
    )
    print(f"examples ({len(e['per_notebook'])} that run), one at a time:")
    for row in e["per_notebook"]:
        print(
            f"  {row['notebook']:<28} run {row['run_s']:5.2f} s  repro {row['repro_s']:5.2f} s"
            f"  reads {row['read_bytes'] / 1e3:7.0f} kB  {row['status']}"
        )
    print(
        f"  mean: run {e['run_s']:.2f} s, repro {e['repro_s']:.2f} s, reads {e['read_bytes'] / 1e3:.0f} kB"
    )
    for name, d in f["dask"].items():
        print(
            f"Dask {name}: round trip {1000 * d['round_trip_s']:.1f} ms, "
            f"{d['tasks_per_s']:.0f} tasks/s sustained, repro task overhead "
            f"{1000 * d['repro_task_overhead_s']:.0f} ms ({f['repro_task_notebook']})"
        )
    print(f"projection, {ESTATE:,} notebooks at {p['per_notebook_s']:.2f} s each (repro + Dask):")
    for workers, row in p["workers"].items():
        print(
            f"  {int(workers):>4} worker(s): {_hours(row['wall_s'])} (bound: {row['bound_by']}); "
            f"environment on a 100 MB/s shared fs: {_hours(row['wall_s_environment_on_100MBps_fs'])}"
        )
    print(f"  the scheduler is the limit past ~{p['scheduler_limit_workers']:,.0f} workers")
    for name, limits in p["fs_limit_workers"].items():
        print(
            f"  a {name} shared fs is the limit past ~{limits['data']:,.0f} workers (data only), "
            f"~{limits['data + environment']:,.0f} (environment on it too)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    quick = bool(os.environ.get("HARDEN_BENCH_QUICK"))
    figures = bench(200 if quick else 1000, 3 if quick else None)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(figures, indent=2) + "\n")
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
