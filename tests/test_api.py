"""The Python API mirrors the CLI: harden.lint / analyze / extract / repro."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_notebook

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
    import harden.handover.core
    import harden.linter.engine
    from harden.extractor import core  # noqa: F401
    from harden.linter import engine  # noqa: F401

    assert callable(harden.lint) and callable(harden.extract) and callable(harden.handoff)
    assert harden.lint.__module__ == "harden"
    # The subpackages are plain attributes (no module-class trick):
    assert harden.linter.engine.lint_paths is engine.lint_paths


def test_lint_package_exports_what_it_lists() -> None:
    import sys

    package = sys.modules["harden.linter"]
    for name in package.__all__:
        assert getattr(package, name) is not None


def test_monkeypatch_reaches_modules_by_dotted_path(monkeypatch) -> None:
    """No module-class trick: pytest's dotted-path monkeypatch works on every module."""
    import harden.linter.engine

    monkeypatch.setattr("harden.linter.engine.PARALLEL_THRESHOLD", 1)
    assert harden.linter.engine.PARALLEL_THRESHOLD == 1
    assert callable(harden.lint)


def test_a_rule_that_raises_fails_its_notebook_only(tmp_path, monkeypatch, capsys) -> None:
    from collections.abc import Iterator

    from harden.cli import main
    from harden.errors import RuleError
    from harden.linter import engine
    from harden.linter.finding import Severity
    from harden.linter.registry import all_rules
    from harden.linter.rule import Rule, RuleContext, Violation

    class Broken(Rule):
        id = "X900"
        name = "broken-rule"
        severity = Severity.ERROR
        summary = rationale = fix = "A rule with a bug."

        def check(self, ctx: RuleContext) -> Iterator[Violation]:
            if "boom" in ctx.notebook.cells[0].source:
                raise KeyError("boom")
            yield from ()

    rules = [*all_rules(include_plugins=False), Broken]
    monkeypatch.setattr(engine, "all_rules", lambda: rules)
    (tmp_path / "pyproject.toml").write_text('[tool.harden]\nextend-select = ["X900"]\n')
    bad = write_notebook(tmp_path, "x = 'boom'\n", name="bad.ipynb")
    good = write_notebook(tmp_path, "import os\n", name="good.ipynb")
    report = engine.lint_paths([bad, good], jobs=1)
    by_name = {Path(r.path).name: r for r in report.results}
    assert isinstance(by_name["bad.ipynb"].error, RuleError)
    assert "rule X900 broken-rule failed on this notebook (KeyError: 'boom')" in str(
        by_name["bad.ipynb"].error
    )
    assert by_name["good.ipynb"].error is None
    assert {f.rule_id for f in by_name["good.ipynb"].findings} == {"H203", "H502"}
    assert report.exit_code == 2
    capsys.readouterr()
    code = main(["lint", str(bad), str(good)])
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert code == 2 and "X900 broken-rule failed" in text and "Traceback" not in text
    assert "good.ipynb" in text  # the other notebook's findings are still shown
