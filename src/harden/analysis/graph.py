"""The notebook-wide picture: which earlier cell provides each name a cell reads.

A cell that calls a function defined in the notebook also reads, at that
moment, the notebook-level names the function's body reads (transitively).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from harden.analysis.model import CellAnalysis, Dependency, Location, UnresolvedRead
from harden.analysis.names import is_provided


def build_graph(
    cells: Sequence[CellAnalysis],
) -> tuple[tuple[Dependency, ...], tuple[UnresolvedRead, ...]]:
    definers: dict[str, list[int]] = {}
    deleters: dict[str, list[int]] = {}
    for cell in cells:
        for name in (cell.defines | cell.provides) - cell.unbinds:
            definers.setdefault(name, []).append(cell.index)
        for name in cell.unbinds:
            deleters.setdefault(name, []).append(cell.index)
    functions: dict[str, list[tuple[int, frozenset[str]]]] = {}
    for cell in cells:
        for d in cell.definitions:
            functions.setdefault(d.name, []).append((cell.index, d.global_reads))
    star_cells = [c.index for c in cells if c.opaque]
    dependencies: list[Dependency] = []
    unresolved: list[UnresolvedRead] = []
    for cell in cells:
        for name, location, via, uncalled in _effective_reads(cell, functions):
            earlier = [i for i in definers.get(name, []) if i < cell.index]
            deleted = [i for i in deleters.get(name, []) if i < cell.index]
            if deleted and not uncalled and (not earlier or deleted[-1] > earlier[-1]):
                # ``del name`` in an earlier cell, after the last cell that bound it.
                unresolved.append(
                    UnresolvedRead(cell.index, name, location, "undefined", (), via, deleted[-1])
                )
                continue
            if earlier and not uncalled:
                dependencies.append(Dependency(cell.index, name, earlier[-1], location, via))
                continue
            if is_provided(name) or (uncalled and name in definers):
                continue
            later = tuple(i for i in definers.get(name, []) if i > cell.index)
            if via is not None and not uncalled and not later:
                # A name a function body reads that no cell defines is
                # reported where the function is defined, not at each call.
                continue
            opaque = [i for i in star_cells if i <= cell.index]
            kind: Literal["later", "undefined", "star"]
            if later:
                kind = "later"
            elif opaque:
                kind = "star"
            else:
                kind = "undefined"
            unresolved.append(
                UnresolvedRead(
                    cell.index,
                    name,
                    location,
                    kind,
                    later,
                    via,
                    opaque_in=opaque[-1] if opaque else None,
                )
            )
    return tuple(dependencies), tuple(unresolved)


def _effective_reads(
    cell: CellAnalysis, functions: dict[str, list[tuple[int, frozenset[str]]]]
) -> list[tuple[str, Location, str | None, bool]]:
    """Immediate reads, plus what called notebook functions read at call time.

    The last item is true for reads in bodies of functions this cell
    defines: those are only checked for existence.
    """
    out: list[tuple[str, Location, str | None, bool]] = []
    seen: set[str] = set()
    for read in cell.reads:
        if read.deferred:
            continue
        if read.name not in seen:
            seen.add(read.name)
            out.append((read.name, read.location, None, False))
    called = [
        (call.dotted.split(".")[0], call.location)
        for call in cell.calls
        if call.dotted and call.in_function is None
    ]
    for fn, location in called:
        for name in sorted(_closure(fn, functions, cell.index)):  # sets iterate in hash order
            if name not in seen and name not in cell.defines:
                seen.add(name)
                out.append((name, location, fn, False))
    # Reads in function bodies are also checked for existence where the
    # function is defined (a body reading a name no cell defines is a latent
    # error even if nothing calls it yet).
    checked: set[str] = set()
    for read in cell.reads:
        if read.deferred and read.name not in cell.defines and read.name not in checked:
            checked.add(read.name)
            out.append((read.name, read.location, read.in_function, True))
    return out


def _closure(fn: str, functions: dict[str, list[tuple[int, frozenset[str]]]], at: int) -> set[str]:
    """What calling ``fn`` in cell ``at`` reads: the body of the definition that cell sees
    (the latest one at or before it; a function redefined further down reads other
    names), and what the functions it calls read."""
    result: set[str] = set()
    stack = [fn]
    visited: set[str] = set()
    while stack:
        current = stack.pop()
        if current in visited:
            continue
        visited.add(current)
        body = _definition(functions.get(current, ()), at)
        if body is None:
            continue
        for name in body:
            result.add(name)
            if name in functions:
                stack.append(name)
    return result


def _definition(
    definitions: Sequence[tuple[int, frozenset[str]]], at: int
) -> frozenset[str] | None:
    """The reads of the latest definition at or before cell ``at`` (a function defined
    only further down: its first definition, which a top-to-bottom run meets first)."""
    seen = [reads for index, reads in definitions if index <= at]
    if seen:
        return seen[-1]
    return definitions[0][1] if definitions else None
