"""The step plan: sections become steps; what each step receives and returns.

A step's *inputs* are the step-level names it reads before binding them
(in order of first use); its *returns* are the names it binds or mutates
that a later step reads (or that ``run`` returns) before another step binds
them again.  A name a step binds only conditionally (inside ``if``/``for``/
``try``) and returns is also an input when an earlier step has it, so the
earlier value survives when the branch does not run — as in the notebook.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import libcst as cst

from harden.analysis import Analysis
from harden.analysis.library import (
    EFFECT_PREFIXES,
    ESTIMATOR_PACKAGES,
    FIT_METHODS,
    SPLIT_FUNCTIONS,
)
from harden.analysis.model import CallSite
from harden.analysis.purity import is_pure_call
from harden.errors import UsageError
from harden.extractor import outputs as outputs_mod
from harden.extractor.cells import PLOT_METHODS, CellCode
from harden.extractor.classify import Layout, top_level_smalls
from harden.extractor.deadnames import scan
from harden.extractor.model import (
    NAMED_RESULT_THRESHOLD,
    FunctionChange,
    LogEntry,
    ParameterSpec,
    Plan,
    PlotFunction,
    Step,
)
from harden.extractor.nodes import Statement, free_name, wrap
from harden.extractor.plots import CellPlot, bound_names, plot_inputs, plot_log
from harden.extractor.sections import Section, identifier, is_generic

OUTPUT_KINDS = frozenset({"assign", "augmented", "walrus"})
#: With results found by meaning, the last step's values join them only when named
#: as conclusions (``results``, ``summary``, ``coefficients``); the last cell's shown ones do.
CONCLUSION_WORDS = ("result", "metric", "score", "summary", "report", "coef", "importance")
RESERVED = frozenset(
    {
        "functools",
        "argparse",
        "copy",
        "json",
        "os",
        "sys",
        "typing",
        "Any",
        "NamedTuple",
        "FIGURES_DIR",
    }
)


@dataclass(frozen=True)
class _Facts:
    cells: tuple[int, ...]
    bound: tuple[str, ...]
    named: tuple[str, ...]  # bound by assignments (not loops, imports, defs)
    conditional: frozenset[str]
    mutated: tuple[str, ...]
    inputs: tuple[str, ...]


def make_plan(
    analysis: Analysis,
    sections: Sequence[Section],
    codes: Mapping[int, CellCode],
    layout: Layout,
    parameters: Sequence[ParameterSpec],
    *,
    outputs: Sequence[str] | None,
    hidden: Sequence[str],
    plots: Sequence[CellPlot] = (),
    prune: bool = False,
) -> tuple[Plan, list[LogEntry]]:
    log: list[LogEntry] = []
    params = [p.name for p in parameters]
    flowing = layout.step_level | set(hidden)
    facts: list[tuple[Section, _Facts]] = []
    for section in sections:
        cells = tuple(i for i in section.cells if i in codes and codes[i].body)
        if not cells:
            if section.title:
                log.append(
                    LogEntry(
                        "info",
                        f"section {section.title!r} has no code left once imports, "
                        "configuration, figures and display lines are out; no step",
                        section.cells[0] if section.cells else None,
                    )
                )
            continue
        facts.append((section, _step_facts(cells, codes, layout, flowing)))
    meaning = outputs_mod.meanings(analysis, codes)
    final = _outputs(analysis, facts, codes, layout, params, hidden, outputs, meaning)
    known = list(dict.fromkeys(n for _, fact in facts for n in fact.bound))
    log += outputs_mod.notes(meaning, final, known)
    module_level = layout.module_level - set(params)
    drawn: list[list[tuple[CellPlot, tuple[str, ...]]]] = [[] for _ in facts]
    before_steps: list[tuple[CellPlot, tuple[str, ...]]] = []
    for plot in sorted(plots, key=lambda p: p.cell_index):
        inputs = plot_inputs(plot, module_level, bound_names(list(plot.body)))
        # After the step holding its cell, else after the last step before it.
        owner = None
        for position, (_, fact) in enumerate(facts):
            if fact.cells and fact.cells[0] <= plot.cell_index:
                owner = position
        if owner is None:
            before_steps.append((plot, inputs))
        else:
            drawn[owner].append((plot, inputs))
    needs = [frozenset(n for _, inputs in here for n in inputs) for here in drawn]
    returns = _returns(facts, final, set(params) | set(hidden), needs)
    taken = reserved_names(analysis, layout, parameters)
    run_name = free_name("run", taken, ("run_notebook", "run_steps"))
    main_name = free_name("main", taken, ("cli", "main_cli"))
    draw_name = free_name("run_and_draw", taken, ("run_and_plot",))
    names = _step_names(facts, codes, analysis, taken, [r for _, r in returns])
    plot_functions: list[PlotFunction] = []
    titles = {i: s.title for s in sections for i in s.cells}
    for name, here in [("", before_steps), *zip(names, drawn)]:
        for plot, inputs in here:
            holder = next((f for _, f in facts if plot.cell_index in f.cells), None)
            title = identifier(titles.get(plot.cell_index) or "") if holder is None else ""
            if title.startswith("plot_"):
                base = title
            elif title and title != "plot":
                base = f"plot_{title}"
            else:
                base = f"plot_{name.removeprefix('plot_') or 'figure'}"
            function = free_name(base, taken)
            plot_functions.append(
                PlotFunction(function, name, plot.cell_index, inputs, plot.makes_figure)
            )
            log.append(plot_log(plot, function))
    steps = []
    for (section, fact), name, (inputs, returned) in zip(facts, names, returns):
        result_type = None
        if len(returned) > NAMED_RESULT_THRESHOLD and not any(n.startswith("_") for n in returned):
            result_type = "".join(part.capitalize() for part in name.split("_") if part) + "Result"
        doc = section.title or ""
        if doc and not doc.endswith((".", "?", "!", ":")):
            doc += "."
        if doc and section.doc:
            doc = f"{doc}\n\n{section.doc}"
        doc = wrap(doc, 75)
        steps.append(
            Step(name, section.title or "", fact.cells, inputs, returned, doc, result_type)
        )
    # Values only the figures read do not keep a step alive.
    bare = _returns(facts, final, set(params) | set(hidden))
    dead = _dead_steps(analysis, steps, [r for _, r in bare], layout.configuration_calls)
    for step in dead:
        log.append(
            LogEntry(
                "dropped" if prune else "info",
                f"step {step.name}() contributes nothing to run()'s results: it only prints "
                + ("and draws; removed (--prune)" if prune else "and draws; --prune removes it"),
                step.cells[0],
            )
        )
    if prune and dead:
        gone = {step.name for step in dead}
        steps = [step for step in steps if step.name not in gone]
        plot_functions = [p for p in plot_functions if p.step not in gone]
    log += _uncalled(layout, codes, plots)
    changes = tuple(FunctionChange(n, v) for n, v in sorted(layout.changes.items()))
    plan = Plan(
        tuple(steps),
        tuple(parameters),
        final,
        tuple(layout.constants),
        tuple(layout.definitions),
        changes,
        tuple(hidden),
        run_name,
        main_name,
        tuple(plot_functions),
        draw_name,
        tuple(s for i in sorted(codes) for s in codes[i].result_sources),
        tuple((name, i) for i in sorted(codes) for name, _ in codes[i].result_sources),
    )
    return plan, log


def _step_facts(
    cells: tuple[int, ...], codes: Mapping[int, CellCode], layout: Layout, flowing: set[str]
) -> _Facts:
    bound: list[str] = []
    named: list[str] = []
    conditional: set[str] = set()
    mutated: list[str] = []
    inputs: list[str] = []
    available: set[str] = set()
    for index in cells:
        code = codes[index]
        cell = code.analysis
        top = top_level_smalls(cell.module)
        removed = {
            b.name
            for b in cell.bindings
            if b.name in flowing and b.statement is not None and id(b.statement) in layout.removed
        }
        here = [
            b
            for b in cell.bindings
            if b.name in flowing
            and b.name in code.names
            and not (b.statement is not None and id(b.statement) in layout.removed)
        ]
        bound_here = {b.name for b in here}
        # A parameter assignment left the cell: what the cell read after it is an input.
        for name in sorted(removed - bound_here):
            if (
                name in cell.local_reads
                and name in code.names
                and name not in available
                and name not in inputs
            ):
                inputs.append(name)
        for read in sorted(cell.reads, key=lambda r: (r.location.line, r.location.column or 0)):
            name = read.name
            if name not in flowing or name not in code.names or name in available:
                continue
            if read.deferred and (read.in_function in layout.definitions or name in bound_here):
                continue
            if name not in inputs:
                inputs.append(name)
        for name in code.uses:
            if name not in available and name not in inputs:
                inputs.append(name)
        for name in code.passed:
            if name in flowing and name not in available and name not in inputs:
                inputs.append(name)
        for binding in here:
            if binding.name not in bound:
                bound.append(binding.name)
            if binding.kind in OUTPUT_KINDS and binding.name not in named:
                named.append(binding.name)
            statement = binding.statement
            if (
                statement is not None
                and id(statement) not in top
                and not any(s is statement for s in cell.module.body)
            ):
                conditional.add(binding.name)
        for mutation in cell.mutations:
            if (
                mutation.name in flowing
                and mutation.name in code.names
                and mutation.name not in mutated
            ):
                mutated.append(mutation.name)
        available |= bound_here
        for name, _ in code.results:
            if name not in bound:
                bound.append(name)
                named.append(name)
            available.add(name)
    unconditional = {n for n in bound if n not in conditional}
    return _Facts(
        cells,
        tuple(bound),
        tuple(named),
        frozenset(conditional - unconditional),
        tuple(mutated),
        tuple(inputs),
    )


def _dead_steps(
    analysis: Analysis,
    steps: Sequence[Step],
    returns: Sequence[tuple[str, ...]],
    configuration: AbstractSet[int] = frozenset(),
) -> list[Step]:
    """Steps that return nothing (but what figures draw) and act on nothing else."""
    dead = []
    for step, returned in zip(steps, returns):
        if returned:
            continue
        acts = False
        for index in step.cells:
            cell = analysis.cell(index)
            if cell is None or cell.magics:
                acts = True
                continue
            calls = {c.node: c for c in cell.calls if c.node is not None}
            for call in cell.calls:
                if id(call.node) not in configuration and not _shows_only(call, calls):
                    acts = True
        if not acts:
            dead.append(step)
    return dead


def _shows_only(call: CallSite, calls: Mapping[cst.CSTNode, CallSite]) -> bool:
    """A call that only prints, draws or computes a value (never one that acts)."""
    qualified = call.qualified_name or ""
    last = (call.dotted or "").rsplit(".", 1)[-1]
    node = call.node
    if not last and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        last = node.func.attr.value  # a method of a call's result: `Model().fit(X, y)`
    if call.dotted == "print" or qualified.startswith(("matplotlib.", "seaborn.")):
        return True
    if last in PLOT_METHODS or last in FIT_METHODS:
        return True  # fitting a model nothing reads changes nothing anyone sees
    if qualified.startswith(ESTIMATOR_PACKAGES) and last[:1].isupper():
        return True  # an estimator constructed
    if last.startswith(EFFECT_PREFIXES) or call.dotted in {"input", "exec", "eval"}:
        return False
    return call.node is not None and is_pure_call(call.node, calls)


def _uncalled(
    layout: Layout, codes: Mapping[int, CellCode], plots: Sequence[CellPlot]
) -> list[LogEntry]:
    """Functions the notebook defines that nothing calls."""
    used: set[str] = set()
    for code in codes.values():
        used |= code.loads
    for plot in plots:
        used |= plot.reads
    for name, definition in layout.definitions.items():
        used |= scan([definition]).loads - {name}
    return [
        LogEntry(
            "info",
            "defined, but nothing in the notebook calls it",
            layout.definition_cells.get(name),
            None,
            name,
        )
        for name, definition in layout.definitions.items()
        if isinstance(definition, cst.FunctionDef) and name not in used
    ]


def _returns(
    facts: Sequence[tuple[Section, _Facts]],
    outputs: Sequence[str],
    start: set[str],
    drawn: Sequence[frozenset[str]] = (),
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(inputs, returns) per step, from a backward pass over what is still needed.

    ``drawn[k]`` are the values the plot functions after step ``k`` receive:
    ``run_and_draw()`` must have them right after that step."""
    drawn = list(drawn) or [frozenset() for _ in facts]
    before: list[set[str]] = []
    available = set(start)
    for _, fact in facts:
        before.append(set(available))
        available |= set(fact.bound)
    needed = set(outputs)
    out: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for (_, fact), known, plotted in zip(reversed(facts), reversed(before), reversed(drawn)):
        needed = needed | plotted
        candidates = [*fact.bound, *(n for n in fact.mutated if n not in fact.bound)]
        returned = tuple(n for n in candidates if n in needed)
        inputs = list(fact.inputs)
        for name in returned:
            if name in fact.conditional and name in known and name not in inputs:
                inputs.append(name)
        out.append((tuple(inputs), returned))
        overwritten = {n for n in fact.bound if n not in fact.conditional}
        needed = (needed - overwritten) | set(inputs)
    return list(reversed(out))


