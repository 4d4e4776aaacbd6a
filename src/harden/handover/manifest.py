"""``data-manifest.json``: the data a notebook's results came from.

For every data file the notebook read: its path relative to the notebook, size,
sha256 and, for tables, the rows and columns (name and dtype) as pandas reads them
(with :func:`harden.expectations.data.read_file`, the reader ``harden validate``
uses).  A file that does not exist is listed with ``missing: true``; a directory or a
glob pattern is expanded to the files it holds; URLs are listed under ``remote``.

:func:`read_files` finds the files statically, from the one analysis:

* the path of each ``pandas.read_*`` call (the argument as
  :func:`harden.expectations.capture.source_path` resolves it, a literal or a name
  bound to one), listed even when missing;
* the pattern of each ``glob.glob`` call;
* any other call's literal path argument naming an existing file beside the notebook
  (``open("stopwords.txt")``, ``np.load("x.npy")``), except in calls that write
  (:data:`harden.analysis.library.EFFECT_PREFIXES`: ``to_csv``, ``savefig``, ``dump``,
  ``open(..., "w")``).

:func:`check_manifest` hashes the files again and says which changed or went missing.
"""

from __future__ import annotations

import glob
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from harden.errors import HardenError
from harden.version import __version__

if TYPE_CHECKING:
    from harden.analysis.model import Analysis, CallSite

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
#: Tables larger than this are hashed but not read for rows and columns (seconds per GB).
MAX_TABLE_BYTES = 256 * 1024 * 1024
#: Suffixes read as tables: ``harden validate``'s formats, but not ``.txt`` (a word list
#: read with ``open()`` is no table; pandas would make one up).
TABLE_SKIP = frozenset({".txt"})
#: Files a notebook names that are code, not data.
CODE_SUFFIXES = frozenset({".py", ".ipynb", ".pyc"})
GLOB_CHARACTERS = frozenset("*?[")
WRITE_MODES = frozenset("wax")
#: The pandas readers whose plain call reads a file as :func:`harden.expectations.data.read_file`
#: does (``read_json`` only with ``lines=True``).
PLAIN_READERS = frozenset({"read_csv", "read_parquet", "read_json"})


class ManifestError(HardenError):
    """A data manifest cannot be read: missing, not JSON, or not a harden data manifest."""


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str


@dataclass(frozen=True)
class DataFile:
    """One file: ``path`` relative to the notebook's folder (POSIX separators;
    absolute when outside it).  ``sha256`` is ``None`` when missing or too large to
    hash; ``format``/``rows``/``columns`` are set for tables pandas could read;
    ``note`` says why a table's rows and columns are absent."""

    path: str
    missing: bool = False
    size: int | None = None
    sha256: str | None = None
    format: str | None = None
    rows: int | None = None
    columns: tuple[Column, ...] | None = None
    note: str | None = None


@dataclass(frozen=True)
class DataManifest:
    notebook: Path
    files: tuple[DataFile, ...] = ()
    remote: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[DataFile, ...]:
        return tuple(f for f in self.files if f.missing)


@dataclass(frozen=True)
class Drift:
    """A file whose content is not what the manifest recorded.

    ``kind``: ``changed`` (other sha256 or size), ``missing`` (recorded, now gone),
    ``appeared`` (recorded as missing, now there), ``unverified`` (too large to hash;
    the size matches, the content cannot be told).
    """

    path: str
    kind: Literal["changed", "missing", "appeared", "unverified"]
    before: str | None = None
    after: str | None = None

    def describe(self) -> str:
        if self.kind == "missing":
            return f"{self.path}: missing (the results came from a file of {self.before})"
        if self.kind == "appeared":
            return f"{self.path}: exists now, but was missing when the manifest was written"
        if self.kind == "unverified":
            return f"{self.path}: too large to hash; its size is unchanged ({self.after})"
        return f"{self.path}: changed since the manifest was written ({self.before} → {self.after})"


# -- which files --------------------------------------------------------------------------------


def read_files(analysis: Analysis, notebook_dir: Path) -> tuple[str, ...]:
    """The data files ``analysis``'s notebook reads, as written (relative paths,
    glob patterns, directories, URLs), in notebook order, each once.  A file the
    notebook wrote before reading it (``to_pickle`` then ``read_pickle``) is its own
    product, not an input, and is left out."""
    from harden.analysis.library import GLOB_FUNCTIONS
    from harden.expectations.capture import source_path

    found: dict[str, None] = {}
    written: set[str] = set()
    for call in _in_order(analysis):
        qualified = call.qualified_name or ""
        if _reads_frame(call) or qualified in GLOB_FUNCTIONS:
            path = source_path(analysis, call)
            if path and path not in written:
                found.setdefault(path, None)
        elif _writes(call):
            written.update(_string_arguments(analysis, call))
        else:
            for text in _string_arguments(analysis, call):
                if text not in written and _existing_data_file(text, notebook_dir):
                    found.setdefault(text, None)
    return tuple(found)


