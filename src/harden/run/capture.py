"""The capture seam: extra cells run in the notebook's kernel, and values saved from it.

An :class:`Injection` adds a code cell before or after a cell of the notebook
(0-based index among all cells, as everywhere in harden).  A :class:`Capture`
adds a cell that evaluates ``name`` (a global name or an expression) in the
kernel's namespace and saves the value into the capture folder:

* ``auto``: a pandas ``DataFrame`` as Parquet when pyarrow or fastparquet is
  installed, a JSON-native value (dict/list/str/number/bool/None) as JSON,
  anything else as a pickle;
* ``parquet``, ``json``, ``pickle``, ``csv`` (DataFrames) on request.

A value that cannot be saved (unpicklable, undefined name) never stops the
notebook: the capture comes back with ``error`` set.  The injected cells
leave no names behind in the notebook's namespace and produce no output.
Cells that run at the same position run in this order: injections, then
captures.  The executed copy keeps the injected cells, tagged
``harden-injected``; results map every cell back to its original index.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harden.errors import UsageError

log = logging.getLogger(__name__)

FORMATS = ("auto", "parquet", "json", "pickle", "csv")
MANIFEST = "manifest.jsonl"


@dataclass(frozen=True)
class Injection:
    """Code to run before or after cell ``before_cell`` / ``after_cell`` (exactly one)."""

    source: str
    after_cell: int | None = None
    before_cell: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        _check_position(self.after_cell, self.before_cell, "Injection")


@dataclass(frozen=True)
class Capture:
    """Save the value of ``name`` (evaluated in the kernel) after/before a cell.

    ``label`` names the file (``<label>.parquet``); by default
    ``<name>-after-<cell>`` with unsafe characters replaced.
    """

    name: str
    after_cell: int | None = None
    before_cell: int | None = None
    format: str = "auto"
    label: str = ""

    def __post_init__(self) -> None:
        _check_position(self.after_cell, self.before_cell, "Capture")
        if self.format not in FORMATS:
            raise UsageError(f"capture format {self.format!r} is not one of {', '.join(FORMATS)}")

    @property
    def file_label(self) -> str:
        if self.label:
            return _safe(self.label)
        where = (
            f"after-{self.after_cell}"
            if self.after_cell is not None
            else f"before-{self.before_cell}"
        )
        return f"{_safe(self.name)}-{where}"


@dataclass(frozen=True)
class CapturedValue:
    """What a capture produced: the file (``path``, ``format``) or an ``error``."""

    name: str
    label: str
    path: str | None
    format: str | None
    type_name: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.path is not None


def _check_position(after: int | None, before: int | None, what: str) -> None:
    if (after is None) == (before is None):
        raise UsageError(f"{what} needs exactly one of after_cell or before_cell")
    index = after if after is not None else before
    if not isinstance(index, int) or index < 0:
        raise UsageError(f"{what} cell index must be an integer >= 0, got {index!r}")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "value"


def check_against(
    cell_count: int, injections: Sequence[Injection], captures: Sequence[Capture]
) -> None:
    """Raise :class:`UsageError` for positions outside the notebook or duplicate labels."""
    items: list[Injection | Capture] = [*injections, *captures]
    for item in items:
        index = item.after_cell if item.after_cell is not None else item.before_cell
        if index is not None and index >= cell_count:
            raise UsageError(
                f"{type(item).__name__} at cell {index}: the notebook has {cell_count} cells (0-based)"
            )
    labels = [capture.file_label for capture in captures]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise UsageError(f"two captures would write the same file: {', '.join(duplicates)}")


def cells_at(
    index: int,
    where: str,
    injections: Sequence[Injection],
    captures: Sequence[Capture],
    capture_dir: Path,
) -> list[tuple[str, str]]:
    """The (label, source) of the cells to insert ``where`` (``before``/``after``) cell ``index``."""
    attribute = f"{where}_cell"
    cells = [
        (item.label or f"injection {where} cell {index}", item.source)
        for item in injections
        if getattr(item, attribute) == index
    ]
    here = [capture for capture in captures if getattr(capture, attribute) == index]
    if here:
        cells.append((f"capture {where} cell {index}", capture_source(here, capture_dir)))
    return cells


def capture_source(captures: Iterable[Capture], capture_dir: Path) -> str:
    """The code of a cell that saves ``captures`` into ``capture_dir``."""
    import libcst as cst

    from harden.run.cellcode import call_once, function, literal

    specs = [{"name": c.name, "label": c.file_label, "format": c.format} for c in captures]
    call = cst.Call(
        cst.Name("_capture"),
        [cst.Arg(literal(json.dumps(specs))), cst.Arg(literal(str(capture_dir)))],
    )
    body = [*cst.parse_module(_HELPER).body, cst.SimpleStatementLine([cst.Expr(call)])]
    return call_once(function("_harden_capture_cell", body))


def read_captures(
    captures: Sequence[Capture], capture_dir: Path, stopped_at: int | None
) -> tuple[CapturedValue, ...]:
    """The values the run saved, in the order of ``captures``."""
    entries: dict[str, dict] = {}
    manifest = capture_dir / MANIFEST
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            entries[entry.get("label", "")] = entry
    result = []
    for capture in captures:
        entry = entries.get(capture.file_label)
        if entry is None:
            where = (
                # cells are 1-based in every message harden shows
                f" (the notebook stopped at cell {stopped_at + 1})"
                if stopped_at is not None
                else ""
            )
            result.append(
                CapturedValue(
                    capture.name, capture.file_label, None, None, None, f"not reached{where}"
                )
            )
            continue
        result.append(
            CapturedValue(
                name=capture.name,
                label=capture.file_label,
                path=entry.get("path"),
                format=entry.get("format"),
                type_name=entry.get("type"),
                error=entry.get("error"),
            )
        )
    return tuple(result)


# Runs inside the kernel, inside a function, so it leaves no names behind.
_HELPER = r"""
import importlib.util as _util
import json as _json
import os as _os
import pickle as _pickle

