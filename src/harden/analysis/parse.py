"""Parsing cells: CPython's verdict first, then libcst, each cell on its own."""

from __future__ import annotations

import ast
import dataclasses
import io
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from harden.analysis.model import (
    Location,
    SyntaxProblem,
)
from harden.analysis.positions import Positions
from harden.analysis.scopes import Scopes, resolve_scopes
from harden.analysis.walk import Walker
from harden.notebook.ipython import PythonSource, to_python, unclosed_magic
from harden.notebook.magics import (
    decode_magic,
    python_code,
)
from harden.notebook.model import Cell


@dataclass(frozen=True)
class ParsedCell:
    """A code cell ready for collection: its Python, and either a syntax
    problem or its parsed module."""

    cell: Cell
    python: PythonSource
    problem: SyntaxProblem | None = None
    module: cst.Module | None = None
    positions: Positions = field(default_factory=lambda: Positions(None), compare=False)

    @property
    def statements(self) -> Sequence[cst.SimpleStatementLine | cst.BaseCompoundStatement]:
        return self.module.body if self.module is not None else ()

    def location(self, node: cst.CSTNode) -> Location | None:
        """Where ``node`` starts in the cell as the user sees it."""
        position = self.positions.position(node)
        if position is None:
            return None
        line, column = position
        line_map = self.python.line_map
        return Location(self.cell.index, line_map.line(line), line_map.column(line, column + 1))


@dataclass(frozen=True)
class ParsedNotebook:
    """Every code cell parsed on its own, scopes resolved once for all.

    ``scopes`` says, for every ``Name`` that is read, whether it is a
    notebook-level (global) read: the cells are one program, so one scope
    pass runs over all of them in order.
    """

    cells: tuple[ParsedCell, ...]
    scopes: Scopes
    #: ``%time stmt``-style magic calls → their Python, parsed in one batch.
    inline: Mapping[cst.CSTNode, tuple[ParsedCell, ParsedNotebook]] = dataclasses.field(
        default_factory=dict
    )


def parse_cells(cells: Sequence[Cell]) -> ParsedNotebook:
    """Check each cell with CPython, then parse the valid ones with libcst."""
    parsed: list[ParsedCell] = []
    for cell in cells:
        python = to_python(cell.source)
        problem = _check_syntax(cell, python)
        module = None
        if problem is None:
            try:
                module = _comments_with_statements(_parse_module(python.code))
            except RecursionError:
                # CPython accepts it, but it is beyond what libcst can parse.
                problem = SyntaxProblem(
                    "code nested too deeply to analyse", Location(cell.index, 1), True
                )
            except cst.ParserSyntaxError as exc:
                reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "no reason"
                problem = SyntaxProblem(
                    f"harden's parser (libcst) cannot read it: {reason}",
                    Location(cell.index, python.line_map.line(exc.raw_line or 1)),
                    True,
                )
        parsed.append(ParsedCell(cell, python, problem, module, Positions(module)))
    scopes = resolve_scopes([p.module for p in parsed if p.module is not None])
    if scopes.too_deep:
        too_deep = {id(module) for module in scopes.too_deep}
        # CPython and libcst accept it, but it is too deep for a recursive walk.
        parsed = [
            dataclasses.replace(
                p,
                problem=SyntaxProblem(
                    "code nested too deeply to analyse", Location(p.cell.index, 1), True
                ),
                module=None,
                positions=Positions(None),
            )
            if p.module is not None and id(p.module) in too_deep
            else p
            for p in parsed
        ]
    result = tuple(parsed)
    return ParsedNotebook(result, scopes, _parse_inline(result))


def _parse_module(code: str) -> cst.Module:
    """libcst's module of ``code``.  CPython accepts indentation that mixes tabs and
    spaces consistently (a tab advances to the next multiple of 8) where libcst's
    tokenizer can lose track of the blocks: then the indentation is read with its tabs
    expanded as CPython reads them (lines inside strings untouched), which keeps every
    block and line; columns on those lines count the expanded tabs."""
    try:
        return cst.parse_module(code)
    except cst.ParserSyntaxError:
        expanded = _expanded_indentation(code)
        if expanded is None:
            raise
        return cst.parse_module(expanded)


