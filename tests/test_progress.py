"""Progress on long runs: a bar on a terminal (a real pseudo-terminal here), plain
lines in CI logs, nothing when machine-readable output is piped."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import nbformat
import pytest
from helpers import write_notebook

from harden.progress import Progress, progress_mode

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "notebooks" / "examples"
ENV = {
    key: value
    for key, value in {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "HARDEN_NO_CACHE": "1",
    }.items()
    if key != "CI"
}


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_mode_follows_the_streams_the_format_and_ci() -> None:
    tty, pipe = _Tty(), io.StringIO()
    assert progress_mode("text", stdout=pipe, stderr=tty, environ={}) == "bar"
    assert progress_mode("text", stdout=pipe, stderr=tty, environ={"CI": "true"}) == "lines"
    assert progress_mode("text", stdout=tty, stderr=pipe, environ={}) == "lines"
    for fmt in ("json", "jsonl", "sarif", "junit"):
        assert progress_mode(fmt, stdout=pipe, stderr=tty, environ={}) == "off"
        # machine output to a terminal, or to -o FILE: a person watches stderr
        assert progress_mode(fmt, stdout=tty, stderr=tty, environ={}) == "bar"
        assert progress_mode(fmt, True, stdout=pipe, stderr=pipe, environ={}) == "lines"


def test_plain_lines_are_rate_limited_and_each_step_ends_with_its_last_line() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = Progress("lines", out, interval=2.0, clock=lambda: now[0])
    for done, seconds in enumerate([0.5, 2.5, 3.0, 3.1, 5.0], 1):
        now[0] = seconds
        progress("repro", done, 5, f"nb{done}.ipynb reproduced")
    now[0] = 5.1
    progress("check", 1, 1, "nb1.ipynb agrees")
    assert out.getvalue().splitlines() == [
        "repro 2/5 nb2.ipynb reproduced",
        "repro 5/5 nb5.ipynb reproduced",
        "check 1/1 nb1.ipynb agrees",
    ]


def test_a_step_below_min_total_shows_nothing() -> None:
    out = io.StringIO()
    Progress("lines", out, min_total=10)("lint", 3, 3, "")
    Progress("off", out)("repro", 1, 1, "x")
    assert out.getvalue() == ""


def _on_a_terminal(*argv: str) -> tuple[int, str, str]:
    """Run ``harden ARGV`` with stderr on a pseudo-terminal (100 columns): exit
    code, stdout, what the terminal showed."""
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "harden.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=side,
        env=ENV,
    )
    os.close(side)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not chunk:
            break
        shown += chunk
    stdout, _ = process.communicate(timeout=120)
    os.close(main)
    return process.returncode, stdout.decode(), shown.decode(errors="replace")


def test_a_terminal_shows_a_bar_and_a_pipe_of_json_shows_nothing() -> None:
    code, stdout, shown = _on_a_terminal("lint", str(EXAMPLES))
    assert code == 1 and "H" in stdout
    assert "lint 100%|" in shown and f"{len(list(EXAMPLES.glob('*.ipynb')))}/" in shown
    assert "\r" in shown  # redrawn in place, not one line per notebook

    piped = subprocess.run(
        [sys.executable, "-m", "harden.cli", "lint", str(EXAMPLES), "--format", "json"],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert piped.returncode == 1 and piped.stdout.startswith("{")
    assert piped.stderr == ""


def _printing(folder: Path) -> Path:
    path = write_notebook(folder, "print('hi')", name="hello.ipynb")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    notebook.cells[0].execution_count = 1
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
def test_repro_in_ci_writes_plain_lines_and_piped_json_writes_nothing(tmp_path: Path) -> None:
    notebook = str(_printing(tmp_path))
    ci = subprocess.run(
        [sys.executable, "-m", "harden.cli", "repro", notebook],
        capture_output=True,
        text=True,
        env={**ENV, "CI": "true"},
        check=False,
    )
    assert ci.returncode == 0, ci.stderr
    (line,) = ci.stderr.splitlines()
    assert line.startswith("repro 1/1 hello.ipynb reproduced (") and line.endswith("s)")

    piped = subprocess.run(
        [sys.executable, "-m", "harden.cli", "repro", notebook, "--format", "jsonl"],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert piped.returncode == 0 and '"reproduced"' in piped.stdout
    assert piped.stderr == ""

    code, _, shown = _on_a_terminal("repro", notebook)
    assert code == 0 and "repro 100%|" in shown and "hello.ipynb reproduced" in shown
