"""The wheel carries what users need: the rule packs, from the top-level rules/ folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


#: What the build reads.  It runs on a copy: setuptools writes ``build/`` and
#: ``src/harden.egg-info`` beside the sources, which the suite's other tests read.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "src", "rules")


@pytest.mark.slow
def test_wheel_ships_the_rule_packs(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
            shutil.copytree(ROOT / name, tree / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, tree / name)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(tree)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("harden-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packs = {p.name for p in (ROOT / "rules").glob("*.toml")}
    assert {"default.toml", "strict.toml"} <= packs
    assert {f"harden/packs/{name}" for name in packs} <= names
    assert "harden/py.typed" in names
    assert not any(n.startswith("rules/") for n in names)


def test_packs_are_no_symlink() -> None:
    assert not (ROOT / "src" / "harden" / "packs").exists()
    from importlib import resources

    shipped = {
        p.name for p in resources.files("harden.packs").iterdir() if p.name.endswith(".toml")
    }
    assert shipped == {p.name for p in (ROOT / "rules").glob("*.toml")}
