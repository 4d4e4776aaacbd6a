"""Fixtures shared by the execution tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import digests

REPRO_DATA = Path(__file__).parent / "data" / "repro"


@pytest.fixture
def repro_inputs_untouched() -> Iterator[None]:
    """Fails the test if it changed an input notebook or data file."""
    before = digests(REPRO_DATA)
    yield
    assert digests(REPRO_DATA) == before, "a test changed an input notebook or data file"


@pytest.fixture(scope="module")
def quiet_papermill() -> Iterator[None]:
    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


# -- a real PostgreSQL server for ``harden validate`` ----------------------------
def _postgres_bin() -> Path | None:
    import glob

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``postgresql://postgres@127.0.0.1:PORT/postgres`` of a server started for
    this session (temporary data folder, trust auth, stopped at the end).  As
    root the server runs as the ``postgres`` system user: it refuses root."""
    import os
    import shutil
    import socket
    import subprocess

    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip(
            "no PostgreSQL binaries (/usr/lib/postgresql/*/bin): apt-get install postgresql"
        )
    # Not under pytest's basetemp: its parents are private to root, and the
    # server runs as the postgres user.
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="harden-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = folder / "data"
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    ctl = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*ctl, "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*ctl, "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_lint_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite lints fresh every time: a result cache (``harden lint``'s default)
    would hide a change to a rule.  tests/test_cache.py turns it back on."""
    monkeypatch.setenv("HARDEN_NO_CACHE", "1")


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A scheduler and two workers (tests/dask_cluster.py), one per test module."""
    pytest.importorskip("distributed")
    from dask_cluster import Cluster

    running = Cluster()
    try:
        running.start()
        yield running
    finally:
        running.stop()
