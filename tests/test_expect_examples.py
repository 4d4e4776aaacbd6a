"""``harden expect`` on the example notebooks (kernel runs: slow).

One module fixture runs ``expect`` once per example that reads data.  Every
suite then loads in a fresh interpreter with plain Great Expectations (no
harden) and validates the frame the notebook really used; every input suite
also validates the notebook's own data file through ``harden validate``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import digests

import harden
from harden.cli import main

EXAMPLES = Path(__file__).parents[1] / "notebooks" / "examples"
READS_DATA = [
    "churn_clean",
    "churn_messy",
    "customer_ltv",
    "demand_params",
    "housing_prices_messy",
    "iris_exploration",
    "loan_default",
    "model_selection_loop",
    "sensor_anomalies",
    "sentiment_messy",
]
EXPECTED_SUITES = {
    "churn_clean": {"churn_csv", "X_train"},
    "churn_messy": {"churn_csv"},
    "customer_ltv": {"orders_csv", "customers_csv"},
    "demand_params": {"sales_csv", "train_feature_cols"},
    "housing_prices_messy": {"housing_csv"},
    "iris_exploration": {"iris_csv"},
    "loan_default": {"loans_csv"},
    "model_selection_loop": {"housing_csv"},
    "sensor_anomalies": {"sensors_csv"},
    "sentiment_messy": {"reviews_csv"},
}

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("quiet_papermill")]

PLAIN_GX = r"""
import json, os, sys
os.environ["GX_ANALYTICS_ENABLED"] = "false"
import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
assert "harden" not in sys.modules
context = gx.get_context(mode="ephemeral")
context.variables.progress_bars = ProgressBarsConfig(globally=False)
batch_def = context.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
failures = {}
for suite_path, frame_path in json.loads(sys.argv[1]):
    data = json.load(open(suite_path))
    suite = gx.ExpectationSuite(**data)
    suite.name = suite_path
    assert len(suite.expectations) == len(data["expectations"]), suite_path
    suite = context.suites.add(suite)
    result = batch_def.get_batch(batch_parameters={"dataframe": pd.read_parquet(frame_path)}).validate(suite)
    bad = [r.expectation_config.type for r in result.results if not r.success]
    if bad or not result.success:
        failures[suite_path] = bad
print(json.dumps({"failures": failures, "checked": len(json.loads(sys.argv[1]))}))
"""


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, harden.expectations.expect.ExpectResult]]:
    from harden.expectations.expect import expect_notebook

    before = digests(EXAMPLES)
    out = tmp_path_factory.mktemp("expectations")
    results = {
        name: expect_notebook(EXAMPLES / f"{name}.ipynb", out, save_frames=True, timeout=120)
        for name in READS_DATA
    }
    assert digests(EXAMPLES) == before, "expect changed an example notebook or data file"
    return out, results


def test_each_example_gets_its_input_and_model_input_suites(runs) -> None:
    out, results = runs
    for name, result in results.items():
        assert result.run_status == "completed", (name, result.run_message)
        assert {s.name for s in result.suites} == EXPECTED_SUITES[name], name
        for suite in result.suites:
            meta = json.loads(Path(suite.path).read_text())["meta"]["harden"]
            assert meta["rows"] == suite.rows and meta["cell_index"] == suite.cell_index
            if suite.role == "input":
                assert meta["source"]["sha256"] and len(meta["source"]["sha256"]) == 64


def test_suites_load_and_pass_in_plain_gx_in_a_fresh_interpreter(runs) -> None:
    out, results = runs
    pairs = [
        (s.path, str(Path(s.path).with_suffix(".parquet")))
        for result in results.values()
        for s in result.suites
    ]
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_GX, json.dumps(pairs)],
        capture_output=True,
        text=True,
        cwd=out,
        env={"PATH": "/usr/bin:/bin", "HOME": str(out)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"failures": {}, "checked": len(pairs)}
    assert not list(out.rglob("gx")) and not (out / "gx").exists()


def test_input_suites_validate_the_notebooks_own_data_files(runs) -> None:
    out, results = runs
    for result in results.values():
        for suite in result.suites:
            if suite.role != "input":
                continue
            source = json.loads(Path(suite.path).read_text())["meta"]["harden"]["source"]["path"]
            report = harden.validate(suite.path, EXAMPLES / source)
            assert report.success, (
                suite.path,
                [(o.expectation, o.column, o.observed, o.error) for o in report.failed],
            )


def test_same_notebook_and_data_give_byte_identical_suites(
    runs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, results = runs
    assert main(["expect", str(EXAMPLES / "customer_ltv.ipynb"), "-o", str(out)]) == 0
    assert "(unchanged)" in capsys.readouterr().out
    first = {p.name: p.read_bytes() for p in (out / "customer_ltv").glob("[!.]*.json")}
    assert main(["expect", str(EXAMPLES / "customer_ltv.ipynb"), "-o", str(tmp_path)]) == 0
    second = {p.name: p.read_bytes() for p in (tmp_path / "customer_ltv").glob("[!.]*.json")}
    assert first == second and len(first) == 2
    edited = tmp_path / "customer_ltv" / "orders_csv.json"
    edited.write_text(edited.read_text().replace('"critical"', '"warning"', 1))
    assert main(["expect", str(EXAMPLES / "customer_ltv.ipynb"), "-o", str(tmp_path)]) == 2
    assert "use --force" in capsys.readouterr().err


def test_a_failing_notebook_keeps_the_suites_captured_before_the_failing_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["expect", str(EXAMPLES / "sales_forecast_messy.ipynb"), "-o", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "cell 5 raised NameError" in out
    assert sorted(p.name for p in (tmp_path / "sales_forecast_messy").glob("[!.]*")) == [
        "sales_csv.json"
    ]
    assert "no suite for train_feature_cols: not reached (the notebook stopped at cell 5)" in out


@pytest.mark.slow
def test_a_suite_harden_wrote_is_regenerated_a_hand_edited_one_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """New data changes the suite: the one harden wrote is replaced without --force
    (the suites folder's manifest records it); one a person edited is refused."""
    from helpers import write_notebook

    data = tmp_path / "prices.csv"
    data.write_text("item,price\na,1.5\nb,2.5\nc,3.0\n", encoding="utf-8")
    notebook = write_notebook(
        tmp_path, "import pandas as pd", "prices = pd.read_csv('prices.csv')\nprices.describe()"
    )
    out = tmp_path / "suites"
    assert main(["expect", str(notebook), "-o", str(out)]) == 0
    suite = next((out / "nb").glob("prices_csv.json"))
    first = suite.read_text(encoding="utf-8")
    assert (out / "nb" / ".harden-expect.json").is_file()

    data.write_text("item,price\na,1.5\nb,2.5\nc,3.0\nd,40.0\ne,0.5\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["expect", str(notebook), "-o", str(out)]) == 0, capsys.readouterr().err
    assert suite.read_text(encoding="utf-8") != first  # the range follows the new data

    suite.write_text(suite.read_text(encoding="utf-8").replace('"critical"', '"warning"', 1))
    data.write_text("item,price\na,1.5\n", encoding="utf-8")
    assert main(["expect", str(notebook), "-o", str(out)]) == 2
    assert "use --force" in capsys.readouterr().err
    assert '"warning"' in suite.read_text(encoding="utf-8")
    assert main(["expect", str(notebook), "-o", str(out), "--force"]) == 0
    assert '"warning"' not in suite.read_text(encoding="utf-8")
