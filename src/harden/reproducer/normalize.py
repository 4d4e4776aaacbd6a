"""Normalisers: rewrite what legitimately changes between two runs of a notebook.

Each normaliser is a small named piece with a one-line ``description`` and an
``apply(text) -> str`` method.  The comparer runs them, in order, over both
sides of every text it compares, so a normaliser only has to map *equivalent*
texts to the same string; it never decides whether two texts are equal.

The built-ins (in the order :data:`DEFAULT_NORMALIZERS` applies them):

``ansi-escape``         terminal colour/cursor codes are dropped
``carriage-return``     ``\\r`` updates on a line keep only the final state
``progress-bar``        tqdm's bar, elapsed/remaining time and rate are masked
``ipykernel-path``      ``/tmp/ipykernel_<pid>/<hash>.py`` becomes ``<ipykernel>``
``temp-path``           ``/tmp/tmpab12cd``, ``/var/folders/../T``, Windows ``Temp`` dirs
``warning-path``        a warning's file path and line number (``…/x.py:12: FutureWarning:``)
``memory-address``      ``0x7f3a9c2b1d90`` becomes ``0x…`` (so ``<Foo object at 0x…>``)
``object-id``           ``id=140234567890123`` becomes ``id=<id>``
``timestamp``           date-times with a time of day, ``datetime.datetime(...)``, ``ctime()``
``duration``            ``%time``/``%timeit`` output, ``took 3.2s``, ``12.3 it/s``, Keras steps
``trailing-whitespace`` spaces at the end of a line

then the library representation-drift normalisers of
:mod:`harden.reproducer.normalize_drift` (``numpy2-scalar-repr``,
``pandas3-string-dtype``, ``pandas-numeric-index``, ``scipy-sparse-repr``,
``moved-class-module``, ``module-path``, ``sklearn-estimator-html``); the
opt-in ``pandas2-value-counts`` is a built-in that is off unless enabled.
A verdict says which drift normalisers made a difference.

Trade-off of ``timestamp``: a bare date (``2024-05-01``) is left alone because
dates are usually *data* (a CSV column, a groupby key); only values carrying a
time of day (``2024-05-01 12:34:56``, ``12:34:56.789``) are masked, since those
are usually clocks.  Midnight (``2011-07-06 00:00:00``, how pandas prints a
date held as a timestamp) and a ``datetime.datetime(2011, 7, 6, 0, 0)`` without
microseconds are data and are kept.  A DataFrame whose data has times of day therefore has
those values masked too: drop ``timestamp`` from the list to compare them.

Users add their own :class:`RegexNormalizer` (``[tool.harden.repro]``), built
with :func:`normalizer_from_config`.  Patterns are compiled with
``re.MULTILINE``, so ``^`` and ``$`` match at every line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from harden.errors import ConfigError
from harden.reproducer.normalize_builtins import (
    collapse_carriage_returns,
    normalise_durations,
    normalise_progress_bars,
    normalise_temp_paths,
    normalise_timestamps,
    normalise_warning_paths,
)
from harden.reproducer.normalize_drift import DRIFT_LABELS, DRIFT_SPECS, OPT_IN_DRIFT_SPECS

__all__ = [
    "BUILTIN_NORMALIZERS",
    "DEFAULT_NORMALIZERS",
    "DRIFT_LABELS",
    "FunctionNormalizer",
    "Normalizer",
    "RegexNormalizer",
    "apply_normalizers",
    "build_normalizers",
    "normalizer_from_config",
]


@runtime_checkable
class Normalizer(Protocol):
    """Anything with a ``name``, a ``description`` and ``apply(text) -> str``."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    def apply(self, text: str) -> str: ...


@dataclass(frozen=True)
class RegexNormalizer:
    """Replace every match of ``pattern`` (``re.MULTILINE``) with ``replacement``.

    ``replacement`` is an ``re.sub`` template (``\\1``, ``\\g<name>``).  An invalid
    pattern or template raises :class:`~harden.errors.ConfigError`.
    """

    name: str
    pattern: str
    replacement: str
    description: str = ""
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            regex = re.compile(self.pattern, re.MULTILINE)
            regex.sub(self.replacement, "")  # checks the template's group references
        except (re.error, IndexError) as exc:
            raise ConfigError(
                f"normaliser {self.name!r}: invalid pattern or replacement: {exc}"
            ) from None
        object.__setattr__(self, "_regex", regex)

    def apply(self, text: str) -> str:
        return self._regex.sub(self.replacement, text)


@dataclass(frozen=True)
class FunctionNormalizer:
    """A normaliser implemented by a plain function ``str -> str``."""

    name: str
    description: str
    function: Callable[[str], str] = field(repr=False)

    def apply(self, text: str) -> str:
        return self.function(text)


def apply_normalizers(text: str, normalizers: Iterable[Normalizer]) -> str:
    """Run ``normalizers`` over ``text`` in order."""
    for normalizer in normalizers:
        text = normalizer.apply(text)
    return text


_CONFIG_KEYS = frozenset({"name", "pattern", "replace", "description"})


