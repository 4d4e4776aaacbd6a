"""Output formats for lint results: ``text`` (default), ``json``, ``sarif``, ``junit``.

Every format is a pure function with the :class:`Formatter` signature: it takes
the per-notebook results and the rule table and returns the whole document as
a string ending in a newline.  Formatters never print, never touch files and
keep no state; the CLI decides ``color`` (terminal, ``NO_COLOR``) and writes
the string where it belongs.

    render = get_formatter("sarif")
    document = render(results, rules, color=False, fail_on=Severity.ERROR)
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from harden.errors import UsageError
from harden.linter.finding import LintResult, RuleInfo, Severity

__all__ = ["DEFAULT_FORMAT", "FORMATS", "Formatter", "get_formatter"]


class Formatter(Protocol):
    """Renders a batch of lint results as one document.

    ``rules`` is the rule table in effect (SARIF lists it; other formats may
    ignore it).  ``color`` allows ANSI colour (only ``text`` uses it).
    ``fail_on`` is the severity at or above which a finding fails the run;
    formats that report pass/fail (``text`` summary, ``json`` summary,
    ``junit`` failures) use it so they agree with the exit code.
    """

    def __call__(
        self,
        results: Sequence[LintResult],
        rules: Sequence[RuleInfo],
        *,
        color: bool,
        fail_on: Severity,
    ) -> str: ...


DEFAULT_FORMAT = "text"


class _Formats(Mapping[str, Formatter]):
    """Format name → its module's ``render``, the module imported when first asked
    for (a run renders one format; ``harden lint`` start-up pays for that one only)."""

    _MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "junit": "junit"}

    def __getitem__(self, name: str) -> Formatter:
        module = self._MODULES[name]  # KeyError for an unknown format, as a dict
        render: Formatter = importlib.import_module(f"{__name__}.{module}").render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(self._MODULES)

    def __len__(self) -> int:
        return len(self._MODULES)


#: Format name (as given to ``--format``) → formatter.  Read-only.
FORMATS: Mapping[str, Formatter] = _Formats()


def get_formatter(name: str) -> Formatter:
    """The formatter called ``name``; :class:`~harden.errors.UsageError` if there is none."""
    try:
        return FORMATS[name.strip().lower()]
    except KeyError:
        choices = ", ".join(FORMATS)
        raise UsageError(f"unknown output format {name!r} (choose from {choices})") from None
