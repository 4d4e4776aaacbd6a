"""Progress of long runs on stderr: one shape for every step, three ways to show it.

A step (lint, repro, check, handoff's steps...) calls ``progress(step, done,
total, label)`` as each item finishes (``label``: what finished, e.g.
``churn.ipynb reproduced (4.1s)``).  :func:`progress_for` picks how the
command shows it:

- ``bar``: stderr is a terminal and ``CI`` is unset — a ``tqdm`` bar per step
  (imported only then, so ``harden --help`` and a piped ``harden lint`` never
  pay for it);
- ``lines``: stderr is not a terminal, or ``CI`` is set — plain lines
  ``repro 3/40 churn.ipynb reproduced (4.1s)``, at most one every
  ``interval`` seconds per step, and always the step's last one;
- ``off``: the output is machine-readable (json, jsonl, sarif, junit) and goes
  to a stdout that is not a terminal (piped or redirected) — nothing at all.

Steps with fewer than ``min_total`` items show nothing (lint uses 10: a few
notebooks lint faster than a bar draws).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO, Any, Literal

#: ``progress(step, done, total, label)``: ``done`` of ``total`` items of ``step``
#: have finished, the last one described by ``label``.
ProgressCallback = Callable[[str, int, int, str], None]
Mode = Literal["bar", "lines", "off"]

#: Output formats meant for programs, not people.
MACHINE_FORMATS = frozenset({"json", "jsonl", "sarif", "junit"})
#: Seconds between two plain lines of one step (the last line always shows).
INTERVAL = 2.0


def progress_mode(
    output_format: str = "text",
    to_file: bool = False,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Mode:
    """How to show progress for a command writing ``output_format`` to stdout
    (or to a file: ``to_file``)."""
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    environ = os.environ if environ is None else environ
    if output_format in MACHINE_FORMATS and not to_file and not _isatty(stdout):
        return "off"
    if _isatty(stderr) and not environ.get("CI"):
        return "bar"
    return "lines"


def progress_for(
    output_format: str = "text",
    to_file: bool = False,
    *,
    min_total: int = 1,
    interval: float = INTERVAL,
    stream: IO[str] | None = None,
) -> Progress:
    """The progress display for a command (mode ``off``: shows nothing); a context
    manager that closes its bar."""
    mode = progress_mode(output_format, to_file, stderr=stream)
    return Progress(
        mode, sys.stderr if stream is None else stream, min_total=min_total, interval=interval
    )


class Progress:
    """A :data:`ProgressCallback` drawing bars or writing plain lines to ``stream``."""

    def __init__(
        self,
        mode: Mode,
        stream: IO[str],
        *,
        min_total: int = 1,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.mode = mode
        self.stream = stream
        self.min_total = min_total
        self.interval = interval
        self.clock = clock
        self._step: str | None = None
        self._bar: Any = None
        self._last_line = 0.0

    def __call__(self, step: str, done: int, total: int, label: str = "") -> None:
        if self.mode == "off" or total < self.min_total:
            return
        if step != self._step:
            self._close_bar()
            self._step = step
            self._last_line = self.clock()
        if self.mode == "bar":
            self._draw(step, done, total, label)
            return
        now = self.clock()
        if done >= total or now - self._last_line >= self.interval:
            self._last_line = now
            text = f"{step} {done}/{total}" + (f" {label}" if label else "")
            self.stream.write(text + "\n")
            self.stream.flush()

    def _draw(self, step: str, done: int, total: int, label: str) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                desc=step,
                file=self.stream,
                unit="nb",
                leave=True,
                dynamic_ncols=True,
                bar_format="{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                "[{elapsed}<{remaining}] {postfix}",
            )
        if label:
            self._bar.set_postfix_str(label[:60], refresh=False)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self._close_bar()

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def close(self) -> None:
        """Finish the bar being drawn (a step cut short, e.g. by an error)."""
        self._close_bar()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _isatty(stream: object) -> bool:
    try:
        return bool(getattr(stream, "isatty", lambda: False)())
    except ValueError:  # a closed stream
        return False


__all__ = ["MACHINE_FORMATS", "Progress", "ProgressCallback", "progress_for", "progress_mode"]
