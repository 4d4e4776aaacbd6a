"""The passes of ``extract``, in the order :data:`~harden.extractor.core.EXTRACT_PASSES` runs them.

Each takes the :class:`~harden.extractor.state.ExtractState` so far and
returns a new one; a pass that refuses the notebook raises
:class:`~harden.errors.ExtractionError` (or :class:`UsageError` for a bad option).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import libcst as cst

from harden.analysis import analyze
from harden.errors import ExtractionError, UsageError
from harden.extractor import parameters as params_mod
from harden.extractor import plots as plots_mod
from harden.extractor.build import BuildInput, build
from harden.extractor.cells import CellCode, cell_code
from harden.extractor.classify import Layout, classify
from harden.extractor.drops import widget_names
from harden.extractor.model import LogEntry, Plan
from harden.extractor.names import check_module_name, default_module_name
from harden.extractor.nodes import Statement
from harden.extractor.plan import make_plan, reserved_names
from harden.extractor.promote import PARAMETER_MODES, promote
from harden.extractor.refuse import refusal_message, state_problems
from harden.extractor.sections import title_and_summary
from harden.extractor.splits import SPLIT_MODES, split_long, split_modes
from harden.extractor.state import ExtractState, need
from harden.notebook import Notebook


def check_split_mode(state: ExtractState) -> ExtractState:
    if state.options.split not in SPLIT_MODES:
        raise UsageError(
            f"--split must be one of {', '.join(split_modes())}, not {state.options.split!r}"
        )
    return state


def choose_module_name(state: ExtractState) -> ExtractState:
    given = state.options.module_name
    name = check_module_name(given) if given else default_module_name(state.notebook.path)
    return state.logged(name=name)


def require_python(state: ExtractState) -> ExtractState:
    notebook = state.notebook
    if not notebook.is_python:
        raise ExtractionError(
            f"not a Python notebook (kernel {notebook.kernel_name or notebook.language!r}); "
            "harden extracts Python notebooks only"
        )
    return state


def analyse(state: ExtractState) -> ExtractState:
    if state.analysis is not None:  # the caller's analysis of this notebook
        return state
    return state.logged(analysis=analyze(state.notebook))


def avoid_name_clashes(state: ExtractState) -> ExtractState:
    """A default name never shadows a module the notebook imports, nor a ``# %%`` script."""
    if state.options.module_name:
        return state
    analysis, name = need(state.analysis, "analysis"), state.name
    imported = {i.module.lstrip(".").split(".")[0] for c in analysis.cells for i in c.imports}
    if name in imported:
        name = f"{name}_notebook"  # `import churn` must not import the module itself
    if Path(state.notebook.path).suffix == ".py":
        name = f"{name}_module"  # a `# %%` script: never the input's own file name
    return state.logged(name=name)


def check_hidden_state(state: ExtractState) -> ExtractState:
    """Refuse on H002/H003/H209; else the names no earlier cell defines, which
    become required arguments of ``run()`` (also when a finding is suppressed
    in the notebook: the module must not read a name nothing binds)."""
    analysis = need(state.analysis, "analysis")
    problems = state_problems(state.notebook, analysis)
    if problems and not state.options.allow_hidden_state:
        raise ExtractionError(refusal_message(problems))
    entries = [
        LogEntry(
            "risky",
            f"{problem.rule_id}: {problem.message} (extracted anyway: --allow-hidden-state)",
            problem.cell_index,
            problem.line,
        )
        for problem in problems
    ]
    hidden = [r for r in analysis.unresolved if r.kind in {"later", "undefined"}]
    reported = {(p.cell_index, p.line) for p in problems}
    for read in hidden:
        if (read.reader, read.location.line) not in reported:
            entries.append(
                LogEntry(
                    "risky",
                    f"`{read.name}` is read before any cell defines "
                    "it (finding suppressed in the notebook): a required "
                    "argument of run()",
                    read.reader,
                    read.location.line,
                )
            )
    names = tuple(dict.fromkeys(r.name for r in hidden if r.name.isidentifier()))
    return state.logged(*entries, hidden=names)


def resolve_parameters(state: ExtractState) -> ExtractState:
    parameters, removed, notes = params_mod.resolve(need(state.analysis, "analysis"))
    return state.logged(*notes, parameters=parameters, removed=frozenset(removed))


def promote_parameters(state: ExtractState) -> ExtractState:
    """Literals in calls (paths, seeds, split sizes, grids) become parameters."""
    if state.options.parameters not in PARAMETER_MODES:
        raise UsageError(
            f"--parameters must be one of {', '.join(PARAMETER_MODES)}, "
            f"not {state.options.parameters!r}"
        )
    analysis = need(state.analysis, "analysis")
    taken = {b.name for c in analysis.cells for b in c.bindings}
    promoted = promote(analysis, state.parameters, taken, state.options.parameters)
    return state.logged(
        *promoted.log,
        parameters=(*state.parameters, *promoted.specs),
        replacements=promoted.replacements,
    )