def _outputs(
    analysis: Analysis,
    facts: Sequence[tuple[Section, _Facts]],
    codes: Mapping[int, CellCode],
    layout: Layout,
    params: Sequence[str],
    hidden: Sequence[str],
    requested: Sequence[str] | None,
    meaning: outputs_mod.Meanings,
) -> tuple[str, ...]:
    results = {n for _, fact in facts for n in fact.bound}
    known = layout.step_level | layout.module_level | set(params) | set(hidden) | results
    if requested is not None:
        for name in requested:
            if name not in known:
                raise UsageError(f"--outputs: `{name}` is not a name the notebook defines")
        return tuple(dict.fromkeys(requested))
    last_binder: dict[str, _Facts] = {}
    for _, fact in facts:
        for name in fact.bound:
            last_binder[name] = fact
    conditional = frozenset(n for n, fact in last_binder.items() if n in fact.conditional)
    by_meaning = outputs_mod.choose(meaning, list(last_binder), conditional)
    chosen: list[str] = list(by_meaning)
    if facts:
        _, last = facts[-1]
        plots = _plot_names(analysis, last.cells)
        for index in last.cells:
            for binding in codes[index].analysis.bindings:
                name = binding.name
                if (
                    binding.kind in OUTPUT_KINDS
                    and name in last.bound
                    and not name.startswith("_")
                    and name not in plots
                    and name not in chosen
                    and (not by_meaning or any(w in name.lower() for w in CONCLUSION_WORDS))
                ):
                    chosen.append(name)
    # A value a section computes by a call and shows at its end (`approvals` after
    # `approvals = approval_table(scores)`) is what that section concludes.
    # Only a new name: a frame a section reworks and shows (`df = df.dropna()`) is data.
    earlier: set[str] = set(params)
    for _, fact in facts:
        closing = [c for c in fact.cells if codes[c].body or codes[c].displayed]
        computed = _computed_by_call(analysis, fact.cells) - earlier - set(fact.inputs)
        concluded = codes[closing[-1]].shown if closing else None
        if concluded in computed and concluded in fact.named and concluded not in chosen:
            chosen.append(concluded)  # in `computed`: a str
        earlier.update(fact.bound)
    shown = [c for c in sorted(codes) if codes[c].body or codes[c].displayed]
    if shown:
        for name in codes[shown[-1]].displayed:
            if (name in layout.step_level or name in params) and name not in chosen:
                chosen.append(name)
    # What the last step computes and the last cell shows, as the notebook concludes;
    # raw data, splits and unfitted estimators only when asked for.
    left_out = set(meaning.inputs) | meaning.unfitted
    return tuple(n for n in chosen if n in by_meaning or n not in left_out)


