"""The handoff folder's ``README.md``: how to install and run the module, run the
tests, validate new data, what the readiness score is and what is left to do.

Everything in it comes from this handoff (:class:`ReadmeFacts`): the commands name
this package, its module, its parameters, its suites and its data files; the next
steps are the report's, in the report's order.  Markdown is plain text here, not
code: no Python is generated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harden.version import __version__


@dataclass(frozen=True)
class ReadmeFacts:
    """What the README says, gathered by :func:`harden.handover.core.handoff`."""

    notebook: Path
    root: Path
    package: str
    module: str
    module_written: bool
    run_name: str | None
    parameters: tuple[str, ...]
    check: Any
    check_error: str | None
    tests: tuple[str, ...]
    tests_error: str | None
    mutation_score: float | None
    mutants: int
    mutate: bool
    suites: tuple[str, ...]
    suite_sources: tuple[tuple[str, str | None, str], ...]
    repro_status: str
    repro_message: str
    run_ok: bool
    readiness: Any
    next_steps: tuple[Any, ...]
    environment: Any
    has_requirements: bool
    problems: tuple[str, ...] = ()


def render_readme(facts: ReadmeFacts) -> str:
    notebook_dir = _relative(facts.notebook.resolve().parent, facts.root)
    notebook = _relative(facts.notebook.resolve(), facts.root)
    score = facts.readiness.score
    lines = [
        f"# {facts.package}",
        "",
        f"The code of the notebook `{notebook}`, handed off by harden {__version__} "
        f"(`harden handoff`). Readiness: **{score if score is not None else '–'}/100** "
        "(see [report.html](report.html); the breakdown is below).",
        "",
    ]
    if facts.problems:
        lines += ["**Not everything could be made or checked:**", ""]
        lines += [f"- {problem}" for problem in facts.problems]
        lines.append("")
    lines += _layout(facts)
    lines += _install(facts, notebook_dir)
    lines += _tests(facts)
    lines += _validate(facts, notebook_dir)
    lines += _readiness(facts)
    lines += _next(facts)
    return "\n".join(lines).rstrip() + "\n"


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _layout(facts: ReadmeFacts) -> list[str]:
    module_file = f"src/{facts.package}/{facts.module}.py"
    rows = []
    if facts.module_written:
        rows.append(
            f"| `{module_file}` | the module extracted from the notebook; "
            f"`{facts.module}.extract.log` beside it says what extract dropped or changed |"
        )
    if facts.tests:
        rows.append(
            f"| `tests/` | {len(facts.tests)} characterisation tests (pytest) with the values "
            "captured from a real run in `tests/fixtures/` |"
        )
    if facts.suites:
        rows.append(
            f"| `expectations/` | {len(facts.suites)} Great Expectations suite(s), one per "
            "captured frame |"
        )
    if facts.has_requirements:
        rows.append(
            "| `requirements.txt` | the imported packages pinned to the versions the run used |"
        )
        rows.append("| `pyproject.toml` | the package, with compatible version ranges |")
    rows.append("| `data-manifest.json` | every data file the notebook read: size, sha256, shape |")
    rows.append("| `report.html`, `report.json` | the readiness report |")
    return ["## What is here", "", "| file | what it is |", "|---|---|", *rows, ""]


def _install(facts: ReadmeFacts, notebook_dir: str) -> list[str]:
    if not facts.module_written:
        return [
            "## The module",
            "",
            "No module was extracted: see the problems above and the report.",
            "",
        ]
    options = " ".join(f"--{name.replace('_', '-')} VALUE" for name in facts.parameters)
    run = facts.run_name or "run"
    lines = [
        "## Install and run",
        "",
        "```sh",
        "python -m venv .venv && . .venv/bin/activate",
        "pip install -e '.[test]'"
        + ("            # exact versions of the run: pip install -r requirements.txt"),
        f"cd {notebook_dir}    # the notebook's folder: the data paths are relative to it",
        f"python -m {facts.package}.{facts.module}"
        + (f"    # options: {options}" if options else ""),
        "```",
        "",
        f"From Python: `from {facts.package}.{facts.module} import {run}`; `{run}()` takes the notebook's "
        + (
            "parameters as keyword arguments ("
            + ", ".join(f"`{p}`" for p in facts.parameters)
            + ")"
            if facts.parameters
            else "no parameters"
        )
        + " and returns its key results.",
        "",
    ]
    if facts.check is not None:
        verdict = (
            "computes what the notebook computes"
            if facts.check.agree
            else f"does NOT compute what the notebook computes ({facts.check.status})"
        )
        first = facts.check.render().splitlines()[0]
        lines += [f"`harden extract --check`: the module {verdict}: {first}", ""]
    elif facts.check_error:
        lines += [f"`harden extract --check` did not run: {facts.check_error}", ""]
    return lines


def _tests(facts: ReadmeFacts) -> list[str]:
    lines = ["## Run the tests", ""]
    if not facts.tests:
        why = facts.tests_error or "no module to test"
        return lines + [f"No tests were generated: {why}.", ""]
    lines += [
        "```sh",
        "pytest            # from this folder; -m 'not slow' skips the end-to-end run",
        "```",
        "",
        f"{len(facts.tests)} tests call each step with the inputs captured from a real run "
        "and compare what it returns with what it returned then.",
    ]
    if facts.mutation_score is not None:
        lines.append(
            f"They kill {facts.mutation_score:.0%} of {facts.mutants} mutants of the module "
            "(small changes to its code: a test that still passes on a mutant pins too little)."
        )
    elif not facts.mutate:
        lines.append("The mutation pass was skipped (`--no-mutate`).")
    return lines + [""]


def _validate(facts: ReadmeFacts, notebook_dir: str) -> list[str]:
    lines = ["## Validate new data", ""]
    if not facts.suites:
        return lines + [
            "No frame was captured, so there is no suite: the run captured no DataFrame "
            "read from a file or passed to a model.",
            "",
        ]
    lines += [
        "Each suite in `expectations/` describes a frame of the run. Check a new file "
        "against it before running the module on it (exit 1 when it fails):",
        "",
        "```sh",
    ]
    for name, source, role in facts.suite_sources:
        if source:
            lines.append(f"harden validate expectations/{name}.json {notebook_dir}/{source}")
        else:
            what = "model input" if role == "model-input" else "frame"
            lines.append(f"harden validate expectations/{name}.json NEW_DATA.csv    # {what}")
    lines += [
        "```",
        "",
        "`data-manifest.json` lists the files the results came from, with their sha256.",
        "",
    ]
    return lines


def _readiness(facts: ReadmeFacts) -> list[str]:
    readiness = facts.readiness
    lines = [
        "## Readiness",
        "",
        f"{readiness.summary}.",
        "",
        "| part | weight | score | what was found |",
        "|---|---:|---:|---|",
    ]
    for part in readiness.parts:
        shown = "–" if part.value is None else f"{part.points:g}"
        detail = part.detail.replace("|", "\\|")
        lines.append(f"| {part.label} | {part.weight} | {shown} | {detail} |")
    return lines + [""]


def _next(facts: ReadmeFacts) -> list[str]:
    lines = ["## Next steps", ""]
    if not facts.next_steps:
        return lines + ["Nothing left that harden can see.", ""]
    for number, step in enumerate(facts.next_steps, 1):
        lines.append(f"{number}. {step.text}")
    return lines + [""]


__all__ = ["ReadmeFacts", "render_readme"]
