"""The lint result cache: hits give the same report, any change to what a result
depends on is a miss, and the folder is the user's to delete and git's to ignore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from harden.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "notebooks" / "examples"


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HARDEN_NO_CACHE", raising=False)
    monkeypatch.delenv("HARDEN_CACHE_DIR", raising=False)


def _nb(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    for number, source in enumerate(sources, start=1):
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = number
        nb.cells.append(cell)
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def _lint(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["lint", "--format", "json", "--jobs", "1", *argv])
    return code, json.loads(capsys.readouterr().out)


def _ids(report: dict) -> set[str]:
    return {f["rule_id"] for f in report["results"][0]["findings"]}


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("lint-*/*.json"))


def test_a_second_run_reads_the_cache_and_reports_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    paths = [str(p) for p in sorted(EXAMPLES.glob("*.ipynb"))]
    first = _lint(capsys, "--cache-dir", str(cache), *paths)
    stored = {p: p.read_bytes() for p in _entries(cache)}
    assert len(stored) == len(paths) + 1  # one entry per notebook, and the rule catalogue
    second = _lint(capsys, "--cache-dir", str(cache), *paths)
    assert second == first
    assert first == _lint(capsys, "--no-cache", *paths)
    assert {p: p.read_bytes() for p in _entries(cache)} == stored  # nothing rewritten
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f0688")


def test_a_changed_notebook_or_configuration_is_linted_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    nb = _nb(tmp_path / "a.ipynb", "import os\nx = 1")
    original = nb.read_bytes()
    _, before = _lint(capsys, "--cache-dir", str(cache), str(nb))
    assert "H203" in _ids(before)
    _nb(nb, "import os\nprint(os.getcwd())")
    _, after = _lint(capsys, "--cache-dir", str(cache), str(nb))
    assert "H203" not in _ids(after)
    nb.write_bytes(original)
    _, ignored = _lint(capsys, "--cache-dir", str(cache), "--ignore", "H203", str(nb))
    assert _ids(ignored) == _ids(before) - {"H203"}
    _, again = _lint(capsys, "--cache-dir", str(cache), str(nb))
    assert again == before


def test_no_cache_and_the_environment_turn_it_off_or_move_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    nb = _nb(tmp_path / "a.ipynb", "x = 1")
    _lint(capsys, "--no-cache", str(nb))
    monkeypatch.setenv("HARDEN_NO_CACHE", "1")
    _lint(capsys, str(nb))
    assert not (tmp_path / ".harden_cache").exists()
    monkeypatch.setenv("HARDEN_NO_CACHE", "0")
    monkeypatch.setenv("HARDEN_CACHE_DIR", str(tmp_path / "elsewhere"))
    _lint(capsys, str(nb))
    assert not (tmp_path / ".harden_cache").exists()
    assert len(_entries(tmp_path / "elsewhere")) == 2
    monkeypatch.delenv("HARDEN_CACHE_DIR")
    _lint(capsys, str(nb))
    assert len(_entries(tmp_path / ".harden_cache")) == 2


def test_cache_dir_in_pyproject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.harden]\ncache-dir = "build/hc"\n')
    monkeypatch.chdir(tmp_path)
    _lint(capsys, str(_nb(tmp_path / "a.ipynb", "x = 1")))
    assert len(_entries(tmp_path / "build" / "hc")) == 2


def test_a_damaged_or_deleted_cache_is_a_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    nb = _nb(tmp_path / "a.ipynb", "import os\nx = 1")
    _, first = _lint(capsys, "--cache-dir", str(cache), str(nb))
    for entry in _entries(cache):
        entry.write_text('{"findings": [{"rule_id": 1}]', encoding="utf-8")
    assert _lint(capsys, "--cache-dir", str(cache), str(nb))[1] == first
    assert _lint(capsys, "--cache-dir", str(cache), str(nb))[1] == first
    (tmp_path / "cache").rename(tmp_path / "gone")
    assert _lint(capsys, "--cache-dir", str(cache), str(nb))[1] == first


def test_errors_are_not_cached(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["lint", "--cache-dir", str(cache), str(bad)]) == 2
    capsys.readouterr()
    assert [p.name for p in _entries(cache)] == ["rules.json"]


def test_a_run_of_cached_notebooks_imports_no_analysis(tmp_path: Path) -> None:
    """What makes a hit cheap: neither libcst nor a rule module is imported.  The
    report is written into the working directory (on ``sys.path`` for ``python -c``),
    whose changing time must not make the second run a miss."""
    cache = tmp_path / "cache"
    nb = EXAMPLES / "churn_messy.ipynb"
    env = {k: v for k, v in os.environ.items() if k != "HARDEN_NO_CACHE"}
    script = (
        "import sys\nfrom harden.cli import main\n"
        f"code = main(['lint', '--cache-dir', {str(cache)!r}, {str(nb)!r}, '-o', sys.argv[1]])\n"
        "heavy = sorted(m for m in sys.modules if m == 'libcst' or m.startswith"
        "(('harden.analysis', 'harden.linter.rules', 'nbformat', 'IPython')))\n"
        "print(code, heavy, file=sys.stderr)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, f"report{number}.txt"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
        for number in range(2)
    ]
    cold, hit = (run.stderr.strip().splitlines()[-1] for run in runs)
    assert cold.startswith("1 [") and "libcst" in cold
    assert hit == "1 []"
    assert (tmp_path / "report0.txt").read_text() == (tmp_path / "report1.txt").read_text()


def test_a_catalogue_json_cannot_keep_is_not_kept(tmp_path: Path) -> None:
    from harden.linter.cache import Catalogue, LintCache
    from harden.linter.finding import RuleInfo
    from harden.severity import Severity

    info = RuleInfo("H999", "x", Severity.INFO, "s", "r", "f")
    cache = LintCache(tmp_path)
    cache.put_catalogue(Catalogue((info,), {"H999": {"names": ("a", "b")}}))
    assert cache.catalogue() is None
    cache.put_catalogue(Catalogue((info,), {"H999": {"names": ["a"], "limit": 1.5}}))
    assert cache.catalogue() == Catalogue((info,), {"H999": {"names": ["a"], "limit": 1.5}})
