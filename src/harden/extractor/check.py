"""``harden extract --check``: do the notebook and the extracted module compute the same?

The notebook runs once in a fresh kernel through harden's papermill runner
(:func:`harden.run.runner.run_notebook`), with a capture after the last cell
of every step for each name the step returns, and after the last code cell
for ``run()``'s outputs.  The module runs ``run()`` in a fresh ``python``
process (:mod:`harden.extractor.worker`), its steps wrapped to snapshot their
returns; that process also compares the two sides.  Both run with the
notebook's folder as working directory.  This is the only part of extract
that executes notebook code, and never in this process.

Both sides are seeded identically (:mod:`harden.run.seeding`): the kernel
before its first cell, the module process before ``run()``, and
``PYTHONHASHSEED`` in both environments, so code drawing from global random
state computes the same values.  When values still differ and the analysis
finds an unseeded random call (H101) in or before the step that returned
them, the check is ``nondeterministic`` and names the call, not a difference.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harden.errors import HardenError
from harden.extractor.model import Extraction
from harden.notebook import Notebook
from harden.run.capture import Capture
from harden.run.facts import facts_from_analysis
from harden.run.runner import RunOptions, RunResult, run_notebook
from harden.run.seeding import DEFAULT_SEED, seeded_environment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValueCheck:
    """One compared value: ``step`` is ``None`` for ``run()``'s outputs."""

    step: str | None
    name: str
    outcome: str  # equal, differ, skipped
    detail: str = ""

    @property
    def where(self) -> str:
        return (
            f"run() result `{self.name}`"
            if self.step is None
            else (f"step `{self.step}` returns `{self.name}`")
        )


@dataclass(frozen=True)
class CheckResult:
    """``agree`` when every compared value is equal and the module ran.
    ``unseeded``: when values differ, the unseeded random calls (H101 findings,
    one line each) that feed them; the check is then ``nondeterministic``."""

    agree: bool
    values: tuple[ValueCheck, ...] = ()
    module_error: str | None = None
    failed_step: str | None = None
    notebook_seconds: float = 0.0
    module_seconds: float = 0.0
    unseeded: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """``agree``, ``nondeterministic`` (values differ and unseeded randomness feeds
        them) or ``differ``."""
        if self.agree:
            return "agree"
        return "nondeterministic" if self.unseeded and self.module_error is None else "differ"

    @property
    def differences(self) -> tuple[ValueCheck, ...]:
        return tuple(v for v in self.values if v.outcome == "differ")

    def render(self) -> str:
        equal = sum(1 for v in self.values if v.outcome == "equal")
        skipped = [v for v in self.values if v.outcome == "skipped"]
        lines = []
        if self.module_error is not None:
            where = f"in step `{self.failed_step}`" if self.failed_step else "on import"
            lines.append(f"check: DIFFER: the module failed {where}: {self.module_error}")
        elif self.agree:
            lines.append(
                f"check: notebook and module agree ({equal} values compared, "
                f"notebook {self.notebook_seconds:.1f}s, module "
                f"{self.module_seconds:.1f}s)"
            )
        else:
            first = self.differences[0]
            verdict = "NONDETERMINISTIC" if self.status == "nondeterministic" else "DIFFER"
            lines.append(
                f"check: {verdict}: {len(self.differences)} of {len(self.values)} values; "
                f"first at {first.where}"
            )
            lines += [f"  {v.where}: {v.detail}" for v in self.differences]
            lines += [
                f"  unseeded randomness feeds them (global state was seeded on both sides): {u}"
                for u in self.unseeded
            ]
        lines += [f"  not compared: {v.where}: {v.detail}" for v in skipped]
        return "\n".join(lines)


