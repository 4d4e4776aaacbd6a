"""Notebook parameters: parsed like papermill, checked against the ``parameters`` cell.

papermill silently accepts a misspelled parameter and passes command-line
values as strings (papermill #667, #55).  Here an unknown name is a
:class:`~harden.errors.UsageError` that suggests the closest known name, and a
value is converted to the type of the default it replaces.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harden.errors import UsageError

log = logging.getLogger(__name__)

#: Marks a parameter whose default is not a literal (``path = Path("x")``):
#: the name is known, but there is no type to convert to.
NOT_LITERAL: Any = type("NotLiteral", (), {"__repr__": lambda self: "<not a literal>"})()


@dataclass(frozen=True)
class ParameterArg:
    """One parameter value as given.

    ``text`` is the value as typed on the command line (``None`` when the value
    came from a YAML file or the Python API); ``value`` is its YAML reading.
    ``origin`` says where it came from, for messages (``-p``, a file name).
    """

    name: str
    value: Any
    text: str | None = None
    origin: str = "api"


def parse_cli_parameter(name: str, text: str) -> ParameterArg:
    """``-p name value``: the value is read as YAML (``5`` is an int, ``[1, 2]`` a list)."""
    import yaml

    if not name.isidentifier():
        raise UsageError(f"-p {name!r}: a parameter name must be a Python identifier")
    try:
        value = yaml.safe_load(text) if text.strip() else text
    except yaml.YAMLError:
        value = text
    return ParameterArg(name=name, value=value, text=text, origin="-p")


def load_parameter_file(path: str | Path) -> tuple[ParameterArg, ...]:
    """``-f params.yaml``: a YAML mapping of parameter names to values."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read parameter file ({exc.strerror or exc})", path) from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise UsageError(f"invalid YAML: {first}", path) from None
    if data is None:
        return ()
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        raise UsageError("a parameter file must be a mapping of names to values", path)
    return tuple(ParameterArg(name=k, value=v, origin=path.name) for k, v in data.items())


def as_parameter_args(
    parameters: Mapping[str, Any] | Iterable[ParameterArg] | None,
) -> tuple[ParameterArg, ...]:
    """Accept a plain mapping (Python API) or :class:`ParameterArg` values."""
    if parameters is None:
        return ()
    if isinstance(parameters, Mapping):
        return tuple(ParameterArg(name=str(k), value=v) for k, v in parameters.items())
    return tuple(parameters)


def resolve_parameters(
    given: Iterable[ParameterArg],
    defaults: Mapping[str, Any] | None,
    path: str | Path | None = None,
) -> dict[str, Any]:
    """Check ``given`` against the parameters cell's ``defaults`` and convert each value.

    ``defaults`` is ``None`` when the notebook has no cell tagged ``parameters``.
    Later values override earlier ones (``-f`` first, then ``-p``).
    """
    given = tuple(given)
    if not given:
        return {}
    if defaults is None:
        names = ", ".join(sorted({arg.name for arg in given}))
        raise UsageError(
            f"cannot set parameter(s) {names}: the notebook has no cell tagged 'parameters' "
            "(tag the cell that holds the defaults)",
            path,
        )
    resolved: dict[str, Any] = {}
    for arg in given:
        if arg.name not in defaults:
            raise UsageError(_unknown_message(arg, defaults), path)
        resolved[arg.name] = convert_value(arg, defaults[arg.name], path)
    return resolved


def _unknown_message(arg: ParameterArg, defaults: Mapping[str, Any]) -> str:
    known = sorted(defaults)
    close = difflib.get_close_matches(arg.name, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listing = ", ".join(known) if known else "none"
    return f"unknown parameter {arg.name!r}{hint} (the parameters cell defines: {listing})"


def convert_value(arg: ParameterArg, default: Any, path: str | Path | None = None) -> Any:
    """Convert ``arg`` to the type of ``default`` or raise a :class:`UsageError`."""
    value = arg.value
    if default is NOT_LITERAL or default is None:
        return value
    shown = arg.text if arg.text is not None else repr(value)

    def mismatch(kind: str) -> UsageError:
        return UsageError(
            f"parameter {arg.name!r} expects {kind} like its default {default!r}, "
            f"got {shown!r} (from {arg.origin})",
            path,
        )

    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise mismatch("true or false")
    if isinstance(default, int):
        if isinstance(value, bool):
            raise mismatch("an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise mismatch("an integer")
    if isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise mismatch("a number")
    if isinstance(default, str):
        if arg.text is not None:
            return arg.text  # the raw text: "007" stays "007", "yes" stays "yes"
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise mismatch("a string")
    if isinstance(default, (list, tuple)):
        if isinstance(value, (list, tuple)):
            return type(default)(value)
        raise mismatch("a list")
    if isinstance(default, dict):
        if isinstance(value, dict):
            return value
        raise mismatch("a mapping")
    return value
