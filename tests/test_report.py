"""``harden report``: the readiness score, report.json against its schema, report.html
safe (secrets, injection), light, and right in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from harden.cli import main
from harden.reporter import ReportOptions, build_report, write_report
from harden.reporter.json_format import JSON_SCHEMA, schema_text
from harden.reporter.readiness import PARTS, lint_value, readiness, repro_value
from harden.severity import Severity
from tests.helpers import write_notebook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "notebooks" / "examples"
SCHEMA = ROOT / "docs" / "report.schema.json"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAKE_AWS_KEY = "AKIAQWERTYUIOPASDFGH"
INJECTION = "</script><script>alert(1)</script>"


# ---------------------------------------------------------------- the score


def test_weights_sum_to_100_and_every_part_is_explained() -> None:
    assert sum(weight for _, weight, _ in PARTS.values()) == 100
    assert all(explanation.endswith(".") for _, _, explanation in PARTS.values())


def test_score_is_over_the_measured_parts_only() -> None:
    only_lint = readiness({"lint": (0.5, "")})
    assert only_lint.score == 50 and only_lint.measured_weight == 25
    assert "lint findings (25 of 100 points)" in only_lint.summary
    both = readiness({"lint": (1.0, ""), "repro": (0.0, "failed")})
    assert both.score == 50 and both.measured_weight == 50
    unmeasured = [p for p in both.parts if not p.measured]
    assert {p.key for p in unmeasured} == {"module", "tests", "data", "environment"}
    assert readiness({}).score is None


def test_lint_part_counts_each_rule_once_at_its_worst() -> None:
    pairs = [("H101", Severity.WARNING)] * 30 + [("H201", Severity.ERROR), ("H999", Severity.INFO)]
    value, detail = lint_value(pairs)
    assert value == pytest.approx(1 - 0.25 - 0.05)
    assert detail == "1 rule(s) with errors, 1 with warnings only"
    assert (
        lint_value(
            [("H201", Severity.ERROR)] * 5 + [(f"H2{i:02d}", Severity.ERROR) for i in range(5)]
        )[0]
        == 0
    )


def test_repro_part() -> None:
    assert repro_value("reproduced", 5, 5, "ok")[0] == 1.0
    assert repro_value("differs", 4, 3, "x")[0] == pytest.approx(0.5 + 0.5 * 3 / 4)
    assert repro_value("failed", 4, 0, "boom")[0] == 0.0


# ---------------------------------------------------------------- static report


@pytest.fixture(scope="module")
def static_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One --no-run report over the examples (no kernel), shared by the tests below."""
    out = tmp_path_factory.mktemp("report-static")
    report = build_report([EXAMPLES], ReportOptions(run=False, jobs=1))
    write_report(report, out)
    return out


def test_schema_file_is_the_code_schema() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "regenerate docs/report.schema.json from harden.reporter.json_format.schema_text()"
    )
    jsonschema.Draft202012Validator.check_schema(JSON_SCHEMA)


