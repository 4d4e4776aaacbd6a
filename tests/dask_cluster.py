"""A Dask scheduler and two workers as separate processes on loopback, for the tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
    "CI": "1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A scheduler and two nanny workers as separate processes."""

    def __init__(self) -> None:
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen[bytes]] = []

    def _start(self, *command: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            list(command),
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def start(self) -> None:
        dask = str(Path(sys.executable).parent / "dask")
        dask = dask if Path(dask).exists() else "dask"
        self._start(
            dask, "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"
        )
        for number in (1, 2):
            self._start(
                dask,
                "worker",
                self.address,
                "--host",
                "127.0.0.1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--name",
                f"w{number}",
            )
        self.wait_for_workers(2)

    def wait_for_workers(self, count: int, timeout: float = 60) -> None:
        from distributed import Client

        deadline = time.monotonic() + timeout
        with Client(self.address, timeout=timeout, set_as_default=False) as client:
            while len(client.scheduler_info(n_workers=-1)["workers"]) < count:
                assert time.monotonic() < deadline, "the Dask workers did not start"
                time.sleep(0.2)

    def kernels(self, cwd: Path | None = None) -> list[psutil.Process]:
        """Kernel processes started by the workers (their parent: a worker process),
        running in ``cwd`` when given."""
        found = []
        for process in self.processes[1:]:
            try:
                children = psutil.Process(process.pid).children(recursive=True)
            except psutil.Error:
                continue
            for child in children:
                try:
                    if "JPY_PARENT_PID" in child.environ() and (
                        cwd is None or Path(child.cwd()) == cwd.resolve()
                    ):
                        found.append(child)
                except psutil.Error:
                    continue
        return found

    def wait_for_kernel(self, cwd: Path, timeout: float = 60) -> psutil.Process:
        deadline = time.monotonic() + timeout
        while not (kernels := self.kernels(cwd)):
            assert time.monotonic() < deadline, "no kernel started on the workers"
            time.sleep(0.1)
        return kernels[0]

    def stop(self) -> None:
        for process in reversed(self.processes):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=30)