def _is_frame(value):
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")

def _is_json(value, depth=0):
    if depth > 50:
        return False
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if type(value) is list:
        return all(_is_json(item, depth + 1) for item in value)
    if type(value) is dict:
        return all(isinstance(k, str) and _is_json(v, depth + 1) for k, v in value.items())
    return False

def _save(value, fmt, base):
    if fmt == "parquet":
        value.to_parquet(base + ".parquet")
        return base + ".parquet"
    if fmt == "csv":
        value.to_csv(base + ".csv", index=False)
        return base + ".csv"
    if fmt == "json":
        with open(base + ".json", "w", encoding="utf-8") as handle:
            _json.dump(value, handle)
        return base + ".json"
    with open(base + ".pkl", "wb") as handle:
        _pickle.dump(value, handle, protocol=_pickle.HIGHEST_PROTOCOL)
    return base + ".pkl"

def _capture(specs, directory):
    namespace = get_ipython().user_ns
    _os.makedirs(directory, exist_ok=True)
    for spec in _json.loads(specs):
        entry = {"label": spec["label"], "name": spec["name"], "path": None,
                 "format": None, "type": None, "error": None}
        base = _os.path.join(directory, spec["label"])
        try:
            value = eval(spec["name"], namespace)
        except Exception as exc:
            entry["error"] = "cannot evaluate %s: %s: %s" % (spec["name"], type(exc).__name__, exc)
        else:
            entry["type"] = type(value).__module__ + "." + type(value).__qualname__
            fmt = spec["format"]
            if fmt == "auto":
                parquet = _util.find_spec("pyarrow") or _util.find_spec("fastparquet")
                fmt = "parquet" if _is_frame(value) and parquet else "json" if _is_json(value) else "pickle"
                order = [fmt] if fmt == "pickle" else [fmt, "pickle"]
            else:
                order = [fmt]
            for attempt in order:
                try:
                    entry["path"], entry["format"], entry["error"] = _save(value, attempt, base), attempt, None
                    break
                except Exception as exc:
                    entry["error"] = "cannot save as %s: %s: %s" % (attempt, type(exc).__name__, exc)
        with open(_os.path.join(directory, "manifest.jsonl"), "a", encoding="utf-8") as handle:
            handle.write(_json.dumps(entry) + "\n")
"""
