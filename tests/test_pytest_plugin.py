"""The pytest plugin, driven by pytest's own ``pytester``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data" / "repro"


pytestmark = pytest.mark.usefixtures("repro_inputs_untouched")


def _copy(pytester: pytest.Pytester, *names: str) -> None:
    folder = pytester.path / "notebooks"
    (folder / ".ipynb_checkpoints").mkdir(parents=True)
    for name in names:
        shutil.copy(DATA / f"{name}.ipynb", folder / f"{name}.ipynb")
        shutil.copy(
            DATA / f"{name}.ipynb", folder / ".ipynb_checkpoints" / f"{name}-checkpoint.ipynb"
        )


def test_plugin_is_inert_without_its_flag(pytester):
    _copy(pytester, "reproduces")
    result = pytester.runpytest("notebooks", "-p", "no:cacheprovider")
    result.assert_outcomes()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_options_are_namespaced(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--harden-repro*", "*--harden-timeout*", "*--harden-runs*"])


@pytest.mark.slow
def test_notebooks_are_items_and_failures_show_the_diff(pytester):
    _copy(pytester, "reproduces", "edited_output")
    result = pytester.runpytest("--harden-repro", "notebooks", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*notebooks/edited_output.ipynb::edited_output.ipynb FAILED*",
            "*notebooks/reproduces.ipynb::reproduces.ipynb PASSED*",
            "*edited_output.ipynb: differs - 1 cell(s) differ from the stored outputs (cell 2)*",
            "*- 46*",
            "*+ 45*",
        ]
    )
    assert "checkpoint" not in result.stdout.str()


@pytest.mark.slow
def test_timeout_option(pytester):
    _copy(pytester, "sleeps")
    result = pytester.runpytest(
        "--harden-repro", "--harden-timeout", "1", "notebooks", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*timeout - cell 2 did not finish within the per-cell timeout of 1 s*"]
    )


def test_importing_the_plugin_is_cheap():
    code = (
        "import sys, harden.pytest_plugin\n"
        "heavy = {'papermill', 'nbclient', 'nbformat', 'pandas', 'libcst', 'IPython'} & set(sys.modules)\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
