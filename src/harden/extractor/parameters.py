"""The notebook's parameters: papermill's ``parameters`` cell, or leading literals.

A papermill ``injected-parameters`` cell (left in an executed notebook)
overrides the ``parameters`` cell, as it does when the notebook runs.  Each
parameter becomes a module-level default constant and a keyword argument of
``run()``; its assignment leaves the step code.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable

from harden.analysis import Analysis, Binding, CellAnalysis, leading_literals
from harden.extractor.model import LogEntry, ParameterSource, ParameterSpec
from harden.notebook.tags import INJECTED_PARAMETERS as INJECTED_TAG

CONFIG_TYPES = (str, int, float, bool)
SECRET_NAME = re.compile(r"(?i)(secret|passw|token|api_?key|access_?key|private_?key|credential)")
_TYPE_NAMES = {
    bool: "bool",
    int: "int",
    float: "float",
    str: "str",
    list: "list",
    dict: "dict",
    tuple: "tuple",
    set: "set",
}


def resolve(analysis: Analysis) -> tuple[tuple[ParameterSpec, ...], set[int], list[LogEntry]]:
    """Parameters, id() of the assignments that leave the steps, and log entries."""
    found: dict[str, tuple[object, CellAnalysis, Binding, ParameterSource]] = {}
    log: list[LogEntry] = []
    if analysis.parameters_cell is not None:
        cell = analysis.cell(analysis.parameters_cell)
        if cell is not None:
            for name, binding in _literals(cell):
                found[name] = (binding.literal, cell, binding, "parameters")
        injected = next((c for c in analysis.cells if INJECTED_TAG in c.cell.tags), None)
        if injected is not None:
            for name, binding in _literals(injected):
                found[name] = (binding.literal, injected, binding, INJECTED_TAG)
            log.append(
                LogEntry(
                    "info",
                    "defaults taken from papermill's injected-parameters "
                    "cell, which overrides the parameters cell",
                    injected.index,
                )
            )
        if found:
            log.append(
                LogEntry(
                    "info",
                    "parameters from the `parameters` cell: " + ", ".join(found),
                    analysis.parameters_cell,
                )
            )
    else:
        for parameter in leading_literals(analysis):
            if not isinstance(parameter.value, CONFIG_TYPES):
                continue
            if SECRET_NAME.search(parameter.name):
                log.append(
                    LogEntry(
                        "risky",
                        "looks like a secret, so it is not a command-line "
                        "option (its default would show in --help); read it from "
                        "the environment instead",
                        parameter.location.cell_index,
                        parameter.location.line,
                        parameter.name,
                    )
                )
                continue
            cell = analysis.cell(parameter.location.cell_index)
            assigned = (
                next(
                    (
                        b
                        for b in cell.bindings
                        if b.name == parameter.name and b.location == parameter.location
                    ),
                    None,
                )
                if cell
                else None
            )
            if cell is not None and assigned is not None:
                found[parameter.name] = (parameter.value, cell, assigned, "leading-literals")
        if found:
            first = min(cell.index for _, cell, _, _ in found.values())
            log.append(
                LogEntry(
                    "info",
                    "no parameters cell: the leading configuration "
                    "literals became parameters: " + ", ".join(found),
                    first,
                )
            )
    bound = {b.name for c in analysis.cells for b in c.bindings}
    specs: list[ParameterSpec] = []
    removed: set[int] = set()
    taken: set[str] = set()
    for name, (value, cell, binding, source) in found.items():
        constant = _constant(name, bound, taken, isinstance(value, (list, dict, set)))
        taken.add(constant)
        specs.append(ParameterSpec(name, constant, type_name(value), value, cell.index, source))
        removed.add(id(binding.statement))
    if analysis.parameters_cell is not None:
        # Every literal assignment of a parameter in the parameter cells leaves the steps.
        cells = {spec.cell_index for spec in specs} | {analysis.parameters_cell}
        for cell_index in cells:
            cell = analysis.cell(cell_index)
            for name, binding in _literals(cell) if cell else ():
                if name in found:
                    removed.add(id(binding.statement))
    return tuple(specs), removed, log


def _literals(cell: CellAnalysis) -> Iterable[tuple[str, Binding]]:
    for binding in cell.bindings:
        if binding.kind == "assign" and binding.is_literal and binding.statement is not None:
            yield binding.name, binding


def type_name(value: object) -> str | None:
    return _TYPE_NAMES.get(type(value))


def _constant(name: str, bound: set[str], taken: set[str], mutable: bool) -> str:
    """The module constant holding the default of parameter ``name``.

    A list, dict or set default is copied inside ``run()``, where the keyword argument
    ``name`` hides any module global of that name: ``if name is None: name =
    copy.deepcopy(CONSTANT)`` must read the module's constant, so for those the constant
    is never ``name`` itself (``C_GRID`` → ``C_GRID_DEFAULT``).  A scalar default is read
    where ``run()`` is defined, at module level, so ``ALPHA: float = ALPHA`` is right.
    """
    candidate = name.upper()
    while (
        (candidate == name and mutable)
        or (candidate in bound and candidate != name)
        or candidate in taken
        or hasattr(builtins, candidate)
    ):
        candidate += "_DEFAULT"
    return candidate