def _in_order(analysis: Analysis) -> list[CallSite]:
    return sorted(analysis.calls, key=lambda c: (c.location.cell_index, c.order))


def _reads_frame(call: CallSite) -> bool:
    from harden.analysis.library import FRAME_READERS, NON_FILE_READERS

    qualified = call.qualified_name or ""
    return qualified.startswith(FRAME_READERS) and qualified not in NON_FILE_READERS


def reshaped_reads(analysis: Analysis) -> dict[str, str]:
    """Paths every ``pandas.read_*`` call of which reshapes the table (``header=None``,
    ``skiprows=…``, ``sep=…``): path → the options, as written.  The manifest does not
    describe such a table's rows and columns (a plain read would differ)."""
    from harden.analysis.library import READER_KEEPS_SHAPE
    from harden.expectations.capture import source_path

    options: dict[str, list[str]] = {}
    plain: set[str] = set()
    for call in _in_order(analysis):
        if not _reads_frame(call):
            continue
        path = source_path(analysis, call)
        if not path:
            continue
        reader = (call.qualified_name or "").rsplit(".", 1)[-1]
        shaping = [
            f"{a.keyword}={' '.join(a.code.split())}" if a.keyword else " ".join(a.code.split())
            for position, a in enumerate(call.args)
            if (a.keyword is None and position > 0)
            or (a.keyword is not None and a.keyword not in READER_KEEPS_SHAPE)
        ]
        lines = any(a.keyword == "lines" and a.literal is True for a in call.args)
        if reader == "read_json" and not lines:
            shaping.append("no lines=True")
        elif reader not in PLAIN_READERS:
            shaping.insert(0, reader)
        if shaping:
            options.setdefault(path, []).append(", ".join(shaping))
        else:
            plain.add(path)
    return {path: "; ".join(texts) for path, texts in options.items() if path not in plain}


def _writes(call: CallSite) -> bool:
    from harden.analysis.library import EFFECT_PREFIXES

    name = (call.dotted or "").rsplit(".", 1)[-1]
    if name == "open":
        mode = call.positional(1) or call.keyword("mode")
        return bool(
            mode is not None and (not mode.is_literal or WRITE_MODES & set(str(mode.literal)))
        )
    return name.startswith(tuple(p for p in EFFECT_PREFIXES if p != "open"))


def _string_arguments(analysis: Analysis, call: CallSite) -> list[str]:
    from harden.expectations.capture import literal_value

    values = []
    for argument in call.args:
        if argument.is_literal and isinstance(argument.literal, str):
            values.append(argument.literal)
        elif len(argument.names) == 1 and argument.code.strip().isidentifier():
            value = literal_value(analysis, next(iter(argument.names)), call.location.cell_index)
            if value is not None:
                values.append(value)
    return values


def _existing_data_file(text: str, folder: Path) -> bool:
    if not text or "\n" in text or len(text) > 1024 or "://" in text:
        return False
    try:
        target = folder / os.path.expanduser(text)
        return target.is_file() and target.suffix.lower() not in CODE_SUFFIXES
    except (OSError, ValueError):
        return False


# -- the manifest -------------------------------------------------------------------------------


def data_manifest(
    notebook: Path, files: Iterable[Path | str], analysis: Analysis | None = None
) -> DataManifest:
    """Describe ``files`` (paths as the notebook names them, relative to its folder,
    or absolute; directories and glob patterns are expanded; URLs listed as remote).

    With the notebook's ``analysis``, a table the notebook reads only with options
    that reshape it (:func:`reshaped_reads`) is hashed but its rows and columns are
    not recorded: pandas' plain read of it is not what the notebook saw."""
    notebook = Path(notebook)
    folder = notebook.parent
    reshaped = {
        os.path.abspath(folder / os.path.expanduser(path)): text
        for path, text in (reshaped_reads(analysis) if analysis is not None else {}).items()
    }
    entries: dict[str, DataFile] = {}
    remote: dict[str, None] = {}
    for item in files:
        text = str(item)
        if "://" in text and not text.startswith("file://"):
            remote.setdefault(_redacted_url(text), None)
            continue
        text = text.removeprefix("file://")
        pattern_options = reshaped.get(os.path.abspath(folder / os.path.expanduser(text)))
        for shown, target in _expand(text, folder):
            if shown not in entries:
                options = reshaped.get(os.path.abspath(target)) or pattern_options
                entries[shown] = _describe(shown, target, options)
    return DataManifest(
        notebook=notebook,
        files=tuple(entries[key] for key in sorted(entries)),
        remote=tuple(sorted(remote)),
    )


