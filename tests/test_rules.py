"""Every rule's own examples are its tests: valid ones yield nothing, invalid ones
yield exactly the expected (cell, line) pairs, with the pinned message substring
and severity.  Adding a rule adds its tests; every rule documents itself in the
one docstring template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harden.config import Config
from harden.linter.engine import lint_notebook
from harden.linter.finding import Severity
from harden.linter.registry import all_rules
from harden.linter.rule import Example, Rule, md
from harden.linter.ruledoc import parse_rule_doc

RULES = all_rules(include_plugins=False)


def _config(rule: type[Rule], example: Example) -> Config:
    return Config(
        pack="test",
        select=(rule.id,),
        ignore=(),
        severities={},
        options={rule.id: dict(example.options)},
        fail_on=Severity.ERROR,
    )


def _cases(kind: str) -> list[pytest.param]:
    return [
        pytest.param(rule, example, id=f"{rule.id}-{kind}-{number}")
        for rule in RULES
        for number, example in enumerate(getattr(rule, kind), start=1)
    ]


@pytest.mark.parametrize(("rule", "example"), _cases("valid"))
def test_valid_example_is_not_flagged(rule: type[Rule], example: Example, tmp_path: Path) -> None:
    result = lint_notebook(example.notebook(folder=tmp_path), _config(rule, example), [rule])
    assert result.findings == (), [f.message for f in result.findings]


@pytest.mark.parametrize(("rule", "example"), _cases("invalid"))
def test_invalid_example_is_flagged(rule: type[Rule], example: Example, tmp_path: Path) -> None:
    result = lint_notebook(example.notebook(folder=tmp_path), _config(rule, example), [rule])
    assert result.findings, f"{rule.id} found nothing"
    assert {f.rule_id for f in result.findings} == {rule.id}
    if example.expect:
        got = sorted(
            ((f.cell_index, f.line) for f in result.findings),
            key=lambda p: (p[0] if p[0] is not None else -1, p[1] or 0),
        )
        want = sorted(example.expect, key=lambda p: (p[0] if p[0] is not None else -1, p[1] or 0))
        assert got == want
    for finding in result.findings:
        if example.message is not None:
            assert example.message in finding.message, finding.message
        if example.severity is not None:
            assert finding.severity is example.severity, (finding.severity, finding.message)
        assert named_cells(finding.message) == {i + 1 for i in finding.related_cells}, (
            finding.message,
            finding.related_cells,
        )


_NAMED_CELLS = re.compile(r"\bcells? (\d+(?:(?:, | and )\d+)*)")


def named_cells(message: str) -> set[int]:
    """The 1-based cell numbers a message names ("cell 4", "cells 2, 5 and 7")."""
    return {
        int(number)
        for match in _NAMED_CELLS.finditer(message)
        for number in re.split(r", | and ", match.group(1))
    }


def test_named_cells() -> None:
    assert named_cells("only cells 2, 5 and 7 further down define it; cell 9") == {2, 5, 7, 9}
    assert named_cells("running this cell twice; line 3 of this cell") == set()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_documented_and_has_examples(rule: type[Rule]) -> None:
    assert re.fullmatch(r"H\d{3}", rule.id)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
    assert rule.summary.strip() and rule.rationale.strip() and rule.fix.strip()
    assert len(rule.valid) >= 1 and len(rule.invalid) >= 1
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", key) for key in rule.options)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_docstring_follows_the_template(rule: type[Rule]) -> None:
    doc = parse_rule_doc(rule.__doc__)
    assert doc is not None, (
        f"{rule.__name__}'s docstring must be: a one-line summary, then the sections "
        "'## What it does', '## Why is this bad?', '## How to fix it' (see harden.linter.ruledoc)"
    )
    assert (rule.summary, rule.what, rule.rationale, rule.fix) == (
        doc.summary,
        doc.what,
        doc.rationale,
        doc.fix,
    )
    assert doc.summary.endswith(".") and len(doc.summary) <= 100
    assert doc.what.startswith("Flags "), "'What it does' starts with what the rule flags"
    for key in rule.options:
        assert f"`{key}`" in doc.what, f"'What it does' explains the option `{key}`"


def test_examples_pin_the_messages_of_the_rules_whose_message_explains_the_finding() -> None:
    pinned = {rule.id for rule in RULES if any(e.message for e in rule.invalid)}
    assert {"H002", "H003", "H004", "H101", "H204", "H401", "H402"} <= pinned


def test_a_wrong_pin_fails_the_example(tmp_path: Path) -> None:
    from harden.linter.rules.h002_use_before_define import UseBeforeDefine as rule

    good = rule.invalid[0]
    for wrong in (
        Example(*good.cells, message="is never read"),
        Example(*good.cells, severity="info"),
    ):
        with pytest.raises(AssertionError):
            test_invalid_example_is_flagged(rule, wrong, tmp_path)
    test_invalid_example_is_flagged(rule, good, tmp_path)


def test_triple_quoted_cells_are_dedented() -> None:
    example = Example(
        """
        for i in range(2):
            print(i)
        """,
        "\n\nx = 1",
        md("""
            # Title
            """),
    )
    assert example.cells[:2] == ("for i in range(2):\n    print(i)", "\n\nx = 1")
    assert example.notebook().cells[2].source == "# Title"


def test_rule_ids_and_names_are_unique() -> None:
    assert len({r.id for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


def test_default_pack_enables_every_builtin_rule() -> None:
    import tomllib

    pack = tomllib.loads((Path(__file__).parents[1] / "rules" / "default.toml").read_text())
    assert sorted(pack["select"]) == sorted(r.id for r in RULES)
