"""The example corpus through ``harden extract``: snapshots, code quality, equivalence.

Snapshots of every generated module and log live in ``tests/snapshots/extract``;
after an intended change run ``HARDEN_UPDATE_SNAPSHOTS=1 python -m pytest
tests/test_extract_examples.py`` and review the diff.  The ``slow`` tests
execute each runnable example once in a fresh kernel (papermill) and its
module once in a fresh ``python`` process, and compare the key results step
by step (``harden extract --check``).
"""

from __future__ import annotations

import json
import os
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

from harden.errors import ExtractionError
from harden.extractor import Extraction, check_extraction, extract

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "notebooks" / "examples"
SNAPSHOTS = Path(__file__).parent / "snapshots" / "extract"
EXPECTED = json.loads((EXAMPLES / "expected_findings.json").read_text())
#: Examples that need an option to extract at all, and why.
OPTIONS = {
    "sales_forecast_messy.ipynb": {"allow_hidden_state": True, "drop_magics": True},
}
NOT_PYTHON = {"sales_summary_r.ipynb"}
NOTEBOOKS = sorted(p.name for p in EXAMPLES.glob("*.ipynb") if p.name not in NOT_PYTHON)
RUNNABLE = [n for n in NOTEBOOKS if EXPECTED["runs"].get(n)]


def _extract(name: str) -> Extraction:
    return extract(EXAMPLES / name, **OPTIONS.get(name, {}))


@pytest.fixture(scope="module")
def extractions() -> dict[str, Extraction]:
    return {name: _extract(name) for name in NOTEBOOKS}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_generated_module_matches_its_snapshot(name: str, extractions: dict) -> None:
    extraction = extractions[name]
    for suffix, text in ((".py", extraction.source), (".extract.log", extraction.log_text)):
        path = SNAPSHOTS / f"{Path(name).stem}{suffix}"
        if os.environ.get("HARDEN_UPDATE_SNAPSHOTS") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        assert path.exists(), f"no snapshot {path}; run with HARDEN_UPDATE_SNAPSHOTS=1"
        assert text == path.read_text(encoding="utf-8"), (
            f"{path.name} differs from its snapshot; HARDEN_UPDATE_SNAPSHOTS=1 to accept"
        )


def test_generated_modules_compile_pass_black_and_ruff(tmp_path: Path, extractions: dict) -> None:
    files = []
    for extraction in extractions.values():
        path = tmp_path / extraction.module_file
        path.write_text(extraction.source, encoding="utf-8")
        py_compile.compile(str(path), doraise=True)
        files.append(str(path))
    black = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--quiet", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert black.returncode == 0, black.stderr
    ruff = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "F",
            "--no-cache",
            "--isolated",
            "--output-format",
            "concise",
            *files,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


def test_extraction_is_deterministic(extractions: dict) -> None:
    for name in ("customer_ltv.ipynb", "loan_default.ipynb"):
        assert _extract(name).source == extractions[name].source


def test_hidden_state_example_is_refused_without_the_flag() -> None:
    with pytest.raises(ExtractionError) as info:
        extract(EXAMPLES / "sales_forecast_messy.ipynb")
    message = info.value.one_line()
    assert all(rule in message for rule in ("H002", "H003", "H209"))


def test_the_stress_examples_get_the_structure_they_need(extractions: dict) -> None:
    ltv = extractions["customer_ltv.ipynb"]
    changes = {c.name: c.added for c in ltv.plan.function_changes}
    assert changes["recency_days"] == ("snapshot_date",)
    assert changes["customer_table"] == ("snapshot_date",)  # through recency_days
    assert {"monthly_margin", "lifetime_months"} <= set(ltv.plan.constants)
    assert "segment_summary" in ltv.plan.outputs
    loop = extractions["model_selection_loop.ipynb"]
    appended = [s for s in loop.plan.steps if "scores" in s.inputs and "scores" in s.returns]
    assert len(appended) == 3
    sensors = extractions["sensor_anomalies.ipynb"]
    assert len(sensors.plan.steps) >= 4 and "anomaly_rates" in sensors.plan.outputs
    demand = extractions["demand_params.ipynb"]
    assert [p.name for p in demand.plan.parameters] == [
        "store",
        "horizon_days",
        "n_estimators",
        "seed",
        "sales_path",  # found in its call: pd.read_csv("sales.csv")
    ]
    assert demand.plan.parameters[-1].source == "call-literal"
    loans = extractions["loan_default.ipynb"]
    assert [p.source for p in loans.plan.parameters] == ["leading-literals"] * 4
    assert {"report", "model", "scaler", "approvals"} == set(loans.plan.outputs)  # the table shown


