"""The rule base class, what a rule reports, and the examples that test it.

A rule is one small class in one file: identity as class attributes, its
documentation as the class docstring (ruff's template, see
:mod:`harden.linter.ruledoc`), ``valid`` / ``invalid`` examples (notebooks given as lists of
cells) that the test-suite runs for every rule, and a ``check`` method that
reads the shared :class:`~harden.analysis.Analysis` and yields
:class:`Violation` values.  Rules never parse, print or keep state between
notebooks; a fresh instance is made for every notebook.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from harden.analysis.model import Analysis, Location
from harden.linter.finding import RuleInfo, Severity
from harden.linter.ruledoc import parse_rule_doc
from harden.notebook.model import Notebook


@dataclass(frozen=True)
class Violation:
    """What a rule reports: where, and a message specific to this occurrence.

    ``cell_index`` ``None`` means the whole notebook.  ``snippet`` overrides
    the source line shown to the user (rules that handle secrets pass a
    redacted line; the source is never shown for them otherwise).
    ``severity`` refines the rule's default for this one finding (H105 reports
    display-only magics as ``info``); a severity the pack or ``[tool.harden]``
    sets for the rule still applies to all of its findings.  ``related_cells``
    are the 0-based indexes of the cells the message names ("only cell 5
    further down defines it"), in the order it names them.
    """

    message: str
    cell_index: int | None = None
    line: int | None = None
    column: int | None = None
    snippet: str | None = None
    severity: Severity | None = None
    related_cells: tuple[int, ...] = ()

    @classmethod
    def at(
        cls,
        location: Location,
        message: str,
        snippet: str | None = None,
        severity: Severity | None = None,
        related_cells: Iterable[int] = (),
    ) -> Violation:
        return cls(
            message,
            location.cell_index,
            location.line,
            location.column,
            snippet,
            severity,
            tuple(related_cells),
        )


@dataclass(frozen=True)
class ExampleCell:
    """A cell of an example notebook."""

    source: str
    cell_type: str = "code"
    execution_count: int | None = None
    outputs: tuple[Mapping[str, Any], ...] = ()
    tags: tuple[str, ...] = ()


def code(
    source: str,
    count: int | None = None,
    outputs: Sequence[Mapping[str, Any]] = (),
    tags: Sequence[str] = (),
) -> ExampleCell:
    return ExampleCell(source, "code", count, tuple(outputs), tuple(tags))


def md(source: str) -> ExampleCell:
    return ExampleCell(source, "markdown")


@dataclass(frozen=True)
class Example:
    """A notebook a rule must flag (``invalid``) or must not flag (``valid``).

    Cells are plain strings (code cells) or :class:`ExampleCell`.  For
    ``invalid`` examples ``expect`` lists the ``(cell_index, line)`` pairs
    the rule must report (``cell_index`` ``None`` for notebook-level); when
    empty, at least one finding is required.  ``message`` pins a substring
    and ``severity`` the severity every finding of an ``invalid`` example must
    have.  ``options`` override the rule's thresholds.  ``language`` /
    ``kernel`` set the kernelspec.  ``files`` are files beside the notebook (name →
    text), for rules that read them (`from preamble import *`).

    A cell written as an indented triple-quoted string (a newline right after
    the opening quotes, the closing quotes on their own line) is dedented: the
    leading newline, the common indentation and the closing line's newline go.
    """

    cells: tuple[str | ExampleCell, ...]
    expect: tuple[tuple[int | None, int | None], ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    language: str = "python"
    kernel: str = "python3"
    size_bytes: int | None = None
    message: str | None = None
    severity: Severity | None = None
    files: Mapping[str, str] = field(default_factory=dict)

    def __init__(
        self,
        *cells: str | ExampleCell,
        expect: Sequence[tuple[int | None, int | None]] = (),
        options: Mapping[str, Any] | None = None,
        language: str = "python",
        kernel: str = "python3",
        size_bytes: int | None = None,
        message: str | None = None,
        severity: Severity | str | None = None,
        files: Mapping[str, str] | None = None,
    ) -> None:
        object.__setattr__(self, "cells", tuple(_dedent_cell(cell) for cell in cells))
        object.__setattr__(self, "expect", tuple(expect))
        object.__setattr__(self, "options", dict(options or {}))
        object.__setattr__(self, "language", language)
        object.__setattr__(self, "kernel", kernel)
        object.__setattr__(self, "size_bytes", size_bytes)
        object.__setattr__(self, "message", message)
        if isinstance(severity, str):
            severity = Severity.parse(severity)
        object.__setattr__(self, "severity", severity)
        object.__setattr__(self, "files", dict(files or {}))

    def notebook(self, path: str = "example.ipynb", folder: Path | None = None) -> Notebook:
        """Build the example as an in-memory notebook (nbformat v4.5).

        An example with ``files`` (``{"preamble.py": "..."}``, files the notebook finds
        beside it) is written with them into ``folder`` (the caller's, e.g. pytest's
        ``tmp_path``; without it a new temporary folder the caller removes), and read
        from there.
        """
        import nbformat

        from harden.notebook.build import CellSpec, build_notebook, kernelspec
        from harden.notebook.load import from_node

        cells = [raw if isinstance(raw, ExampleCell) else ExampleCell(raw) for raw in self.cells]
        nb = build_notebook(
            [
                CellSpec(
                    c.source,
                    "markdown" if c.cell_type == "markdown" else "code",
                    c.tags,
                    c.execution_count,
                    c.outputs,
                )
                for c in cells
            ],
            kernel=kernelspec(self.kernel, self.language),
            metadata={"language_info": {"name": self.language}},
        )
        text = nbformat.writes(nb)
        size = self.size_bytes if self.size_bytes is not None else len(text)
        if self.files:
            import tempfile

            if folder is None:
                folder = Path(tempfile.mkdtemp(prefix="harden-example-"))
            folder.mkdir(parents=True, exist_ok=True)
            for name, content in self.files.items():
                (folder / name).write_text(content, encoding="utf-8")
            (folder / path).write_text(text, encoding="utf-8")
            path = str(folder / path)
        return from_node(nb, path, size_bytes=size)


def dedent(source: str) -> str:
    """``source`` without the indentation of a triple-quoted block (see :class:`Example`)."""
    lines = source.split("\n")
    if len(lines) < 3 or lines[0] or lines[-1].strip():
        return source
    return textwrap.dedent("\n".join(lines[1:-1]))


def _dedent_cell(cell: str | ExampleCell) -> str | ExampleCell:
    if isinstance(cell, str):
        return dedent(cell)
    return replace(cell, source=dedent(cell.source))


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: the notebook, its analysis, the rule's options."""

    notebook: Notebook
    analysis: Analysis
    options: Mapping[str, Any]

    def option(self, name: str) -> Any:
        return self.options[name]


class Rule:
    """Base class of all rules.  Subclasses set the class attributes and ``check``.

    The docstring documents the rule in the template of
    :mod:`harden.linter.ruledoc`; ``summary`` (one line: what the rule
    flags), ``what`` (what it flags and what it does not), ``rationale`` (why
    this breaks in production) and ``fix`` (what to do) are read from it when
    the class is defined.  A rule whose docstring does not follow the template
    (a third-party rule) may set those four attributes itself.
    ``options`` holds the rule's thresholds with their defaults (kebab-case
    keys, overridable in rule packs and ``[tool.harden.options.HXXX]``).
    """

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    what: ClassVar[str] = ""
    rationale: ClassVar[str]
    fix: ClassVar[str]
    options: ClassVar[Mapping[str, Any]] = {}
    valid: ClassVar[Sequence[Example]] = ()
    invalid: ClassVar[Sequence[Example]] = ()
    #: False for rules whose findings would otherwise show a secret.
    shows_source: ClassVar[bool] = True
    #: Rules that still run on non-Python notebooks (only H503).
    language_agnostic: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        doc = parse_rule_doc(cls.__dict__.get("__doc__"))
        if doc is None:
            return
        twice = sorted({"summary", "what", "rationale", "fix"} & cls.__dict__.keys())
        if twice:
            raise TypeError(
                f"{cls.__name__} sets {', '.join(twice)} both in its docstring and as attributes"
            )
        cls.summary, cls.what, cls.rationale, cls.fix = (
            doc.summary,
            doc.what,
            doc.rationale,
            doc.fix,
        )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        raise NotImplementedError

    @classmethod
    def info(cls) -> RuleInfo:
        return RuleInfo(
            cls.id, cls.name, cls.severity, cls.summary, " ".join(cls.rationale.split()), cls.fix
        )
