"""Documentation generated from the rules themselves: the README table,
``harden rules [ID]`` and ``docs/rules.md``.

Everything comes from the rule class: its docstring (ruff's template, see
:mod:`harden.linter.ruledoc`), ``options``, ``severity``, its first invalid
example ("Example") and first valid one ("Use instead"), and the shipped
packs that enable it.  Tests keep the README table (:func:`rule_table`) and
``docs/rules.md`` (:func:`rules_page`) in sync.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harden.config import Config, load_pack, pack_names
from harden.errors import UsageError
from harden.linter.examples_view import example_lines
from harden.linter.finding import Severity
from harden.linter.registry import all_rules
from harden.linter.rule import Example, Rule

SECTIONS = {
    "H0": "Execution state",
    "H1": "Reproducibility",
    "H2": "Maintainability",
    "H3": "Security",
    "H4": "ML correctness",
    "H5": "Hygiene",
}

#: The command that writes ``docs/rules.md``; the staleness test quotes it.
REGENERATE = "harden rules --format markdown-docs > docs/rules.md"

_WIDTH = 78


@dataclass(frozen=True)
class PackUse:
    """How one shipped pack treats one rule."""

    pack: str
    severity: Severity
    options: Mapping[str, Any]


def rule_table() -> str:
    """The Markdown table of every built-in rule, grouped by section."""
    lines: list[str] = []
    current = None
    for rule in all_rules(include_plugins=False):
        section = SECTIONS.get(rule.id[:2], "Other")
        if section != current:
            if current is not None:
                lines.append("")
            lines += [
                f"**{section}**",
                "",
                "| id | name | severity | flags | fix |",
                "|---|---|---|---|---|",
            ]
            current = section
        lines.append(
            f"| {rule.id} | [`{rule.name}`](docs/rules.md#{_anchor(rule)}) | "
            f"{rule.severity.value} | {_cell(rule.summary)} | {_cell(rule.fix)} |"
        )
    return "\n".join(lines) + "\n"


def rule_list() -> str:
    rows = [f"{r.id}  {r.name:<28} {r.severity.value:<8} {r.summary}" for r in all_rules()]
    return "\n".join(rows) + "\n"


def find(key: str) -> type[Rule]:
    wanted = key.strip()
    for rule in all_rules():
        if wanted.upper() == rule.id or wanted.lower() == rule.name:
            return rule
    raise UsageError(f"no rule {key!r} (see 'harden rules')")


def pack_uses(rule: type[Rule]) -> list[PackUse]:
    """The shipped packs that enable ``rule``, with the severity and options each gives it."""
    uses = []
    for name in pack_names():
        pack = load_pack(name, Path.cwd())
        scope = Config(
            pack=name,
            select=tuple(pack.get("select", ["ALL"])),
            ignore=tuple(pack.get("ignore", [])),
            severities={},
            options={},
            fail_on=Severity.ERROR,
        )
        if scope.enabled(rule.id):
            severity = pack.get("severity", {}).get(rule.id)
            uses.append(
                PackUse(
                    name,
                    Severity.parse(severity) if severity else rule.severity,
                    dict(pack.get("options", {}).get(rule.id, {})),
                )
            )
    return uses


# -- text: harden rules ID --------------------------------------------------------
def explain(key: str) -> str:
    """One rule's documentation as terminal text."""
    rule = find(key)
    parts = [f"{rule.id} {rule.name}", rule.summary, "", _availability(rule)]
    for title, body in _prose(rule):
        parts += ["", title, _fill(body)]
    if rule.options:
        parts += ["", f"Options ([tool.harden.options.{rule.id}])"]
        parts += [f"  {line}" for line in _option_lines(rule)]
    for title, example in _examples(rule):
        parts += ["", f"{title} (cells numbered from 1, as in harden's output)"]
        parts += [f"  {line}".rstrip() for line in example_lines(example, rule.id)]
    return "\n".join(parts) + "\n"


# -- markdown: docs/rules.md ---------------------------------------------------------
def rule_markdown(rule: type[Rule]) -> str:
    """One rule's documentation as a Markdown section."""
    parts = [f"## {rule.id} `{rule.name}`", "", rule.summary, "", _availability(rule)]
    for title, body in _prose(rule):
        parts += ["", f"### {title}", "", body]
    if rule.options:
        parts += [
            "",
            "### Options",
            "",
            f"In `[tool.harden.options.{rule.id}]` or a pack's `[options.{rule.id}]`:",
            "",
        ]
        parts += [f"- `{line}`" for line in _option_lines(rule)]
    for title, example in _examples(rule):
        parts += ["", f"### {title}", "", "```python", *example_lines(example, rule.id), "```"]
    return "\n".join(parts) + "\n"


def rules_page() -> str:
    """``docs/rules.md``: every built-in rule, grouped by section."""
    rules = all_rules(include_plugins=False)
    parts = [
        "<!-- Generated from the rule classes; do not edit. Regenerate with:",
        f"     {REGENERATE} -->",
        "",
        "# Rules",
        "",
        "Every rule harden ships, documented from its own class: what it flags, why, "
        "how to fix it, its options, and two of the examples its tests run: one it "
        "flags (*Example*) and one it does not (*Use instead*). Examples are notebooks "
        "written as `# %%` cells, numbered from 1 as in harden's output.",
        "",
    ]
    for section in dict.fromkeys(SECTIONS.get(r.id[:2], "Other") for r in rules):
        members = [r for r in rules if SECTIONS.get(r.id[:2], "Other") == section]
        parts.append(f"- {section}: " + ", ".join(f"[{r.id}](#{_anchor(r)})" for r in members))
    return "\n".join(parts) + "\n" + "".join("\n" + rule_markdown(rule) for rule in rules)


# -- shared pieces ---------------------------------------------------------------------
def _prose(rule: type[Rule]) -> list[tuple[str, str]]:
    parts = [
        ("What it does", rule.what),
        ("Why is this bad?", rule.rationale),
        ("How to fix it", rule.fix),
    ]
    return [(title, body) for title, body in parts if body.strip()]


def _examples(rule: type[Rule]) -> list[tuple[str, Example]]:
    found = [("Example", rule.invalid[:1]), ("Use instead", rule.valid[:1])]
    return [(title, examples[0]) for title, examples in found if examples]


def _availability(rule: type[Rule]) -> str:
    uses = pack_uses(rule)
    packs = ", ".join(
        use.pack + ("" if use.severity is rule.severity else f" (as {use.severity.value})")
        for use in uses
    )
    return f"Default severity: {rule.severity.value}. " + (
        f"Enabled by the shipped packs: {packs}." if uses else "Not enabled by any shipped pack."
    )


def _option_lines(rule: type[Rule]) -> list[str]:
    lines = []
    for key, default in rule.options.items():
        changed = [
            f"{use.pack} pack: {_value(use.options[key])}"
            for use in pack_uses(rule)
            if key in use.options
        ]
        note = f"  # {', '.join(changed)}" if changed else ""
        lines.append(f"{key} = {_value(default)}{note}")
    return lines


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}"
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _fill(text: str) -> str:
    return "\n\n".join(
        textwrap.fill(
            block,
            _WIDTH,
            initial_indent="  ",
            subsequent_indent="  ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        for block in text.split("\n\n")
    )


def _anchor(rule: type[Rule]) -> str:
    """GitHub's anchor for the heading ``## H402 `fit-on-test-data```."""
    return f"{rule.id.lower()}-{rule.name}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