def _computed_by_call(analysis: Analysis, cells: Sequence[int]) -> set[str]:
    """Names the cells bind to the result of a call that is neither plotting nor a
    rework of the name itself (``df = df.dropna()``: still the data)."""
    plots = _plot_names(analysis, cells)
    names: set[str] = set()
    reworked: set[str] = set()
    for index in cells:
        cell = analysis.cell(index)
        for call in cell.calls if cell else ():
            names.update(call.assigned_to)
            root = (call.dotted or "").split(".", 1)[0]
            reworked.update(n for n in call.assigned_to if n == root)
        reworked.update(m.name for m in (cell.mutations if cell else ()))
    return names - plots - reworked


def _plot_names(analysis: Analysis, cells: Sequence[int]) -> set[str]:
    names: set[str] = set()
    for index in cells:
        cell = analysis.cell(index)
        for call in cell.calls if cell else ():
            qualified = call.qualified_name or ""
            if qualified.startswith(("matplotlib", "seaborn")) or call.method in PLOT_METHODS:
                names.update(call.assigned_to)
    return names


def reserved_names(
    analysis: Analysis, layout: Layout, parameters: Sequence[ParameterSpec]
) -> set[str]:
    bound = {b.name for c in analysis.cells for b in c.bindings}
    return (
        bound
        | layout.module_level
        | {p.name for p in parameters}
        | {p.constant for p in parameters}
        | set(dir(builtins))
        | RESERVED
    )


