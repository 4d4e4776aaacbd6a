"""``scaffold()``: extract (or take) a module, run it once capturing every step's
inputs and outputs, and write a pytest package that pins what it computes.

The capture runs in a fresh ``python`` process (:mod:`harden.scaffolder.worker`)
in the module's data folder, never in harden's own process.  Files are written
atomically; a file changed since harden wrote it is kept unless ``force``
(the manifest ``.harden-scaffold.json`` records what harden wrote).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst

from harden.errors import HardenError, UsageError
from harden.manifests import remove_stale, write_files
from harden.scaffolder.contract import ContractResult, no_expectations_hint, write_contract_tests
from harden.scaffolder.generate import RESERVED, TestBuilder, Tolerances, _Body, _fill, literal
from harden.scaffolder.options import ScaffoldOptions
from harden.scaffolder.plan import ModulePlan, read_plan

MANIFEST = ".harden-scaffold.json"
CONFTEST_TEMPLATE = Path(__file__).with_name("conftest_template.py")


@dataclass(frozen=True)
class Untested:
    step: str
    reason: str


@dataclass(frozen=True)
class ScaffoldResult:
    """What ``scaffold`` wrote: the tests folder, the module it tests, the tests."""

    directory: Path
    module_path: Path
    test_file: Path
    tests: tuple[str, ...]
    untested: tuple[Untested, ...]
    fixture_bytes: int
    written: tuple[Path, ...]
    seconds: float
    #: fixtures an earlier generation wrote that these tests no longer use, deleted.
    removed: tuple[Path, ...] = ()
    #: the data contract and property tests (``expectations=``), else ``None``
    contract: ContractResult | None = None

    def render(self) -> str:
        lines = [
            f"wrote {self.test_file} ({len(self.tests)} tests of {self.module_path.name}, "
            f"fixtures {self.fixture_bytes / 1e3:.0f} kB) in {self.seconds:.1f}s"
        ]
        if self.removed:
            lines.append(f"  removed {len(self.removed)} stale fixtures harden wrote earlier")
        lines += [f"  not tested: {u.step}: {u.reason}" for u in self.untested]
        lines += self.contract.render_lines() if self.contract else [no_expectations_hint()]
        return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    """The module under test and the folder it runs in."""

    module_path: Path
    module_name: str
    data_dir: Path
    notebook: Path | None = None


def prepare_target(
    notebook: str | Path | None,
    module: str | Path | None = None,
    module_dir: str | Path | None = None,
    force: bool = False,
) -> Target:
    """The module to test: ``module`` as given, else ``notebook`` extracted and
    written into ``module_dir`` (default: the notebook's folder, as ``harden extract``)."""
    if module is not None:
        path = Path(module)
        if not path.is_file() or path.suffix != ".py":
            raise UsageError(f"--module {module}: not a Python file")
        data_dir = (
            Path(notebook).resolve().parent if notebook is not None else path.resolve().parent
        )
        return Target(path.resolve(), path.stem, data_dir, Path(notebook) if notebook else None)
    if notebook is None:
        raise UsageError("scaffold needs a notebook, or --module with an extracted module")
    from harden.extractor import extract, write_extraction

    extraction = extract(notebook)
    written = write_extraction(extraction, module_dir, force=force)
    return Target(
        (written.directory / extraction.module_file).resolve(),
        extraction.module_name,
        Path(notebook).resolve().parent,
        Path(notebook),
    )


def scaffold_target(
    target: Target,
    output_dir: str | Path,
    options: ScaffoldOptions | None = None,
    *,
    force: bool = False,
    expectations: str | Path | None = None,
) -> ScaffoldResult:
    """Capture, generate and write the tests; with ``expectations`` (a folder of
    ``harden expect`` suites), also ``test_<module>_contract.py``."""
    started = time.monotonic()
    if expectations is not None and not Path(expectations).is_dir():
        raise UsageError(f"--expectations {expectations}: not a folder")
    options = options if options is not None else ScaffoldOptions()
    output = Path(output_dir).resolve()
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output_dir}: exists and is not a folder")
    if output == target.module_path.parent:
        raise UsageError("write the tests into their own folder, not the module's")
    source = target.module_path.read_text(encoding="utf-8")
    plan = read_plan(source, target.module_name)
    staging = Path(tempfile.mkdtemp(prefix="harden-scaffold-"))
    try:
        captured = _capture(target, plan, staging / "fixtures", options)
        builder = TestBuilder(staging / "fixtures")
        tolerances = Tolerances(options.rel_tol, options.abs_tol)
        index = _index(captured)
        test_source, tests, untested = build_tests(plan, captured, builder, tolerances, target)
        files: dict[str, str | bytes] = {
            "conftest.py": build_conftest(target, output),
            f"test_{plan.module_name}.py": test_source,
            "fixtures/index.json": json.dumps(index, indent=1, sort_keys=True) + "\n",
        }
        for name in captured.get("files", []):
            files[f"fixtures/{name}"] = (staging / "fixtures" / name).read_bytes()
        written = write_files(output, files, force=force, manifest_name=MANIFEST)
        # Fixtures an earlier generation wrote that these tests no longer load (unchanged
        # since; a file a person edited or added stays).
        removed = remove_stale(output, files, under="fixtures/", manifest_name=MANIFEST)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    contract = None
    if expectations is not None:
        contract = write_contract_tests(
            plan.module_name,
            target.notebook.stem if target.notebook else target.module_name,
            captured,
            output,
            target.data_dir,
            Path(expectations),
            examples=int(options.property_examples),
            rows=int(options.property_rows),
            timeout=options.timeout,
            force=force,
            manifest=MANIFEST,
        )
    return ScaffoldResult(
        output,
        target.module_path,
        output / f"test_{plan.module_name}.py",
        tests,
        untested,
        int(captured.get("bytes", 0)),
        written.written,
        time.monotonic() - started,
        removed,
        contract,
    )