def _redacted_url(url: str) -> str:
    """``url`` without a password, known-format secrets or secret-named query values."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    from harden.expectations.data import redact_url
    from harden.secrets import is_secret_name, redact_text

    url = redact_text(redact_url(url))
    parts = urlsplit(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if any(is_secret_name(name) for name, _ in pairs):
            query = urlencode(
                [(n, "***" if is_secret_name(n) else v) for n, v in pairs], safe="*/:"
            )
            url = urlunsplit(parts._replace(query=query))
    return url


def _expand(text: str, folder: Path) -> list[tuple[str, Path]]:
    """(path relative to ``folder``, file) for each file ``text`` names; a pattern that
    matches nothing, or a missing path, names itself."""
    raw = Path(os.path.expanduser(text))
    target = raw if raw.is_absolute() else folder / raw
    if GLOB_CHARACTERS & set(text):
        matches = [Path(m) for m in sorted(glob.glob(str(target), recursive=True))]
        files = [m for m in matches if m.is_file()]
        for directory in (m for m in matches if m.is_dir()):
            files.extend(_files_under(directory))
    elif target.is_dir():
        files = _files_under(target)
    else:
        files = [target]
    keep_absolute = raw.is_absolute()
    if not files:
        return [(_relative(target, folder, keep_absolute), target)]
    return [(_relative(f, folder, keep_absolute), f) for f in files]


def _files_under(directory: Path) -> list[Path]:
    """Every file below ``directory`` (a partitioned dataset), hidden ones left out."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )


def _relative(path: Path, folder: Path, keep_absolute: bool) -> str:
    """``path`` relative to ``folder``; an absolute path the notebook wrote stays
    absolute when it is outside the folder."""
    resolved, base = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    if keep_absolute and not resolved.is_relative_to(base):
        return resolved.as_posix()
    return Path(os.path.relpath(resolved, base)).as_posix()


def _describe(shown: str, target: Path, options: str | None = None) -> DataFile:
    from harden.run.inputs import hash_file

    try:
        if not target.is_file():
            return DataFile(shown, missing=True)
        size = target.stat().st_size
        digest = hash_file(target)
    except OSError as exc:
        log.debug("%s: %s", target, exc)
        return DataFile(shown, missing=True)
    table = _table(target, size, options)
    return DataFile(shown, False, size, digest, *table)


def _table(
    path: Path, size: int, options: str | None = None
) -> tuple[str | None, int | None, tuple[Column, ...] | None, str | None]:
    """(format, rows, columns, note) of a table file; ``None``s for other files."""
    from harden.expectations.data import READERS, read_file
    from harden.expectations.errors import DataError

    suffix = path.suffix.lower()
    kind = READERS.get(suffix)
    if kind is None or suffix in TABLE_SKIP:
        if suffix in {".xls", ".xlsx", ".xlsm", ".ods"}:
            return (
                None,
                None,
                None,
                "rows and columns not read: harden reads CSV, Parquet, JSON lines",
            )
        return None, None, None, None
    if options is not None:
        shown = None if suffix == ".json" else kind  # a JSON document is no JSON lines table
        return shown, None, None, f"read by the notebook with {options}: rows and columns not read"
    if size > MAX_TABLE_BYTES:
        return (
            kind,
            None,
            None,
            f"larger than {MAX_TABLE_BYTES >> 20} MiB: rows and columns not read",
        )
    try:
        frame = read_file(path, {})
    except DataError as exc:
        if suffix == ".json":  # a JSON document, not JSON lines: no table to describe
            return None, None, None, None
        return kind, None, None, exc.problem
    columns = tuple(Column(str(name), str(dtype)) for name, dtype in frame.dtypes.items())
    return kind, len(frame), columns, None


# -- JSON ---------------------------------------------------------------------------------------


