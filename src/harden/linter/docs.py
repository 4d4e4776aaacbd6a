"""Documentation generated from the rules themselves: the README table and
``harden rules [ID]``.  A test keeps the README in sync with :func:`rule_table`."""

from __future__ import annotations

import textwrap

from harden.errors import UsageError
from harden.linter.registry import all_rules
from harden.linter.rule import Rule

SECTIONS = {"H0": "Execution state", "H1": "Reproducibility", "H2": "Maintainability",
            "H3": "Security", "H4": "ML correctness", "H5": "Hygiene"}


def rule_table() -> str:
    """The Markdown table of every built-in rule, grouped by section."""
    lines: list[str] = []
    current = None
    for rule in all_rules(include_plugins=False):
        section = SECTIONS.get(rule.id[:2], "Other")
        if section != current:
            if current is not None:
                lines.append("")
            lines += [f"**{section}**", "", "| id | name | severity | flags | fix |",
                      "|---|---|---|---|---|"]
            current = section
        lines.append(f"| {rule.id} | `{rule.name}` | {rule.severity.value} | "
                     f"{_cell(rule.summary)} | {_cell(rule.fix)} |")
    return "\n".join(lines) + "\n"


def rule_list() -> str:
    rows = [f"{r.id}  {r.name:<28} {r.severity.value:<8} {r.summary}" for r in all_rules()]
    return "\n".join(rows) + "\n"


def explain(key: str) -> str:
    rule = find(key)
    body = textwrap.fill(" ".join(rule.rationale.split()), width=78)
    options = "".join(f"  {name} = {value!r}\n" for name, value in rule.options.items())
    parts = [f"{rule.id} {rule.name} [{rule.severity.value}]", "", rule.summary, "",
             "Why it matters:", textwrap.indent(body, "  "), "", f"Fix: {rule.fix}"]
    if options:
        parts += ["", f"Options ([tool.harden.options.{rule.id}]):", options.rstrip()]
    return "\n".join(parts) + "\n"


def find(key: str) -> type[Rule]:
    wanted = key.strip()
    for rule in all_rules():
        if wanted.upper() == rule.id or wanted.lower() == rule.name:
            return rule
    raise UsageError(f"no rule {key!r} (see 'harden rules')")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