def test_static_report_validates_and_carries_every_finding(static_report: Path) -> None:
    data = json.loads((static_report / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    expected = json.loads((EXAMPLES / "expected_findings.json").read_text())["findings"]
    by_name = {Path(nb["path"]).name: nb for nb in data["notebooks"]}
    assert set(by_name) == {name for name in expected if name in by_name} and len(by_name) >= 10
    for name, nb in by_name.items():
        assert nb["repro"] is None
        repro_part = next(p for p in nb["readiness"]["parts"] if p["key"] == "repro")
        assert repro_part["measured"] is False and repro_part["points"] is None
        found = sorted((f["rule_id"], f["cell_index"]) for f in nb["findings"])
        assert found == sorted((r, c) for r, c in expected[name]), name
        assert nb["next_steps"] and "--no-run" in " ".join(s["text"] for s in nb["next_steps"])
    scores = [data["notebooks"][i]["readiness"]["score"] for i in data["order"]]
    assert scores == sorted(scores), "the order is worst first"
    page = (static_report / "report.html").read_text(encoding="utf-8")
    assert page.count('class="finding ') == sum(len(nb["findings"]) for nb in data["notebooks"])


def test_html_is_self_contained(static_report: Path) -> None:
    """Nothing the page loads comes from elsewhere: links are in-page anchors, the
    icon a data URI, no external script, style sheet, image or frame."""
    from html.parser import HTMLParser

    loads: list[tuple[str, str, str]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in ("src", "href", "srcset", "data", "action", "poster"):
                    loads.append((tag, name, value or ""))

    Collect().feed((static_report / "report.html").read_text(encoding="utf-8"))
    assert loads, "the table links to each notebook's section"
    for tag, name, value in loads:
        assert value.startswith("#") or value.startswith("data:"), (tag, name, value)


def test_secrets_never_reach_the_report(tmp_path: Path) -> None:
    nb = write_notebook(
        tmp_path,
        f'aws_key = "{FAKE_AWS_KEY}"\nprint(aws_key)',
        "import numpy as np\nx = np.random.rand(3)",
    )
    data = _stored_output(nb, 0, f"{FAKE_AWS_KEY}\n")
    out = tmp_path / "out"
    assert main(["report", str(data), "--no-run", "-o", str(out)]) == 0
    html_text = (out / "report.html").read_text(encoding="utf-8")
    json_text = (out / "report.json").read_text(encoding="utf-8")
    assert "H301" in json_text and "AKIA…(20 chars)" in html_text  # found, shown redacted
    assert FAKE_AWS_KEY not in html_text and FAKE_AWS_KEY not in json_text


@pytest.mark.slow
def test_secrets_in_a_run_never_reach_the_report(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path, f'print("{FAKE_AWS_KEY}")')
    nb = _stored_output(nb, 0, "something else\n")
    out = tmp_path / "out"
    main(["report", str(nb), "-j", "1", "-o", str(out)])
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["notebooks"][0]["repro"]["status"] == "differs"
    for name in ("report.html", "report.json"):
        assert FAKE_AWS_KEY not in (out / name).read_text(encoding="utf-8")


def test_notebook_text_cannot_inject_markup(tmp_path: Path) -> None:
    nb = write_notebook(
        tmp_path,
        ("md", f"# {INJECTION}"),
        f"import numpy as np\nlabel = '{INJECTION}'\nx = np.random.rand(3)",
    )
    out = tmp_path / "out"
    assert main(["report", str(nb), "--no-run", "-o", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<script>") == 1  # the report's own sorting script, nothing else
    assert "alert(1)</script>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, escaped


def test_a_100_cell_notebook_report_is_under_1_mb(tmp_path: Path) -> None:
    """100 cells of 13 lines, each with findings (an absolute path, unseeded
    randomness, an unused name): every cell is shown with its source."""
    cells = ["import numpy as np\nimport pandas as pd\nresults = []"]
    for i in range(99):
        body = "\n".join(f"results.append(x{i} * {k} + df{i}.shape[0])" for k in range(10))
        cells.append(
            f"df{i} = pd.read_csv('/home/me/data_{i}.csv')\nx{i} = np.random.rand(10)\n"
            f"unused{i} = 1\n{body}"
        )
    nb = write_notebook(tmp_path, *cells)
    out = tmp_path / "out"
    assert main(["report", str(nb), "--no-run", "-o", str(out)]) == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(data["notebooks"][0]["findings"]) >= 3 * 99
    assert len(data["notebooks"][0]["cells"]) == 99
    size = (out / "report.html").stat().st_size
    assert size < 1_000_000, size


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(EXAMPLES), "--no-run", "--check", "-o", str(tmp_path)]) == 2
    assert "--check" in capsys.readouterr().err
    assert main(["report", str(tmp_path), "--no-run", "-o", str(tmp_path / "o")]) == 2


def test_fail_under(tmp_path: Path) -> None:
    nb = EXAMPLES / "sales_forecast_messy.ipynb"
    assert main(["report", str(nb), "--no-run", "--fail-under", "50", "-o", str(tmp_path)]) == 1
    clean = EXAMPLES / "churn_clean.ipynb"
    assert main(["report", str(clean), "--no-run", "--fail-under", "50", "-o", str(tmp_path)]) == 0


def test_an_unreadable_notebook_gets_a_row_and_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "nbs"
    folder.mkdir()
    (folder / "broken.ipynb").write_text("{not json", encoding="utf-8")
    shutil.copy(EXAMPLES / "churn_clean.ipynb", folder / "clean.ipynb")
    out = tmp_path / "out"
    assert main(["report", str(folder), "--no-run", "-o", str(out)]) == 2
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    broken = next(nb for nb in data["notebooks"] if nb["path"].endswith("broken.ipynb"))
    assert broken["error"] and broken["readiness"]["score"] is None
    assert "Could not be read" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_check_measures_the_module_part(tmp_path: Path) -> None:
    report = build_report([EXAMPLES / "churn_clean.ipynb"], ReportOptions(check=True, jobs=1))
    nb = report.notebooks[0]
    module = next(p for p in nb.readiness.parts if p.key == "module")
    assert module.value == 1.0 and "agree" in module.detail
    assert nb.readiness.measured_weight == 65 and nb.readiness.score == 100
    assert not any("--check" in step.text for step in nb.next_steps)


def _stored_output(path: Path, cell: int, text: str) -> Path:
    import nbformat

    node = nbformat.read(path, as_version=4)
    node.cells[cell].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    node.cells[cell].execution_count = 1
    nbformat.write(node, path)
    return path


# ---------------------------------------------------------------- with a run


@pytest.fixture(scope="module")
def run_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One report with fresh-kernel runs over three examples (reproduced, differs, failed)."""
    folder = tmp_path_factory.mktemp("report-run")
    # edited_output differs wherever it runs (housing_prices_messy's `%pip` cell differs
    # only where pip warns about running as root)
    paths = [
        EXAMPLES / "churn_clean.ipynb",
        ROOT / "tests" / "data" / "repro" / "edited_output.ipynb",
        EXAMPLES / "sales_forecast_messy.ipynb",
    ]
    report = build_report(paths, ReportOptions(jobs=2))
    write_report(report, folder)
    return json.loads((folder / "report.json").read_text(encoding="utf-8")) | {"_dir": str(folder)}


@pytest.mark.slow
def test_report_with_runs(run_report: dict) -> None:
    data = {k: v for k, v in run_report.items() if k != "_dir"}
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    status = {Path(nb["path"]).name: nb["repro"]["status"] for nb in data["notebooks"]}
    assert status == {
        "churn_clean.ipynb": "reproduced",
        "edited_output.ipynb": "differs",
        "sales_forecast_messy.ipynb": "failed",
    }
    by_name = {Path(nb["path"]).name: nb for nb in data["notebooks"]}
    assert by_name["churn_clean.ipynb"]["readiness"]["score"] == 100
    failed = by_name["sales_forecast_messy.ipynb"]
    assert failed["next_steps"][0]["text"].startswith("Make the notebook run top to bottom")
    page = (Path(run_report["_dir"]) / "report.html").read_text(encoding="utf-8")
    assert 'class="diff"' in page and "+++ this run" in page and "Traceback" in page


# ---------------------------------------------------------------- in a browser


def _browser():
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip(
            "no Chromium: apt-get install -y chromium (Debian), then pip install playwright"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (the dev extra has it)"
    )
    return sync_api


def test_report_in_headless_chromium(static_report: Path, tmp_path: Path) -> None:
    sync_api = _browser()
    data = json.loads((static_report / "report.json").read_text(encoding="utf-8"))
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto((static_report / "report.html").as_uri())
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            # The score of every notebook is visible and is the one report.json gives.
            for n, nb in enumerate(data["notebooks"], 1):
                score = page.locator(f"#nb-{n} .score-value")
                assert score.is_visible()
                assert score.inner_text() == str(nb["readiness"]["score"])
                rules = page.locator(f"#nb-{n} li.finding").evaluate_all(
                    "els => els.map(e => e.dataset.rule)"
                )
                assert sorted(rules) == sorted(f["rule_id"] for f in nb["findings"])
            # The table: worst first without a click; sorts on click.
            rows = page.locator("#notebooks tbody tr")
            assert rows.count() == len(data["notebooks"])

            def column(i: int) -> list[str]:
                return page.locator(f"#notebooks tbody tr td:nth-child({i})").all_inner_texts()

            initial = [int(s) for s in column(2)]
            assert initial == sorted(initial)
            page.click("#notebooks th:nth-child(1)")
            assert column(1) == sorted(column(1))
            page.click("#notebooks th:nth-child(1)")
            assert column(1) == sorted(column(1), reverse=True)
            page.click("#notebooks th:nth-child(3)")
            errors_column = [int(s) for s in column(3)]
            assert errors_column == sorted(errors_column)
            # Printable: print media renders and a PDF comes out.
            page.emulate_media(media="print")
            assert len(page.pdf(format="A4")) > 10_000
            # Readable without JavaScript: the table is there, least ready first.
            plain = browser.new_page(java_script_enabled=False)
            plain.goto((static_report / "report.html").as_uri())
            scores = plain.locator("#notebooks tbody tr td:nth-child(2)").all_inner_texts()
            assert [int(s) for s in scores] == sorted(int(s) for s in scores)
            assert plain.locator("li.finding").count() == sum(
                len(nb["findings"]) for nb in data["notebooks"]
            )
        finally:
            browser.close()
    assert errors == []


def test_python_api(tmp_path: Path) -> None:
    import harden
    import harden.reporter.html  # the package is a noun: harden.report stays the function

    assert harden.report.__module__ == "harden"

    report = harden.report(EXAMPLES / "churn_clean.ipynb", output_dir=tmp_path, run=False)
    assert [nb.readiness.score for nb in report.notebooks] == [100]
    assert report.notebooks[0].readiness.measured_weight == 25
    assert (tmp_path / "report.html").is_file() and (tmp_path / "report.json").is_file()


def test_frame_profiles_draw_a_histogram_per_numeric_column(tmp_path: Path) -> None:
    """The handoff hook: a captured frame's profile, drawn as inline SVG."""
    import pandas as pd

    from harden.linter.finding import LintResult
    from harden.reporter import Report, notebook_report
    from harden.reporter.frames import BINS, frame_summary
    from harden.reporter.html import render

    frame = pd.DataFrame({"age": [20, 30, 30, 40, None], "city": list("abcab")})
    summary = frame_summary("customers", frame, source="customers.csv")
    age, city = summary.columns
    assert (age.nulls, age.minimum, age.maximum, sum(age.counts)) == (1, 20.0, 40.0, 4)
    assert len(age.counts) == BINS and city.counts == ()
    nb = notebook_report("nb.ipynb", LintResult("nb.ipynb"), frames=(summary,))
    page = render(Report((nb,), ran=False))
    assert 'aria-label="distribution of age"' in page
    assert "distribution of city" not in page
    svg = page[page.index('aria-label="distribution of age"') :]
    assert svg[: svg.index("</svg>")].count("<rect") == 3  # 20, 30 (twice) and 40: three bars