def render_manifest(manifest: DataManifest, location: Path | None = None) -> str:
    """The manifest as JSON (keys sorted, two-space indent, a final newline).  With
    ``location`` (the folder the file is written to), ``notebook`` is the notebook's
    path relative to it, so :func:`check_manifest` finds the data from there."""
    notebook = manifest.notebook
    shown = (
        Path(os.path.relpath(os.path.abspath(notebook), os.path.abspath(location))).as_posix()
        if location is not None
        else notebook.name
    )
    document = {
        "schema": SCHEMA_VERSION,
        "tool": "harden",
        "harden_version": __version__,
        "notebook": shown,
        "files": [_file_data(f) for f in manifest.files],
        "remote": list(manifest.remote),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _file_data(item: DataFile) -> dict[str, Any]:
    return {
        "path": item.path,
        "missing": item.missing,
        "size": item.size,
        "sha256": item.sha256,
        "format": item.format,
        "rows": item.rows,
        "columns": None
        if item.columns is None
        else [{"name": c.name, "dtype": c.dtype} for c in item.columns],
        "note": item.note,
    }


def load_manifest(path: Path) -> dict[str, Any]:
    """The manifest's JSON document, checked against :data:`JSON_SCHEMA`'s essentials."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError("no such file", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read: {exc}", path) from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"not JSON (line {exc.lineno}: {exc.msg})", path) from None
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise ManifestError("not a harden data manifest (no 'files' list)", path)
    if document.get("schema") != SCHEMA_VERSION:
        raise ManifestError(
            f"data manifest schema {document.get('schema')!r}: this harden reads "
            f"schema {SCHEMA_VERSION}",
            path,
        )
    return document


def check_manifest(manifest_path: Path, data_dir: Path | None = None) -> list[Drift]:
    """Hash the manifest's files again: what changed, went missing or appeared.

    Paths are relative to the notebook's folder: ``data_dir`` when given, else the
    folder of the manifest's ``notebook`` (relative to the manifest's own folder).
    An empty list means: this is the data the results came from.
    """
    from harden.run.inputs import hash_file

    manifest_path = Path(manifest_path)
    document = load_manifest(manifest_path)
    if data_dir is None:
        notebook = Path(str(document.get("notebook") or "."))
        data_dir = (manifest_path.parent / notebook).parent
    drifts: list[Drift] = []
    for entry in document["files"]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
            raise ManifestError("a 'files' entry has no 'path'", manifest_path)
        path = entry["path"]
        target = Path(path) if Path(path).is_absolute() else data_dir / path
        try:
            exists = target.is_file()
            size = target.stat().st_size if exists else None
        except OSError:
            exists, size = False, None
        if entry.get("missing"):
            if exists:
                drifts.append(Drift(path, "appeared", None, _size_text(size)))
            continue
        if not exists:
            drifts.append(Drift(path, "missing", _size_text(entry.get("size")), None))
            continue
        before = entry.get("sha256")
        after = hash_file(target)
        if before is None or after is None:
            if size != entry.get("size"):
                drifts.append(
                    Drift(path, "changed", _size_text(entry.get("size")), _size_text(size))
                )
            else:
                drifts.append(Drift(path, "unverified", None, _size_text(size)))
        elif before != after:
            drifts.append(Drift(path, "changed", f"sha256 {before[:12]}…", f"sha256 {after[:12]}…"))
    return drifts


def _size_text(size: Any) -> str:
    return f"{size} bytes" if isinstance(size, int) else "unknown size"


# -- the schema ---------------------------------------------------------------------------------

_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"], "minimum": 0}

#: JSON Schema (draft 2020-12) of ``data-manifest.json``; ``docs/data-manifest.schema.json``
#: is this, dumped (:func:`schema_text`).
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": f"harden data-manifest.json, schema {SCHEMA_VERSION}",
    "type": "object",
    "additionalProperties": False,
    "required": ["schema", "tool", "harden_version", "notebook", "files", "remote"],
    "properties": {
        "schema": {"const": SCHEMA_VERSION, "description": "bumped when a key changes meaning"},
        "tool": {"const": "harden"},
        "harden_version": {"type": "string"},
        "notebook": {
            "type": "string",
            "description": "the notebook, relative to the manifest's folder; file paths "
            "are relative to the notebook's folder",
        },
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "path",
                    "missing",
                    "size",
                    "sha256",
                    "format",
                    "rows",
                    "columns",
                    "note",
                ],
                "properties": {
                    "path": {
                        "type": "string",
                        "description": "relative to the notebook's folder, POSIX separators "
                        "(absolute when outside it)",
                    },
                    "missing": {"type": "boolean", "description": "the file did not exist"},
                    "size": {**_NULLABLE_INT, "description": "bytes; null when missing"},
                    "sha256": {
                        "type": ["string", "null"],
                        "pattern": "^[0-9a-f]{64}$",
                        "description": "hex; null when missing or too large to hash (512 MiB)",
                    },
                    "format": {
                        "enum": ["csv", "parquet", "jsonl", None],
                        "description": "how pandas reads it; null for files that are no table",
                    },
                    "rows": _NULLABLE_INT,
                    "columns": {
                        "type": ["array", "null"],
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "dtype"],
                            "properties": {
                                "name": {"type": "string"},
                                "dtype": {"type": "string", "description": "pandas dtype as read"},
                            },
                        },
                    },
                    "note": {
                        **_NULLABLE_STRING,
                        "description": "why a table's rows and columns are absent",
                    },
                },
            },
        },
        "remote": {
            "type": "array",
            "items": {"type": "string"},
            "description": "URLs the notebook reads (not hashed)",
        },
    },
}


def schema_text() -> str:
    return json.dumps(JSON_SCHEMA, indent=2, sort_keys=True) + "\n"
