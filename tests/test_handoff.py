"""``harden handoff``: one analysis and one instrumented kernel run make a folder an
engineer starts from, and every part of it holds.

The slow tests hand off ``demand_params`` once per module (one kernel run, the
module's check, scaffold and a short mutation pass) and check what was written:
every file, the six measured parts of the score, ``harden validate`` on the
manifest's data against the written suites, the module's ``--check``, and the
folder installed and tested in a fresh venv where harden is not importable.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sysconfig
import venv
from pathlib import Path

import jsonschema
import nbformat
import pytest

import harden
from harden.cli import main
from harden.errors import HardenError
from harden.handover.core import STEPS, HandoffResult

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "notebooks" / "examples"
NOTEBOOK = EXAMPLES / "demand_params.ipynb"
SCHEMA = ROOT / "docs" / "report.schema.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def handed(tmp_path_factory: pytest.TempPathFactory) -> tuple[HandoffResult, list[tuple]]:
    out = tmp_path_factory.mktemp("handoff") / "demand"
    before = _sha(NOTEBOOK)
    calls: list[tuple] = []
    result = harden.handoff(NOTEBOOK, out, max_mutants=3, progress=lambda *args: calls.append(args))
    assert _sha(NOTEBOOK) == before, "handoff changed its input notebook"
    return result, calls


@pytest.mark.slow
def test_the_folder_has_every_file(handed: tuple[HandoffResult, list[tuple]]) -> None:
    result, calls = handed
    out = result.output_dir
    for name in (
        "src/demand_params/demand_params.py",
        "src/demand_params/__init__.py",
        "tests/conftest.py",
        "tests/test_demand_params.py",
        "tests/fixtures/index.json",
        "requirements.txt",
        "pyproject.toml",
        "data-manifest.json",
        "README.md",
        "report.html",
        "report.json",
    ):
        assert (out / name).is_file(), name
    suites = sorted(p.name for p in (out / "expectations").glob("*.json"))
    assert "sales_csv.json" in suites and len(suites) >= 2  # an input and a model input
    assert result.problems == ()
    assert result.exit_code == 0
    assert [c[0] for c in calls] == list(STEPS)
    assert [c[1:] for c in calls] == [(n, len(STEPS)) for n in range(1, len(STEPS) + 1)]
    requirements = (out / "requirements.txt").read_text(encoding="utf-8")
    assert "pandas==" in requirements and "scikit-learn==" in requirements


@pytest.mark.slow
def test_report_measures_all_six_parts(handed: tuple[HandoffResult, list[tuple]]) -> None:
    result, _ = handed
    data = json.loads((result.output_dir / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert data["command"] == "handoff"
    (nb,) = data["notebooks"]
    parts = {p["key"]: p for p in nb["readiness"]["parts"]}
    assert sorted(parts) == sorted(["lint", "repro", "module", "tests", "data", "environment"])
    assert all(p["value"] is not None for p in parts.values()), parts
    assert parts["module"]["value"] == 1.0
    assert parts["data"]["value"] == 1.0  # the captured frames pass their own suites
    assert parts["tests"]["value"] == result.mutation_score
    assert nb["readiness"]["score"] == result.readiness.score
    # Each captured frame: a profile with histograms and the expectations made from it.
    assert nb["frames"] and all(f["expectations"] and f["suite"] for f in nb["frames"])
    assert any(c["counts"] for f in nb["frames"] for c in f["columns"])
    page = (result.output_dir / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "expect_column_values_to_be_between" in page


@pytest.mark.slow
def test_validate_the_manifest_data_against_the_suites(
    handed: tuple[HandoffResult, list[tuple]],
) -> None:
    result, _ = handed
    out = result.output_dir
    manifest = json.loads((out / "data-manifest.json").read_text(encoding="utf-8"))
    notebook_dir = (out / manifest["notebook"]).resolve().parent
    files = {f["path"] for f in manifest["files"] if not f["missing"]}
    assert "sales.csv" in files
    checked = 0
    for suite in sorted((out / "expectations").glob("*.json")):
        source = json.loads(suite.read_text(encoding="utf-8"))["meta"]["harden"]["source"]
        if source is None:
            continue  # a model input: no file of its own
        assert source["path"] in files
        assert main(["validate", str(suite), str(notebook_dir / source["path"])]) == 0
        checked += 1
    assert checked >= 1


@pytest.mark.slow
def test_the_module_check_agreed(handed: tuple[HandoffResult, list[tuple]]) -> None:
    result, _ = handed
    assert result.check == "agree"
    assert result.run_status == "completed" and result.repro_status == "reproduced"
    readme = (result.output_dir / "README.md").read_text(encoding="utf-8")
    assert "the module computes what the notebook computes" in readme
    assert f"**{result.readiness.score}/100**" in readme
    data = json.loads((result.output_dir / "report.json").read_text(encoding="utf-8"))
    steps = [s["text"] for s in data["notebooks"][0]["next_steps"]]
    for number, text in enumerate(steps, 1):
        assert f"{number}. {text}" in readme


@pytest.mark.slow
def test_a_hand_edited_readme_is_kept_without_force(
    handed: tuple[HandoffResult, list[tuple]], tmp_path: Path
) -> None:
    import shutil

    result, _ = handed
    copy = tmp_path / "copy"
    shutil.copytree(result.output_dir, copy)
    readme = copy / "README.md"
    readme.write_text("# my notes\n", encoding="utf-8")
    with pytest.raises(HardenError, match="README.md"):
        harden.handoff(NOTEBOOK, copy)  # refused before anything runs
    assert readme.read_text(encoding="utf-8") == "# my notes\n"
    assert main(["handoff", str(NOTEBOOK), "-o", str(copy), "-q"]) == 2


@pytest.mark.slow
def test_the_folder_installs_and_tests_pass_in_a_fresh_venv(
    handed: tuple[HandoffResult, list[tuple]], tmp_path: Path
) -> None:
    """``pip install -e '.[test]'`` then ``pytest`` in the folder, in a fresh venv where
    harden cannot be imported.

    Offline and fast, and honest: the venv is made without system site-packages; the
    libraries it needs come from a folder of symlinks to this interpreter's
    site-packages entries **minus** harden (its dist-info, its editable-install
    finder and every ``.pth``), put on ``PYTHONPATH`` (a plain path entry: no
    ``.pth`` is processed there either).  The test asserts ``import harden`` fails in
    that environment.  pip then resolves the folder's declared dependencies and test
    extra against what is there (``--no-index``: a missing one fails instead of
    downloading).  Building the editable wheel needs setuptools' ``bdist_wheel``:
    without build isolation when the ``wheel`` package is present, else with
    pip's isolated build (which fetches setuptools and wheel from the index).
    """
    result, _ = handed
    folder = result.output_dir
    site = tmp_path / "site"
    site.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name.lower()
        if name.startswith(("harden", "__editable__", "_harden")) or name.endswith(".pth"):
            continue
        (site / entry.name).symlink_to(entry)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False, system_site_packages=False)
    python = str(env_dir / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONPATH"] = str(site)
    # No bytecode: a .pyc compiled through the symlinks would name them in the real site-packages.
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [python, *args], cwd=folder, env=env, capture_output=True, text=True, check=False
        )

    assert run("-c", "import harden").returncode != 0, "harden is importable in the venv"
    isolation = ["--no-build-isolation"] if (site / "wheel").exists() else []
    offline = ["--no-index"] if isolation else []
    install = run("-m", "pip", "install", "-q", *offline, *isolation, "-e", ".[test]")
    assert install.returncode == 0, install.stderr[-2000:]
    where = run("-c", "import demand_params.demand_params as m; print(m.__file__)")
    assert where.stdout.strip() == str(folder / "src" / "demand_params" / "demand_params.py")
    tests = run("-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert f"{len(result.tests)} passed" in tests.stdout


@pytest.mark.slow
def test_a_notebook_that_fails_still_gets_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "nb"
    folder.mkdir()
    (folder / "data.csv").write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    cells = [
        nbformat.v4.new_markdown_cell("# Broken"),
        nbformat.v4.new_code_cell('import pandas as pd\ndf = pd.read_csv("data.csv")'),
        nbformat.v4.new_code_cell('total = df["a"].sum()\nraise ValueError("boom")'),
    ]
    notebook = folder / "broken.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), notebook)
    before = _sha(notebook)
    out = tmp_path / "out"
    assert main(["handoff", str(notebook), "-o", str(out), "--no-mutate"]) == 1
    assert _sha(notebook) == before
    # stderr is no terminal here: one plain progress line per step, the step named
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("handoff 1/") and lines[0].endswith(" analyse"), lines
    assert len(lines) == int(lines[0].split("/")[1].split()[0])
    for name in ("README.md", "report.html", "report.json", "data-manifest.json"):
        assert (out / name).is_file(), name
    assert (out / "expectations" / "data_csv.json").is_file()  # captured before the failure
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "does not run in a fresh kernel" in readme and "ValueError: boom" in readme
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    steps = " ".join(s["text"] for s in data["notebooks"][0]["next_steps"])
    assert "ValueError" in steps


def test_bad_input_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["handoff", str(bad), "-o", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("harden: ") and "bad.ipynb" in err[0]
    assert not (tmp_path / "out").exists()
    assert main(["handoff", str(tmp_path / "missing.ipynb"), "-o", str(tmp_path / "o")]) == 2


@pytest.mark.slow
def test_the_handoff_report_in_headless_chromium(
    handed: tuple[HandoffResult, list[tuple]], tmp_path: Path
) -> None:
    from test_report import CHROMIUM, CHROMIUM_ARGS, _browser

    sync_api = _browser()
    result, _ = handed
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto((result.output_dir / "report.html").as_uri())
            assert page.locator(".score-value").inner_text() == str(result.readiness.score)
            # Each frame's histograms, and the expectations made from it beside them.
            assert page.locator("svg[aria-label^='distribution of']").count() > 0
            details = page.locator("details")
            assert details.count() == len(result.suites)
            assert details.first.locator("li").first.is_visible()
            page.screenshot(path=str(tmp_path / "handoff.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
