"""The module side of ``harden extract --check``, run as ``python -m harden.extractor.worker SPEC``.

In a fresh process (working directory: the notebook's folder) it imports the
generated module, wraps each step so that its return values are pickled the
moment it returns, calls ``run()``, then loads the values the notebook's
kernel captured at the same points and compares them
(:mod:`harden.extractor.values`).  The result is written as JSON to the path
the spec names.  Notebook classes pickled in the kernel live in
``__main__``; the module's definitions are aliased there so they load.
"""

from __future__ import annotations

import functools
import importlib
import json
import pickle
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    result = run_and_compare(spec)
    Path(spec["result"]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


def run_and_compare(spec: dict[str, Any]) -> dict[str, Any]:
    sys.path.insert(0, spec["module_dir"])
    started = time.monotonic()
    try:
        module = importlib.import_module(spec["module_name"])
    except BaseException as exc:  # noqa: BLE001 - the module must import; say why it did not
        return {"status": "error", "step": None, "error": error_record(exc), "values": []}
    snapshots: dict[str, Any] = {}
    current: list[str | None] = [None]
    for step in spec["steps"]:
        original = getattr(module, step["name"])
        setattr(module, step["name"], _wrap(original, step, snapshots, current))
    if spec.get("seed") is not None:
        from harden.run.seeding import seed_all

        seed_all(spec["seed"])  # as the kernel was, before its first cell
    try:
        results = getattr(module, spec["run"])(**spec.get("parameters", {}))
    except BaseException as exc:  # noqa: BLE001 - a failing step is the finding, not a crash
        return {
            "status": "error",
            "step": current[0],
            "error": error_record(exc),
            "values": [],
            "seconds": time.monotonic() - started,
        }
    seconds = time.monotonic() - started
    for name in spec["outputs"]:
        snapshots[f"run.{name}"] = pickled(results.get(name))
    _alias_main(module)
    notebook = {label: _load(path) for label, path in spec["notebook"].items()}
    data = [v for v, error in notebook.values() if error is None and _is_data(v)]
    values = []
    for item in spec["labels"]:
        label = item["label"]
        entry = {"label": label, "step": item["step"], "name": item["name"]}
        expected, error = notebook.get(label, (None, "not captured in the notebook"))
        actual, module_error = unpickled(snapshots.get(label))
        if error is not None or module_error is not None:
            entry.update(outcome="skipped", detail=error or module_error)
        else:
            entry.update(_outcome(expected, actual, data, item["name"]))
        values.append(entry)
    return {"status": "ok", "values": values, "seconds": seconds}


def _wrap(
    function: Any, step: dict[str, Any], snapshots: dict[str, Any], current: list[str | None]
) -> Any:
    names = step["returns"]

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current[0] = step["name"]
        value = function(*args, **kwargs)
        values = (value,) if len(names) == 1 else tuple(value) if names else ()
        for name, item in zip(names, values):
            snapshots[f"{step['name']}.{name}"] = pickled(item)
        current[0] = None
        return value

    return wrapper


def pickled(
    value: Any, failed: str = "cannot pickle the module's value: {error}"
) -> tuple[bytes | None, str | None]:
    """``value`` pickled, or why not (``failed`` with ``{error}`` filled in)."""
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), None
    except Exception as exc:  # noqa: BLE001 - unpicklable values are reported, not fatal
        return None, failed.format(error=f"{type(exc).__name__}: {exc}")


def unpickled(
    snapshot: Any,
    missing: str = "the module did not produce it",
    failed: str = "cannot load the module's value: {error}",
) -> tuple[Any, str | None]:
    """The value :func:`pickled` kept, or why there is none."""
    if snapshot is None:
        return None, missing
    data, error = snapshot
    if error is not None:
        return None, error
    try:
        return pickle.loads(data), None
    except Exception as exc:  # noqa: BLE001 - the same class cannot always be rebuilt
        return None, failed.format(error=f"{type(exc).__name__}: {exc}")


def _load(path: str | None) -> tuple[Any, str | None]:
    if path is None:
        return None, "not captured in the notebook"
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle), None
    except Exception as exc:  # noqa: BLE001 - e.g. a class only the kernel had
        return None, f"cannot load the notebook's value: {type(exc).__name__}: {exc}"


def _outcome(expected: Any, actual: Any, data: list[Any], name: str) -> dict[str, str]:
    from harden.extractor.values import NotComparable, compare

    try:
        found = compare(expected, actual, data, name)
    except NotComparable as exc:
        return {"outcome": "skipped", "detail": f"not compared: {exc}"}
    except Exception as exc:  # noqa: BLE001 - a comparison bug must not hide the others
        return {"outcome": "differ", "detail": f"{name}: cannot compare ({exc})"}
    return {"outcome": "equal"} if found is None else {"outcome": "differ", "detail": found}


def _is_data(value: Any) -> bool:
    shape = getattr(value, "shape", None)
    return isinstance(shape, tuple) and len(shape) == 2


def _alias_main(module: Any) -> None:
    main = sys.modules["__main__"]
    for name, value in vars(module).items():
        if getattr(value, "__module__", None) == module.__name__:
            setattr(main, name, value)


def error_record(exc: BaseException) -> dict[str, str]:
    """An exception as JSON: its type, message and the end of its traceback (bounded)."""
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:500],
        "traceback": "".join(frames[-6:])[-3000:],
    }


if __name__ == "__main__":
    sys.exit(main())
