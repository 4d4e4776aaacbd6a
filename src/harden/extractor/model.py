"""The values extraction produces: log entries, the step plan, the extraction.

All of them are frozen: ``extract`` computes them once from the notebook's
analysis and nothing changes them afterwards.  Cell indexes are 0-based among
all cells (markdown included), lines 1-based in the cell as the user sees it,
as everywhere in harden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from harden.analysis import Analysis

LogKind = Literal["dropped", "moved", "changed", "risky", "requirement", "info"]
ParameterSource = Literal["parameters", "injected-parameters", "leading-literals", "call-literal"]


@dataclass(frozen=True)
class LogEntry:
    """One thing extraction dropped, moved or changed, and why."""

    kind: LogKind
    message: str
    cell_index: int | None = None
    line: int | None = None
    code: str = ""

    def render(self) -> str:
        """``dropped [cell 5, line 2] `df.head()`: display-only …`` (cells 1-based)."""
        parts: list[str] = [self.kind]
        if self.cell_index is not None:
            where = f"cell {self.cell_index + 1}"
            if self.line is not None:
                where += f", line {self.line}"
            parts.append(f"[{where}]")
        if self.code:
            parts.append(f"`{self.code}`")
        return " ".join(parts) + f": {self.message}"


@dataclass(frozen=True)
class ParameterSpec:
    """A ``run()`` keyword argument: the notebook name, the module-level
    default constant holding its value, the type hint, where it came from."""

    name: str
    constant: str
    type_name: str | None
    value: Any
    cell_index: int
    source: ParameterSource
    #: The literal's node, for parameters found in a call (``call-literal``).
    node: Any = field(default=None, compare=False, repr=False)

    @property
    def mutable(self) -> bool:
        return isinstance(self.value, (list, dict, set))


@dataclass(frozen=True)
class Step:
    """One step function: the cells it holds, what it receives and returns.

    ``inputs`` are the names it reads that earlier steps or parameters
    define (its parameters, in order of first use); ``returns`` the names it
    binds or mutates that later steps (or ``run``'s outputs) read.  With more
    than :data:`NAMED_RESULT_THRESHOLD` returns the step returns a
    ``NamedTuple`` named ``result_type``.
    """

    name: str
    title: str
    cells: tuple[int, ...]
    inputs: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()
    doc: str = ""
    result_type: str | None = None


@dataclass(frozen=True)
class PlotFunction:
    """A ``plot_<step>(...) -> Figure`` function: one cell's plotting statements.

    ``step`` is the step it follows (``run_and_draw()`` calls it right after
    that step), ``inputs`` the values it receives.
    """

    name: str
    step: str
    cell_index: int
    inputs: tuple[str, ...] = ()
    makes_figure: bool = False


#: Steps returning more names than this return a ``NamedTuple``.
NAMED_RESULT_THRESHOLD = 3


@dataclass(frozen=True)
class FunctionChange:
    """A notebook function that read notebook globals now takes them as
    keyword-only parameters (``added``); every call passes them."""

    name: str
    added: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """What goes where in the generated module."""

    steps: tuple[Step, ...]
    parameters: tuple[ParameterSpec, ...]
    outputs: tuple[str, ...]
    constants: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()
    function_changes: tuple[FunctionChange, ...] = ()
    hidden_inputs: tuple[str, ...] = ()
    run_name: str = "run"
    main_name: str = "main"
    plots: tuple[PlotFunction, ...] = ()
    draw_name: str = "run_and_draw"
    #: Results extract named (``cv_auc``) → the notebook expression that computes them.
    result_sources: tuple[tuple[str, str], ...] = ()
    #: Results extract named → the cell (0-based index) that showed the expression: where
    #: the notebook's value is taken (a later cell may rebind what the expression reads).
    result_cells: tuple[tuple[str, int], ...] = ()

    def step(self, name: str) -> Step | None:
        return next((step for step in self.steps if step.name == name), None)


@dataclass(frozen=True)
class Extraction:
    """The result of :func:`harden.extractor.extract`: nothing is written yet.

    ``source`` is the module (black-formatted, compiling); ``requirements``
    the packages the notebook installed with ``!pip install``;
    ``local_modules`` the modules beside the notebook it imports.
    """

    notebook_path: Path
    module_name: str
    source: str
    plan: Plan
    log: tuple[LogEntry, ...] = ()
    requirements: tuple[str, ...] = ()
    local_modules: tuple[str, ...] = ()
    analysis: Analysis | None = field(default=None, compare=False, repr=False)

    @property
    def module_file(self) -> str:
        return f"{self.module_name}.py"

    @property
    def log_text(self) -> str:
        lines = [f"harden extract: {self.notebook_path.name} -> {self.module_file}"]
        lines += [f"- {entry.render()}" for entry in self.log]
        return "\n".join(lines) + "\n"

    def files(self) -> dict[str, str]:
        """Relative file name → text, for :func:`harden.extractor.write_extraction`."""
        out = {self.module_file: self.source, f"{self.module_name}.extract.log": self.log_text}
        if self.requirements:
            out["requirements-notebook.txt"] = "\n".join(self.requirements) + "\n"
        return out
