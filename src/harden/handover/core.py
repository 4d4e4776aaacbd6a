"""``harden handoff``: every step once, into a folder an engineer starts from.

One load and one analysis of the notebook serve lint, extract, the capture plan,
the pinned environment and the data manifest.  The notebook then runs **once**, in
a fresh kernel (:func:`shared_run`), with the union of the capture cells the steps
need: the frames ``expect`` profiles (inputs read from files, model inputs) and the
values ``extract --check`` compares.  That one run is judged three ways, each by
its own package's entry point:

* :func:`harden.reproducer.repro.judge_run`: the repro verdict (outputs vs stored);
* :func:`harden.expectations.expect.suites_from_run`: a GX suite per captured frame;
* :func:`harden.extractor.check_against_run`: the notebook side of ``--check``.

The run is seeded (:data:`harden.run.seeding.DEFAULT_SEED`), as ``--check`` needs
both sides seeded alike.  The module then runs in worker processes: once for the
check, once for scaffold's captures, and once per mutant in the mutation pass.
``docs/handoff.md`` says what runs how often.

Writing: every file atomically; a file harden wrote earlier and a person edited
since is never overwritten without ``force`` (each folder keeps the manifest of
what harden wrote; :func:`harden.manifests.edited_files`), checked before anything runs.  The
input notebook is only read.  A notebook that fails to run still gets its folder,
with what could be made, and the report and README say why.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harden.analysis import Analysis, analyze
from harden.config import resolve
from harden.errors import HardenError, UsageError
from harden.extractor import MANIFEST as EXTRACT_MANIFEST
from harden.extractor.names import default_module_name
from harden.manifests import (
    edited_files,
    not_overwriting,
    read_manifest,
    write_files,
)
from harden.notebook import Notebook, load
from harden.reporter.model import FrameSummary, NextStep
from harden.reporter.readiness import Readiness
from harden.scaffolder.core import MANIFEST as SCAFFOLD_MANIFEST

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

#: The steps, in order, as ``progress(step, done, total)`` names them.
STEPS = (
    "analyse",
    "run",
    "check",
    "expectations",
    "module",
    "tests",
    "mutants",
    "environment",
    "data manifest",
    "report",
)
#: What harden wrote into the handoff folder itself (README, requirements, suites...).
MANIFEST = ".harden-handoff.json"


@dataclass(frozen=True)
class HandoffResult:
    """What ``handoff`` wrote and found.  Paths are ``None`` for what could not be
    made; ``problems`` says why, one line each (also in the README and report).
    ``check`` is ``agree``, ``differ``, ``nondeterministic`` or ``None`` (not checked);
    ``mutation_score`` the share of mutants the tests kill (``None``: not measured)."""

    notebook: Path
    output_dir: Path
    package: str
    readiness: Readiness
    run_status: str
    repro_status: str
    check: str | None
    module_path: Path | None = None
    tests_dir: Path | None = None
    tests: tuple[str, ...] = ()
    mutation_score: float | None = None
    suites: tuple[Path, ...] = ()
    frames_passing: tuple[int, int] = (0, 0)
    requirements: Path | None = None
    pyproject: Path | None = None
    data_manifest: Path | None = None
    readme: Path | None = None
    report_html: Path | None = None
    report_json: Path | None = None
    problems: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    #: The notebook's section of the report (``report.html``), for a folder's index.
    report: Any = None

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())

    @property
    def complete(self) -> bool:
        """Everything was made and holds: the notebook ran, the module agrees, tests made."""
        return not self.problems

    @property
    def exit_code(self) -> int:
        return 0 if self.complete else 1


@dataclass(frozen=True)
class Layout:
    """Where each file of the handoff folder goes."""

    root: Path
    package: str
    module: str

    @property
    def package_dir(self) -> Path:
        return self.root / "src" / self.package

    @property
    def tests_dir(self) -> Path:
        return self.root / "tests"

    @property
    def expectations_dir(self) -> Path:
        return self.root / "expectations"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


# -- guarding hand-edited files ------------------------------------------------------------
def _guard(layout: Layout, force: bool) -> None:
    if force:
        return
    conflicts = guard_conflicts(layout.root, (layout.package_dir,))
    if conflicts:
        raise not_overwriting(conflicts, layout.root)


def guard_conflicts(root: Path, package_dirs: tuple[Path, ...] | None = None) -> list[str]:
    """The files under the handoff folder ``root`` a person edited since harden
    wrote them (relative to ``root``): its own files, the module's package folders
    (``package_dirs``; ``None``: every ``src/*`` folder harden wrote, for a caller that
    does not know the package's name yet) and the tests."""
    if not root.exists():
        return []
    if not root.is_dir():
        raise UsageError(f"-o {root}: exists and is not a folder")
    conflicts: list[str] = []
    own = read_manifest(root, MANIFEST)
    fixed = ["README.md", "requirements.txt", "pyproject.toml", "data-manifest.json"]
    names = sorted(set(fixed) | set(own))
    conflicts += edited_files(root, names, MANIFEST)
    if package_dirs is None:
        package_dirs = tuple(sorted(p.parent for p in (root / "src").glob(f"*/{EXTRACT_MANIFEST}")))
    folders = [(folder, EXTRACT_MANIFEST) for folder in package_dirs]
    folders.append((root / "tests", SCAFFOLD_MANIFEST))
    for folder, manifest in folders:
        recorded = sorted(read_manifest(folder, manifest))
        conflicts += [
            (folder / n).relative_to(root).as_posix()
            for n in edited_files(folder, recorded, manifest)
        ]
    return conflicts


# -- the one run ---------------------------------------------------------------------------
def shared_run(
    notebook: Notebook,
    analysis: Analysis,
    captures: tuple[Any, ...],
    scratch: Path,
    *,
    kernel: str | None = None,
    timeout: float | None = 600.0,
) -> Any:
    """Run ``notebook`` once in a fresh kernel with ``captures`` (every step's),
    seeded, letting the cells whose error is stored or expected fail as repro does."""
    from harden.reproducer.repro import expected_error_cells
    from harden.run.facts import facts_from_analysis
    from harden.run.runner import RunOptions, run_notebook
    from harden.run.seeding import DEFAULT_SEED

    options = RunOptions(
        kernel=kernel,
        timeout=timeout,
        output_dir=scratch / "run",
        captures=captures,
        capture_dir=scratch / "captured",
        seed=DEFAULT_SEED,
        expected_error_cells=expected_error_cells(notebook),
    )
    return run_notebook(notebook, options, facts=facts_from_analysis(analysis))


# -- handoff -------------------------------------------------------------------------------
def handoff(
    notebook: str | Path,
    output_dir: str | Path,
    *,
    force: bool = False,
    mutate: bool = True,
    kernel: str | None = None,
    timeout: float | None = 600.0,
    package: str | None = None,
    max_mutants: int | None = None,
    jobs: int = 2,
    progress: Progress | None = None,
) -> HandoffResult:
    """Make the handoff folder for ``notebook`` in ``output_dir``; see the module docstring."""
    from harden.handover.readme import ReadmeFacts, render_readme

    timings: dict[str, float] = {}
    current: list[tuple[str, float]] = []

    def step(name: str) -> None:
        """Close the step running (its seconds into ``timings``), start ``name``."""
        now = time.monotonic()
        if current:
            timings[current[0][0]] = round(now - current[0][1], 2)
            current.clear()
        current.append((name, now))
        if progress is not None:
            progress(name, STEPS.index(name) + 1, len(STEPS))

    step("analyse")
    nb = load(notebook)
    if not nb.is_python:
        raise UsageError(
            f"not a Python notebook (kernel {nb.kernel_name or nb.language!r}); "
            "harden hands off Python notebooks only",
            nb.path,
        )
    analysis = analyze(nb)
    lint = _lint(nb, analysis)
    extraction, extract_error = _extract(nb, analysis)
    module = (
        extraction.module_name if extraction is not None else default_module_name(Path(nb.path))
    )
    layout = Layout(Path(output_dir).resolve(), package or module, module)
    if not layout.package.isidentifier():
        raise UsageError(f"--package {layout.package!r} is not a Python identifier")
    _guard(layout, force)
    problems: list[str] = []
    if extract_error:
        problems.append(f"extract refused the notebook: {extract_error}")

    with tempfile.TemporaryDirectory(prefix="harden-handoff-") as work:
        scratch = Path(work)
        step("run")
        from harden.expectations.capture import plan
        from harden.extractor import check_against_run, check_captures, write_extraction
        from harden.reproducer.repro import judge_run

        cwd = Path(nb.path).resolve().parent
        targets = plan(analysis, cwd)
        captures = tuple(t.capture() for t in targets)
        if extraction is not None:
            captures += check_captures(extraction)
        run = shared_run(nb, analysis, captures, scratch, kernel=kernel, timeout=timeout)
        repro = judge_run(nb, analysis, run)
        if not run.ok:
            # repro's message: redacted, as everything quoted from the notebook's run
            problems.append(f"the notebook does not run in a fresh kernel: {repro.message}")

        step("check")
        check, check_error = None, None
        if extraction is None:
            check_error = extract_error  # the report says "Make the notebook extractable: ..."
        elif not run.ok:
            check_error = f"not checked: the notebook itself does not run ({run.status})"
        else:
            try:
                check = _redacted_check(
                    check_against_run(extraction, run, timeout=timeout, workdir=scratch / "check")
                )
            except HardenError as exc:
                check_error = exc.one_line()
        if check is not None and not check.agree:
            problems.append(
                f"extract --check: the module does not compute what the notebook computes "
                f"({check.status}); it was written anyway: {check.render().splitlines()[0]}"
            )
        elif check_error and extraction is not None:
            problems.append(f"extract --check: {check_error}")

        step("expectations")
        suites, frames, passing = _expectations(nb, targets, run, layout)

        step("module")
        module_path = None
        if extraction is not None:
            written = write_extraction(extraction, layout.package_dir, force=force)
            module_path = written.directory / extraction.module_file

        step("tests")
        scaffolded, tests_error = None, None
        if module_path is not None:
            scaffolded, tests_error = _tests(nb, module_path, module, layout, force, timeout)
        else:
            tests_error = "no module to test (extract refused the notebook)"
        if tests_error and module_path is not None:
            problems.append(f"tests: {tests_error}")

        step("mutants")
        mutation, mutation_error = None, None
        if scaffolded is not None and module_path is not None and mutate:
            mutation, mutation_error = _mutants(module_path, layout, max_mutants, jobs)
            if mutation_error:
                problems.append(f"mutation pass: {mutation_error}")

        step("environment")
        environment, environment_error = _environment(nb, analysis, kernel, cwd)
        if environment_error:
            problems.append(f"pinned environment: {environment_error}")

        step("data manifest")
        from harden.handover.manifest import data_manifest, read_files, render_manifest

        manifest = data_manifest(Path(nb.path), read_files(analysis, cwd), analysis)

        step("report")
        measured = _measured(
            scaffolded, tests_error, mutation, mutate, passing, environment, bool(targets), run.ok
        )
        handoff_steps = _handoff_steps(
            nb,
            scaffolded,
            tests_error if module_path is not None else None,  # no module: extract's step says it
            mutation,
            frames,
            environment,
            environment_error,
        )
        report = _report(
            nb, analysis, lint, repro, check, check_error, measured, frames, handoff_steps
        )
        notebook_report = report.notebooks[0]
        files: dict[str, str | bytes] = {
            layout.relative(path): text for path, text in suites.items()
        }
        files[layout.relative(layout.package_dir / "__init__.py")] = _init_text(layout, extraction)
        if environment is not None:
            from harden.handover.environment import render_pyproject, render_requirements

            files["requirements.txt"] = render_requirements(environment)
            files["pyproject.toml"] = render_pyproject(
                layout.package,
                module,
                environment,
                f"{module}: extracted from {Path(nb.path).name} by harden handoff",
                test_requirements=_test_requirements(layout),
            )
        files["data-manifest.json"] = render_manifest(manifest, layout.root)
        facts = ReadmeFacts(
            notebook=Path(nb.path),
            root=layout.root,
            package=layout.package,
            module=module,
            module_written=module_path is not None,
            run_name=extraction.plan.run_name if extraction is not None else None,
            parameters=tuple(p.name for p in extraction.plan.parameters)
            if extraction is not None
            else (),
            check=check,
            check_error=check_error,
            tests=scaffolded.tests if scaffolded is not None else (),
            tests_error=tests_error,
            mutation_score=mutation.score if mutation is not None else None,
            mutants=len(mutation.results) if mutation is not None else 0,
            mutate=mutate,
            suites=tuple(layout.relative(p) for p in suites),
            suite_sources=_suite_sources(suites),
            repro_status=repro.status,
            repro_message=repro.message,
            run_ok=run.ok,
            readiness=notebook_report.readiness,
            next_steps=notebook_report.next_steps,
            environment=environment,
            has_requirements=environment is not None,
            problems=tuple(problems),
        )
        files["README.md"] = render_readme(facts)
        layout.root.mkdir(parents=True, exist_ok=True)
        write_files(layout.root, files, force=force, manifest_name=MANIFEST)
        from harden.reporter import write_report

        page, data = write_report(report, layout.root, f"harden handoff: {Path(nb.path).name}")
    timings["report"] = round(time.monotonic() - current[0][1], 2)
    return HandoffResult(
        notebook=Path(nb.path),
        output_dir=layout.root,
        package=layout.package,
        readiness=notebook_report.readiness,
        run_status=run.status,
        repro_status=repro.status,
        check=check.status if check is not None else None,
        module_path=module_path,
        tests_dir=scaffolded.directory if scaffolded is not None else None,
        tests=scaffolded.tests if scaffolded is not None else (),
        mutation_score=mutation.score if mutation is not None else None,
        suites=tuple(suites),
        frames_passing=passing,
        requirements=layout.root / "requirements.txt" if environment is not None else None,
        pyproject=layout.root / "pyproject.toml" if environment is not None else None,
        data_manifest=layout.root / "data-manifest.json",
        readme=layout.root / "README.md",
        report_html=page,
        report_json=data,
        problems=tuple(problems),
        timings=timings,
        report=notebook_report,
    )


# -- the steps -----------------------------------------------------------------------------
def _lint(nb: Notebook, analysis: Analysis) -> Any:
    from harden.linter.engine import lint_notebook
    from harden.linter.registry import all_rules

    config = resolve(Path(nb.path).resolve().parent)
    return lint_notebook(nb, config, all_rules(), analysis)


def _extract(nb: Notebook, analysis: Analysis) -> tuple[Any, str | None]:
    from harden.extractor import extract

    try:
        return extract(nb, analysis=analysis), None
    except HardenError as exc:
        return None, " ".join(exc.problem.split())


def _redacted_check(check: Any) -> Any:
    from harden.secrets import redact_text

    values = tuple(replace(v, detail=redact_text(v.detail)) for v in check.values)
    error = redact_text(check.module_error) if check.module_error else check.module_error
    return replace(check, values=values, module_error=error)


def _expectations(
    nb: Notebook, targets: tuple[Any, ...], run: Any, layout: Layout
) -> tuple[dict[Path, str], tuple[FrameSummary, ...], tuple[int, int]]:
    """Suites for the captured frames, each frame's profile, and how many frames
    pass their own suite (validated here, on the captured data, with GX)."""
    from harden.expectations.data import read_parquet
    from harden.expectations.expect import suites_from_run
    from harden.expectations.options import resolve_options
    from harden.expectations.validate import validate_data
    from harden.reporter.frames import frame_summary

    options = resolve_options(Path(nb.path).resolve().parent)
    made, _ = suites_from_run(str(nb.path), targets, run, layout.expectations_dir, options)
    suites: dict[Path, str] = {}
    frames: list[FrameSummary] = []
    passed = 0
    for suite in made:
        suites[suite.path] = suite.text
        staged = suite.frame_path.with_suffix(".suite.json")
        staged.write_text(suite.text, encoding="utf-8")
        try:
            ok: bool | None = validate_data(staged, str(suite.frame_path)).success
        except HardenError as exc:
            log.warning("%s: validating %s failed: %s", nb.path, suite.target.name, exc)
            ok = False
        passed += bool(ok)
        summary = frame_summary(
            suite.target.name, read_parquet(suite.frame_path), _frame_source(suite.target)
        )
        frames.append(
            replace(
                summary,
                suite=layout.relative(suite.path),
                expectations=_expectation_lines(suite.text),
                validated=ok,
            )
        )
    return suites, tuple(frames), (passed, len(made))


def _frame_source(target: Any) -> str:
    where = f"cell {target.after_cell + 1}"
    if target.role == "input":
        return f"read from {target.source or target.variable} ({where})"
    if target.role == "model-input":
        return f"passed to a model's fit as {target.variable} ({where})"
    return f"{target.variable} ({where})"


def _expectation_lines(text: str) -> tuple[str, ...]:
    """``expect_column_values_to_be_between(age, min_value=18, max_value=90)``, one per expectation."""
    lines = []
    for item in json.loads(text).get("expectations", []):
        kwargs = dict(item.get("kwargs", {}))
        column = kwargs.pop("column", None)
        shown = [str(column)] if column is not None else []
        for key, value in sorted(kwargs.items()):
            if key in ("result_format", "catch_exceptions", "meta"):
                continue
            rendered = json.dumps(value, ensure_ascii=False, default=str)
            if len(rendered) > 80:
                rendered = rendered[:77] + "..."
            shown.append(f"{key}={rendered}")
        lines.append(f"{item.get('type', '?')}({', '.join(shown)})")
    return tuple(lines)


def _suite_sources(suites: dict[Path, str]) -> tuple[tuple[str, str | None, str], ...]:
    """(suite name, data file it describes or ``None``, role) per suite, from its provenance."""
    out = []
    for path, text in suites.items():
        meta = json.loads(text).get("meta", {}).get("harden", {})
        provenance = meta.get("provenance", meta)
        source = provenance.get("source") or {}
        out.append((path.stem, source.get("path"), str(provenance.get("role", ""))))
    return tuple(out)


def _tests(
    nb: Notebook,
    module_path: Path,
    module: str,
    layout: Layout,
    force: bool,
    timeout: float | None,
) -> tuple[Any, str | None]:
    from harden.scaffolder import Target, resolve_options, scaffold_target

    cwd = Path(nb.path).resolve().parent
    options = resolve_options(cwd)
    if timeout is not None and options.timeout and timeout < options.timeout:
        options = replace(options, timeout=timeout)
    target = Target(module_path.resolve(), module, cwd, Path(nb.path))
    try:
        return scaffold_target(target, layout.tests_dir, options, force=force), None
    except HardenError as exc:
        return None, exc.one_line()


def _mutants(
    module_path: Path, layout: Layout, max_mutants: int | None, jobs: int
) -> tuple[Any, str | None]:
    from harden.scaffolder.mutate import mutate

    try:
        return mutate(module_path, layout.tests_dir, max_mutants=max_mutants, jobs=jobs), None
    except HardenError as exc:
        return None, exc.one_line()


def _environment(
    nb: Notebook, analysis: Analysis, kernel: str | None, cwd: Path
) -> tuple[Any, str | None]:
    from harden.handover.environment import (
        imported_modules,
        kernel_distributions,
        kernel_for,
        optional_modules,
    )

    try:
        name = kernel_for(nb, kernel)
        modules = imported_modules(analysis)
        optional = optional_modules(analysis)
        return kernel_distributions(modules, name, cwd, optional=optional), None
    except HardenError as exc:
        return None, exc.one_line()


def _test_requirements(layout: Layout) -> tuple[str, ...]:
    """pytest, and pyarrow when the test fixtures hold Parquet files (frames)."""
    fixtures = layout.tests_dir / "fixtures"
    parquet = fixtures.is_dir() and any(fixtures.rglob("*.parquet"))
    return ("pytest>=8",) + (("pyarrow",) if parquet else ())


def _init_text(layout: Layout, extraction: Any) -> str:
    """The package's ``__init__.py``: a docstring naming the module (built with libcst)."""
    import libcst as cst

    if extraction is None:
        doc = f"{layout.package}: harden handoff could not extract the notebook."
    else:
        doc = (
            f"{layout.package}: the code of {Path(extraction.notebook_path).name}, "
            f"extracted by harden handoff; the module is {layout.package}.{layout.module} "
            f"(from {layout.package}.{layout.module} import {extraction.plan.run_name})."
        )
    statement = cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{doc}"""'))])
    return cst.Module(body=[statement]).code


def _measured(
    scaffolded: Any,
    tests_error: str | None,
    mutation: Any,
    mutate: bool,
    passing: tuple[int, int],
    environment: Any,
    planned: bool,
    ran: bool,
) -> dict[str, tuple[float, str]]:
    measured: dict[str, tuple[float, str]] = {}
    if scaffolded is None:
        measured["tests"] = (0.0, f"no tests: {tests_error}")
    elif mutation is not None:
        killed = len(mutation.results) - len(mutation.survivors)
        measured["tests"] = (
            mutation.score,
            f"{len(scaffolded.tests)} tests green; {killed} of {len(mutation.results)} "
            "mutants killed",
        )
    elif mutate:
        measured["tests"] = (0.0, "the mutation pass failed (the tests are not green)")
    # --no-mutate: the tests part is not measured (green tests that pin nothing score nothing)
    done, total = passing
    if total:
        measured["data"] = (done / total, f"{done} of {total} captured frames pass their suite")
    elif not planned and ran:
        # As an environment with nothing to pin: nothing here can break on new data.
        measured["data"] = (1.0, "the notebook reads no data frame and fits no model on one")
    elif not ran:
        measured["data"] = (0.0, "the run stopped before any frame was captured")
    else:
        measured["data"] = (0.0, "no frame to capture was a DataFrame: nothing validated")
    if environment is not None:
        pinned = {p.module for p in environment.pins}
        measured["environment"] = (
            environment.pinned_share,
            f"{len(pinned)} of {len(environment.modules)} imported packages pinned "
            f"(kernel {environment.kernel!r}, Python {environment.python_version})",
        )
    else:
        measured["environment"] = (0.0, "the kernel's environment could not be asked")
    return measured


def _handoff_steps(
    nb: Notebook,
    scaffolded: Any,
    tests_error: str | None,
    mutation: Any,
    frames: tuple[FrameSummary, ...],
    environment: Any,
    environment_error: str | None,
) -> tuple[NextStep, ...]:
    steps: list[NextStep] = []
    if scaffolded is None and tests_error:
        steps.append(NextStep(f"Make the module testable: {tests_error}", "tests"))
    if mutation is not None and mutation.survivors:
        by_function: dict[str, int] = {}
        for result in mutation.survivors:
            by_function[result.mutant.function] = by_function.get(result.mutant.function, 0) + 1
        where = ", ".join(f"{name}() ×{n}" for name, n in sorted(by_function.items()))
        first = mutation.survivors[0].mutant
        steps.append(
            NextStep(
                f"Pin more behaviour in tests/: {len(mutation.survivors)} of "
                f"{len(mutation.results)} mutants survive ({where}); the first: line "
                f"{first.line} of {first.function}(), {first.operator} {first.description}.",
                "tests",
            )
        )
    failing = [f.name for f in frames if f.validated is False]
    if failing:
        steps.append(
            NextStep(
                "Review the expectations the captured data fails: " + ", ".join(failing) + ".",
                "data",
            )
        )
    if not frames:
        steps.append(
            NextStep(
                "Add data expectations by hand: the run captured no DataFrame read from a "
                "file or passed to a model (`harden expect --frames NAME` picks others).",
                "data",
            )
        )
    if environment_error:
        steps.append(NextStep(f"Pin the environment by hand: {environment_error}", "environment"))
    elif environment is not None and environment.unresolved:
        missing = "; ".join(u.describe() for u in environment.unresolved)
        steps.append(
            NextStep(f"Add to requirements.txt what could not be pinned: {missing}.", "environment")
        )
    return tuple(steps)


def _report(
    nb: Notebook,
    analysis: Analysis,
    lint: Any,
    repro: Any,
    check: Any,
    check_error: str | None,
    measured: dict[str, tuple[float, str]],
    frames: tuple[FrameSummary, ...],
    handoff_steps: tuple[NextStep, ...],
) -> Any:
    from harden.reporter import notebook_report
    from harden.reporter.model import Report

    # The executed copy lived in the scratch folder: its path means nothing afterwards.
    repro = replace(repro, runs=tuple(replace(r, output_path=None) for r in repro.runs))
    one = notebook_report(
        str(nb.path),
        lint,
        nb,
        analysis,
        repro,
        check,
        check_error,
        measured=measured,
        frames=frames,
        handoff_steps=handoff_steps,
    )
    return Report((one,), ran=True, checked=True, options={"seeded": True}, command="handoff")


__all__ = [
    "MANIFEST",
    "STEPS",
    "HandoffResult",
    "Layout",
    "guard_conflicts",
    "handoff",
    "shared_run",
]
