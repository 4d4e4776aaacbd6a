"""Writing generated files: atomically, deterministically, never over a hand-edited file.

Each output folder keeps a manifest (``.harden-extract.json`` for a module,
``.harden-scaffold.json`` for tests, ``.harden-expect.json`` for suites...) with
the SHA-256 of every file harden wrote there.  A file that exists and no longer
matches its recorded hash (a person edited it), or that harden never wrote, is
not overwritten without ``force``; one harden wrote is replaced freely.  Nothing
is written unless every file can be.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harden.errors import OutputExistsError
from harden.io import atomic_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriteResult:
    directory: Path
    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(directory: Path, manifest: str) -> dict[str, str]:
    path = directory / manifest
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        log.warning("%s is unreadable; treating every existing file as hand-made", path)
        return {}


def write_files(
    directory: str | Path,
    files: Mapping[str, str | bytes],
    *,
    force: bool = False,
    manifest_name: str,
) -> WriteResult:
    """Write ``files`` (relative name → text or bytes) into ``directory``; the
    manifest ``manifest_name`` records what was written."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise OutputExistsError("output path exists and is not a folder", directory)
    manifest = read_manifest(directory, manifest_name)
    payloads = {
        name: text.encode("utf-8") if isinstance(text, str) else text
        for name, text in files.items()
    }
    conflicts, unchanged, pending = [], [], []
    for name, data in sorted(payloads.items()):
        target = directory / name
        if target.is_dir():
            raise OutputExistsError("a folder is in the way of the output file", target)
        if target.is_file():
            current = target.read_bytes()
            if current == data:
                unchanged.append(target)
                continue
            if manifest.get(name) != digest(current) and not force:
                conflicts.append(name)
                continue
        pending.append((target, data))
    if conflicts:
        raise not_overwriting(conflicts, directory)
    for target, data in pending:
        atomic_write(target, data)
    for name, data in payloads.items():
        manifest[name] = digest(data)
    _write_manifest(directory, manifest, manifest_name)
    return WriteResult(directory, tuple(t for t, _ in pending), tuple(unchanged))


def not_overwriting(names: Sequence[str], where: Path) -> OutputExistsError:
    """The error for files a person changed since harden wrote them (``--force`` needed)."""
    return OutputExistsError(
        "not overwriting " + ", ".join(names) + ": changed since harden wrote it "
        "(or not written by harden); use --force to overwrite",
        where,
    )


def edited_files(directory: Path, names: Sequence[str], manifest_name: str) -> list[str]:
    """Of ``names`` (relative to ``directory``), those that exist and are not what
    harden last wrote there (``manifest_name`` records it): a person edited them,
    or harden never wrote them.  The check :func:`write_files` makes per file, for a
    caller that must know before a long run that a folder can be written."""
    manifest = read_manifest(directory, manifest_name)
    return [
        name
        for name in names
        if (directory / name).is_file()
        and manifest.get(name) != digest((directory / name).read_bytes())
    ]


def _write_manifest(directory: Path, manifest: Mapping[str, str], manifest_name: str) -> None:
    text = (
        json.dumps(
            {"files": dict(sorted(manifest.items())), "version": 1}, indent=2, sort_keys=True
        )
        + "\n"
    )
    atomic_write(directory / manifest_name, text.encode("utf-8"))


def rerecord(folder: Path, rewritten: Mapping[Path, bytes]) -> None:
    """Files harden wrote and then rewrote itself (``rewritten``: path → new content,
    anywhere under ``folder``): every manifest under ``folder`` that records one of
    them records its new digest, so it does not read as edited by a person."""
    for path in sorted(folder.rglob(".harden-*.json")):
        manifest = read_manifest(path.parent, path.name)
        changed = {
            name: digest(rewritten[path.parent / name])
            for name in manifest
            if path.parent / name in rewritten
        }
        if changed:
            _write_manifest(path.parent, {**manifest, **changed}, path.name)


def remove_stale(
    directory: str | Path,
    keep: Collection[str],
    *,
    under: str = "",
    manifest_name: str,
) -> tuple[Path, ...]:
    """Delete the files under ``under`` that harden wrote into ``directory`` earlier
    and that are not in ``keep`` (relative names), when unchanged since: the
    manifest records them with the hash they had.  A file a person edited or
    added is never deleted.  Folders left empty go too; returns what was deleted."""
    directory = Path(directory)
    manifest = read_manifest(directory, manifest_name)
    removed: list[Path] = []
    forgotten = False
    for name, recorded in sorted(manifest.items()):
        if name in keep or not name.startswith(under):
            continue
        path = directory / name
        if path.is_file() and digest(path.read_bytes()) != recorded:
            continue  # edited since harden wrote it: the person's now
        if path.is_file():
            path.unlink()
            removed.append(path)
        del manifest[name]
        forgotten = True
        parent = path.parent
        while parent != directory and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    if forgotten:
        _write_manifest(directory, manifest, manifest_name)
    return tuple(removed)
