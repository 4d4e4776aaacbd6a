"""The capture run of ``harden scaffold``: ``python -m harden.scaffolder.worker SPEC``.

In a fresh process whose working directory is the module's data folder it
imports the module under test from its file, wraps each step ``run()`` calls
so that its arguments are snapshotted (pickled) as it is entered and its
result as it returns (later steps may mutate both), calls ``run()`` with its
defaults, then calls every step a second time on fresh copies of its inputs:
an output that differs between the two calls is not deterministic and is not
pinned by value.  Values are stored as fixtures (:mod:`harden.scaffolder.store`)
and the descriptors written as JSON to the path the spec names.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import inspect
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from harden.extractor.worker import error_record, pickled, unpickled
from harden.scaffolder.store import Budget, Store, _tree

#: What a step prints is pinned up to this many characters (more: a log, not a result).
PRINTED_LIMIT = 20_000


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    result = capture(spec)
    Path(spec["result"]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


def load_module(path: str, name: str) -> Any:
    """Import the module from its file (its folder on ``sys.path`` for local imports)."""
    folder = str(Path(path).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def capture(spec: dict[str, Any]) -> dict[str, Any]:
    os.environ.setdefault("MPLBACKEND", "Agg")
    started = time.monotonic()
    try:
        module = load_module(spec["module_path"], spec["module_name"])
    except BaseException as exc:  # noqa: BLE001 - the module must import; say why it did not
        return {"status": "error", "step": None, "error": error_record(exc)}
    calls: dict[str, dict[str, Any]] = {}
    current: list[str | None] = [None]
    originals = {}
    for step in spec["steps"]:
        name = step["name"]
        if name in originals:
            continue
        originals[name] = getattr(module, name)
        setattr(module, name, _wrap(originals[name], name, calls, current))
    try:
        with contextlib.redirect_stdout(io.StringIO()) as run_printed:
            results = getattr(module, spec["run"])()
    except BaseException as exc:  # noqa: BLE001 - a failing step is the finding, not a crash
        return {"status": "error", "step": current[0], "error": error_record(exc)}
    run_seconds = time.monotonic() - started
    for name, function in originals.items():
        setattr(module, name, function)
    returned = _snapshot(results)
    store = Store(Path(spec["fixtures_dir"]), Budget(int(spec["per_fixture"]), int(spec["total"])))
    context: list[Any] = []
    steps = []
    for step in spec["steps"]:
        name = step["name"]
        call = calls.pop(name, None)
        if call is None:
            continue
        steps.append(_describe_step(step, call, originals[name], store, context))
    outputs = {}
    outputs_printed = None
    results_value, error = _load(returned)
    if error is None and isinstance(results_value, dict):
        differing, results_value, run_stdout = _unstable_run(
            getattr(module, spec["run"]), results_value, run_printed.getvalue()
        )
        if run_stdout and len(run_stdout) <= PRINTED_LIMIT:
            stored = store.put("run/stdout", run_stdout, role="output")
            outputs_printed = stored if stored.get("kind") == "json" else None
        unstable = _everything_if_any(differing, results_value)
        for name in spec["outputs"]:
            if name not in results_value:
                continue
            value = results_value[name]
            if name in unstable:
                outputs[name] = {
                    "kind": "unstable",
                    "type": _qualname(value),
                    "reason": unstable[name],
                    **_shape(value),
                }
                continue
            outputs[name] = store.put(f"run/output/{name}", value, role="output", context=context)
    return {
        "status": "ok",
        "parameters": _parameters(getattr(module, spec["run"])),
        "steps": steps,
        "outputs": outputs,
        "run_stdout": outputs_printed,
        "run_seconds": run_seconds,
        "bytes": store.budget.used,
        "files": store.budget.files,
    }


def _wrap(function: Any, name: str, calls: dict[str, Any], current: list[str | None]) -> Any:
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        first = name not in calls
        if first:
            bound = signature.bind(*args, **kwargs)
            calls[name] = {"inputs": {k: _snapshot(v) for k, v in bound.arguments.items()}}
        current[0] = name
        if not first:
            value = function(*args, **kwargs)
            current[0] = None
            return value
        seed_global_generators()
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            value = function(*args, **kwargs)
        current[0] = None
        calls[name]["output"] = _snapshot(value)
        calls[name]["stdout"] = printed.getvalue()
        sys.stdout.write(printed.getvalue())  # run() prints it too
        return value

    return wrapper


def _describe_step(
    step: dict[str, Any], call: dict[str, Any], function: Any, store: Store, context: list[Any]
) -> dict[str, Any]:
    name = step["name"]
    inputs: dict[str, Any] = {}
    described_inputs: dict[str, Any] = {}
    problem = None
    for arg, snapshot in call["inputs"].items():
        value, error = _load(snapshot)
        if error is not None:
            described_inputs[arg] = {"kind": "opaque", "reason": error}
            problem = problem or f"input `{arg}` {error}"
            continue
        inputs[arg] = value
        described = store.put(f"{name}/input/{arg}", value, role="input")
        described_inputs[arg] = described
        if "file" not in described:
            problem = problem or f"input `{arg}`: {described.get('reason', 'not stored')}"
    output, error = _load(call.get("output"))
    targets = list(step["targets"])
    if error is not None:
        return {
            "name": name,
            "targets": targets,
            "unpacked": step["unpacked"],
            "inputs": described_inputs,
            "outputs": {},
            "problem": problem,
            "output_problem": error,
        }
    values = _split(output, targets, step["unpacked"])
    differing, printed_again = _unstable(function, call, values, targets, step["unpacked"])
    unstable = _everything_if_any(differing, values)
    printed = call.get("stdout") or ""
    stdout = None
    if printed and printed == printed_again and len(printed) <= PRINTED_LIMIT:
        # What the step prints (a notebook's printed metrics), the same on both calls.
        stdout = store.put(f"{name}/stdout", printed, role="output")
        if stdout.get("kind") != "json":
            stdout = None
    local = [v for v in [*inputs.values(), *values.values()] if _is_2d(v)]
    context[:0] = local
    outputs = {}
    for target, value in values.items():
        if target in unstable:
            outputs[target] = {
                "kind": "unstable",
                "type": _qualname(value),
                "reason": unstable[target],
                **_shape(value),
            }
            continue
        outputs[target] = store.put(
            f"{name}/output/{target}", value, role="output", context=local + context
        )
    return {
        "name": name,
        "targets": targets,
        "unpacked": step["unpacked"],
        "inputs": described_inputs,
        "outputs": outputs,
        "problem": problem,
        "returns_none": output is None,
        "stdout": stdout,
    }


def _split(value: Any, targets: list[str], unpacked: bool) -> dict[str, Any]:
    if unpacked:
        return dict(zip(targets, tuple(value)))
    return {(targets[0] if targets else "result"): value}


def _unstable(
    function: Any, call: dict[str, Any], first: dict[str, Any], targets: list[str], unpacked: bool
) -> tuple[dict[str, str], str | None]:
    """Outputs that differ when the step runs again on the same inputs, and what it
    printed that second time."""
    arguments = {}
    for arg, snapshot in call["inputs"].items():
        value, error = _load(snapshot)
        if error is not None:
            return {}, None
        arguments[arg] = value
    try:
        seed_global_generators()
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            again = _split(function(**arguments), targets, unpacked)
    except Exception as exc:  # noqa: BLE001 - not callable twice: nothing is stable
        return {t: f"calling it again raised {type(exc).__name__}" for t in first}, None
    return _differences(first, again, "two calls on the same inputs"), printed.getvalue()


def _unstable_run(
    run: Any, first: dict[str, Any], first_printed: str
) -> tuple[dict[str, str], dict[str, Any], str | None]:
    """run()'s results that differ when it runs again, the results to pin, and what
    it prints when that is the same twice.

    The capture run seeded the global generators at each step; the end-to-end test
    seeds them once, before ``run()``.  When that gives other results, run() draws
    from them: it runs a third time, and the results of the seeded runs are pinned
    when the two agree."""
    again, printed = _seeded_run(run)
    if isinstance(again, str):
        return {name: again for name in first}, first, None
    found = _differences(first, again)
    if not found:
        return found, first, printed if printed == first_printed else None
    third, printed_third = _seeded_run(run)
    if isinstance(third, str):
        return {name: third for name in first}, first, None
    return _differences(again, third), again, printed if printed == printed_third else None


def _seeded_run(run: Any) -> tuple[dict[str, Any] | str, str]:
    try:
        seed_global_generators()
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            again = run()
    except Exception as exc:  # noqa: BLE001 - not callable twice: nothing is stable
        return f"running it again raised {type(exc).__name__}", ""
    if not isinstance(again, dict):
        return "running it again returned no dict", ""
    return again, printed.getvalue()


def _differences(
    first: dict[str, Any], again: dict[str, Any], between: str = "two runs"
) -> dict[str, str]:
    """The values of ``first`` that ``again`` does not reproduce, each with why."""
    from harden.extractor.values import NotComparable, compare

    found = {}
    for name, value in first.items():
        try:
            differs = compare(value, again.get(name), (), name)
        except NotComparable:
            continue
        except Exception as exc:  # noqa: BLE001 - cannot compare: do not pin by value
            differs = f"cannot compare ({type(exc).__name__})"
        if differs:
            found[name] = f"differs between {between} ({_plainly(differs)})"
    return found


def seed_global_generators() -> None:
    """Seed ``random``, ``numpy.random`` and torch (when imported) with 0, as the
    generated conftest does before each test: a step that draws from them (an unseeded
    split, forest, k-means or network initialisation) computes the same values each
    time, so they are pinned, not only typed."""
    import random

    random.seed(0)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(0)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)


def _everything_if_any(unstable: dict[str, str], values: dict[str, Any]) -> dict[str, str]:
    """A step with one value that changes from call to call is not deterministic: a value
    that came out equal twice (a score that k-means usually reaches) may not a third time."""
    if not unstable:
        return unstable
    first = next(iter(unstable.values()))
    return {
        name: unstable.get(name, f"computed by a step that is not deterministic: {first}")
        for name in values
    }


def _plainly(detail: str) -> str:
    """values.compare speaks of notebook and module; here both sides are the module."""
    return detail.replace(" in the notebook", " the first time").replace(
        " in the module", " the second time"
    )


def _parameters(run: Any) -> list[dict[str, Any]]:
    out = []
    for parameter in inspect.signature(run).parameters.values():
        item: dict[str, Any] = {"name": parameter.name, "kind": parameter.kind.name}
        default = parameter.default
        if default is not inspect.Parameter.empty and _tree(default) is not None:
            item["default"] = default
        out.append(item)
    return out


def _shape(value: Any) -> dict[str, Any]:
    shape = getattr(value, "shape", None)
    out: dict[str, Any] = {}
    if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape):
        out["shape"] = list(shape)
    columns = getattr(value, "columns", None)
    if columns is not None and all(isinstance(c, str) for c in columns):
        out["columns"] = list(columns)
    return out


def _is_2d(value: Any) -> bool:
    shape = getattr(value, "shape", None)
    return isinstance(shape, tuple) and len(shape) == 2


def _snapshot(value: Any) -> tuple[bytes | None, str | None]:
    return pickled(value, failed="cannot be captured ({error})")


def _load(snapshot: Any) -> tuple[Any, str | None]:
    return unpickled(snapshot, missing="was not captured", failed="cannot be loaded back ({error})")


def _qualname(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


if __name__ == "__main__":
    sys.exit(main())
