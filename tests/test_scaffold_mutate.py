"""The mutation pass's worker: tests collected once, a forked child per mutant that
runs them against the mutant, the same verdicts as a fresh ``pytest`` per mutant."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_scaffold import UNSEEDED_PRINTING

import harden
from harden.errors import HardenError
from harden.scaffolder.mutate import fresh_verdict, mutate

TINY = """
def spin(n):
    i = 0
    while i < n:
        i += 1
    return i


def flag():
    return 1


def double(x):
    return x * 2
"""

CONFTEST = """
import importlib.util
import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
with open(HERE / "collected.log", "a") as log:  # once per collection
    log.write("collected\\n")


@pytest.fixture(scope="session")
def module():
    path = os.environ.get("SCAFFOLD_MODULE_PATH") or str(HERE.parent / "tiny.py")
    spec = importlib.util.spec_from_file_location("tiny", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded
"""

TESTS = """
import os
import signal
from pathlib import Path


def test_cwd_is_the_tests_folder():
    assert Path.cwd() == Path(__file__).resolve().parent


def test_spin(module):
    assert module.spin(3) == 3


def test_flag(module):
    if module.flag() != 1:
        os.kill(os.getpid(), signal.SIGKILL)  # a test process that crashes


def test_double(module):
    assert module.double(0) == 0
"""


def test_the_forked_child_runs_the_tests_collected_once(tmp_path: Path) -> None:
    """Collected once for eight mutants; a failing test, a crash and a hang each kill
    (with the reason); the mutated function's own test runs first; the survivors are
    the mutants these tests cannot see (spin(3) from 1, double(0) with 3 or /)."""
    (tmp_path / "tiny.py").write_text(TINY)
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text(CONFTEST)
    (tests / "test_tiny.py").write_text(TESTS)
    report = mutate(tmp_path / "tiny.py", tests, jobs=2, timeout=3)
    assert (tests / "collected.log").read_text() == "collected\n"
    verdicts = {
        (r.mutant.function, r.mutant.description): (r.outcome, r.reason) for r in report.results
    }
    assert verdicts == {
        ("spin", "0 -> 1"): ("survived", ""),
        ("spin", "i = 0"): ("failed", "test_spin failed (call)"),
        ("spin", "LessThan -> LessThanEqual"): ("failed", "test_spin failed (call)"),
        ("spin", "1 -> 2"): ("failed", "test_spin failed (call)"),
        ("spin", "i += 1"): ("timeout", "no verdict within 3s"),
        ("flag", "1 -> 2"): ("error", "the test process died (signal 9)"),
        ("double", "2 -> 3"): ("survived", ""),
        ("double", "Multiply -> Divide"): ("survived", ""),
    }
    assert report.score == 5 / 8
    shown = report.render(diffs=False)
    assert "killed by timeout: spin() line 5: drop statement i += 1 (no verdict within 3s)" in shown
    assert (
        "killed by error: flag() line 10: constant 1 -> 2 (the test process died (signal 9))"
        in shown
    )


@pytest.mark.slow
def test_the_forked_pass_agrees_with_a_fresh_pytest_per_mutant(tmp_path: Path) -> None:
    """On a scaffolded module with survivors: each mutant's verdict from the forked
    children is the verdict of ``python -m pytest -x`` in a fresh process."""
    module = tmp_path / "tiny.py"
    module.write_text(UNSEEDED_PRINTING)
    result = harden.scaffold(None, tmp_path / "tests", module=module)
    report = mutate(module, result.directory, max_mutants=6)
    assert {r.killed for r in report.results} == {True, False}  # both verdicts compared
    for number, item in enumerate(report.results):
        path = tmp_path / f"m{number}" / module.name
        path.parent.mkdir()
        path.write_text(item.mutant.source)
        fresh = fresh_verdict(path, result.directory, timeout=60)
        assert (fresh != "survived") == item.killed, (item.mutant.description, fresh)


def test_tests_failing_on_the_unmodified_module_are_an_error_naming_the_test(
    tmp_path: Path,
) -> None:
    (tmp_path / "tiny.py").write_text(TINY)
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text(CONFTEST)
    (tests / "test_tiny.py").write_text(TESTS.replace("spin(3) == 3", "spin(3) == 4"))
    with pytest.raises(HardenError, match=r"unmodified module \(test_spin failed \(call\)\)"):
        mutate(tmp_path / "tiny.py", tests, timeout=3)
