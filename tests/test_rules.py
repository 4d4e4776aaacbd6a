"""Every rule's own examples are its tests: valid ones yield nothing, invalid ones
yield exactly the expected (cell, line) pairs.  Adding a rule adds its tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harden.config import Config
from harden.linter.engine import lint_notebook
from harden.linter.finding import Severity
from harden.linter.registry import all_rules
from harden.linter.rule import Example, Rule

RULES = all_rules(include_plugins=False)


def _config(rule: type[Rule], example: Example) -> Config:
    return Config(pack="test", select=(rule.id,), ignore=(), severities={},
                  options={rule.id: dict(example.options)}, fail_on=Severity.ERROR)


def _cases(kind: str) -> list[pytest.param]:
    return [
        pytest.param(rule, example, id=f"{rule.id}-{kind}-{number}")
        for rule in RULES
        for number, example in enumerate(getattr(rule, kind), start=1)
    ]


@pytest.mark.parametrize(("rule", "example"), _cases("valid"))
def test_valid_example_is_not_flagged(rule: type[Rule], example: Example) -> None:
    result = lint_notebook(example.notebook(), _config(rule, example), [rule])
    assert result.findings == (), [f.message for f in result.findings]


@pytest.mark.parametrize(("rule", "example"), _cases("invalid"))
def test_invalid_example_is_flagged(rule: type[Rule], example: Example) -> None:
    result = lint_notebook(example.notebook(), _config(rule, example), [rule])
    assert result.findings, f"{rule.id} found nothing"
    assert {f.rule_id for f in result.findings} == {rule.id}
    if example.expect:
        got = sorted(((f.cell_index, f.line) for f in result.findings),
                     key=lambda p: (p[0] if p[0] is not None else -1, p[1] or 0))
        want = sorted(example.expect, key=lambda p: (p[0] if p[0] is not None else -1, p[1] or 0))
        assert got == want


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_documented_and_has_examples(rule: type[Rule]) -> None:
    assert re.fullmatch(r"H\d{3}", rule.id)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
    assert rule.summary.strip() and rule.rationale.strip() and rule.fix.strip()
    assert len(rule.valid) >= 1 and len(rule.invalid) >= 1
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", key) for key in rule.options)


def test_rule_ids_and_names_are_unique() -> None:
    assert len({r.id for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


def test_default_pack_enables_every_builtin_rule() -> None:
    import tomllib

    pack = tomllib.loads((Path(__file__).parents[1] / "rules" / "default.toml").read_text())
    assert sorted(pack["select"]) == sorted(r.id for r in RULES)
