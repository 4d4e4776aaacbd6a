"""The Python API mirrors the CLI: harden.lint / analyze / extract / repro."""

from __future__ import annotations

from pathlib import Path

import pytest

import harden

EXAMPLES = Path(__file__).parents[1] / "notebooks" / "examples"
REPRO = Path(__file__).parent / "data" / "repro"


def test_lint_api_returns_findings_and_exit_code() -> None:
    report = harden.lint(EXAMPLES / "churn_messy.ipynb", select=["H402"])
    findings = report.results[0].findings
    assert [(f.rule_id, f.cell_index) for f in findings] == [("H402", 9)]
    assert report.exit_code == 1
    assert harden.lint(EXAMPLES / "churn_clean.ipynb").exit_code == 0


def test_analyze_api_gives_the_shared_analysis() -> None:
    analysis = harden.analyze(EXAMPLES / "demand_params.ipynb")
    assert analysis.parameters_cell is not None
    assert {p.name for p in analysis.parameters} >= {"store", "horizon_days"}


def test_extract_api_writes_nothing(tmp_path: Path) -> None:
    before = sorted(p.name for p in EXAMPLES.iterdir())
    extraction = harden.extract(EXAMPLES / "demand_params.ipynb")
    assert "def run(" in extraction.source
    compile(extraction.source, "demand_params.py", "exec")
    assert sorted(p.name for p in EXAMPLES.iterdir()) == before


@pytest.mark.slow
def test_repro_api_runs_in_a_fresh_kernel() -> None:
    (result,) = harden.repro(REPRO / "reproduces.ipynb")
    assert result.status == "reproduced"
    (edited,) = harden.repro(REPRO / "edited_output.ipynb")
    assert edited.status == "differs"


def test_api_functions_survive_importing_their_subpackages() -> None:
    from harden.extract import core  # noqa: F401
    from harden.lint import engine  # noqa: F401

    assert callable(harden.lint) and callable(harden.extract)
    assert harden.lint.__module__ == "harden"


def test_lint_package_exports_what_it_lists() -> None:
    import sys

    import harden.lint.engine  # noqa: F401 - loads the package module

    package = sys.modules["harden.lint"]
    assert sorted(package.__all__) == sorted(package._EXPORTS)
    for name in package.__all__:
        assert getattr(package, name) is not None
