"""Names that exist without any cell defining them: builtins and IPython's."""

from __future__ import annotations

import builtins

BUILTIN_NAMES: frozenset[str] = frozenset(dir(builtins)) | frozenset(
    {"__name__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__"}
)

#: Names the IPython kernel puts in the user namespace.
IPYTHON_NAMES: frozenset[str] = frozenset(
    {
        "display",
        "get_ipython",
        "In",
        "Out",
        "_",
        "__",
        "___",
        "_i",
        "_ii",
        "_iii",
        "_ih",
        "_oh",
        "_dh",
        "exit",
        "quit",
        "_exit_code",
    }
)


def is_ipython_name(name: str) -> bool:
    """``_iN`` (input N) and ``_N`` (output N) as well as the fixed names."""
    if name in IPYTHON_NAMES:
        return True
    for prefix in ("_i", "_"):
        rest = name[len(prefix) :]
        if name.startswith(prefix) and rest.isdigit():
            return True
    return False


def is_provided(name: str) -> bool:
    """True for names a fresh IPython kernel defines before any cell runs."""
    return name in BUILTIN_NAMES or is_ipython_name(name)
