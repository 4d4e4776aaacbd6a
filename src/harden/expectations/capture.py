"""Which frames to capture, read from the notebook's analysis.

* **inputs**: each variable bound to a ``pandas.read_*`` result, captured right
  after the cell that binds it, named after the source file (``customers_csv``);
* **model inputs**: the first argument of each ``.fit(...)`` call, named after
  the variable (``X_train``) or the expression (``train[feature_cols]`` →
  ``train_feature_cols``); kept only when it is a DataFrame at run time;
* **requested**: ``--frames NAME,...`` after the last cell that binds each name;
  ``--all-frames``: every top-level name at the end of each section.

The capture expression keeps only DataFrames (anything else becomes ``None``),
so no model or array is ever pickled.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harden.analysis.library import FRAME_READERS, MODEL_FIT_METHODS, READ_OPTIONS
from harden.analysis.model import Analysis, CallSite, CellAnalysis
from harden.errors import UsageError
from harden.run.capture import Capture

log = logging.getLogger(__name__)

Role = Literal["input", "model-input", "requested"]


@dataclass(frozen=True)
class Target:
    """A frame to capture: ``name`` labels the suite file, ``expression`` is
    evaluated in the kernel after cell ``after_cell``."""

    name: str
    expression: str
    after_cell: int
    role: Role
    variable: str
    source: str | None = None
    #: The reader's options, literal as written (``sep="\\s+"``), so that ``harden
    #: validate`` reads the file as the notebook did; empty for a plain read.
    read_options: tuple[tuple[str, Any], ...] = ()
    #: The options as written, when some cannot be repeated (a variable, ``**kw``).
    read_as_written: str | None = None
    #: The pandas reader the notebook called (``read_table``), for an input.
    reader: str | None = None

    def capture(self) -> Capture:
        guarded = (
            f'(lambda _v: _v if type(_v).__name__ == "DataFrame" else None)({self.expression})'
        )
        return Capture(name=guarded, after_cell=self.after_cell, format="auto", label=self.name)


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "frame"


def plan(
    analysis: Analysis,
    cwd: Path,
    frames: Sequence[str] = (),
    all_frames: bool = False,
    model_inputs: bool = True,
) -> tuple[Target, ...]:
    """The frames to capture, in notebook order, with unique names."""
    targets: list[Target] = []
    for cell in analysis.cells:
        reads: dict[str, list[tuple[str | None, str, CallSite]]] = {}
        for call in sorted(cell.calls, key=lambda c: c.order):
            if (call.qualified_name or "").startswith(FRAME_READERS):
                variable = _bound_variable(cell, call)
                if variable is not None:
                    reads.setdefault(variable, []).append(
                        (source_path(analysis, call), _read_expression(cell, call, variable), call)
                    )
            elif model_inputs and call.method in MODEL_FIT_METHODS and call.in_function is None:
                targets.extend(_model_input_target(cell, call))
        for variable, sources in reads.items():
            targets.append(_input_target(cell, variable, sources, cwd))
    for name in frames:
        definers = analysis.definers(name)
        if not definers:
            raise UsageError(f"--frames: no cell binds {name!r}", analysis.notebook.path)
        targets.append(Target(safe_name(name), name, definers[-1], "requested", name))
    if all_frames:
        targets.extend(_all_frames(analysis))
    return _unique(targets)


def _bound_variable(cell: CellAnalysis, call: CallSite) -> str | None:
    variables = call.assigned_to or tuple(
        b.name
        for b in cell.bindings
        if b.kind == "assign" and b.location.line == call.location.line
    )
    return variables[0] if len(variables) == 1 else None


def _read_expression(cell: CellAnalysis, call: CallSite, variable: str) -> str:
    """The variable when it holds the read's result at the end of the cell;
    otherwise (``pd.read_csv(...).dropna()``, rebound later in the cell) the
    read call itself, evaluated again after the cell: the frame as read."""
    direct = variable in call.assigned_to
    rebound = sum(1 for b in cell.bindings if b.name == variable) > 1 or any(
        m.name == variable for m in cell.mutations
    )
    if (direct and not rebound) or call.node is None:
        return variable
    import libcst as cst

    return " ".join(cst.Module(body=[]).code_for_node(call.node).split())


def _input_target(
    cell: CellAnalysis,
    variable: str,
    reads: list[tuple[str | None, str, CallSite]],
    cwd: Path,
) -> Target:
    """Of several reads into one variable (``if``/``else`` branches), name the
    target after the file that exists."""
    known = [r for r in reads if r[0]]
    existing = [r for r in known if "://" not in str(r[0]) and (cwd / str(r[0])).is_file()]
    source, expression, call = (existing or known or reads)[0]
    if len(reads) > 1:
        expression = variable
    name = safe_name(Path(source).name) if source else safe_name(variable)
    options, as_written = read_options(call)
    reader = (call.qualified_name or "").rsplit(".", 1)[-1] or None
    return Target(
        name, expression, cell.index, "input", variable, source, options, as_written, reader
    )


def read_options(call: CallSite) -> tuple[tuple[tuple[str, Any], ...], str | None]:
    """The options of a ``pandas.read_*`` call beyond its path, when every one is a
    literal ``harden validate`` can pass on (``(options, None)``); else ``((), the
    options as written)``: a variable, ``**kwargs``, a second positional argument, or
    an option that does not return one table (``chunksize``, ``iterator``)."""
    options: list[tuple[str, Any]] = []
    written: list[str] = []
    repeatable = True
    for position, argument in enumerate(call.args):
        if argument.keyword is None and position == 0:
            continue
        if argument.keyword in ("filepath_or_buffer", "path", "path_or_buf"):
            continue
        code = " ".join(argument.code.split())
        written.append(f"{argument.keyword}={code}" if argument.keyword else code)
        # a second positional argument, *args and **kwargs are no option names either
        if (
            argument.keyword not in READ_OPTIONS
            or not argument.is_literal
            or not _plain_json(argument.literal)
        ):
            repeatable = False
            continue
        options.append((argument.keyword, argument.literal))
    if not repeatable:
        return (), ", ".join(written)
    return tuple(options), None


def _plain_json(value: Any) -> bool:
    """A value JSON keeps as it is (no tuples or sets turned into lists silently)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v) for k, v in value.items())
    return False


