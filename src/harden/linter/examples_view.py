"""A rule example shown as notebook cells, in the Jupytext percent format.

Each cell starts with a ``# %% cell N`` line (1-based, like every cell number
harden prints); a markdown cell's line ends with ``[markdown]`` and its text
is commented out.  What else the example's notebook carries is said on that
line (execution count, tags) or below the source (stored outputs), so an
example about execution order or outputs still shows what the rule sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harden.linter.rule import Example, ExampleCell

_WIDTH = 72


def example_lines(example: Example, rule_id: str) -> list[str]:
    """The example's cells as percent-format lines, preceded by its settings if any."""
    lines = [f"# {note}" for note in _settings(example, rule_id)]
    cells = [raw if isinstance(raw, ExampleCell) else ExampleCell(raw) for raw in example.cells]
    counted = any(cell.execution_count is not None for cell in cells)
    for number, cell in enumerate(cells, start=1):
        if lines:
            lines.append("")
        lines.append(_header(number, cell, counted))
        if cell.cell_type == "markdown":
            lines += [f"# {line}".rstrip() for line in cell.source.splitlines()]
        else:
            lines += cell.source.splitlines()
            lines += [f"# out: {_output(output)}" for output in cell.outputs]
    return lines


def _header(number: int, cell: ExampleCell, counted: bool) -> str:
    notes = []
    if cell.cell_type == "markdown":
        head = f"# %% cell {number} [markdown]"
    else:
        head = f"# %% cell {number}"
        if counted:
            count = cell.execution_count
            notes.append(f"ran as [{count}]" if count is not None else "not run")
    if cell.tags:
        notes.append("tags: " + ", ".join(cell.tags))
    return head + "".join(f" · {note}" for note in notes)


def _settings(example: Example, rule_id: str) -> list[str]:
    notes = []
    if example.options:
        values = ", ".join(f"{key} = {_toml(value)}" for key, value in example.options.items())
        notes.append(f"with [tool.harden.options.{rule_id}] {values}")
    if (example.language, example.kernel) != ("python", "python3"):
        notes.append(f"kernel {example.kernel!r}, language {example.language!r}")
    if example.size_bytes is not None:
        notes.append(f"the notebook file is {example.size_bytes:,} bytes")
    return notes


def _output(output: Mapping[str, Any]) -> str:
    """``kind: text`` for one stored output, long text cut with its length said."""
    kind = str(output.get("output_type", "output"))
    data = output.get("data", {})
    if kind == "error":
        text = f"{output.get('ename', '')}: {output.get('evalue', '')}"
    elif kind == "stream":
        text = _text(output.get("text", ""))
    elif "text/plain" in data:
        text = _text(data["text/plain"])
    else:
        text = ", ".join(sorted(data))
    size = sum(len(_text(value)) for value in data.values()) if data else len(text)
    line = " ".join(text.split())
    if len(line) > _WIDTH:
        line = line[: _WIDTH - 1] + "…"
    return f"{kind}: {line}" + (f" ({size:,} characters)" if size > _WIDTH else "")


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)
