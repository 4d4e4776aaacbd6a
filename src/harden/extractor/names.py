"""The module's name: from ``--module-name`` or the notebook's file name."""

from __future__ import annotations

import builtins
import keyword
import re
import sys
from pathlib import Path

from harden.errors import UsageError


def default_module_name(path: Path) -> str:
    """``Customer LTV (v2).ipynb`` → ``customer_ltv_v2``; never a stdlib or builtin name."""
    name = re.sub(r"[^0-9a-z]+", "_", Path(path).stem.lower()).strip("_") or "notebook"
    if name[0].isdigit():
        name = f"nb_{name}"
    if name in _BAD_MODULE_NAMES or keyword.iskeyword(name):
        name = f"{name}_notebook"
    return name


def check_module_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or keyword.iskeyword(name):
        raise UsageError(f"--module-name {name!r} is not a valid Python module name")
    return name


_BAD_MODULE_NAMES = (
    frozenset(dir(builtins))
    | frozenset(sys.stdlib_module_names)
    | {"test", "tests", "setup", "conftest"}
)