def classify_code(state: ExtractState) -> ExtractState:
    """What is module level (imports, constants, definitions) and what stays in steps."""
    layout = classify(
        need(state.analysis, "analysis"), [p.name for p in state.parameters], set(state.removed)
    )
    # A name the module binds at module level (a hoisted import, a constant, a
    # definition) is never a run() argument, even when the notebook read it
    # before the cell that binds it: the module binds it before run() starts.
    bound = layout.module_level - layout.step_level
    kept = tuple(n for n in state.hidden if n not in bound)
    notes = [
        LogEntry(
            "info",
            "read before the cell that binds it, but bound at module level: "
            "not an argument of run()",
            layout.definition_cells.get(name, layout.constant_cells.get(name)),
            None,
            name,
        )
        for name in state.hidden
        if name in bound
    ]
    return state.logged(*notes, layout=layout, hidden=kept)


def refuse_global_writers(state: ExtractState) -> ExtractState:
    kept = need(state.layout, "layout").kept_in_step
    writers = sorted(n for n, reason in kept.items() if "`global`" in reason)
    if writers:
        raise ExtractionError(
            "cannot extract: " + ", ".join(f"`{n}`" for n in writers) + " assign notebook "
            "globals with `global`, which a step function cannot share; return the value "
            "from the function instead, then extract again"
        )
    return state


def prepare_cells(state: ExtractState) -> ExtractState:
    """Each code cell's step code: the per-cell pipeline, :data:`~harden.extractor.cells.CELL_STEPS`."""
    layout, options = need(state.layout, "layout"), state.options
    codes: dict[int, CellCode] = {}
    problems: list[LogEntry] = []
    requirements: list[str] = []
    analysis = need(state.analysis, "analysis")
    taken = reserved_names(analysis, layout, state.parameters)
    widgets = widget_names(analysis)
    for cell in analysis.cells:
        if cell.module is None:
            continue
        code = cell_code(
            cell,
            layout,
            state.removed,
            drop_magics=options.drop_magics,
            no_prints=options.no_prints,
            taken=frozenset(taken),
            replacements=state.replacements,
            widgets=widgets,
        )
        taken |= {name for name, _ in code.results}
        codes[cell.index] = code
        problems += code.drops.problems
        requirements += code.drops.requirements
    return state.logged(codes=codes, problems=tuple(problems), requirements=tuple(requirements))


def refuse_notebook_only(state: ExtractState) -> ExtractState:
    """Magics with no Python equivalent stop the extraction (unless ``--drop-magics``)."""
    if state.problems:
        listed = "; ".join(
            f"cell {p.cell_index + 1}"  # type: ignore[operator]
            + (f", line {p.line}" if p.line else "")
            + f": `{p.code}` ({p.message})"
            for p in state.problems
        )
        raise ExtractionError(
            f"cannot extract: notebook-only commands with no Python equivalent: {listed}. "
            "Replace them with Python (subprocess, shutil, importing the module %run runs), "
            "or pass --drop-magics to drop them (logged as risky)"
        )
    return state


def split_sections(state: ExtractState) -> ExtractState:
    """The split mode groups the code cells into sections, one per step."""
    mode = SPLIT_MODES[state.options.split]
    sectioning = mode(state.notebook.cells, [c for c in sorted(state.codes)])
    notes = [LogEntry("info", sectioning.note)] if sectioning.note else []
    return state.logged(*notes, sections=sectioning.sections)


def split_plots(state: ExtractState) -> ExtractState:
    """Each cell's plotting statements leave its step (:mod:`harden.extractor.plots`)."""
    analysis = need(state.analysis, "analysis")
    names = plots_mod.aliases(analysis)
    drawing = plots_mod.drawing_functions(need(state.layout, "layout").definitions, names)
    order = sorted(state.codes)
    later: dict[int, set[str]] = {}
    reads: set[str] = set(state.options.outputs or ())
    for index in reversed(order):
        later[index] = set(reads)
        reads |= state.codes[index].loads
    codes = dict(state.codes)
    found = []
    for index in order:
        compute, plot = plots_mod.partition(codes[index], names, later[index], drawing)
        if plot is None:
            continue
        codes[index] = plots_mod.rescanned(codes[index], compute)
        found.append(plot)
    sections, notes = plots_mod.split_at_plots(state.sections, found, codes)
    return state.logged(*notes, codes=codes, plots=tuple(found), sections=sections)


def split_long_sections(state: ExtractState) -> ExtractState:
    """A section longer than ``--max-step-lines`` lines is cut at its next heading level."""
    if state.options.max_step_lines < 0:
        raise UsageError(f"--max-step-lines must be 0 or more, not {state.options.max_step_lines}")
    sizes = {index: _lines(code.body) for index, code in state.codes.items()}
    sections, notes = split_long(
        state.sections, state.notebook.cells, sizes, state.options.max_step_lines
    )
    entries = [LogEntry("changed" if "split at" in n else "info", n) for n in notes]
    return state.logged(*entries, sections=sections)


