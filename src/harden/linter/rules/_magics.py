"""What IPython-only syntax does, for H103, H104, H105 and H106.

What a magic *is* (display-only, installer, shell…) is decided in
:mod:`harden.notebook.magics`, shared with the extractor.  The overlap rule of the catalogue ("report the more specific one") lives
here: :func:`specific_rule` says which of H104 (install), H103 (download) or
H106 (directory change) claims a magic, and H105 reports only what none of
them claims.  Shell command lines are split into simple commands by :func:`harden.notebook.magics.simple_commands`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from harden.analysis.model import CellAnalysis, Location, MagicUse
from harden.notebook import magics
from harden.notebook.magics import (
    DIRECTORY_MAGICS,
    PACKAGE_MAGICS,
    SHELL_LINE_MAGICS,
    downloads,
    installs,
)
from harden.secrets import quote


@dataclass(frozen=True)
class ShellCommand:
    """One line of shell: a ``!`` escape, ``%system``, or a line of a ``%%bash`` body."""

    text: str
    location: Location
    magic: MagicUse


def shell_commands(cell: CellAnalysis) -> Iterator[ShellCommand]:
    """Every shell command line in the cell, at the line the user sees."""
    for magic in cell.magics:
        if magic.kind in {"shell", "shell-assign"} or (
            magic.kind == "line" and magic.name in SHELL_LINE_MAGICS
        ):
            yield ShellCommand(magic.args, magic.location, magic)
        elif magic.kind == "cell" and is_shell_cell(magic) and cell.python.cell_magic:
            start = magic.location.line
            for offset, text in enumerate(cell.python.cell_magic.body.splitlines(), start=1):
                if text.strip() and not text.lstrip().startswith("#"):
                    location = Location(cell.index, start + offset, None)
                    yield ShellCommand(text.strip(), location, magic)


def is_shell_cell(magic: MagicUse) -> bool:
    return magic.kind == "cell" and magics.is_shell_cell(magic.name, magic.args)


def specific_rule(magic: MagicUse, cell: CellAnalysis) -> str | None:
    """The rule that reports ``magic`` in H105's place, if any."""
    if magic.kind == "line" and magic.name in PACKAGE_MAGICS:
        return "H104"
    if magic.kind == "line" and magic.name in DIRECTORY_MAGICS:
        return "H106"
    commands = [c for c in shell_commands(cell) if c.magic is magic]
    if not commands:
        return None
    claims = [
        "H104" if installs(c.text) else "H103" if downloads(c.text) else None for c in commands
    ]
    return claims[0] if all(claims) else None


def shown(magic: MagicUse, width: int = 40) -> str:
    """The magic as the user wrote it, shortened: ``%run helpers.py``, ``!ls -la``."""
    text = {
        "line": f"%{magic.name} {magic.args}",
        "cell": f"%%{magic.name} {magic.args}",
        "shell": f"!{magic.args}",
        "shell-assign": f"!{magic.args}",
        "help": f"{magic.args}{'??' if magic.name == 'pinfo2' else '?'}",
    }[magic.kind].strip()
    return clip(text, width)


def clip(text: str, width: int = 40) -> str:
    """Shortened for a message, with any secret in it redacted first."""
    return quote(text, width)


def command_shown(command: ShellCommand) -> str:
    """``!pip install x`` for an escape, ``pip install x`` for a line of a shell cell."""
    return shown(command.magic) if command.magic.kind != "cell" else clip(command.text)
