"""Reading notebooks: nbformat (v4, older versions upgraded) and Jupytext percent scripts.

Every problem with the input becomes a :class:`~harden.errors.NotebookError`
with a one-line message naming the file; nothing here ever writes a file.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from harden.errors import NotebookError, UnsupportedFormatError
from harden.notebook.model import Cell, Notebook

log = logging.getLogger(__name__)

SUPPORTED_MAJOR = (3, 4)


def load(path: str | Path) -> Notebook:
    """Read the notebook at ``path`` (``.ipynb``, or a ``# %%`` script)."""
    path = Path(path)
    if not path.exists():
        raise NotebookError("no such file", path)
    if path.is_dir():
        raise NotebookError("is a directory, not a notebook", path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NotebookError(f"cannot read file ({exc.strerror or exc})", path) from None
    if path.suffix == ".py":
        return _from_percent_script(path, raw)
    return loads(raw, path)


def loads(raw: bytes | str, path: str | Path = "<memory>") -> Notebook:
    """Build a :class:`Notebook` from the bytes of an ``.ipynb`` file."""
    path = Path(path)
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not UTF-8 text (byte {exc.start})", path) from None
    if not text.strip():
        raise NotebookError("empty file, not a notebook", path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", path
        ) from None
    except RecursionError:
        raise NotebookError("invalid JSON: nested too deeply to read", path) from None
    if _is_plain_v4(data):
        # ``data`` is ours (just parsed): nbformat's v4 reading done in place,
        # without importing nbformat (its schema machinery costs ~0.1 s).
        return _from_v4(_as_nbformat_reads(data), path, size)
    return from_dict(data, path, size_bytes=size)


def _is_plain_v4(data: Any) -> bool:
    """A v4 document whose every part has the shape nbformat's v4 reader walks
    (anything odd goes to nbformat, whose errors become the messages)."""
    if not isinstance(data, dict) or data.get("nbformat") != 4 or type(data["nbformat"]) is not int:
        return False
    cells = data.get("cells")
    if not isinstance(cells, list) or not isinstance(data.get("metadata"), dict):
        return False
    for cell in cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("metadata"), dict):
            return False
        source = cell.get("source")
        if isinstance(source, list) and not all(isinstance(part, str) for part in source):
            return False
        attachments = cell.get("attachments", {})
        if not isinstance(attachments, dict) or not all(
            isinstance(bundle, dict) for bundle in attachments.values()
        ):
            return False
        if cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs", [])
        if not isinstance(outputs, list):
            return False
        for output in outputs:
            if not isinstance(output, dict):
                return False
            kind = output.get("output_type", "")
            if kind in ("execute_result", "display_data"):
                if not isinstance(output.get("data", {}), dict):
                    return False
            elif kind and isinstance(output.get("text", ""), list):
                if not all(isinstance(part, str) for part in output["text"]):
                    return False
    return True


def _as_nbformat_reads(data: dict[str, Any]) -> dict[str, Any]:
    """What ``nbformat.v4.to_notebook_json`` does (lines joined, transient fields
    dropped), in place on a document :func:`_is_plain_v4` accepted."""
    for cell in data["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
        for bundle in cell.get("attachments", {}).values():
            _rejoin_bundle(bundle)
        if cell.get("cell_type") == "code":
            for output in cell.get("outputs", []):
                kind = output.get("output_type", "")
                if kind in ("execute_result", "display_data"):
                    _rejoin_bundle(output.get("data", {}))
                elif kind and isinstance(output.get("text", ""), list):
                    output["text"] = "".join(output["text"])
        cell["metadata"].pop("trusted", None)
    for key in ("orig_nbformat", "orig_nbformat_minor", "signature"):
        data["metadata"].pop(key, None)
    return data


def _rejoin_bundle(bundle: dict[str, Any]) -> None:
    for key, value in list(bundle.items()):
        is_json = key == "application/json" or (
            key.startswith("application/") and key.endswith("+json")
        )
        if not is_json and isinstance(value, list) and all(isinstance(v, str) for v in value):
            bundle[key] = "".join(value)


def _from_v4(data: dict[str, Any], path: Path, size: int) -> Notebook:
    """:func:`from_node` on the plain document, cell ids as the file has them."""
    notebook = from_node(data, path, size_bytes=size)
    return Notebook(
        path=notebook.path,
        cells=notebook.cells,
        kernel_name=notebook.kernel_name,
        language=notebook.language,
        nbformat=notebook.nbformat,
        size_bytes=notebook.size_bytes,
        metadata=notebook.metadata,
        raw=data,
    )


def from_dict(data: Any, path: str | Path = "<memory>", size_bytes: int = 0) -> Notebook:
    """Build a :class:`Notebook` from a parsed notebook JSON document."""
    import nbformat

    path = Path(path)
    if not isinstance(data, dict) or not (
        "cells" in data or "worksheets" in data or "nbformat" in data
    ):
        raise NotebookError("JSON but not a notebook (no 'cells' or 'nbformat')", path)
    major = data.get("nbformat")
    if not isinstance(major, int) or isinstance(major, bool):
        raise NotebookError("not a notebook: 'nbformat' version is missing or not a number", path)
    if major not in SUPPORTED_MAJOR:
        raise UnsupportedFormatError(
            f"nbformat {major} is not supported (harden reads nbformat 3 and 4)", path
        )
    try:
        with warnings.catch_warnings():
            # nbformat warns (MissingIDFieldWarning, …) on stderr about files it reads fine.
            warnings.simplefilter("ignore")
            # nbformat's own reader for the version (lines joined, transient
            # fields dropped) and its upgrade to v4; not ``nbformat.reads``,
            # whose schema validation costs more than the rest of a lint and
            # only logs what it finds.
            minor = data.get("nbformat_minor", 0)
            node = nbformat.convert(nbformat.versions[major].to_notebook_json(data, minor=minor), 4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises assorted errors
        raise NotebookError(f"malformed notebook: {_first_line(exc)}", path) from None
    notebook = from_node(node, path, size_bytes=size_bytes, upgraded_from=major)
    # Cell ids are the file's own: nbformat invents random ones for cells without
    # (v3 upgrades, v4 cells with no "id"), which would make findings differ run to run.
    raw_cells = data.get("cells") if major == 4 else None
    ids = [c.get("id") if isinstance(c, dict) else None for c in raw_cells or ()]
    return _keep_ids(notebook, ids)


def from_node(
    node: Any, path: str | Path = "<memory>", size_bytes: int = 0, upgraded_from: int = 4
) -> Notebook:
    """Build a :class:`Notebook` from an nbformat v4 ``NotebookNode`` (or the same
    document as plain dicts)."""
    path = Path(path)
    cells: list[Cell] = []
    raw_cells = node.get("cells")
    if not isinstance(raw_cells, list):
        raise NotebookError("malformed notebook: 'cells' is not a list", path)
    for index, raw in enumerate(raw_cells):
        cells.append(_cell(index, raw, path))
    metadata = _mapping(node.get("metadata"), "the notebook's metadata", path)
    kernelspec = _mapping(metadata.get("kernelspec"), "metadata.kernelspec", path)
    language_info = _mapping(metadata.get("language_info"), "metadata.language_info", path)
    language = _text(kernelspec.get("language"), "kernelspec.language", path) or _text(
        language_info.get("name"), "language_info.name", path
    )
    if upgraded_from != 4:
        log.info("%s: upgraded from nbformat %s", path, upgraded_from)
    return Notebook(
        path=path,
        cells=tuple(cells),
        kernel_name=_text(kernelspec.get("name"), "kernelspec.name", path),
        language=language,
        nbformat=(_number(node, "nbformat", 4, path), _number(node, "nbformat_minor", 0, path)),
        size_bytes=size_bytes,
        metadata=metadata,
        node=node,
    )


def _cell(index: int, raw: Any, path: Path) -> Cell:
    if not isinstance(raw, dict):
        raise NotebookError(f"malformed notebook: cell {index + 1} is not an object", path)
    source = raw.get("source", "")
    if isinstance(source, list):
        source = "".join(str(part) for part in source)
    if not isinstance(source, str):
        raise NotebookError(f"malformed notebook: cell {index + 1} has no text source", path)
    where = f"cell {index + 1}"
    metadata = _mapping(raw.get("metadata"), f"{where}'s metadata", path)
    tags = metadata.get("tags") or []
    if not isinstance(tags, list):
        raise NotebookError(f"malformed notebook: {where}'s tags are not a list", path)
    count = raw.get("execution_count")
    outputs = raw.get("outputs") or []
    if not isinstance(outputs, list) or not all(_is_output(o) for o in outputs):
        raise NotebookError(f"malformed notebook: {where} has malformed outputs", path)
    cell_id = raw.get("id")
    return Cell(
        index=index,
        cell_type=str(raw.get("cell_type", "code")),
        source=source,
        id=cell_id if isinstance(cell_id, str) else None,
        tags=frozenset(str(tag) for tag in tags if isinstance(tag, str)),
        execution_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        outputs=tuple(outputs),
        metadata=metadata,
    )


def _mapping(value: Any, what: str, path: Path) -> dict[str, Any]:
    """A JSON object field (absent or null: empty); anything else is malformed."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise NotebookError(f"malformed notebook: {what} is not an object", path)
    return value


def _text(value: Any, what: str, path: Path) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise NotebookError(f"malformed notebook: {what} is not a string", path)


def _number(node: Any, key: str, default: int, path: Path) -> int:
    value = node.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotebookError(f"malformed notebook: '{key}' is not a number", path)
    return value


#: Output fields whose value is text (a string, or a list of strings).
_TEXT_FIELDS = ("text", "evalue", "ename")


def _is_output(output: Any) -> bool:
    """The shape every reader of outputs relies on: an object with text fields that
    are text and a ``data`` bundle that is an object."""
    if not isinstance(output, dict) or not isinstance(output.get("output_type", ""), str):
        return False
    for field in _TEXT_FIELDS:
        value = output.get(field)
        if value is not None and not isinstance(value, (str, list)):
            return False
    data = output.get("data")
    traceback = output.get("traceback")
    return (data is None or isinstance(data, dict)) and (
        traceback is None or isinstance(traceback, list)
    )


def _from_percent_script(path: Path, raw: bytes) -> Notebook:
    try:
        import jupytext
    except ImportError:
        raise NotebookError(
            "reading '# %%' scripts needs jupytext (pip install 'harden[jupytext]')", path
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not UTF-8 text (byte {exc.start})", path) from None
    if "# %%" not in text:
        raise NotebookError("a .py file without '# %%' cell markers is not a notebook", path)
    try:
        node = jupytext.reads(text, fmt="py:percent")
    except Exception as exc:  # noqa: BLE001 - jupytext raises assorted errors
        raise NotebookError(f"cannot read percent script: {_first_line(exc)}", path) from None
    notebook = _keep_ids(from_node(node, path, size_bytes=len(raw)), [])
    return Notebook(
        path=notebook.path,
        cells=notebook.cells,
        kernel_name=notebook.kernel_name,
        language=notebook.language or "python",
        nbformat=notebook.nbformat,
        size_bytes=notebook.size_bytes,
        source_format="percent",
        metadata=notebook.metadata,
        node=node,
    )


def _keep_ids(notebook: Notebook, ids: list[Any]) -> Notebook:
    """``notebook`` with each cell's id taken from ``ids`` (``None`` when absent)."""
    cells = tuple(
        replace(
            cell,
            id=ids[cell.index]
            if cell.index < len(ids) and isinstance(ids[cell.index], str)
            else None,
        )
        for cell in notebook.cells
    )
    return replace(notebook, cells=cells)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