def _lines(body: Sequence[Statement]) -> int:
    """Lines of code (not blank) ``body`` takes in the step once black formats it
    (indented one level, as in the step function)."""
    import black

    code = cst.Module(body=list(body)).code
    if not code.strip():
        return 0
    try:
        code = black.format_str(code, mode=black.Mode(line_length=84))
    except Exception:  # noqa: BLE001 - black raises assorted errors; count the lines as written
        pass
    return sum(1 for line in code.splitlines() if line.strip())


def log_cell_changes(state: ExtractState) -> ExtractState:
    """What the per-cell pipeline dropped and changed, cell by cell."""
    codes = state.codes
    return state.logged(*(e for c in sorted(codes) for e in codes[c].drops.log))


def plan_steps(state: ExtractState) -> ExtractState:
    """Name the steps, and what each receives and returns."""
    plan, notes = make_plan(
        need(state.analysis, "analysis"),
        list(state.sections),
        state.codes,
        need(state.layout, "layout"),
        state.parameters,
        outputs=state.options.outputs,
        hidden=list(state.hidden),
        plots=state.plots,
        prune=state.options.prune,
    )
    return state.logged(*notes, plan=plan)


def note_layout(state: ExtractState) -> ExtractState:
    """Log what moved to module level, and the functions that now take globals."""
    layout, plan = need(state.layout, "layout"), need(state.plan, "plan")
    return state.logged(*_layout_notes(layout, plan))


def build_module(state: ExtractState) -> ExtractState:
    """The module source, built with libcst and formatted."""
    analysis, layout = need(state.analysis, "analysis"), need(state.layout, "layout")
    plan, codes, notebook = need(state.plan, "plan"), state.codes, state.notebook
    definitions = {n: d for c in codes.values() for n, d in c.definitions.items()}
    title, summary = title_and_summary(notebook.cells)
    taken = reserved_names(analysis, layout, state.parameters) | set(plan.definitions)
    imports = [b for c in analysis.cells for b in c.imports]
    pyplot = next(
        (b.name for b in imports if not b.is_star and b.target == "matplotlib.pyplot"), None
    )
    if pyplot is None and any(b.is_star for b in imports) and "plt" not in taken:
        pyplot = "plt"  # by convention, from the wildcard import that brings it
    imported = pyplot is not None
    if pyplot is None:
        pyplot = "plt" if "plt" not in taken else "matplotlib.pyplot"
    spec = BuildInput(
        notebook_name=notebook.path.name,
        module_name=state.name,
        title=title,
        summary=summary,
        folder=_folder(notebook),
        plan=plan,
        layout=layout,
        codes=codes,
        definitions=definitions,
        taken=frozenset(taken),
        notebook_names=frozenset(b.name for c in analysis.cells for b in c.bindings),
        save_figures=state.options.save_figures,
        plots={plot.cell_index: plot for plot in state.plots},
        pyplot=pyplot,
        pyplot_imported=imported,
        titles={i: s.title for s in state.sections if s.title for i in s.cells},
    )
    source, notes, local, empty = build(spec)
    if empty:  # a step with no code left is not in the module: nor in the plan
        plan = dataclasses.replace(plan, steps=tuple(s for s in plan.steps if s.name not in empty))
    return state.logged(*notes, source=source, local_modules=local, plan=plan)


def note_results(state: ExtractState) -> ExtractState:
    """Log the local modules the module needs and what ``run()`` returns."""
    entries: list[LogEntry] = []
    if state.local_modules:
        entries.append(
            LogEntry(
                "info",
                "needs the local module(s) "
                + ", ".join(state.local_modules)
                + " beside the notebook: run the module from the notebook's "
                "folder (it puts the working directory on sys.path)",
            )
        )
    return state.logged(*entries)


def _layout_notes(layout: Layout, plan: Plan) -> list[LogEntry]:
    notes = []
    for name in layout.constants:
        notes.append(
            LogEntry(
                "moved",
                "literal became a module constant",
                layout.constant_cells.get(name),
                None,
                name,
            )
        )
    for cell, line in layout.configuration.values():
        notes.append(
            LogEntry(
                "moved",
                "configuration: runs once in the module's preamble, not in a step",
                cell,
                None,
                _code(line),
            )
        )
    if plan.definitions:
        notes.append(LogEntry("moved", "defined at module level: " + ", ".join(plan.definitions)))
    for name, reason in sorted(layout.kept_in_step.items()):
        notes.append(LogEntry("changed", f"kept inside its step: {reason}", None, None, name))
    for change in plan.function_changes:
        notes.append(
            LogEntry(
                "changed",
                "reads notebook globals "
                + ", ".join(change.added)
                + ": now keyword-only parameters, every call passes them",
                layout.definition_cells.get(change.name),
                None,
                change.name,
            )
        )
    return notes


def _code(line: cst.SimpleStatementLine) -> str:
    return cst.Module(body=[]).code_for_node(line.with_changes(leading_lines=[])).strip()


def _folder(notebook: Notebook) -> Path | None:
    folder = Path(notebook.path).parent
    return folder if str(notebook.path) != "<memory>" and folder.is_dir() else None
