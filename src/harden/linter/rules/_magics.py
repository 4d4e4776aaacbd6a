"""What IPython-only syntax does, for H103, H104, H105 and H106.

The overlap rule of the catalogue ("report the more specific one") lives
here: :func:`specific_rule` says which of H104 (install), H103 (download) or
H106 (directory change) claims a magic, and H105 reports only what none of
them claims.  Shell command lines are split into simple commands (``a && b``,
``a; b``, ``a | b``), with ``sudo`` and ``VAR=value`` prefixes dropped.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from harden.analysis.model import CellAnalysis, Location, MagicUse
from harden.secrets import quote

#: Cell magics whose body is a shell script (``%%script`` when its interpreter is a shell).
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "zsh", "system"})
_SHELLS = frozenset({"bash", "sh", "zsh"})
#: Line magics whose argument is a shell command.
SHELL_LINE_MAGICS = frozenset({"system", "sx"})
#: Line magics that manage packages whatever their subcommand.
PACKAGE_MAGICS = frozenset({"pip", "conda", "mamba", "micromamba", "uv"})
#: Line magics that change the working directory.
DIRECTORY_MAGICS = frozenset({"cd", "pushd", "popd"})

_INSTALLERS: dict[str, frozenset[str]] = {
    "pip": frozenset({"install", "uninstall"}),
    "conda": frozenset({"install", "uninstall", "remove", "update", "upgrade", "create", "env"}),
    "mamba": frozenset({"install", "uninstall", "remove", "update", "create"}),
    "apt-get": frozenset({"install", "remove", "purge", "update", "upgrade"}),
    "apt": frozenset({"install", "remove", "purge", "update", "upgrade"}),
    "yum": frozenset({"install", "remove", "update"}),
    "brew": frozenset({"install", "uninstall", "upgrade"}),
    "npm": frozenset({"install", "i"}),
    "uv": frozenset({"add", "remove", "sync"}),
}
_DOWNLOADERS: dict[str, frozenset[str] | None] = {
    "wget": None, "curl": None, "gdown": None, "aria2c": None,
    "gsutil": frozenset({"cp", "rsync", "cat"}),
    "kaggle": frozenset({"download"}),
    "huggingface-cli": frozenset({"download"}),
}


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
    if magic.name in SHELL_CELL_MAGICS:
        return True
    return magic.name == "script" and magic.args.split()[:1] in (["bash"], ["sh"], ["zsh"])


def simple_commands(text: str) -> list[list[str]]:
    """``sudo apt-get install -y x && pip install y`` → ``[["apt-get", ...], ["pip", ...]]``."""
    commands = []
    for part in re.split(r"&&|\|\||[;|&]", text):
        try:
            words = shlex.split(part, comments=True)
        except ValueError:
            words = part.split()
        while words and (words[0] in {"sudo", "env", "time", "nohup"} or "=" in words[0]):
            words.pop(0)
        if words:
            commands.append(words)
    return commands


def is_install(words: list[str]) -> bool:
    """``pip install``, ``python -m pip install``, ``conda install``, ``apt-get install``…"""
    if words[1:3] == ["-m", "pip"] or words[:2] == ["uv", "pip"]:
        words = words[1:] if words[0] == "uv" else words[2:]  # also {sys.executable} -m pip
    tool = words[0].rsplit("/", 1)[-1]
    if re.fullmatch(r"pip[0-9.]*", tool):
        tool = "pip"
    actions = _INSTALLERS.get(tool)
    verbs = [w for w in words[1:] if not w.startswith("-")]
    return actions is not None and bool(verbs) and verbs[0] in actions


def is_download(words: list[str]) -> bool:
    """True for ``wget``, ``curl``, ``gsutil cp``, ``aws s3 cp``, ``kaggle … download``…"""
    tool = words[0].rsplit("/", 1)[-1]
    if tool == "aws":
        return words[1:2] == ["s3"] and bool(set(words[2:3]) & {"cp", "sync"})
    if tool not in _DOWNLOADERS:
        return False
    verbs = _DOWNLOADERS[tool]
    return verbs is None or bool(verbs & set(words[1:]))


def installs(command: str) -> bool:
    return any(is_install(words) for words in simple_commands(command))


def downloads(command: str) -> bool:
    return any(is_download(words) for words in simple_commands(command))


def specific_rule(magic: MagicUse, cell: CellAnalysis) -> str | None:
    """The rule that reports ``magic`` in H105's place, if any."""
    if magic.kind == "line" and magic.name in PACKAGE_MAGICS:
        return "H104"
    if magic.kind == "line" and magic.name in DIRECTORY_MAGICS:
        return "H106"
    commands = [c for c in shell_commands(cell) if c.magic is magic]
    if not commands:
        return None
    claims = ["H104" if installs(c.text) else "H103" if downloads(c.text) else None
              for c in commands]
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
