"""harden's own code is formatted and linted by the pinned ruff, with pyproject's settings."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["src", "tests", "benchmarks", "tools", "setup.py"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = shutil.which("ruff") or pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    return subprocess.run([ruff, *args], cwd=ROOT, capture_output=True, text=True, check=False)


def _pinned() -> str:
    import tomllib

    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    (spec,) = [d for d in dev["dev"] if d.startswith("ruff")]
    return spec.split("==")[1]


def test_ruff_is_the_pinned_version() -> None:
    version = _ruff("--version").stdout.split()[-1]
    assert version == _pinned(), "reinstall: pip install -e '.[dev]'"


def test_code_is_formatted() -> None:
    result = _ruff("format", "--check", *PATHS)
    assert result.returncode == 0, f"run `ruff format {' '.join(PATHS)}`:\n{result.stdout}"


def test_code_passes_ruff_check() -> None:
    result = _ruff("check", "--output-format", "concise", *PATHS)
    assert result.returncode == 0, result.stdout
