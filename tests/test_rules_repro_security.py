"""What the rule examples cannot express for H101–H107 and H301/H302:
the analysis fact they rely on, H105's per-finding severity, the overlap
between H103/H104/H105/H106 through the engine, and that secrets never
leave harden in any output format."""

from __future__ import annotations

from harden.analysis import analyze
from harden.config import Config
from harden.lint.engine import lint_notebook
from harden.lint.finding import Finding, Severity
from harden.lint.registry import all_rules
from harden.lint.rule import Example, Rule

RULES = {rule.id: rule for rule in all_rules(include_plugins=False)}


def _config(*ids: str, severities: dict[str, Severity] | None = None) -> Config:
    return Config(pack="test", select=ids, ignore=(), severities=severities or {},
                  options={}, fail_on=Severity.ERROR)


def _lint(example: Example, *ids: str, **kwargs: object) -> tuple[Finding, ...]:
    config = _config(*ids, **kwargs)  # type: ignore[arg-type]
    return lint_notebook(example.notebook(), config, [RULES[i] for i in ids]).findings


# -- analysis ------------------------------------------------------------------


def test_a_shell_cell_magic_is_recorded_once_at_its_line() -> None:
    analysis = analyze(Example("%%bash\nls", "\n\n%%writefile a.py\nx = 1", "%%time\ny = 2")
                       .notebook())
    magics = [[(m.kind, m.name, m.location.line) for m in c.magics] for c in analysis.cells]
    assert magics == [[("cell", "bash", 1)], [("cell", "writefile", 3)], [("cell", "time", 1)]]
