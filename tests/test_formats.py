"""Output formats: text (snapshot, colour, carets), JSON (documented schema), SARIF, JUnit.

Snapshots live in tests/snapshots/formats/; regenerate them with
``HARDEN_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_formats.py`` and
review the diff.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

import harden
from harden.errors import NotebookError, UsageError
from harden.linter.finding import Finding, LintResult, RuleInfo, Severity
from harden.linter.formats import FORMATS, get_formatter, json_format, junit, sarif, text

TESTS = Path(__file__).parent
SNAPSHOTS = TESTS / "snapshots" / "formats"
SARIF_SCHEMA = TESTS / "data" / "sarif-2.1.0-rtm.5.json"
JSON_DOC = TESTS.parent / "docs" / "json-schema.md"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

MESSY = "notebooks/messy.ipynb"
UNICODE_NB = "notebooks/données/日本語 notebook.ipynb"
BROKEN = "notebooks/broken.ipynb"
CLEAN = "notebooks/clean.ipynb"

RULES = (
    RuleInfo(
        "H101",
        "unseeded-randomness",
        Severity.WARNING,
        "Random API used without a seed",
        "Unseeded randomness makes every run give different numbers,\nso results cannot be reproduced.",
        "Seed the generator once, in the first code cell.",
    ),
    RuleInfo(
        "H102",
        "absolute-path",
        Severity.WARNING,
        "Absolute or user-specific path",
        "The path exists only on the author's machine.",
        "Use a path relative to the notebook, or a parameter.",
    ),
    RuleInfo(
        "H301",
        "hardcoded-secret",
        Severity.ERROR,
        "Secret in source",
        "Secrets in notebooks end up in git history and shared outputs.",
        "Read the secret from an environment variable.",
    ),
    RuleInfo(
        "H502",
        "no-title",
        Severity.INFO,
        "No markdown heading",
        "A notebook without a title is hard to find and hand over.",
        "Add a markdown cell with a `# Title`.",
    ),
)

H101 = Finding(
    "H101",
    "unseeded-randomness",
    Severity.WARNING,
    MESSY,
    "numpy.random.rand is called but numpy is never seeded",
    "Call numpy.random.seed(...) once, in the first code cell.",
    cell_index=3,
    cell_id="c-rand",
    line=3,
    column=5,
    end_line=3,
    end_column=19,
    snippet="x = np.random.rand(10)",
    execution_count=2,
)
H502 = Finding(
    "H502",
    "no-title",
    Severity.INFO,
    MESSY,
    "No markdown heading anywhere in the notebook.",
    "Add a markdown cell with a `# Title`.",
)
# no column; redacted snippet; XML-special characters in the message
H301 = Finding(
    "H301",
    "hardcoded-secret",
    Severity.ERROR,
    MESSY,
    'Hard-coded token <"sk-…"> & more ]]> in source',
    "Read the secret from os.environ['API_TOKEN'].",
    cell_index=0,
    cell_id="c-secret",
    line=2,
    snippet='api_token = "sk-****"',
)
# unicode message, wide characters and a tab before the column
H102_WIDE = Finding(
    "H102",
    "absolute-path",
    Severity.WARNING,
    UNICODE_NB,
    "Chemin absolu « /home/zoé/データ.csv » — only on the author's machine",
    "Use a path relative to the notebook.",
    cell_index=1,
    cell_id="c-path",
    line=1,
    column=13,
    end_line=1,
    end_column=32,
    snippet='\tデータ = load("/home/zoé/データ.csv")',
)
# a control character in source must not reach the terminal or the XML
H102_CTRL = Finding(
    "H102",
    "absolute-path",
    Severity.WARNING,
    UNICODE_NB,
    "Absolute path in a shell escape",
    "Use a relative path.",
    cell_index=4,
    line=7,
    column=1,
    snippet="!cat /etc/hosts \x1b[31m\x00",
)

RESULTS = (
    LintResult(MESSY, findings=(H101, H502, H301)),
    LintResult(UNICODE_NB, findings=(H102_CTRL, H102_WIDE)),
    LintResult(
        BROKEN,
        error=NotebookError("not valid JSON:\n  Expecting value: line 1 column 1", BROKEN),
    ),
    LintResult(CLEAN),
)


def render(
    name: str,
    results=RESULTS,
    *,
    color: bool = False,
    fail_on: Severity = Severity.ERROR,
) -> str:
    return get_formatter(name)(results, RULES, color=color, fail_on=fail_on)


def check_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("HARDEN_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    assert path.exists(), f"no snapshot {path}; run with HARDEN_UPDATE_SNAPSHOTS=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name} differs from its snapshot; HARDEN_UPDATE_SNAPSHOTS=1 to accept"
    )


# --------------------------------------------------------------------------- registry


def test_formats_are_the_four_documented_ones_and_read_only():
    assert set(FORMATS) == {"text", "json", "sarif", "junit"}
    assert FORMATS["text"] is text.render
    assert FORMATS["json"] is json_format.render
    assert FORMATS["sarif"] is sarif.render
    assert FORMATS["junit"] is junit.render
    with pytest.raises(TypeError):
        FORMATS["xml"] = text.render  # type: ignore[index]


def test_get_formatter_returns_the_registered_function():
    for name, formatter in FORMATS.items():
        assert get_formatter(name) is formatter
    assert get_formatter("JSON") is json_format.render


@pytest.mark.parametrize("name", ["xml", "", "html", "sarif2"])
def test_unknown_format_is_a_usage_error(name):
    with pytest.raises(UsageError) as info:
        get_formatter(name)
    assert "text, json, sarif, junit" in info.value.problem
    assert info.value.exit_code == 2


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_is_deterministic_and_ends_with_a_newline(name):
    first = render(name)
    assert first == render(name)
    assert first.endswith("\n")


# --------------------------------------------------------------------------- text


def test_text_matches_snapshot():
    check_snapshot("text.txt", render("text", fail_on=Severity.WARNING))


def test_text_without_colour_has_no_escape_characters():
    out = render("text")
    assert "\x1b" not in out
    # the ESC from the notebook source is shown escaped, not emitted
    assert "\\x1b[31m\\x00" in out


def test_text_with_colour_is_the_same_text_painted():
    plain = render("text")
    coloured = render("text", color=True)
    assert ANSI.search(coloured)
    assert "\x1b[1;31mH301" in coloured  # errors in red
    assert "\x1b[1;33mH101" in coloured  # warnings in yellow
    assert ANSI.sub("", coloured) == plain


def test_text_finding_block_has_header_message_caret_and_fix():
    out = render("text")
    block = _block(out, "H101")
    assert block == [
        f"{MESSY}  cell 4 [In 2], line 3, col 5  H101 unseeded-randomness [warning]",
        "  numpy.random.rand is called but numpy is never seeded",
        "  3 | x = np.random.rand(10)",
        "    |     ^^^^^^^^^^^^^^",
        "  fix: Call numpy.random.seed(...) once, in the first code cell.",
    ]


def test_text_caret_sits_under_the_column_after_tabs_and_wide_characters():
    block = _block(render("text"), f"{UNICODE_NB}  cell 2")
    source, caret = block[2], block[3]
    assert source.startswith("  1 |     データ = load(")  # tab shown as four spaces
    prefix = source[: source.index('"/home')]
    # wide characters take two terminal columns: the caret is pushed right by one per character
    wide = sum(1 for ch in prefix if ord(ch) > 0x2E80)
    assert caret.index("^") == len(prefix) + wide
    assert caret.count("^") == len('"/home/zoé/') + 2 * len("データ") + len('.csv"')


def test_text_without_column_shows_the_line_but_no_caret():
    block = _block(render("text"), "H301")
    assert block[0] == f"{MESSY}  cell 1, line 2  H301 hardcoded-secret [error]"
    assert block[2] == '  2 | api_token = "sk-****"'
    assert not any("^" in line for line in block)


def test_text_notebook_level_finding_says_notebook():
    block = _block(render("text"), "H502")
    assert block[0] == f"{MESSY}  notebook  H502 no-title [info]"


def test_text_error_result_is_one_line():
    out = render("text")
    errors = [line for line in out.splitlines() if line.startswith(BROKEN)]
    assert errors == [f"{BROKEN}: error: not valid JSON: Expecting value: line 1 column 1"]


def test_text_groups_findings_by_notebook_in_cell_order():
    headers = [
        line for line in render("text").splitlines() if "  H" in line and not line.startswith(" ")
    ]
    assert [h.split("  ")[0] for h in headers] == [MESSY] * 3 + [UNICODE_NB] * 2
    assert [h.split("  ")[1] for h in headers[:3]] == [
        "notebook",
        "cell 1, line 2",
        "cell 4 [In 2], line 3, col 5",
    ]


def test_text_summary_counts_and_fail_on():
    last = render("text", fail_on=Severity.WARNING).splitlines()[-1]
    assert last == (
        "Found 1 error, 3 warnings, 1 info in 4 notebooks (1 could not be linted); "
        '4 at or above fail-on "warning". Cells are numbered from 1.'
    )
    last = render("text", fail_on=Severity.ERROR).splitlines()[-1]
    assert '1 at or above fail-on "error"' in last


def test_text_summary_when_clean():
    out = render("text", results=(LintResult(CLEAN),))
    assert out == "No findings in 1 notebook.\n"


# --------------------------------------------------------------------------- json


def documented_schema() -> dict:
    doc = JSON_DOC.read_text(encoding="utf-8")
    section = doc.split("## JSON Schema", 1)[1]
    return json.loads(section.split("```json", 1)[1].split("```", 1)[0])


def documented_tables() -> dict[str, set[str]]:
    """Heading → keys listed in its table, from docs/json-schema.md."""
    tables: dict[str, set[str]] = {}
    heading = ""
    for line in JSON_DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line[3:].split(" (")[0].strip()
        match = re.match(r"^\| `([a-z_]+)` \|", line)
        if match:
            tables.setdefault(heading, set()).add(match.group(1))
    return tables


def test_json_round_trips_with_sorted_keys():
    out = render("json")
    data = json.loads(out)
    assert json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n" == out
    assert data["version"] == 1 and data["tool"] == "harden"
    assert [r["path"] for r in data["results"]] == [MESSY, UNICODE_NB, BROKEN, CLEAN]
    first = data["results"][0]["findings"]
    assert [f["rule_id"] for f in first] == ["H502", "H301", "H101"]
    h101 = first[2]
    assert h101 == {
        "rule_id": "H101",
        "name": "unseeded-randomness",
        "severity": "warning",
        "cell_index": 3,
        "cell_number": 4,
        "related_cells": [],
        "cell_id": "c-rand",
        "line": 3,
        "column": 5,
        "end_line": 3,
        "end_column": 19,
        "message": H101.message,
        "fix": H101.fix,
        "snippet": H101.snippet,
    }
    # unicode kept as is
    assert data["results"][1]["findings"][0]["message"] == H102_WIDE.message
    assert data["results"][2]["error"] == {
        "message": "not valid JSON: Expecting value: line 1 column 1"
    }
    assert data["results"][2]["findings"] == []
    assert data["results"][3]["error"] is None


def test_json_validates_against_the_documented_schema():
    data = json.loads(render("json"))
    jsonschema.Draft202012Validator(documented_schema()).validate(data)
    data["results"][0]["findings"][0]["undocumented"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(documented_schema()).validate(data)


def test_json_documented_tables_match_the_schema_and_the_output():
    schema = documented_schema()
    defs = schema["$defs"]
    tables = documented_tables()
    data = json.loads(render("json"))
    assert tables["Top level"] == set(schema["properties"]) == set(data)
    assert tables["Result"] == set(defs["result"]["properties"]) == set(data["results"][0])
    assert tables["Error"] == set(defs["error"]["properties"]) == set(data["results"][2]["error"])
    assert (
        tables["Finding"]
        == set(defs["finding"]["properties"])
        == set(data["results"][0]["findings"][0])
    )
    assert tables["Summary"] == set(defs["summary"]["properties"]) == set(data["summary"])


def test_json_summary_counts():
    summary = json.loads(render("json", fail_on=Severity.WARNING))["summary"]
    assert summary == {
        "notebooks": 4,
        "notebooks_with_errors": 1,
        "findings": 5,
        "by_severity": {"error": 1, "warning": 3, "info": 1},
        "fail_on": "warning",
        "failing": 4,
    }
    assert json.loads(render("json", fail_on=Severity.INFO))["summary"]["failing"] == 5


# --------------------------------------------------------------------------- sarif


def sarif_log(results=RESULTS) -> dict:
    return json.loads(render("sarif", results))


def _is_uri_reference(value: str) -> bool:
    parts = urlsplit(value)
    return (
        not re.search(r"[\s\\<>\"{}|^`]", value)
        and not re.search(r"%(?![0-9A-Fa-f]{2})", value)
        and (parts.scheme == "" or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", parts.scheme) is not None)
    )


def test_sarif_validates_against_the_official_schema():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()
    checker.checks("uri-reference", raises=ValueError)(_is_uri_reference)
    checker.checks("uri", raises=ValueError)(
        lambda v: _is_uri_reference(v) and bool(urlsplit(v).scheme)
    )
    validator = jsonschema.Draft4Validator(schema, format_checker=checker)
    for results in (RESULTS, (LintResult(CLEAN),), ()):
        validator.validate(sarif_log(results))
    broken = sarif_log()
    broken["runs"][0]["results"][0]["level"] = "info"  # not a SARIF level
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_sarif_matches_snapshot():
    log = sarif_log()
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["version"] == harden.__version__
    driver["version"] = driver["semanticVersion"] = "<version>"
    driver.pop("informationUri", None)
    check_snapshot("sarif.json", json.dumps(log, indent=2, ensure_ascii=False) + "\n")


def test_sarif_tool_and_rules():
    run = sarif_log()["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "harden"
    assert [rule["id"] for rule in driver["rules"]] == ["H101", "H102", "H301", "H502"]
    h101 = driver["rules"][0]
    assert h101["name"] == "unseeded-randomness"
    assert h101["shortDescription"]["text"] == "Random API used without a seed"
    assert h101["fullDescription"]["text"].startswith("Unseeded randomness makes every run")
    assert h101["help"]["text"] == "Seed the generator once, in the first code cell."
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in driver["rules"]}
    assert levels == {
        "H101": "warning",
        "H102": "warning",
        "H301": "error",
        "H502": "note",
    }


def test_sarif_results_levels_indexes_messages_and_locations():
    run = sarif_log()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_rule = {}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
        by_rule.setdefault(result["ruleId"], []).append(result)
    assert {rule: [r["level"] for r in rs] for rule, rs in by_rule.items()} == {
        "H502": ["note"],
        "H301": ["error"],
        "H101": ["warning"],
        "H102": ["warning", "warning"],
    }
    h101 = by_rule["H101"][0]
    assert "cell 4 (1-based)" in h101["message"]["text"] and "line 3" in h101["message"]["text"]
    location = h101["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": MESSY, "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3}
    assert h101["properties"] == {
        "cell_index": 3,
        "cell_id": "c-rand",
        "cell_line": 3,
        "cell_column": 5,
    }
    h502 = by_rule["H502"][0]
    assert h502["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert "[notebook]" in h502["message"]["text"]
    wide_uri = by_rule["H102"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert " " not in wide_uri and wide_uri.startswith("notebooks/donn%C3%A9es/")


def test_sarif_never_copies_source_snippets():
    out = render("sarif")
    for finding in (H101, H301, H102_WIDE):
        assert finding.snippet not in out
    assert "sk-****" not in out


def test_sarif_paths_are_forward_slash_uris():
    assert sarif.artifact_uri("nb\\sub\\x.ipynb") == ("nb/sub/x.ipynb", "%SRCROOT%")
    assert sarif.artifact_uri("./a b.ipynb") == ("a%20b.ipynb", "%SRCROOT%")
    assert sarif.artifact_uri("/abs/x.ipynb") == ("file:///abs/x.ipynb", None)
    assert sarif.artifact_uri("C:\\work\\x.ipynb") == ("file:///C:/work/x.ipynb", None)


def test_sarif_fingerprints_are_stable_and_ignore_positions():
    base = sarif.fingerprint(H101)
    assert base == sarif.fingerprint(H101)
    moved = Finding(**{**H101.__dict__, "line": 30, "column": 1, "cell_index": 9})
    assert sarif.fingerprint(moved) == base  # same cell id and line text: same alert
    edited = Finding(**{**H101.__dict__, "snippet": "x = np.random.rand(20)"})
    assert sarif.fingerprint(edited) != base
    other_rule = Finding(**{**H101.__dict__, "rule_id": "H999"})
    assert sarif.fingerprint(other_rule) != base
    twice = LintResult(MESSY, findings=(H101, Finding(**{**H101.__dict__, "column": 9})))
    prints = [r["partialFingerprints"] for r in sarif_log((twice,))["runs"][0]["results"]]
    assert prints[0]["harden/v1"] != prints[1]["harden/v1"]
    assert prints[0]["primaryLocationLineHash"] != prints[1]["primaryLocationLineHash"]


def test_sarif_notebook_errors_are_notifications():
    invocation = sarif_log()["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == f"{BROKEN}: not valid JSON: Expecting value: line 1 column 1"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == BROKEN
    clean = sarif_log((LintResult(CLEAN),))["runs"][0]["invocations"][0]
    assert clean == {"executionSuccessful": True, "toolExecutionNotifications": []}


def test_sarif_describes_rules_missing_from_the_table():
    plugin = Finding(
        "X001",
        "plugin-rule",
        Severity.INFO,
        MESSY,
        "from a plugin",
        "do this",
        cell_index=0,
        line=1,
    )
    run = sarif_log((LintResult(MESSY, findings=(plugin,)),))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    [result] = run["results"]
    assert rules[result["ruleIndex"]]["id"] == "X001"
    assert rules[result["ruleIndex"]]["defaultConfiguration"]["level"] == "note"


# --------------------------------------------------------------------------- junit


def junit_tree(fail_on: Severity, results=RESULTS) -> ET.Element:
    return ET.fromstring(render("junit", results, fail_on=fail_on).encode("utf-8"))


@pytest.mark.parametrize(
    ("fail_on", "failing_cases"),
    [
        (Severity.ERROR, {(MESSY, "H301 hardcoded-secret")}),
        (
            Severity.WARNING,
            {
                (MESSY, "H301 hardcoded-secret"),
                (MESSY, "H101 unseeded-randomness"),
                (UNICODE_NB, "H102 absolute-path"),
            },
        ),
        (
            Severity.INFO,
            {
                (MESSY, "H301 hardcoded-secret"),
                (MESSY, "H101 unseeded-randomness"),
                (MESSY, "H502 no-title"),
                (UNICODE_NB, "H102 absolute-path"),
            },
        ),
    ],
)
def test_junit_failures_follow_fail_on(fail_on, failing_cases):
    root = junit_tree(fail_on)
    assert root.tag == "testsuites"
    failing = {
        (suite.get("name"), case.get("name"))
        for suite in root.findall("testsuite")
        for case in suite.findall("testcase")
        if case.find("failure") is not None
    }
    assert failing == failing_cases
    assert root.get("failures") == str(len(failing_cases))
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases))
        assert suite.get("errors") == str(sum(c.find("error") is not None for c in cases))
    assert root.get("tests") == str(len(root.findall("testsuite/testcase")))


def test_junit_suites_cases_and_errors():
    root = junit_tree(Severity.ERROR)
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == [MESSY, UNICODE_NB, BROKEN, CLEAN]
    assert [c.get("name") for c in suites[MESSY]] == [
        "H101 unseeded-randomness",
        "H301 hardcoded-secret",
        "H502 no-title",
    ]
    assert {c.get("classname") for c in suites[MESSY]} == {"notebooks.messy"}
    # one case per rule: both H102 findings are in it
    [h102] = suites[UNICODE_NB].findall("testcase")
    assert h102.find("system-out").text.count("H102 absolute-path [warning]") == 2
    [broken] = suites[BROKEN].findall("testcase")
    error = broken.find("error")
    assert error is not None and error.get("type") == "NotebookError"
    assert error.get("message") == "not valid JSON: Expecting value: line 1 column 1"
    assert root.get("errors") == "1" and suites[BROKEN].get("errors") == "1"
    [clean] = suites[CLEAN].findall("testcase")
    assert clean.get("name") == junit.LINT_CASE and len(clean) == 0


def test_junit_escapes_special_and_control_characters():
    out = render("junit", fail_on=Severity.WARNING)
    assert "\x1b" not in out and "\x00" not in out
    root = ET.fromstring(out.encode("utf-8"))
    secret = root.find("testsuite/testcase[@name='H301 hardcoded-secret']/failure")
    assert secret is not None
    assert H301.message in secret.text  # <, >, &, quotes and ]]> survive the round trip
    assert "Secret in source" in secret.get("message")
    path = root.find("testsuite/testcase[@name='H102 absolute-path']/failure")
    assert H102_WIDE.message in path.text
    assert "\\x1b[31m\\x00" in path.text


def test_junit_matches_snapshot():
    check_snapshot("junit.xml", render("junit", fail_on=Severity.WARNING))


def _block(out: str, marker: str) -> list[str]:
    """The lines of the one finding block (blank-line separated) that contains ``marker``."""
    blocks = [b.splitlines() for b in out.split("\n\n") if marker in b.splitlines()[0]]
    assert len(blocks) == 1, (marker, out)
    return blocks[0]