def source_path(analysis: Analysis, call: CallSite) -> str | None:
    argument = call.positional(0) or call.keyword("filepath_or_buffer") or call.keyword("path")
    if argument is None:
        return None
    if argument.is_literal and isinstance(argument.literal, str):
        return str(argument.literal)
    if len(argument.names) == 1 and argument.code.strip().isidentifier():
        return literal_value(analysis, next(iter(argument.names)), call.location.cell_index)
    return None


def literal_value(analysis: Analysis, name: str, before: int) -> str | None:
    value: Any = None
    for cell in analysis.cells:
        if cell.index > before:
            break
        for binding in cell.bindings:
            if binding.name == name:
                value = binding.literal if binding.is_literal else None
    return value if isinstance(value, str) else None


def _model_input_target(cell: CellAnalysis, call: CallSite) -> list[Target]:
    argument = call.positional(0) or call.keyword("X")
    if argument is None or not argument.names:
        return []
    code = " ".join(argument.code.split())
    variable = code if code.isidentifier() else safe_name(code)
    return [Target(variable, code, cell.index, "model-input", code)]


def _all_frames(analysis: Analysis) -> list[Target]:
    """Every top-level name, at the end of each section that binds it."""
    sections: list[list[CellAnalysis]] = [[]]
    code_cells = {cell.index: cell for cell in analysis.cells}
    for cell in analysis.notebook.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#") and sections[-1]:
            sections.append([])
        if cell.index in code_cells:
            sections[-1].append(code_cells[cell.index])
    targets: list[Target] = []
    for section in sections:
        if not section:
            continue
        end = section[-1].index
        names = sorted(
            {
                b.name
                for c in section
                for b in c.bindings
                if b.kind not in ("import", "def", "class") and not b.name.startswith("_")
            }
        )
        targets.extend(Target(safe_name(n), n, end, "requested", n) for n in names)
    return targets


def _unique(targets: list[Target]) -> tuple[Target, ...]:
    """One target per (expression, cell); repeated names get ``_cell<N>`` (1-based),
    and ``_2``, ``_3``... when one cell repeats them."""
    seen: set[tuple[str, int]] = set()
    kept: list[Target] = []
    for target in targets:
        key = (target.expression, target.after_cell)
        if key in seen or any(
            t.expression == target.expression
            and t.role == "model-input"
            and target.role == "model-input"
            for t in kept
        ):
            continue
        seen.add(key)
        kept.append(target)
    counts: dict[str, int] = {}
    for target in kept:
        counts[target.name] = counts.get(target.name, 0) + 1
    result = []
    taken: set[str] = set()
    for target in kept:
        name = target.name
        if counts[name] > 1:
            name = f"{name}_cell{target.after_cell + 1}"
        # the same file read twice in one cell (other options, other variables)
        unique, number = name, 2
        while unique in taken:
            unique, number = f"{name}_{number}", number + 1
        taken.add(unique)
        if unique != target.name:
            target = dataclasses.replace(target, name=unique)
        result.append(target)
    return tuple(result)