def _capture(
    target: Target, plan: ModulePlan, fixtures: Path, options: ScaffoldOptions
) -> dict[str, Any]:
    fixtures.mkdir(parents=True, exist_ok=True)
    spec = {
        "module_path": str(target.module_path),
        "module_name": target.module_name,
        "run": plan.run_name,
        "steps": [
            {"name": s.name, "targets": list(s.targets), "unpacked": s.unpacked} for s in plan.steps
        ],
        "outputs": list(plan.outputs),
        "fixtures_dir": str(fixtures),
        "per_fixture": int(options.fixture_limit_mb * 1e6),
        "total": int(options.total_limit_mb * 1e6),
        "result": str(fixtures.parent / "capture.json"),
    }
    spec_path = fixtures.parent / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    command = [sys.executable, "-m", "harden.scaffolder.worker", str(spec_path)]
    try:
        done = subprocess.run(
            command,
            cwd=target.data_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=options.timeout or None,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise HardenError(
            f"the module did not finish within {options.timeout:.0f}s", target.module_path
        ) from None
    result_path = fixtures.parent / "capture.json"
    if not result_path.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise HardenError(
            f"the capture run died (exit {done.returncode}): {tail[0]}", target.module_path
        )
    result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
    if result.get("status") != "ok":
        error = result.get("error", {})
        where = f"in step {result['step']}()" if result.get("step") else "on import"
        raise HardenError(
            f"the module fails {where}: {error.get('type')}: "
            f"{_first_and_last_line(str(error.get('message', '')))}",
            target.module_path,
        )
    return result


def _first_and_last_line(message: str) -> str:
    """A multi-line exception message (scikit-learn's "All the 10 fits failed" carries
    a whole traceback) as its first line and its last, the error that ended it."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) <= 2:
        return " ".join(lines)
    return f"{lines[0]} … {lines[-1]}"


def _index(captured: dict[str, Any]) -> dict[str, Any]:
    """Every stored file's key → how to load it (for the conftest's ``load``)."""
    index: dict[str, Any] = {}

    def walk(described: Any) -> None:
        if isinstance(described, dict):
            if "file" in described and "kind" in described:
                key = str(described.get("key") or str(described["file"]).rsplit(".", 1)[0])
                entry = {"file": described["file"], "kind": described["kind"]}
                for extra in ("tree", "name"):
                    if extra in described:
                        entry[extra] = described[extra]
                index[key] = entry
            for value in described.values():
                walk(value)
        elif isinstance(described, list):
            for value in described:
                walk(value)

    walk(captured.get("steps"))
    walk(captured.get("outputs"))
    walk(captured.get("run_stdout"))
    return index


# -- conftest ------------------------------------------------------------------------------
class _SetConstants(cst.CSTTransformer):
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        target = original.targets[0].target
        if isinstance(target, cst.Name) and target.value in self.values:
            return updated.with_changes(value=cst.SimpleString(repr(self.values[target.value])))
        return updated


def build_conftest(target: Target, output: Path) -> str:
    module = cst.parse_module(CONFTEST_TEMPLATE.read_text(encoding="utf-8"))
    values = {
        "MODULE_NAME": target.module_name,
        "MODULE_PATH": Path(os.path.relpath(target.module_path, output)).as_posix(),
        "DATA_DIR": Path(os.path.relpath(target.data_dir, output)).as_posix(),
        "NOTEBOOK_PATH": (
            Path(os.path.relpath(target.notebook.resolve(), output)).as_posix()
            if target.notebook is not None
            else ""
        ),
    }
    built = module.visit(_SetConstants(values))
    docstring = f"Fixtures for the characterisation tests of {target.module_name}"
    text = built.code.replace("Fixtures for the characterisation tests of MODULE", docstring, 1)
    return _format(text)


# -- the test module -----------------------------------------------------------------------
def build_tests(
    plan: ModulePlan,
    captured: dict[str, Any],
    builder: TestBuilder,
    tolerances: Tolerances,
    target: Target,
) -> tuple[str, tuple[str, ...], tuple[Untested, ...]]:
    functions: list[cst.FunctionDef] = []
    imports: set[str] = set()
    untested: list[Untested] = []
    signature = _signature_test(captured.get("parameters", []), plan)
    functions.append(signature[0])
    imports |= signature[1]
    seen: set[str] = set()
    for step in captured.get("steps", []):
        built = _step_test(step, builder, seen)
        if isinstance(built, Untested):
            untested.append(built)
            continue
        functions.append(built[0])
        imports |= built[1]
    end = _end_to_end(plan, captured.get("outputs", {}), builder, captured.get("run_stdout"))
    if end is not None:
        functions.append(end[0])
        imports |= end[1]
    if target.notebook is not None:
        functions.append(_notebook_test())
        imports.add("pytest")
    body: list[cst.BaseStatement | cst.BaseSmallStatement] = []
    doc = _module_doc(plan, target, untested)
    statements: list[cst.SimpleStatementLine | cst.BaseCompoundStatement] = [
        cst.SimpleStatementLine([cst.Expr(cst.SimpleString(doc))])
    ]
    for name, alias in (
        ("inspect", None),
        ("math", None),
        ("numpy", "np"),
        ("pandas", "pd"),
        ("pytest", None),
    ):
        if name in imports:
            asname = cst.AsName(cst.Name(alias)) if alias else None
            statements.append(
                cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name(name), asname)])])
            )
    statements.append(
        cst.SimpleStatementLine(
            [
                cst.Assign(
                    [cst.AssignTarget(cst.Name("RTOL"))],
                    cst.Float(repr(float(tolerances.rtol))),
                )
            ],
            leading_lines=[
                cst.EmptyLine(),
                cst.EmptyLine(
                    comment=cst.Comment("# Tolerances: [tool.harden.scaffold] rel-tol, abs-tol")
                ),
            ],
        )
    )
    statements.append(
        cst.SimpleStatementLine(
            [
                cst.Assign(
                    [cst.AssignTarget(cst.Name("ATOL"))], cst.Float(repr(float(tolerances.atol)))
                )
            ]
        )
    )
    statements.extend(functions)
    del body
    code = cst.Module(body=statements).code
    names = tuple(f.name.value for f in functions)
    return _format(code), names, tuple(untested)


def _module_doc(plan: ModulePlan, target: Target, untested: list[Untested]) -> str:
    origin = f" (extracted from {target.notebook.name})" if target.notebook else ""
    lines = [
        f"Characterisation tests of {plan.module_name}.py{origin}, written by harden scaffold.",
        "",
        "Each test calls a step with the inputs captured from one real run and compares",
        "what it returns with what it returned then: they pass on the module as it is",
        "and fail when its behaviour changes.  Regenerate (harden scaffold --force) after",
        "an intended change.  random, numpy.random and torch (when imported) are seeded with 0 before each",
        "test (conftest.py), as they were before each step of the captured run.",
        "",
        "Test dependencies: pytest, the module's own libraries"
        + (
            ", and papermill for test_notebook_still_executes (skipped without it)."
            if target.notebook is not None
            else "."
        )
        + "  Nothing here imports harden.",
    ]
    if untested:
        lines += ["", "Not tested:"]
        lines += [f"- {u.step}: {u.reason}" for u in untested]
    text = "\n".join(lines).replace("\\", "/").replace('"""', "'''")
    return '"""' + text + '\n"""'


