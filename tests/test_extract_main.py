"""``python module.py``: main() prints a summary of run()'s results and, with
``--save-results PATH``, writes the values as JSON (issue 10 item 9), on the
plain path (``run()``) and the drawing one (``run_and_draw()`` with ``--figures``).

Each test runs the generated module as a script in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_notebook

from harden.extractor import extract, write_extraction

RESULTS = (
    "import numpy as np\nimport pandas as pd",
    ("md", "## Results"),
    "x = np.arange(5.0)\n"
    "accuracy = float(x.sum()) / 3\n"
    "count = np.int64(4)\n"
    "best_params = {'n_neighbors': np.arange(20)[13], 'weights': 'uniform'}\n"
    "table = pd.DataFrame({'a': x})\n"
    "names = ['a', 'b']\n"
    "by_pair = {(1, 2): 0.5}\n"
    "missing = float('nan')\n"
    "limits = {'low': -float('inf'), 'high': 2.5}",
)
OUTPUTS = [
    "accuracy",
    "count",
    "best_params",
    "table",
    "x",
    "names",
    "by_pair",
    "missing",
    "limits",
]
SUMMARY = (
    "accuracy: 3.33333\n"
    "count: 4\n"
    "best_params: {'n_neighbors': 13, 'weights': 'uniform'}\n"
    "table: DataFrame (5, 1)\n"
    "x: ndarray (5,)\n"
    "names: list of 2\n"
    "by_pair: dict of 1\n"  # a tuple key: not a JSON object
    "missing: nan\n"
    "limits: {'low': -inf, 'high': 2.5}\n"
)
SAVED = {
    "accuracy": 3.3333333333333335,
    "count": 4,
    "best_params": {"n_neighbors": 13, "weights": "uniform"},
    # strict JSON has no NaN or infinity: they are written as text
    "missing": "NaN",
    "limits": {"low": "-Infinity", "high": 2.5},
}


def _strict(text: str) -> object:
    """Parse JSON as strict readers (jq, browsers) do: NaN and Infinity refused."""

    def refuse(token: str) -> object:
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def _script(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "nb.py", *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plain")
    write_extraction(extract(write_notebook(folder, *RESULTS), outputs=OUTPUTS), folder)
    return folder


@pytest.fixture(scope="module")
def drawing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("drawing")
    cells = (RESULTS[0].replace("\n", "\nimport matplotlib.pyplot as plt\n", 1), *RESULTS[1:])
    notebook = write_notebook(folder, *cells, "plt.plot(x)")
    write_extraction(extract(notebook, outputs=OUTPUTS), folder)
    return folder


def test_the_script_prints_values_and_summarises_the_rest(plain: Path) -> None:
    done = _script(plain)
    assert done.returncode == 0, done.stderr
    assert done.stdout == SUMMARY
    assert not (plain / "results.json").exists()


def test_save_results_writes_the_values_as_json(plain: Path) -> None:
    done = _script(plain, "--save-results", "results.json")
    assert done.returncode == 0, done.stderr
    assert done.stdout == SUMMARY
    assert _strict((plain / "results.json").read_text()) == SAVED


def test_main_returns_the_results_it_printed(plain: Path) -> None:
    code = "import nb; results = nb.main([]); print(sorted(results))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=plain, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == SUMMARY + str(sorted(OUTPUTS)) + "\n"


def test_with_figures_the_results_are_reported_too(drawing: Path) -> None:
    source = (drawing / "nb.py").read_text()
    assert "def run_and_draw(" in source
    done = _script(drawing, "--figures", "figs", "--save-results", "out.json")
    assert done.returncode == 0, done.stderr
    assert done.stdout == SUMMARY
    assert [p.name for p in (drawing / "figs").iterdir()] == ["plot_results.png"]
    assert _strict((drawing / "out.json").read_text()) == SAVED
    plain_run = _script(drawing)  # without --figures: run(), the same summary
    assert plain_run.stdout == SUMMARY
