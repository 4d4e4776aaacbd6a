"""The pre-commit hook, for real: a temporary git repository with a notebook,
``pre-commit run --all-files`` with this checkout as the hook repository (``repo:``
a local path, ``rev:`` its commit), one failing and one passing case.

The hook's own ``language: python`` makes pre-commit build a virtualenv and pip
install harden into it, which needs PyPI; the test overrides ``language: system``
(pre-commit allows it per hook) so it runs offline with the harden under test.
Set ``HARDEN_TEST_PRECOMMIT_INSTALL=1`` to also run the hook as published
(builds that virtualenv: minutes, network).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import write_notebook

ROOT = Path(__file__).resolve().parents[1]
FAKE_AWS_KEY = "AKIAQWERTYUIOPASDFGH"


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def hook_rev() -> str:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and this checkout as a git repository")
    pytest.importorskip("pre_commit", reason="pip install pre-commit (the dev extra has it)")
    committed = _git(ROOT, "show", "HEAD:.pre-commit-hooks.yaml")
    manifest = yaml.safe_load(committed)
    assert [hook["id"] for hook in manifest] == ["harden-lint"]
    return _git(ROOT, "rev-parse", "HEAD")


def _project(tmp_path: Path, rev: str, cell: str, override: dict[str, str]) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    write_notebook(repo, ("md", "# A notebook"), cell, name="analysis.ipynb")
    hook = {"id": "harden-lint", **override}
    config = {"repos": [{"repo": str(ROOT), "rev": rev, "hooks": [hook]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _git(repo, "add", ".")
    return repo


def _run(repo: Path, tmp_path: Path, system: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    if system:
        # The harden under test first on PATH and on the import path (language: system).
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    else:
        # The hook's own virtualenv, with harden pip-installed from the commit: nothing of ours.
        env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


SYSTEM = {"language": "system"}


def test_hook_fails_on_a_notebook_with_an_error_finding(tmp_path: Path, hook_rev: str) -> None:
    repo = _project(tmp_path, hook_rev, f'aws_key = "{FAKE_AWS_KEY}"', SYSTEM)
    result = _run(repo, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "harden lint" in result.stdout and "Failed" in result.stdout
    assert "H301" in result.stdout and "analysis.ipynb" in result.stdout
    assert FAKE_AWS_KEY not in result.stdout


def test_hook_passes_on_a_clean_notebook(tmp_path: Path, hook_rev: str) -> None:
    repo = _project(tmp_path, hook_rev, "total = sum([1, 2, 3])\nprint(total)", SYSTEM)
    result = _run(repo, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("HARDEN_TEST_PRECOMMIT_INSTALL"),
    reason="builds the hook's own virtualenv from PyPI; set HARDEN_TEST_PRECOMMIT_INSTALL=1",
)
def test_hook_as_published_installs_and_fails(tmp_path: Path, hook_rev: str) -> None:
    repo = _project(tmp_path, hook_rev, f'aws_key = "{FAKE_AWS_KEY}"', {})
    result = _run(repo, tmp_path, system=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "H301" in result.stdout