def _step_names(
    facts: Sequence[tuple[Section, _Facts]],
    codes: Mapping[int, CellCode],
    analysis: Analysis,
    taken: set[str],
    returns: Sequence[tuple[str, ...]],
) -> list[str]:
    """From the heading; from the code when there is none or it is generic (``Recap``,
    ``Step 1``); never the name of a function the module imports, defines or calls
    (``confusion_matrix``): then a verb goes first (``compute_confusion_matrix``)."""
    functions = _function_names(analysis)
    names = []
    for number, ((section, fact), returned) in enumerate(zip(facts, returns), start=1):
        title = section.title or ""
        base = identifier(title) if title and not is_generic(title) else ""
        from_heading = bool(base)
        if not base:
            base = _name_from_code(analysis, fact, codes, returned) or identifier(title)
        base = base or f"step_{number}"
        candidates = [base]
        if base in functions or base in taken:
            verb = _verb(analysis, fact) if returned and from_heading else ""
            words = base.split("_")
            # `fit_model`; the verb already in the name goes first: `split_train_test`.
            rest = "_".join(w for w in words if w != verb)
            candidates = [f"{verb}_{rest}"] if verb and rest and words[0] != verb else []
            candidates.append(f"{base}_step")
        candidates = [c for c in candidates if c not in functions] or [f"{base}_step"]
        names.append(free_name(candidates[0], taken, tuple(candidates[1:])))
    return names


