"""The package type-checks: mypy (pinned in the dev extra) over ``src/harden``,
with the configuration in ``pyproject.toml`` (every function annotated)."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_the_package_type_checks(tmp_path: Path) -> None:
    stdout, stderr, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            str(ROOT / "src" / "harden"),
        ]
    )
    assert status == 0, stdout + stderr
    assert "no issues found" in stdout
