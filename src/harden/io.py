"""Writing files safely: atomically, and never over a file a person edited."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from harden.errors import HardenError


def atomic_write(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half."""
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else data
    if path.exists() and not path.is_file():
        # /dev/null, /dev/stdout, a named pipe: nothing to replace atomically.
        try:
            with open(path, "wb") as handle:
                handle.write(raw)
        except OSError as exc:
            raise HardenError(f"cannot write ({exc.strerror or exc})", path) from None
        return
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise HardenError(f"cannot write ({exc.strerror or exc})", path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise HardenError(f"cannot write ({exc.strerror or exc})", path) from None
