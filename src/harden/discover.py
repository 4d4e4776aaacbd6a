"""Finding notebooks under the paths a user names.

Folders are searched recursively for ``*.ipynb``, skipping checkpoints and
tool folders; a ``.py`` file named explicitly is read as a Jupytext percent
script.  Problems (a missing path, a folder without notebooks) become
targets with an ``error`` so the rest of a batch still runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harden.errors import HardenError, NotebookError

SKIP_DIRS = frozenset(
    {
        ".ipynb_checkpoints",
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "site-packages",
    }
)


@dataclass(frozen=True)
class Target:
    path: Path
    error: HardenError | None = None


def discover(paths: Iterable[str | Path]) -> list[Target]:
    """Targets in the order given; a folder's notebooks sorted by path."""
    targets: list[Target] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            targets.append(Target(path, NotebookError("no such file or directory", path)))
        elif path.is_dir():
            found = sorted(_walk(path))
            if not found:
                targets.append(Target(path, NotebookError("no notebooks (*.ipynb) found", path)))
            targets.extend(Target(p) for p in found if p.resolve() not in seen)
            seen.update(p.resolve() for p in found)
        elif path.resolve() not in seen:
            seen.add(path.resolve())
            targets.append(Target(path))
    return targets


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for child in folder.iterdir():
        if child.is_dir():
            if child.name not in SKIP_DIRS and not child.name.startswith("."):
                found.extend(_walk(child))
        elif child.suffix == ".ipynb" and not child.name.startswith("."):
            found.append(child)
    return found
