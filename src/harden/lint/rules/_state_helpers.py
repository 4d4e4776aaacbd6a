"""Helpers shared by the execution-state and maintainability rules (H002-H006, H201-H209)."""

from __future__ import annotations

from collections.abc import Iterable

from harden.analysis.model import Analysis, UnresolvedRead


def cells_text(indexes: Iterable[int]) -> str:
    """``cell 5`` / ``cells 5 and 7`` / ``cells 2, 5 and 7`` (1-based)."""
    numbers = [str(index + 1) for index in sorted(set(indexes))]
    if len(numbers) == 1:
        return f"cell {numbers[0]}"
    return f"cells {', '.join(numbers[:-1])} and {numbers[-1]}"


def unresolved_once(analysis: Analysis, kinds: frozenset[str]) -> Iterable[UnresolvedRead]:
    """Unresolved reads of the given kinds, one per (reading cell, name)."""
    seen: set[tuple[int, str]] = set()
    for read in analysis.unresolved:
        if read.kind in kinds and (read.reader, read.name) not in seen:
            seen.add((read.reader, read.name))
            yield read


def used_names(analysis: Analysis) -> frozenset[str]:
    """Every name some cell reads anywhere (before or after binding it,
    in a function body, or expanded into a shell command)."""
    names: set[str] = set()
    for cell in analysis.cells:
        names |= cell.uses
    return frozenset(names)


def truncate(text: str, limit: int = 80) -> str:
    """The first line of ``text``, cut to ``limit`` characters."""
    lines = text.strip().splitlines()
    first = lines[0] if lines else ""
    if len(first) > limit or len(lines) > 1:
        return first[: limit - 1].rstrip() + "…"
    return first
