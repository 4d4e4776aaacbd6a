"""Rule documentation is generated from the rule classes: ``harden rules ID`` and
``docs/rules.md`` (which must not go stale)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harden.cli import main
from harden.linter import docs
from harden.linter.examples_view import example_lines
from harden.linter.rule import Example, code, md

RULES_MD = Path(__file__).parents[1] / "docs" / "rules.md"


def test_docs_rules_md_is_in_sync() -> None:
    assert RULES_MD.read_text(encoding="utf-8") == docs.rules_page(), (
        f"docs/rules.md is stale; regenerate it with: {docs.REGENERATE}"
    )


def test_rules_md_covers_every_rule_and_is_linked_from_the_readme() -> None:
    page = docs.rules_page()
    readme = (RULES_MD.parents[1] / "README.md").read_text(encoding="utf-8")
    for rule in docs.all_rules(include_plugins=False):
        assert f"## {rule.id} `{rule.name}`" in page
        assert f"(docs/rules.md#{rule.id.lower()}-{rule.name})" in readme
    assert page.count("### Example") == page.count("### Use instead") == page.count("\n## H")


@pytest.mark.parametrize("key", ["H402", "h402", "fit-on-test-data"])
def test_harden_rules_explains_a_rule_by_id_or_name(
    key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules", key]) == 0
    out = capsys.readouterr().out
    assert out.startswith("H402 fit-on-test-data\nA model or transformer is fit on data")
    for heading in ("What it does", "Why is this bad?", "How to fix it", "Example", "Use instead"):
        assert f"\n{heading}" in out
    assert "Default severity: error. Enabled by the shipped packs: default, strict." in out
    example = out.split("\nExample", 1)[1].split("\nUse instead", 1)[0]
    assert "  # %% cell 3\n  model = RandomForestClassifier()\n  model.fit(X_test, y_test)" in (
        example
    )


def test_options_show_defaults_and_what_packs_change(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "H205"]) == 0
    out = capsys.readouterr().out
    assert "Options ([tool.harden.options.H205])\n  max-lines = 60  # strict pack: 40\n" in out
    assert "# with [tool.harden.options.H205] max-lines = 3" in out
    main(["rules", "H004"])
    assert "Enabled by the shipped packs: default, strict (as warning)." in (
        capsys.readouterr().out
    )


def test_markdown_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "markdown-docs"]) == 0
    assert capsys.readouterr().out == docs.rules_page()
    assert main(["rules", "H205", "--format", "markdown"]) == 0
    section = capsys.readouterr().out
    assert section.startswith("## H205 `long-cell`") and "- `max-lines = 60" in section
    assert "```python\n# with [tool.harden.options.H205] max-lines = 3\n" in section


def test_unknown_rule_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "H999"]) == 2
    assert "no rule 'H999'" in capsys.readouterr().err


def test_example_cells_are_numbered_and_markdown_is_marked() -> None:
    example = Example(
        md("# Title\n\nText"),
        code("x = 1", 2, tags=["parameters"]),
        code("y = x", outputs=[{"output_type": "stream", "name": "stdout", "text": "1\n"}]),
    )
    assert example_lines(example, "H000") == [
        "# %% cell 1 [markdown]",
        "# # Title",
        "#",
        "# Text",
        "",
        "# %% cell 2 · ran as [2] · tags: parameters",
        "x = 1",
        "",
        "# %% cell 3 · not run",
        "y = x",
        "# out: stream: 1",
    ]
