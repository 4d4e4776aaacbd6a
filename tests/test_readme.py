"""The README's rule table is generated from the rules; it must not go stale."""

from __future__ import annotations

from pathlib import Path

from harden.linter.docs import rule_table

README = Path(__file__).parents[1] / "README.md"


def test_readme_rule_table_is_in_sync() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- rules:start -->\n") + len("<!-- rules:start -->\n")
    end = text.index("<!-- rules:end -->")
    assert text[start:end] == rule_table(), "run: harden rules --format markdown"


def test_readme_opens_with_the_two_commands() -> None:
    head = README.read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert "pip install -e '.[dev]'" in head and "python -m pytest" in head