def _expanded_indentation(code: str) -> str | None:
    """``code`` with the tabs of each line's indentation expanded, lines inside a
    multi-line string left as they are; ``None`` when no indentation holds a tab."""
    lines = code.splitlines(keepends=True)
    if not any("\t" in line[: len(line) - len(line.lstrip())] for line in lines):
        return None
    inside: set[int] = set()  # 1-based lines that continue a string begun above
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return None
    out = []
    for number, line in enumerate(lines, 1):
        body = line.lstrip(" \t")
        indent = line[: len(line) - len(body)]
        out.append(line if number in inside else indent.expandtabs(8) + body)
    return "".join(out)


def _comments_with_statements(module: cst.Module) -> cst.Module:
    """Move the comments and blank lines that open a cell from the module's
    header to its first statement, so that they travel with it (into the
    extracted module); the code and every position stay the same."""
    if not module.header or not module.body:
        return module
    first = module.body[0]
    moved = first.with_changes(leading_lines=[*module.header, *first.leading_lines])
    return module.with_changes(header=[], body=[moved, *module.body[1:]])


def _parse_inline(
    cells: Sequence[ParsedCell],
) -> dict[cst.CSTNode, tuple[ParsedCell, ParsedNotebook]]:
    """Parse the Python inside every ``%time``/``%timeit``/``%prun`` of the
    notebook together, so they share one scope pass."""
    calls: list[tuple[cst.Call, str]] = []
    for cell in cells:
        if "_magic(" not in cell.python.code:  # only cells IPython rewrote can hold one
            continue
        finder = _InlineFinder()
        for statement in cell.statements:
            finder.walk(statement)
        calls.extend(finder.found)
    if not calls:
        return {}
    snippets = [
        Cell(index=number, cell_type="code", source=code) for number, (_, code) in enumerate(calls)
    ]
    batch = parse_cells(snippets)
    return {call: (batch.cells[number], batch) for number, (call, _) in enumerate(calls)}


class _InlineFinder(Walker):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[cst.Call, str]] = []

    def visit_Call(self, node: cst.Call) -> bool:
        code = _inline_code(node)
        if code is not None:
            self.found.append((node, code))
        return True


def _inline_code(node: cst.Call) -> str | None:
    """The Python a ``%time``-like magic call runs in the user namespace."""
    magic = decode_magic(node)
    return python_code(*magic) if magic is not None else None


def _check_syntax(cell: Cell, python: PythonSource) -> SyntaxProblem | None:
    """CPython's verdict first: libcst must never see what CPython refuses."""
    if python.transform_error:
        return SyntaxProblem(python.transform_error, Location(cell.index, 1, None))
    if python.compiles:
        return None
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT | ast.PyCF_ONLY_AST
    try:
        compile(python.code, f"<cell {cell.index + 1}>", "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        line = getattr(exc, "lineno", None) or 1
        offset = getattr(exc, "offset", None)
        message = getattr(exc, "msg", None) or str(exc) or "code nested too deeply to parse"
        message += _magic_hint(cell, python, line)
        location = Location(
            cell.index,
            python.line_map.line(line),
            python.line_map.column(line, offset) if offset else None,
        )
        return SyntaxProblem(message, location)
    return None


def _magic_hint(cell: Cell, python: PythonSource, line: int) -> str:
    """Why the line after a line magic does not parse, when the magic left a bracket
    open: IPython passed the magic only its own line."""
    if line < 2 or line - 1 in python.line_map.exact:
        return ""
    number = python.line_map.line(line - 1)
    magic = unclosed_magic(cell.line(number) or "")
    if magic is None:
        return ""
    return (
        f" (IPython gives `{magic}` only its own line {number}: the bracket left open "
        f"there does not carry the lines below into it; join them into line {number}, "
        "or end each line but the last with `\\`)"
    )


def _code_lines(python: PythonSource, string_lines: int) -> int:
    """Lines of the cell that hold code: not blank and not only a comment,
    plus the ``string_lines`` inside multi-line strings that look like that."""
    lines = set()
    for number, line in enumerate(python.code.splitlines(), 1):
        text = line.strip()
        if text and not text.startswith("#"):
            lines.add(number)
    return len({python.line_map.line(line) for line in lines}) + string_lines