def _function(
    name: str,
    doc: str,
    params: list[str],
    body: _Body,
    decorators: list[str] = (),  # type: ignore[assignment]
) -> cst.FunctionDef:
    statements: list[cst.BaseStatement] = [
        cst.SimpleStatementLine([cst.Expr(cst.SimpleString(_docstring(doc)))])
    ]
    statements += body.statements
    return cst.FunctionDef(
        cst.Name(name),
        cst.Parameters([cst.Param(cst.Name(p)) for p in params]),
        cst.IndentedBlock(statements),
        decorators=[cst.Decorator(cst.parse_expression(d)) for d in decorators],
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )


def _docstring(text: str) -> str:
    text = " ".join(text.split()).replace("\\", "/").replace('"', "'")
    return f'"""{text}"""'


def _signature_test(
    parameters: list[dict[str, Any]], plan: ModulePlan
) -> tuple[cst.FunctionDef, set[str]]:
    body = _Body()
    body.add(
        "parameters = inspect.signature(module.RUN).parameters",
        ["inspect"],
        RUN=cst.Name(plan.run_name),
    )
    names = literal([p["name"] for p in parameters])
    if names is None:
        names = cst.parse_expression(repr([p["name"] for p in parameters]))
    body.add("assert list(parameters) == NAMES", NAMES=names)
    if parameters and all(p["kind"] == "KEYWORD_ONLY" for p in parameters):
        body.add(
            "assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())"
        )
    for parameter in parameters:
        if "default" not in parameter:
            continue
        node = literal(parameter["default"])
        if node is None:
            continue
        item = cst.Subscript(
            cst.Name("parameters"),
            [cst.SubscriptElement(cst.Index(cst.SimpleString(repr(parameter["name"]))))],
        )
        body.add("assert ITEM.default == VALUE", ITEM=item, VALUE=node)
    doc = (
        f"The module imports and {plan.run_name}() takes the notebook's parameters as "
        "keyword arguments with these defaults."
    )
    return _function("test_module_imports_and_run_signature", doc, ["module"], body), body.imports


