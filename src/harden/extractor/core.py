"""``extract()``: notebook → module source, log and step plan.  Writes nothing, runs nothing."""

from __future__ import annotations

import builtins
import keyword
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from harden.analysis import Analysis, analyze
from harden.errors import ExtractionError, HardenError, UsageError
from harden.extractor import parameters as params_mod
from harden.extractor.build import BuildInput, build
from harden.extractor.cells import CellCode, cell_code
from harden.extractor.classify import Layout, classify
from harden.extractor.model import SPLITS, Extraction, LogEntry, Plan
from harden.extractor.plan import make_plan, reserved_names
from harden.extractor.refuse import refusal_message, state_problems
from harden.extractor.sections import split, title_and_summary
from harden.notebook import Notebook, load, tags

log = logging.getLogger(__name__)


def extract(
    path_or_notebook: str | Path | Notebook,
    *,
    module_name: str | None = None,
    split: str = "headings",
    outputs: Sequence[str] | None = None,
    drop_magics: bool = False,
    no_prints: bool = False,
    save_figures: str | None = None,
    allow_hidden_state: bool = False,
) -> Extraction:
    """Turn a notebook into a module; see ``docs/extract.md``.

    Raises :class:`~harden.errors.ExtractionError` for notebooks with
    execution-state problems (unless ``allow_hidden_state``) or magics with
    no Python equivalent (unless ``drop_magics``), :class:`UsageError` for
    bad options, :class:`NotebookError` for unreadable input.
    """
    notebook = path_or_notebook if isinstance(path_or_notebook, Notebook) else load(
        path_or_notebook)
    try:
        return _extract(notebook, module_name, split, outputs, drop_magics, no_prints,
                        save_figures, allow_hidden_state)
    except HardenError as exc:
        if exc.path is None and not isinstance(exc, UsageError):
            raise type(exc)(exc.problem, notebook.path) from None
        raise
    except RecursionError:
        raise ExtractionError("code nested too deeply to extract", notebook.path) from None


def _extract(notebook: Notebook, module_name: str | None, mode: str,
             outputs: Sequence[str] | None, drop_magics: bool, no_prints: bool,
             save_figures: str | None, allow_hidden_state: bool) -> Extraction:
    if mode not in SPLITS:
        raise UsageError(f"--split must be one of {', '.join(SPLITS)}, not {mode!r}")
    name = check_module_name(module_name) if module_name else default_module_name(notebook.path)
    if not notebook.is_python:
        raise ExtractionError(
            f"not a Python notebook (kernel {notebook.kernel_name or notebook.language!r}); "
            "harden extracts Python notebooks only")
    analysis = analyze(notebook)
    imported = {i.module.lstrip(".").split(".")[0] for c in analysis.cells for i in c.imports}
    if name in imported and not module_name:
        name = f"{name}_notebook"  # `import churn` must not import the module itself
    if Path(notebook.path).suffix == ".py" and not module_name:
        name = f"{name}_module"  # a `# %%` script: never the input's own file name
    entries: list[LogEntry] = []
    hidden = _hidden_state(notebook, analysis, allow_hidden_state, entries)
    parameters, removed, notes = params_mod.resolve(analysis)
    entries += notes
    layout = classify(analysis, [p.name for p in parameters], removed)
    _refuse_global_writers(layout.kept_in_step)
    codes: dict[int, CellCode] = {}
    problems: list[LogEntry] = []
    requirements: list[str] = []
    for cell in analysis.cells:
        if cell.module is None:
            continue
        code = cell_code(cell, layout, removed, drop_magics=drop_magics, no_prints=no_prints)
        codes[cell.index] = code
        problems += code.drops.problems
        requirements += code.drops.requirements
    if problems:
        listed = "; ".join(f"cell {p.cell_index + 1}"  # type: ignore[operator]
                           + (f", line {p.line}" if p.line else "") + f": `{p.code}` ({p.message})"
                           for p in problems)
        raise ExtractionError(
            f"cannot extract: notebook-only commands with no Python equivalent: {listed}. "
            "Replace them with Python (subprocess, shutil, importing the module %run runs), "
            "or pass --drop-magics to drop them (logged as risky)")
    sections = split(notebook.cells, [c for c in sorted(codes)], mode)
    if mode == "tags" and not any(t.startswith(tags.STEP_PREFIX) for c in notebook.cells for t in c.tags):
        entries.append(LogEntry("info", "no cell is tagged step:<name>; split at headings"))
    plan, plan_notes = make_plan(analysis, sections, codes, layout, parameters,
                                 outputs=outputs, hidden=hidden)
    entries += [e for c in sorted(codes) for e in codes[c].drops.log]
    entries += plan_notes + _layout_notes(layout, codes, plan)
    definitions = {n: d for c in codes.values() for n, d in c.definitions.items()}
    title, summary = title_and_summary(notebook.cells)
    taken = reserved_names(analysis, layout, parameters) | set(plan.definitions)
    spec = BuildInput(
        notebook_name=notebook.path.name, module_name=name, title=title, summary=summary,
        folder=_folder(notebook), plan=plan, layout=layout, codes=codes,
        definitions=definitions, taken=frozenset(taken),
        notebook_names=frozenset(b.name for c in analysis.cells for b in c.bindings),
        save_figures=save_figures,
    )
    source, build_notes, local = build(spec)
    entries += build_notes
    if local:
        entries.append(LogEntry("info", "needs the local module(s) " + ", ".join(local)
                                + " beside the notebook: run the module from the notebook's "
                                "folder (it puts the working directory on sys.path)"))
    if plan.outputs:
        entries.append(LogEntry("info", "run() returns " + ", ".join(plan.outputs)))
    entries.sort(key=lambda e: (e.cell_index is None, e.cell_index or 0, e.line or 0))
    return Extraction(notebook.path, name, source, plan, tuple(entries),
                      tuple(dict.fromkeys(requirements)), local, analysis)


