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


def exported_names(analysis: Analysis) -> frozenset[str]:
    """Names listed in a literal ``__all__`` (re-exported, so used)."""
    names: set[str] = set()
    for cell in analysis.cells:
        for binding in cell.bindings:
            if (
                binding.name == "__all__"
                and binding.is_literal
                and isinstance(binding.literal, (list, tuple, set))
            ):
                names.update(str(item) for item in binding.literal)
    return frozenset(names)


def any_syntax_error(analysis: Analysis) -> bool:
    """A cell that does not parse reads names nobody can know (H209 reports it)."""
    return any(cell.syntax_error is not None for cell in analysis.cells)
