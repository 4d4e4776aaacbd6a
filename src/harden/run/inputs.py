"""Content hashes of the data files a notebook reads.

Before a run, every file the analysis names as a literal path (a string
literal in a cell, a ``read_csv`` argument) that exists under the notebook's
working directory is hashed.  A later difference can then say "data file X
changed".  A notebook may carry the hashes it was saved with in its metadata::

    "metadata": {"harden": {"inputs": {"data/sales.csv": {"sha256": "…", "size": 1234}}}}

(``"data/sales.csv": "sha256:…"`` is accepted too).  :func:`stored_hashes`
reads them; :func:`changed_inputs` compares.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Files larger than this are recorded by size only (hashing them costs seconds).
MAX_HASH_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class InputFile:
    """A data file the notebook reads: ``path`` relative to the working directory."""

    path: str
    sha256: str | None
    size: int


@dataclass(frozen=True)
class InputChange:
    """An input whose content differs from a reference (stored metadata or before the run)."""

    path: str
    before: str | None
    after: str | None
    reference: str  # "notebook metadata" or "during the run"

    def describe(self) -> str:
        if self.after is None:
            return f"data file {self.path} is missing (it existed {self._when()})"
        if self.before is None:
            return f"data file {self.path} was created {self._during()}"
        return (
            f"data file {self.path} changed {self._since()} "
            f"(sha256 {self.before[:12]}… → {self.after[:12]}…)"
        )

    def _when(self) -> str:
        return (
            "when the notebook was saved"
            if self.reference == "notebook metadata"
            else "before the run"
        )

    def _since(self) -> str:
        return (
            "since the notebook was saved"
            if self.reference == "notebook metadata"
            else "while the notebook ran (the notebook writes a file it reads)"
        )

    def _during(self) -> str:
        return (
            "after the notebook was saved"
            if self.reference == "notebook metadata"
            else "during the run"
        )


def hash_file(path: Path) -> str | None:
    if path.stat().st_size > MAX_HASH_BYTES:
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_inputs(candidates: Iterable[str], cwd: Path) -> tuple[InputFile, ...]:
    """Hash each candidate path that names an existing file under ``cwd``.

    Candidates outside ``cwd`` (absolute paths elsewhere, URLs) are ignored:
    the record is about the notebook's own data folder.
    """
    cwd = cwd.resolve()
    seen: dict[str, InputFile] = {}
    for text in candidates:
        if not text or "\n" in text or len(text) > 1024 or "://" in text:
            continue
        try:
            target = (cwd / os.path.expanduser(text)).resolve()
            if not target.is_file() or not target.is_relative_to(cwd):
                continue
            relative = target.relative_to(cwd).as_posix()
            if relative in seen or target.suffix == ".ipynb":
                continue
            seen[relative] = InputFile(relative, hash_file(target), target.stat().st_size)
        except (OSError, ValueError) as exc:
            log.debug("not hashing %r: %s", text, exc)
    return tuple(sorted(seen.values(), key=lambda item: item.path))


def rehash(inputs: Iterable[InputFile], cwd: Path) -> tuple[InputFile, ...]:
    """Hash the same files again (after a run); a vanished file has ``sha256=None, size=-1``."""
    result = []
    for item in inputs:
        target = cwd / item.path
        try:
            result.append(InputFile(item.path, hash_file(target), target.stat().st_size))
        except OSError:
            result.append(InputFile(item.path, None, -1))
    return tuple(result)


def stored_hashes(metadata: Mapping[str, Any]) -> dict[str, str]:
    """The ``harden.inputs`` hashes in a notebook's metadata: path → sha256 hex."""
    harden_meta = metadata.get("harden") if isinstance(metadata, Mapping) else None
    raw = harden_meta.get("inputs") if isinstance(harden_meta, Mapping) else None
    result: dict[str, str] = {}
    if not isinstance(raw, Mapping):
        return result
    for path, entry in raw.items():
        digest = entry.get("sha256") if isinstance(entry, Mapping) else entry
        if isinstance(digest, str) and digest:
            result[str(path)] = digest.removeprefix("sha256:").lower()
    return result


def changed_inputs(
    reference: Mapping[str, str | None], current: Iterable[InputFile], label: str
) -> tuple[InputChange, ...]:
    """Inputs whose hash differs from ``reference`` (path → sha256)."""
    current_by_path = {item.path: item for item in current}
    changes = []
    for path, before in reference.items():
        item = current_by_path.get(path)
        after = None if item is None or item.size < 0 else item.sha256
        if item is not None and item.sha256 is None and item.size >= 0:
            continue  # too large to hash: cannot tell
        if before != after:
            changes.append(InputChange(path, before, after, label))
    return tuple(changes)


def metadata_entry(inputs: Iterable[InputFile]) -> dict[str, dict[str, Any]]:
    """The ``harden.inputs`` value to store in a notebook for these files."""
    return {item.path: {"sha256": item.sha256, "size": item.size} for item in inputs if item.sha256}