def _hidden_state(notebook: Notebook, analysis: Analysis, allow: bool,
                  entries: list[LogEntry]) -> list[str]:
    """Refuse on H002/H003/H209; else the names no earlier cell defines, which
    become required arguments of ``run()`` (also when a finding is suppressed
    in the notebook: the module must not read a name nothing binds)."""
    problems = state_problems(notebook, analysis)
    if problems and not allow:
        raise ExtractionError(refusal_message(problems))
    for problem in problems:
        entries.append(LogEntry("risky", f"{problem.rule_id}: {problem.message} "
                                "(extracted anyway: --allow-hidden-state)",
                                problem.cell_index, problem.line))
    hidden = [r for r in analysis.unresolved if r.kind in {"later", "undefined"}]
    reported = {(p.cell_index, p.line) for p in problems}
    for read in hidden:
        if (read.reader, read.location.line) not in reported:
            entries.append(LogEntry("risky", f"`{read.name}` is read before any cell defines "
                                    "it (finding suppressed in the notebook): a required "
                                    "argument of run()", read.reader, read.location.line))
    return list(dict.fromkeys(r.name for r in hidden if r.name.isidentifier()))


def _refuse_global_writers(kept: dict[str, str]) -> None:
    writers = sorted(n for n, reason in kept.items() if "`global`" in reason)
    if writers:
        raise ExtractionError(
            "cannot extract: " + ", ".join(f"`{n}`" for n in writers) + " assign notebook "
            "globals with `global`, which a step function cannot share; return the value "
            "from the function instead, then extract again")


def _layout_notes(layout: Layout, codes: dict[int, CellCode], plan: Plan) -> list[LogEntry]:
    notes = []
    for name in layout.constants:
        notes.append(LogEntry("moved", "literal became a module constant",
                              layout.constant_cells.get(name), None, name))
    if plan.definitions:
        notes.append(LogEntry("moved", "defined at module level: " + ", ".join(plan.definitions)))
    for name, reason in sorted(layout.kept_in_step.items()):
        notes.append(LogEntry("changed", f"kept inside its step: {reason}", None, None, name))
    for change in plan.function_changes:
        notes.append(LogEntry("changed", "reads notebook globals " + ", ".join(change.added)
                              + ": now keyword-only parameters, every call passes them",
                              layout.definition_cells.get(change.name), None, change.name))
    return notes


def _folder(notebook: Notebook) -> Path | None:
    folder = Path(notebook.path).parent
    return folder if str(notebook.path) != "<memory>" and folder.is_dir() else None


def default_module_name(path: Path) -> str:
    """``Customer LTV (v2).ipynb`` → ``customer_ltv_v2``; never a stdlib or builtin name."""
    name = re.sub(r"[^0-9a-z]+", "_", Path(path).stem.lower()).strip("_") or "notebook"
    if name[0].isdigit():
        name = f"nb_{name}"
    if name in _BAD_MODULE_NAMES or keyword.iskeyword(name):
        name = f"{name}_notebook"
    return name


def check_module_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or keyword.iskeyword(name):
        raise UsageError(f"--module-name {name!r} is not a valid Python module name")
    return name


_BAD_MODULE_NAMES = (frozenset(dir(builtins)) | frozenset(sys.stdlib_module_names)
                     | {"test", "tests", "setup", "conftest"})