def check(
    extraction: Extraction,
    *,
    parameters: dict[str, Any] | None = None,
    timeout: float | None = 600.0,
    kernel: str | None = None,
    keep: str | Path | None = None,
) -> CheckResult:
    """Run both sides and compare (see the module docstring).  ``parameters``
    go to the notebook through papermill and to ``run(**parameters)``."""

    notebook = _notebook(extraction)
    parameters = _known_parameters(extraction, parameters)
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="harden-check-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        options = RunOptions(
            kernel=kernel,
            timeout=timeout,
            captures=check_captures(extraction),
            parameters=parameters,
            output_dir=workdir / "notebook",
            capture_dir=workdir / "captured",
            seed=DEFAULT_SEED,
        )
        # The facts come from the extraction's analysis: the notebook is not analysed again.
        notebook_analysis = extraction.analysis
        assert notebook_analysis is not None  # _notebook() checked it
        run = run_notebook(notebook, options, lambda: facts_from_analysis(notebook_analysis))
        return check_against_run(
            extraction, run, parameters=parameters, timeout=timeout, workdir=workdir
        )
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def check_captures(extraction: Extraction) -> tuple[Capture, ...]:
    """The captures the notebook's run needs for the check: after the last cell of
    every step, each name it returns; after the last code cell, ``run()``'s outputs.
    A run that serves other steps too (``harden handoff``) adds them to its own and
    must be seeded with :data:`~harden.run.seeding.DEFAULT_SEED`."""
    # A result extract named exists in the notebook only as the expression it showed.
    sources = dict(extraction.plan.result_sources)
    return tuple(
        Capture(
            sources.get(item["name"], item["name"]),
            after_cell=item["after"],
            format="pickle",
            label=item["label"],
        )
        for item in _labels(extraction)
    )


def check_against_run(
    extraction: Extraction,
    run: RunResult,
    *,
    parameters: dict[str, Any] | None = None,
    timeout: float | None = 600.0,
    workdir: str | Path | None = None,
) -> CheckResult:
    """The module side of the check, compared with a notebook ``run`` that carried
    :func:`check_captures` (seeded with ``DEFAULT_SEED``, with ``parameters``):
    runs ``run()`` in a fresh process and compares.  Raises :class:`HardenError`
    when the notebook run did not complete."""
    notebook = _notebook(extraction)
    parameters = _known_parameters(extraction, parameters)
    if run.status != "completed":
        raise HardenError(
            f"cannot check: the notebook itself does not run ({run.message})", notebook.path
        )
    own = workdir is None
    folder = (
        Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="harden-check-"))
    )
    try:
        labels = _labels(extraction)
        paths = {c.label: (c.path if c.ok else None) for c in run.captures}
        module_dir = folder / "module"
        module_dir.mkdir(parents=True, exist_ok=True)
        (module_dir / extraction.module_file).write_text(extraction.source, encoding="utf-8")
        spec = {
            "module_dir": str(module_dir),
            "module_name": extraction.module_name,
            "run": extraction.plan.run_name,
            "parameters": parameters,
            "steps": [{"name": s.name, "returns": list(s.returns)} for s in extraction.plan.steps],
            "outputs": list(extraction.plan.outputs),
            "labels": labels,
            "notebook": {label["label"]: paths.get(label["label"]) for label in labels},
            "result": str(folder / "result.json"),
            "seed": DEFAULT_SEED,
        }
        result = _run_worker(spec, folder, Path(notebook.path).resolve().parent, timeout)
        checked = _result(result, run.duration)
        if checked.differences:
            checked = replace(checked, unseeded=_unseeded(extraction, checked.differences))
        return checked
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def _notebook(extraction: Extraction) -> Notebook:
    analysis = extraction.analysis
    if analysis is None or not isinstance(analysis.notebook, Notebook):
        raise HardenError("internal error: the extraction carries no analysis of its notebook")
    return analysis.notebook


def _known_parameters(extraction: Extraction, parameters: dict[str, Any] | None) -> dict[str, Any]:
    parameters = dict(parameters or {})
    known = {p.name for p in extraction.plan.parameters}
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise HardenError(
            "unknown parameter(s) " + ", ".join(unknown) + "; the notebook's "
            "parameters are " + (", ".join(sorted(known)) or "none")
        )
    return parameters


