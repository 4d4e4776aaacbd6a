"""Rule packs, [tool.harden] discovery, overrides, plugin rules, suppression."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harden.config import Overrides, load_pack, pack_names, resolve, validate_rules
from harden.errors import ConfigError
from harden.linter.engine import lint_notebook
from harden.linter.finding import Severity
from harden.linter.registry import all_rules
from harden.linter.rule import Example, Rule, RuleContext, Violation, code


def test_shipped_packs_are_in_the_package() -> None:
    assert {"default", "strict"} <= set(pack_names())
    repo_packs = {p.stem for p in (Path(__file__).parents[1] / "rules").glob("*.toml")}
    assert repo_packs == set(pack_names())


def test_strict_extends_default() -> None:
    strict = load_pack("strict", Path("."))
    default = load_pack("default", Path("."))
    assert strict["select"] == default["select"]
    assert strict["fail-on"] == "warning"
    assert strict["severity"]["H004"] == "warning"


def test_every_pack_names_only_known_rules_and_options(tmp_path: Path) -> None:
    defaults = {rule.id: dict(rule.options) for rule in all_rules()}
    assert {"default", "strict"} <= set(pack_names())
    for name in pack_names():
        validate_rules(resolve(tmp_path, Overrides(pack=name)), defaults)


def test_pyproject_found_walking_up_and_flags_win(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.harden]\npack = "strict"\nignore = ["H204"]\n'
        '[tool.harden.severity]\nH001 = "error"\n[tool.harden.options.H205]\nmax-lines = 30\n'
    )
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    config = resolve(deep)
    assert config.source == tmp_path / "pyproject.toml"
    assert config.fail_on is Severity.WARNING
    assert config.severity("H001", Severity.WARNING) is Severity.ERROR
    assert config.rule_options("H205", {"max-lines": 60}) == {"max-lines": 30}
    assert not config.enabled("H204") and config.enabled("H001")
    overridden = resolve(deep, Overrides(fail_on=Severity.INFO, select=["H1"]))
    assert overridden.fail_on is Severity.INFO
    assert overridden.enabled("H101") and not overridden.enabled("H001")


def test_pyproject_without_harden_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.harden]\npack = "strict"\n')
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    assert resolve(inner).source == tmp_path / "pyproject.toml"


def test_pack_by_path_relative_to_pyproject(tmp_path: Path) -> None:
    (tmp_path / "team.toml").write_text(
        'name = "team"\nextends = "default"\nfail-on = "info"\nignore = ["H502"]\n'
    )
    (tmp_path / "pyproject.toml").write_text('[tool.harden]\npack = "team.toml"\n')
    config = resolve(tmp_path)
    assert config.fail_on is Severity.INFO and not config.enabled("H502")


def test_pack_that_extends_itself_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "loop.toml").write_text('extends = "loop.toml"\n')
    with pytest.raises(ConfigError, match="extends itself"):
        load_pack("loop.toml", tmp_path)


def test_option_of_wrong_type_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.harden.options.H205]\nmax-lines = "many"\n')
    defaults = {rule.id: dict(rule.options) for rule in all_rules()}
    with pytest.raises(ConfigError, match="must be int"):
        validate_rules(resolve(tmp_path), defaults)


class _NoTodo(Rule):
    id = "H901"
    name = "todo-comment"
    severity = Severity.INFO
    summary = "A plugin rule used by the tests."
    rationale = "Plugins can add rules."
    fix = "Remove the TODO."
    valid = (Example("x = 1"),)
    invalid = (Example("x = 1  # TODO"),)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            for number, line in enumerate(cell.cell.lines, start=1):
                if "TODO" in line:
                    yield Violation("TODO left in the code", cell.index, number)


class _EntryPoint:
    name = "todo"

    def load(self) -> type[Rule]:
        return _NoTodo


def test_plugin_rules_come_from_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    real = importlib.metadata.entry_points

    def fake(**kwargs: str) -> object:
        if kwargs.get("group") == "harden.rules":
            return [_EntryPoint()]
        return real(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
    rules = all_rules()
    assert _NoTodo in rules
    config = resolve(Path("."), Overrides(select=["H901"]))
    result = lint_notebook(_NoTodo.invalid[0].notebook(), config, rules)
    assert [(f.rule_id, f.cell_index, f.line) for f in result.findings] == [("H901", 0, 1)]


def test_suppression_by_tag_and_comment() -> None:
    rules = [_NoTodo]
    config = resolve(Path("."), Overrides(select=["H901"]))
    example = Example(
        code("a = 1  # TODO", tags=["harden-ignore"]),
        code("b = 1  # TODO", tags=["harden-ignore:H901"]),
        code("c = 1  # TODO", tags=["harden-ignore:H101"]),
        code("d = 1  # TODO  # harden: ignore[H901]\ne = 2  # TODO"),
        code("f = 1  # TODO  # harden: ignore"),
        code("g = 1  # TODO  # harden: ignore[H101]"),
        code("%time h = 1  # TODO  # harden: ignore[H901]"),
        code("%time i = 1  # TODO harden ignore"),
    )
    result = lint_notebook(example.notebook(), config, rules)
    assert [(f.cell_index, f.line) for f in result.findings] == [(2, 1), (3, 2), (5, 1), (7, 1)]


@pytest.mark.parametrize("section", ["extract", "report", "lint"])
def test_a_section_no_command_reads_is_an_error(tmp_path: Path, section: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.harden.{section}]\nanything = 1\n")
    with pytest.raises(ConfigError, match=section):
        resolve(tmp_path, Overrides())


def test_the_repro_section_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.harden.repro]\nrel-tol = 0.01\n")
    assert resolve(tmp_path, Overrides()).sections["repro"] == {"rel-tol": 0.01}