def _unseeded_cell(name: str) -> int | None:
    cells = [cell for rule, cell in EXPECTED["findings"].get(name, []) if rule == "H101"]
    return min(cells) if cells else None


@pytest.mark.slow
@pytest.mark.parametrize("name", RUNNABLE)
def test_notebook_and_module_compute_the_same(name: str, extractions: dict) -> None:
    extraction = extractions[name]
    result = check_extraction(extraction, timeout=600)
    assert result.module_error is None, result.render()
    assert result.values, "nothing was compared"
    assert not [v for v in result.values if v.outcome == "skipped"], result.render()
    unseeded = _unseeded_cell(name)
    if unseeded is None:
        assert result.agree, result.render()
        return
    # Unseeded randomness: the notebook does not even agree with itself, so the
    # module may differ, but only from the step holding the first unseeded call.
    order = [s.name for s in extraction.plan.steps]
    first = next(i for i, s in enumerate(extraction.plan.steps) if s.cells[-1] >= unseeded)
    for value in result.differences:
        assert value.step is None or order.index(value.step) >= first, result.render()


@pytest.mark.slow
def test_overridden_parameters_reach_notebook_and_module_alike(extractions: dict) -> None:
    extraction = extractions["demand_params.ipynb"]
    result = check_extraction(extraction, parameters={"store": "south", "horizon_days": 21})
    assert result.agree, result.render()


@pytest.mark.slow
def test_check_names_the_step_and_value_that_differ(extractions: dict) -> None:
    extraction = extractions["loan_default.ipynb"]
    broken = extraction.source.replace("C=0.5", "C=0.05")
    assert broken != extraction.source
    from dataclasses import replace

    result = check_extraction(replace(extraction, source=broken))
    assert not result.agree
    first = result.differences[0]
    # The fitted model is a result now (run() returns it): the first value to differ.
    assert (first.step, first.name) == ("fit_model", "model")
    assert any(v.name == "scores" and "Mismatched elements" in v.detail for v in result.differences)
    assert any(v.name == "report" and "test_auc" in v.detail for v in result.differences)
    assert "first at step `fit_model` returns `model`" in result.render()


@pytest.mark.slow
def test_cli_check_exit_code(tmp_path: Path) -> None:
    from harden.cli import main

    notebook = EXAMPLES / "sensor_anomalies.ipynb"
    assert main(["extract", str(notebook), "-o", str(tmp_path), "-q", "--check"]) == 0
    assert (tmp_path / "sensor_anomalies.py").exists()


#: Imports the generated module from its file and calls ``run()`` and ``main([])``.
_CALL_WITH_DEFAULTS = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("extracted", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert isinstance(module.run(), dict)
assert isinstance(module.main([]), dict)
"""


def call_with_defaults(module: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``run()`` and ``main([])`` of ``module`` in a fresh process with ``cwd``."""
    return subprocess.run(
        [sys.executable, "-c", _CALL_WITH_DEFAULTS, str(module)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in RUNNABLE if n not in NOT_PYTHON])
def test_run_and_main_work_with_their_defaults(
    name: str, extractions: dict, tmp_path: Path
) -> None:
    extraction = extractions[name]
    module = tmp_path / extraction.module_file
    module.write_text(extraction.source, encoding="utf-8")
    done = call_with_defaults(module, EXAMPLES)
    assert done.returncode == 0, done.stderr[-3000:]