def _step_test(
    step: dict[str, Any], builder: TestBuilder, seen: set[str]
) -> tuple[cst.FunctionDef, set[str]] | Untested:
    name = step["name"]
    if step.get("problem"):
        return Untested(name, str(step["problem"]))
    if step.get("output_problem"):
        return Untested(name, f"its result {step['output_problem']}")
    stdout = step.get("stdout")
    returns_nothing = step.get("returns_none") and not step["targets"]
    if returns_nothing and not stdout:
        return Untested(name, "returns nothing and prints nothing the same twice (it draws)")
    body = _Body()
    arguments = [
        cst.Arg(builder.argument(f"{name}/input/{arg}", described), keyword=cst.Name(arg))
        for arg, described in step["inputs"].items()
    ]
    call = cst.Call(cst.Attribute(cst.Name("module"), cst.Name(name)), arguments)
    outputs: dict[str, Any] = {} if returns_nothing else step["outputs"]
    local = {t: (t if t not in RESERVED else f"{t}_") for t in outputs}
    if step["unpacked"] and len(outputs) > 1:
        target: cst.BaseAssignTargetExpression = cst.Tuple(
            [cst.Element(cst.Name(local[t])) for t in outputs], lpar=[], rpar=[]
        )
    elif step["unpacked"]:
        target = cst.Tuple([cst.Element(cst.Name(local[t])) for t in outputs], lpar=[], rpar=[])
    elif outputs:
        target = cst.Name(local[next(iter(outputs))])
    if outputs:
        assign = cst.Assign([cst.AssignTarget(target)], call)
        body.statements.append(cst.SimpleStatementLine([assign]))
    else:
        body.statements.append(cst.SimpleStatementLine([cst.Expr(call)]))
    for output, described in outputs.items():
        builder.pin(body, cst.Name(local[output]), described)
    params = ["module", "load"]
    if stdout:
        body.add(
            "assert printed(capsys.readouterr().out) == printed(EXPECTED)",
            EXPECTED=builder.argument(f"{name}/stdout", stdout),
        )
        params += ["capsys", "printed"]
    if body.comments:
        body.add("pass")
    if body.asserts == 0:
        return Untested(name, "nothing it returns can be compared (figures, values not captured)")
    test_name = f"test_{name}"
    while test_name in seen:
        test_name += "_again"
    seen.add(test_name)
    pinned = ", ".join(f"{t} ({_what(d)})" for t, d in outputs.items())
    if outputs:
        doc = f"{name}() on the inputs captured from a real run returns what it returned then: {pinned}"
        doc += ", and prints what it printed then." if stdout else "."
    else:
        doc = f"{name}() on the inputs captured from a real run prints what it printed then."
    return _function(test_name, doc, params, body), body.imports