def normalizer_from_config(entry: Mapping[str, object]) -> RegexNormalizer:
    """Build a user normaliser from ``{"name": …, "pattern": …, "replace": …}``.

    ``description`` is optional.  Missing or unknown keys, non-string values
    and invalid regexes raise :class:`~harden.errors.ConfigError`.
    """
    if not isinstance(entry, Mapping):
        raise ConfigError(
            f"a normaliser must be a table with name, pattern, replace; got {entry!r}"
        )
    label = entry.get("name", "<unnamed>")
    unknown = sorted(str(key) for key in entry if key not in _CONFIG_KEYS)
    if unknown:
        raise ConfigError(f"normaliser {label!r}: unknown key(s) {', '.join(unknown)}")
    for key in ("name", "pattern", "replace"):
        if key not in entry:
            raise ConfigError(f"normaliser {label!r}: missing key {key!r}")
    for key in _CONFIG_KEYS & set(entry):
        if not isinstance(entry[key], str):
            raise ConfigError(f"normaliser {label!r}: {key!r} must be a string")
    name, pattern, replace = (str(entry[key]) for key in ("name", "pattern", "replace"))
    if not name.strip():
        raise ConfigError("normaliser: 'name' must not be empty")
    description = str(entry.get("description", f"user pattern {pattern!r}"))
    return RegexNormalizer(name, pattern, replace, description)


def build_normalizers(
    disable: Iterable[str] = (),
    custom: Iterable[Mapping[str, object]] = (),
    enable: Iterable[str] = (),
) -> tuple[Normalizer, ...]:
    """The defaults plus ``enable`` (opt-in built-ins) minus ``disable`` (built-in
    names), in the built-ins' order, then the ``custom`` ones.

    An unknown name in ``disable`` or ``enable``, or a custom name that repeats
    another, raises :class:`~harden.errors.ConfigError`.
    """
    disabled, enabled = set(disable), set(enable)
    unknown = sorted((disabled | enabled) - set(BUILTIN_NORMALIZERS))
    if unknown:
        known = ", ".join(BUILTIN_NORMALIZERS)
        raise ConfigError(f"unknown normaliser(s) {', '.join(unknown)} (known: {known})")
    default = {n.name for n in DEFAULT_NORMALIZERS}
    chosen: list[Normalizer] = [
        n
        for n in BUILTIN_NORMALIZERS.values()
        if (n.name in default or n.name in enabled) and n.name not in disabled
    ]
    for entry in custom:
        normalizer = normalizer_from_config(entry)
        if normalizer.name in BUILTIN_NORMALIZERS or normalizer.name in {n.name for n in chosen}:
            raise ConfigError(f"normaliser {normalizer.name!r} is defined twice")
        chosen.append(normalizer)
    return tuple(chosen)


def _builtins() -> tuple[Normalizer, ...]:
    return (
        RegexNormalizer(
            "ansi-escape",
            r"\x1b\[[0-?]*[ -/]*[@-~]",
            "",
            "terminal colour and cursor escape codes are dropped",
        ),
        FunctionNormalizer(
            "carriage-return",
            "on a line rewritten with \\r (progress bars), keep only the final state",
            collapse_carriage_returns,
        ),
        FunctionNormalizer(
            "progress-bar",
            "tqdm bars: the bar, elapsed/remaining time and rate become …; "
            "the percentage and n/total stay",
            normalise_progress_bars,
        ),
        RegexNormalizer(
            "ipykernel-path",
            r"(?:[A-Za-z]:)?[^\s\"'()<>:]*ipykernel_\d+[\\/]\d+\.py",
            "<ipykernel>",
            "the kernel's per-process cell file /tmp/ipykernel_<pid>/<n>.py",
        ),
        FunctionNormalizer(
            "temp-path",
            "random temporary directories (/tmp/tmpab12cd, /var/folders/…/T, "
            "pytest's tmp_path, Windows Temp) become <tmp> / <tmpdir>",
            normalise_temp_paths,
        ),
        FunctionNormalizer(
            "warning-path",
            "in a warning header 'path/x.py:12: SomeWarning:', the installation-specific "
            "path and the (version-specific) line number are masked",
            normalise_warning_paths,
        ),
        RegexNormalizer(
            "memory-address",
            r"\b0x[0-9a-fA-F]{6,}\b",
            "0x…",
            "memory addresses such as <Foo object at 0x7f3a9c2b1d90>",
        ),
        RegexNormalizer(
            "object-id",
            r"(?<![\w.])(id\s*[=:]\s*)\d{10,}\b",
            r"\1<id>",
            "CPython object ids printed as id=140234567890123",
        ),
        FunctionNormalizer(
            "timestamp",
            "date-times that carry a time of day, times with seconds, datetime reprs "
            "and ctime() strings; bare dates are kept (they are usually data)",
            normalise_timestamps,
        ),
        FunctionNormalizer(
            "duration",
            "%time/%timeit output, 'took 3.2s', 'elapsed: 1.2 s', rates (12.3 it/s) "
            "and Keras per-step times",
            normalise_durations,
        ),
        RegexNormalizer(
            "trailing-whitespace",
            r"[ \t]+$",
            "",
            "spaces and tabs at the end of a line",
        ),
    ) + tuple(FunctionNormalizer(name, text, function) for name, _, text, function in DRIFT_SPECS)


DEFAULT_NORMALIZERS: tuple[Normalizer, ...] = _builtins()
"""The built-ins on by default, in the order they are applied."""

BUILTIN_NORMALIZERS: Mapping[str, Normalizer] = MappingProxyType(
    {normalizer.name: normalizer for normalizer in DEFAULT_NORMALIZERS}
    | {
        name: FunctionNormalizer(name, text, function)
        for name, _, text, function in OPT_IN_DRIFT_SPECS
    }
)
"""Every built-in by name (read-only), opt-in ones last."""
