"""IPython syntax → plain Python, with a map back to the user's lines.

IPython's own ``TransformerManager`` rewrites ``%magic``, ``%%cell magic``,
``!shell``, ``x = !cmd`` and ``x?`` into ``get_ipython()...`` calls that any
Python parser accepts.  We keep a :class:`LineMap` from lines of that Python
back to lines of the cell as the user wrote it, so every location harden
reports points at what the user sees.

Cell magics whose body is Python (``%%time``, ``%%timeit``, ``%%capture``,
``%%prun``) are unwrapped: the body is what gets analysed, so the names it
reads and defines count, and the magic itself is recorded.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import importlib.util
import io
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from harden.notebook.magics import PYTHON_BODY_CELL_MAGICS


@dataclass(frozen=True)
class LineMap:
    """Maps 1-based lines of the transformed Python to 1-based lines of the cell.

    ``exact`` lines are unchanged by the transformation, so columns carry
    over; other lines were rewritten from a magic, so only the line is known.
    """

    targets: tuple[int, ...]
    exact: frozenset[int]

    def line(self, python_line: int) -> int:
        if not self.targets:
            return 1
        index = min(max(python_line, 1), len(self.targets)) - 1
        return self.targets[index]

    def column(self, python_line: int, python_column: int) -> int | None:
        """1-based column in the cell, or ``None`` where the line was rewritten."""
        return python_column if python_line in self.exact else None


@dataclass(frozen=True)
class CellMagic:
    """A ``%%magic`` at the top of a cell."""

    name: str
    line: str
    body: str


@dataclass(frozen=True)
class PythonSource:
    """The Python a cell amounts to, and how its lines map back."""

    code: str
    line_map: LineMap
    cell_magic: CellMagic | None = None
    transform_error: str | None = None
    #: CPython already compiled ``code`` (it was valid Python as written).
    compiles: bool = field(default=False, compare=False)


def to_python(source: str) -> PythonSource:
    """Turn a cell's source (IPython syntax allowed) into plain Python."""
    magic = _cell_magic(source)
    if magic is not None and magic.name in PYTHON_BODY_CELL_MAGICS:
        inner = to_python(magic.body)
        # The body starts on the line after ``%%magic`` (blank lines may precede it).
        before = len(source) - len(source.lstrip("\n")) + 1
        shifted = tuple(line + before for line in inner.line_map.targets)
        exact = frozenset(line for line in inner.line_map.exact)
        # Columns of the body are unchanged.
        return PythonSource(
            code=inner.code,
            line_map=LineMap(shifted, exact),
            cell_magic=magic,
            transform_error=inner.transform_error,
            compiles=inner.compiles,
        )
    if magic is None and source.strip() and _is_plain_python(source):
        # IPython's transformer leaves valid Python as it is (every IPython
        # form is a syntax error in plain Python), so skip it: it costs about
        # a millisecond a cell.  Lines then map one to one.
        code = source if source.endswith("\n") else source + "\n"
        count = len(code.splitlines())
        lines = tuple(range(1, count + 1))
        return PythonSource(code, LineMap(lines, frozenset(lines)), compiles=True)
    code, error = _transform(source)
    return PythonSource(code, _line_map(source, code), magic, error)


def _is_plain_python(source: str) -> bool:
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        compile(source, "<cell>", "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def _transform(source: str) -> tuple[str, str | None]:
    try:
        return _input_transformer().TransformerManager().transform_cell(source), None
    except Exception as exc:  # noqa: BLE001 - IPython raises assorted errors on odd input
        return source, f"{type(exc).__name__}: {exc}"


#: Where :func:`_input_transformer` keeps IPython's module when it loads it alone.
_PRIVATE_NAME = "harden._ipython_inputtransformer2"


def _input_transformer() -> ModuleType:
    """IPython's ``inputtransformer2`` module, without importing ``IPython``.

    ``import IPython`` brings the terminal shell, jedi and prompt_toolkit
    (~0.25 s); the transformer module imports only the standard library, so
    it is loaded from its file on its own.  The real module is used when
    IPython is already imported, or when the file cannot be found.
    """
    name = "IPython.core.inputtransformer2"
    module = sys.modules.get(name) or sys.modules.get(_PRIVATE_NAME)
    if module is not None:
        return module
    spec = None
    package = importlib.util.find_spec("IPython")
    for folder in (package.submodule_search_locations or []) if package else []:
        location = Path(folder, "core", "inputtransformer2.py")
        if location.is_file():
            spec = importlib.util.spec_from_file_location(_PRIVATE_NAME, location)
            break
    if spec is None or spec.loader is None:
        return importlib.import_module(name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[_PRIVATE_NAME] = module
    try:
        spec.loader.exec_module(module)
    except Exception:  # noqa: BLE001 - a changed IPython: the ordinary import then
        del sys.modules[_PRIVATE_NAME]
        return importlib.import_module(name)
    return module


def unclosed_magic(line: str) -> str | None:
    """``%timeit`` for ``%timeit f(a,``: a line magic (or ``!`` command) whose own
    line leaves a bracket open.  IPython hands a line magic its line and the lines
    a trailing backslash continues, never the lines an open bracket would: those
    stay Python, and do not parse."""
    text = line.strip()
    if not text.startswith(("%", "!")) or text.startswith("%%"):
        return None
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text.lstrip("%!")).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
    except (tokenize.TokenError, SyntaxError):
        pass  # the end of the line inside a bracket (or a string): depth says which
    if depth <= 0:
        return None
    name = text.lstrip("%!").split(maxsplit=1)
    return text[0] + name[0] if text[0] == "%" and name else text[0]


def _cell_magic(source: str) -> CellMagic | None:
    stripped = source.lstrip("\n")
    if not stripped.startswith("%%"):
        return None
    first, _, body = stripped.partition("\n")
    name, _, line = first[2:].strip().partition(" ")
    if not name:
        return None
    return CellMagic(name=name, line=line.strip(), body=body)


def _line_map(source: str, code: str) -> LineMap:
    """Align original and transformed lines; rewritten runs map to their first line."""
    original = source.splitlines()
    python = code.splitlines()
    if original == python:
        count = len(python)
        return LineMap(tuple(range(1, count + 1)), frozenset(range(1, count + 1)))
    targets: list[int] = [1] * len(python)
    exact: set[int] = set()
    matcher = difflib.SequenceMatcher(a=original, b=python, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        for offset, b in enumerate(range(b0, b1)):
            if tag == "equal":
                targets[b] = a0 + offset + 1
                exact.add(b + 1)
            else:
                targets[b] = min(a0 + offset, max(a1 - 1, a0)) + 1
    return LineMap(tuple(targets), frozenset(exact))