def _end_to_end(
    plan: ModulePlan,
    outputs: dict[str, Any],
    builder: TestBuilder,
    stdout: dict[str, Any] | None = None,
) -> tuple[cst.FunctionDef, set[str]] | None:
    if not outputs:
        return None
    body = _Body()
    body.add("results = module.RUN()", RUN=cst.Name(plan.run_name))
    keys = literal(list(plan.outputs))
    if keys is not None:
        body.add("assert list(results) == KEYS", KEYS=keys)
    for name, described in outputs.items():
        actual = cst.Subscript(
            cst.Name("results"), [cst.SubscriptElement(cst.Index(cst.SimpleString(repr(name))))]
        )
        builder.pin(body, actual, described)
    params = ["module", "load"]
    if stdout:
        body.add(
            "assert printed(capsys.readouterr().out) == printed(EXPECTED)",
            EXPECTED=builder.argument("run/stdout", stdout),
        )
        params += ["capsys", "printed"]
    if body.comments:
        body.add("pass")
    doc = (
        f"{plan.run_name}() with its default parameters returns the key results of the run "
        f"captured: {', '.join(outputs)}"
        + (", and prints what it printed then." if stdout else ".")
    )
    function = _function("test_run_end_to_end", doc, params, body, decorators=["pytest.mark.slow"])
    return function, body.imports | {"pytest"}


def _notebook_test() -> cst.FunctionDef:
    """The notebook itself still runs, top to bottom, in a fresh kernel in its folder.

    With papermill (what harden runs notebooks with), not harden's pytest plugin:
    ``pytest --harden-repro`` also compares the outputs with those saved in the
    notebook, and a notebook whose saved outputs differ from a new run (unseeded,
    or a warning printed on one machine only) would fail a test that is here to
    say that it runs; and the generated tests import nothing from harden.
    papermill is their one test dependency beyond pytest and the module's own,
    named in the test; without it the test is skipped, saying so."""
    body = _Body()
    body.add(
        'papermill = pytest.importorskip("papermill", reason="papermill runs the notebook")',
        ["pytest"],
    )
    body.add(
        "papermill.execute_notebook(str(notebook), str(tmp_path / notebook.name), "
        'cwd=str(notebook.parent), kernel_name="python3", progress_bar=False)'
    )
    doc = (
        "The notebook itself still runs from top to bottom in a fresh python3 kernel, in "
        "its own folder (papermill, a test dependency; `pytest --harden-repro NOTEBOOK` "
        "also compares its outputs with those it has saved)."
    )
    return _function(
        "test_notebook_still_executes",
        doc,
        ["notebook", "tmp_path"],
        body,
        decorators=["pytest.mark.slow"],
    )


def _what(described: dict[str, Any]) -> str:
    kind = described.get("kind")
    short = str(described.get("type", "")).rsplit(".", 1)[-1]
    return {
        "json": short,
        "frame": "DataFrame",
        "series": "Series",
        "array": "array",
        "estimator": f"{short}: params, predictions, fitted attributes",
        "container": f"{short}, item by item",
        "summary": f"{short}, summarised",
        "unstable": f"{short}: type and shape only, not deterministic",
        "figure": "a figure, not compared",
    }.get(str(kind), f"{short}: {kind}")


def _format(code: str) -> str:
    import black

    try:
        code = black.format_str(code, mode=black.Mode())
    except Exception as exc:  # noqa: BLE001 - black raises assorted errors
        raise HardenError(f"internal error: generated tests do not format: {exc}") from None
    compile(code, "generated", "exec")
    return code


__all__ = [
    "ScaffoldResult",
    "Target",
    "Untested",
    "build_conftest",
    "prepare_target",
    "scaffold_target",
    "_fill",
]