def _function_names(analysis: Analysis) -> set[str]:
    """Last parts of the functions and classes the notebook calls through its imports
    (``metrics.confusion_matrix`` → ``confusion_matrix``) and those it defines."""
    found: set[str] = set()
    for cell in analysis.cells:
        for call in cell.calls:
            if call.qualified_name:
                found.add(call.qualified_name.rsplit(".", 1)[-1])
        found |= {d.name for d in cell.definitions}
        found |= {b.name for b in cell.imports if not b.is_star}
    return found


def _verb(analysis: Analysis, fact: _Facts) -> str:
    """``split`` when the step splits data, ``fit`` when it fits a model, ``load`` when
    it reads data, else ``compute``."""
    verb = "compute"
    for index in fact.cells:
        cell = analysis.cell(index)
        for call in cell.calls if cell is not None else ():
            last = (call.dotted or "").rsplit(".", 1)[-1]
            node = call.node
            if not last and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                last = node.func.attr.value  # a method of a call's result: `Model().fit(X, y)`
            if call.qualified_name in SPLIT_FUNCTIONS:
                return "split"
            if last in FIT_METHODS:
                return "fit"
            if last.startswith(("read_", "load")):
                verb = "load"
    return verb


def _name_from_code(
    analysis: Analysis, fact: _Facts, codes: Mapping[int, CellCode], returned: Sequence[str]
) -> str:
    """``load_orders``, ``compute_zscores``, ``update_readings``, ``plot_readings``…"""
    plots = _plot_names(analysis, fact.cells)
    values = [n for n in fact.named if n in returned and n not in plots] or [
        n
        for n in fact.named
        if n not in plots and n not in fact.conditional and not n.startswith("_")
    ]
    displayed = [n for i in fact.cells for n in codes[i].displayed]
    main = next((n for n in reversed(displayed) if n in values), values[-1] if values else None)
    if main is not None and main.rstrip("0123456789").endswith("_"):
        main = main.rstrip("0123456789").rstrip("_") or main  # `accuracy_2`: a second one
    calls = [
        c for i in fact.cells for cell in [analysis.cell(i)] if cell is not None for c in cell.calls
    ]
    if main is not None:
        producing = [c for c in calls if main in c.assigned_to]
        verb = "compute"
        for call in producing:
            last = (call.dotted or "").rsplit(".", 1)[-1]
            if last.startswith(("read_", "load")) or (call.qualified_name or "").endswith(
                ("read_csv", "read_parquet", "read_excel", "read_json", "load")
            ):
                verb = "load"
            elif last in {"fit", "fit_transform"}:
                verb = "fit"
        return _verb_name(verb, main)
    if plots or any(codes[i].plots for i in fact.cells):
        subject = fact.inputs[0] if fact.inputs else "figures"
        return _verb_name("plot", subject)
    mutated = [n for n in fact.mutated if n in returned] or list(fact.mutated)
    if mutated:
        return _verb_name("update", mutated[0])
    if fact.inputs:
        return _verb_name("report", fact.inputs[0])
    return ""


def _verb_name(verb: str, subject: str) -> str:
    """``compute_scores``; a subject made of stop words stays (``compute_a``, not ``compute``)."""
    name = identifier(f"{verb} {subject}")
    return name if name != verb else f"{verb}_{identifier(subject)}"


def statements_of(codes: Mapping[int, CellCode], step: Step) -> list[Statement]:
    return [s for i in step.cells for s in codes[i].body]
