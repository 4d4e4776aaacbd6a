"""The mutation pass: how much of the module's behaviour the generated tests pin.

:func:`mutate` makes the mutants (:mod:`harden.scaffolder.mutants`) and hands
them to one worker process (``python -m harden.scaffolder.mutate``) that, in
the tests' folder, imports the module once (its libraries load: pandas,
scikit-learn...), runs pytest in-process to *collect* the generated tests once,
freezes the heap (``gc.freeze()``) and forks a child per mutant (``jobs`` at a
time).  The child points the tests at the mutant (``SCAFFOLD_MODULE_PATH``: the
conftest's session fixture imports the module under test afresh from the
mutant's source) and runs the already-collected items, the mutated function's
own test first, stopping at the first failure.  A failing test, an error, a
crash or the time limit kills the mutant (the reason is kept).  A mutant costs
the tests it runs, not a Python start-up, imports and collection: what a fresh
``pytest`` per mutant (:func:`fresh_verdict`, the benchmark's baseline) pays.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harden.errors import HardenError
from harden.scaffolder.mutants import Mutant, mutants


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    killed: bool
    outcome: str  # failed, error, timeout, survived
    seconds: float
    reason: str = ""  # which test failed, or how the test process died


@dataclass(frozen=True)
class MutationReport:
    module: Path
    results: tuple[MutantResult, ...]
    original: str
    baseline_seconds: float
    seconds: float

    @property
    def score(self) -> float:
        return sum(r.killed for r in self.results) / len(self.results) if self.results else 1.0

    @property
    def survivors(self) -> tuple[MutantResult, ...]:
        return tuple(r for r in self.results if not r.killed)

    def by_function(self) -> dict[str, tuple[int, int]]:
        total: Counter[str] = Counter(r.mutant.function for r in self.results)
        killed: Counter[str] = Counter(r.mutant.function for r in self.results if r.killed)
        return {name: (killed[name], total[name]) for name in total}

    def render(self, diffs: bool = True) -> str:
        killed = len(self.results) - len(self.survivors)
        per = self.seconds / len(self.results) if self.results else 0.0
        lines = [
            f"mutation score {self.score:.2f}: {killed} of {len(self.results)} mutants killed "
            f"({self.seconds:.1f}s, {per:.2f}s per mutant; the tests alone "
            f"{self.baseline_seconds:.1f}s)"
        ]
        for name, (dead, total) in self.by_function().items():
            lines.append(f"  {name}: {dead}/{total}")
        for result in self.results:
            if result.outcome in ("timeout", "error") and result.reason:
                m = result.mutant
                lines.append(
                    f"killed by {result.outcome}: {m.function}() line {m.line}: "
                    f"{m.operator} {m.description} ({result.reason})"
                )
        for result in self.survivors:
            m = result.mutant
            lines.append(f"survived: {m.function}() line {m.line}: {m.operator} {m.description}")
            if diffs:
                lines += ["    " + x for x in m.diff(self.original, self.module.name).splitlines()]
        return "\n".join(lines)


def mutate(
    module_path: str | Path,
    tests_dir: str | Path,
    *,
    max_mutants: int | None = None,
    jobs: int = 2,
    timeout: float | None = None,
    pytest_args: tuple[str, ...] = (),
) -> MutationReport:
    """Run the tests in ``tests_dir`` against each mutant of ``module_path``."""
    started = time.monotonic()
    module_path = Path(module_path).resolve()
    original = module_path.read_text(encoding="utf-8")
    made = mutants(original, max_mutants)
    with tempfile.TemporaryDirectory(prefix="harden-mutants-") as work:
        folder = Path(work)
        items = []
        for mutant in made:
            path = folder / str(mutant.number) / module_path.name
            path.parent.mkdir()
            path.write_text(mutant.source, encoding="utf-8")
            items.append({"number": mutant.number, "path": str(path), "first": _first_test(mutant)})
        spec = {
            "module": str(module_path),
            "tests": str(Path(tests_dir).resolve()),
            "mutants": items,
            "jobs": max(1, jobs),
            "timeout": timeout,
            "pytest_args": list(pytest_args),
            "result": str(folder / "result.json"),
        }
        (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
        done = subprocess.run(
            [sys.executable, "-m", "harden.scaffolder.mutate", str(folder / "spec.json")],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        result_path = folder / "result.json"
        if not result_path.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise HardenError(f"the mutation worker died: {tail[0]}", module_path)
        data = json.loads(result_path.read_text(encoding="utf-8"))
    if data.get("error"):
        raise HardenError(data["error"], module_path)
    outcomes = {item["number"]: item for item in data["results"]}
    results = tuple(
        MutantResult(
            m,
            outcomes[m.number]["outcome"] != "survived",
            outcomes[m.number]["outcome"],
            outcomes[m.number]["seconds"],
            outcomes[m.number].get("reason", ""),
        )
        for m in made
    )
    return MutationReport(
        module_path, results, original, data["baseline"], time.monotonic() - started
    )


def fresh_verdict(
    module_path: str | Path, tests_dir: str | Path, timeout: float | None = None
) -> str:
    """The naive path: ``python -m pytest -x`` on ``tests_dir`` in a fresh process with
    ``SCAFFOLD_MODULE_PATH=module_path``: ``survived``, ``failed``, ``error`` or
    ``timeout`` (what the forked pass must agree with, and the benchmark's baseline)."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    env["SCAFFOLD_MODULE_PATH"] = str(module_path)
    try:
        done = subprocess.run(
            [*command, str(tests_dir)],
            capture_output=True,
            env=env,
            cwd=str(tests_dir),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return {0: "survived", 5: "survived", 1: "failed"}.get(done.returncode, "error")


def _first_test(mutant: Mutant) -> str:
    """The test most likely to kill ``mutant``: run alone first, the rest only if it passes."""
    if mutant.function == "<module>":
        return "test_module_imports_and_run_signature"
    if mutant.function == "run":
        return "test_run_end_to_end"
    return f"test_{mutant.function}"


# -- the worker --------------------------------------------------------------------------------
@dataclass
class _Running:
    item: dict[str, Any]
    begun: float
    reader: int


def _plugin(spec: dict[str, Any]) -> Any:
    """A pytest plugin for the worker: pytest collects the generated tests once, in this
    process; then, instead of running them, its ``pytest_runtestloop`` forks one child
    per mutant (``jobs`` at a time) that runs the collected items against the mutant.
    ``.result`` holds the verdicts, or an ``error``."""
    import pytest

    class ForkingPlugin:
        def __init__(self) -> None:
            self.result: dict[str, Any] = {"error": "pytest ended before the mutants ran"}

        @pytest.hookimpl(tryfirst=True)
        def pytest_runtestloop(self, session: pytest.Session) -> bool:
            import gc

            if session.testsfailed:
                self.result = {"error": "the generated tests do not collect; regenerate them"}
                return True
            items = list(session.items)
            gc.collect()
            gc.freeze()  # what the parent built stays shared with the children, untouched
            started = time.monotonic()
            baseline = _wait(_fork(items, spec["module"], ""))
            seconds = time.monotonic() - started
            if baseline["outcome"] != "survived":
                self.result = {
                    "error": "the generated tests fail on the unmodified module "
                    f"({baseline['reason']}); regenerate them"
                }
                return True
            limit = spec["timeout"] or max(20.0, 10 * seconds)
            self.result = {"results": _run_all(items, spec, limit), "baseline": seconds}
            return True

    return ForkingPlugin()


def _ordered(items: list[Any], first: str) -> list[Any]:
    """The test most likely to kill the mutant first, then the rest in collection order."""
    likely = [i for i in items if i.name == first or i.name.startswith(first + "[")]
    return likely + [i for i in items if i not in likely]


def run_items(items: list[Any]) -> dict[str, str]:
    """Run collected pytest ``items`` in this process, stopping at the first failure:
    ``{"outcome": "survived" | "failed" | "error", "reason": ...}``."""
    from _pytest.runner import runtestprotocol

    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        for report in runtestprotocol(item, nextitem=following, log=False):
            if report.failed:
                outcome = "failed" if report.when == "call" else "error"
                return {"outcome": outcome, "reason": f"{item.name} {outcome} ({report.when})"}
    return {"outcome": "survived", "reason": ""}


def _child(items: list[Any], module: str, first: str, writer: int) -> None:
    """In the forked child: the tests see ``module`` (the conftest imports the module
    under test from ``SCAFFOLD_MODULE_PATH`` afresh), the collected items run, the
    verdict goes down the pipe; never returns."""
    code = 3
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.environ["SCAFFOLD_MODULE_PATH"] = module
        verdict = run_items(_ordered(items, first))
        os.write(writer, json.dumps(verdict).encode("utf-8"))
        code = 0
    except BaseException as error:  # noqa: BLE001 - reported as the mutant's verdict
        message = {"outcome": "error", "reason": f"{type(error).__name__}: {error}"[:200]}
        os.write(writer, json.dumps(message).encode("utf-8"))
    finally:
        os._exit(code)


def _fork(items: list[Any], module: str, first: str) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        _child(items, module, first, writer)
    os.close(writer)
    return pid, reader


def _verdict(reader: int, status: int) -> dict[str, str]:
    chunks = []
    while chunk := os.read(reader, 65536):
        chunks.append(chunk)
    os.close(reader)
    if chunks:
        return json.loads(b"".join(chunks).decode("utf-8"))
    code = os.waitstatus_to_exitcode(status)
    how = f"signal {-code}" if code < 0 else f"exit code {code}"
    return {"outcome": "error", "reason": f"the test process died ({how})"}


def _wait(child: tuple[int, int]) -> dict[str, str]:
    pid, reader = child
    _, status = os.waitpid(pid, 0)
    return _verdict(reader, status)


def _run_all(items: list[Any], spec: dict[str, Any], limit: float) -> list[dict[str, Any]]:
    pending = list(spec["mutants"])
    running: dict[int, _Running] = {}
    results = []
    while pending or running:
        while pending and len(running) < spec["jobs"]:
            item = pending.pop(0)
            pid, reader = _fork(items, item["path"], item["first"])
            running[pid] = _Running(item, time.monotonic(), reader)
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for child, run in list(running.items()):
                if now - run.begun > limit:
                    os.kill(child, 9)
                    os.waitpid(child, 0)
                    os.close(run.reader)
                    del running[child]
                    reason = f"no verdict within {limit:.0f}s"
                    results.append(_entry(run, {"outcome": "timeout", "reason": reason}, now))
            time.sleep(0.005)
            continue
        run = running.pop(pid)
        results.append(_entry(run, _verdict(run.reader, status), time.monotonic()))
    return results


def _entry(run: _Running, verdict: dict[str, str], now: float) -> dict[str, Any]:
    return {"number": run.item["number"], **verdict, "seconds": now - run.begun}


def work(spec: dict[str, Any]) -> dict[str, Any]:
    """Collect the tests once, warm, then fork a child per mutant (see the module doc)."""
    import importlib
    import importlib.util

    import pytest

    os.environ.setdefault("MPLBACKEND", "Agg")
    tests = spec["tests"]
    os.chdir(tests)  # the generated conftest expects to be found from its own folder
    # Import the module once: its libraries (pandas, scikit-learn...) load before forking.
    module_spec = importlib.util.spec_from_file_location("_harden_warmup", spec["module"])
    if module_spec is not None and module_spec.loader is not None:
        try:
            module_spec.loader.exec_module(importlib.util.module_from_spec(module_spec))
        except Exception:  # noqa: BLE001, S110 - only a warm-up; the baseline says if it works
            pass
        os.chdir(tests)
    plugin = _plugin(spec)
    arguments = ["-q", "-p", "no:cacheprovider", *spec["pytest_args"], tests]
    pytest.main(arguments, plugins=[plugin])
    return plugin.result


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    result = work(spec)
    Path(spec["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
