"""The mutation pass: how much of the module's behaviour the generated tests pin.

:func:`mutate` makes the mutants (:mod:`harden.scaffolder.mutants`) and hands
them to one worker process (``python -m harden.scaffolder.mutate``) that
imports pytest, the module and the libraries it uses once, then forks a child
per mutant (``jobs`` at a time): the child points the tests at the mutant
(``SCAFFOLD_MODULE_PATH``) and runs ``pytest -x``; a failing test, an error or
the time limit kills the mutant.  Forking after the heavy imports is what
makes a mutant cost a test run and not a Python start-up plus imports.
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
        )
        for m in made
    )
    return MutationReport(
        module_path, results, original, data["baseline"], time.monotonic() - started
    )


def _first_test(mutant: Mutant) -> str:
    """The test most likely to kill ``mutant``: run alone first, the rest only if it passes."""
    if mutant.function == "<module>":
        return "test_module_imports_and_run_signature"
    if mutant.function == "run":
        return "test_run_end_to_end"
    return f"test_{mutant.function}"


# -- the worker --------------------------------------------------------------------------------
def _child(tests: str, module: str, pytest_args: list[str]) -> None:
    """In the forked child: run the tests against ``module``; never returns."""
    code = 3
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.environ["SCAFFOLD_MODULE_PATH"] = module
        import pytest

        code = int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *pytest_args, tests]))
    finally:
        os._exit(code)


def _run(tests: str, module: str, pytest_args: list[str]) -> int:
    pid = os.fork()
    if pid == 0:
        _child(tests, module, pytest_args)
    return pid


def work(spec: dict[str, Any]) -> dict[str, Any]:
    import importlib
    import importlib.util
    from importlib.metadata import entry_points

    import pytest  # noqa: F401 - imported once, before forking

    for plugin in entry_points(group="pytest11"):  # pytest's plugins too
        try:
            importlib.import_module(plugin.value.split(":")[0])
        except Exception:  # noqa: BLE001, S112 - pytest will report a broken plugin itself
            continue

    os.environ.setdefault("MPLBACKEND", "Agg")
    # Import the module once: its libraries (pandas, scikit-learn...) load before forking.
    module_spec = importlib.util.spec_from_file_location("_harden_warmup", spec["module"])
    if module_spec is not None and module_spec.loader is not None:
        with_cwd = os.getcwd()
        try:
            module_spec.loader.exec_module(importlib.util.module_from_spec(module_spec))
        except Exception:  # noqa: BLE001, S110 - only a warm-up; the baseline says if it works
            pass
        os.chdir(with_cwd)
    args = spec["pytest_args"]
    started = time.monotonic()
    pid = _run(spec["tests"], spec["module"], args)
    _, status = os.waitpid(pid, 0)
    baseline = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        return {"error": "the generated tests fail on the unmodified module; regenerate them"}
    limit = spec["timeout"] or max(20.0, 10 * baseline)
    pending = list(spec["mutants"])
    running: dict[int, tuple[dict[str, Any], float]] = {}
    results = []
    while pending or running:
        while pending and len(running) < spec["jobs"]:
            item = pending.pop(0)
            begun = item.get("begun", time.monotonic())
            stage = args if item.get("full") else [*args, "-k", item["first"]]
            running[_run(spec["tests"], item["path"], stage)] = ({**item, "begun": begun}, begun)
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for child, (item, begun) in list(running.items()):
                if now - begun > limit:
                    os.kill(child, 9)
                    os.waitpid(child, 0)
                    del running[child]
                    results.append(
                        {"number": item["number"], "outcome": "timeout", "seconds": now - begun}
                    )
            time.sleep(0.02)
            continue
        item, begun = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        if code in (0, 5) and not item.get("full"):
            pending.insert(0, {**item, "full": True})  # the likely test missed it: all of them
            continue
        outcome = "survived" if code in (0, 5) else "failed" if code == 1 else "error"
        results.append(
            {"number": item["number"], "outcome": outcome, "seconds": time.monotonic() - begun}
        )
    return {"results": results, "baseline": baseline}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    result = work(spec)
    Path(spec["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