def _unseeded(extraction: Extraction, differences: tuple[ValueCheck, ...]) -> tuple[str, ...]:
    """H101 findings (unseeded random calls) in or before the last step whose value differs;
    any of them when ``run()``'s own outputs differ."""
    from harden.config import resolve
    from harden.linter.engine import lint_notebook
    from harden.linter.registry import all_rules

    analysis = extraction.analysis
    if analysis is None:
        return ()
    cells_of = {step.name: max(step.cells) for step in extraction.plan.steps if step.cells}
    steps = {v.step for v in differences}
    last = max(
        (cells_of.get(step, 10**9) if step is not None else 10**9 for step in steps),
        default=10**9,
    )
    try:
        notebook = analysis.notebook
        config = resolve(Path(notebook.path).parent)
        rules = [rule for rule in all_rules() if rule.id == "H101"]
        findings = lint_notebook(notebook, config, rules, analysis).findings
    except Exception:  # a lint failure must not hide the check's result
        log.debug("H101 for the check failed", exc_info=True)
        return ()
    feeding = [
        f
        for f in findings
        if f.rule_id == "H101" and (f.cell_index is None or f.cell_index <= last)
    ]
    # Draws from global state were seeded on both sides: they cannot explain a difference.
    own_state = [f for f in feeding if not any(g in f.message for g in _GLOBAL_SEEDS)]
    return tuple(
        f"H101 at cell {f.cell_index + 1 if f.cell_index is not None else '?'}: {f.message}"
        for f in own_state or feeding
    )


#: How H101 words a draw from global state, which harden.run.seeding seeds on both sides.
_GLOBAL_SEEDS = ("no `numpy.random.seed(", "no `random.seed(", "no `torch.manual_seed(")


def _labels(extraction: Extraction) -> list[dict[str, Any]]:
    """What is compared, and after which notebook cell its value is taken: a step's
    results after its last cell, ``run()``'s after the last code cell; a result extract
    named from a shown expression after the cell that showed it (``model.predict(X)``
    evaluated at the end would use a ``model`` a later cell rebound)."""
    shown = dict(extraction.plan.result_cells)
    labels = []
    for step in extraction.plan.steps:
        for name in step.returns:
            labels.append(
                {
                    "label": f"{step.name}.{name}",
                    "step": step.name,
                    "name": name,
                    "after": shown.get(name, step.cells[-1]),
                }
            )
    cells = extraction.analysis.cells if extraction.analysis is not None else ()
    last = max((c.index for c in cells), default=0)
    for name in extraction.plan.outputs:
        after = shown.get(name, last)
        labels.append({"label": f"run.{name}", "step": None, "name": name, "after": after})
    return labels


def _run_worker(
    spec: dict[str, Any], workdir: Path, cwd: Path, timeout: float | None
) -> dict[str, Any]:
    spec_path = workdir / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    env = seeded_environment(spec.get("seed", DEFAULT_SEED), dict(os.environ, MPLBACKEND="Agg"))
    command = [sys.executable, "-m", "harden.extractor.worker", str(spec_path)]
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {
            "status": "error",
            "step": None,
            "values": [],
            "error": {"message": f"the module did not finish within {timeout:.0f}s"},
        }
    result_path = Path(spec["result"])
    if not result_path.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return {
            "status": "error",
            "step": None,
            "values": [],
            "error": {"message": f"the module process died (exit {done.returncode}): {tail[0]}"},
        }
    return json.loads(result_path.read_text(encoding="utf-8"))


def _result(data: dict[str, Any], notebook_seconds: float) -> CheckResult:
    values = tuple(
        ValueCheck(v["step"], v["name"], v["outcome"], v.get("detail", ""))
        for v in data.get("values", [])
    )
    if data.get("status") != "ok":
        error = data.get("error", {})
        message = f"{error.get('type', 'Error')}: {error.get('message', '')}".strip(": ")
        return CheckResult(
            False, values, message, data.get("step"), notebook_seconds, data.get("seconds", 0.0)
        )
    agree = all(v.outcome != "differ" for v in values)
    return CheckResult(agree, values, None, None, notebook_seconds, data.get("seconds", 0.0))
