"""Names a notebook gets from Python files beside it, read statically.

``from preamble import *`` binds what ``preamble.py`` (next to the notebook)
exports: its ``__all__`` when that is a literal list, else its public
top-level names.  ``%run script.py`` binds every top-level name the script
defines.  The files are parsed with libcst, never imported or run.  When a
file is missing, too large, unparsable or itself takes names from a wildcard
it cannot resolve, its names are *unknown* (``complete`` false): the
analysis then does not call a read it may satisfy undefined.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from harden.analysis.nodes import dotted_name

#: Files beyond this size are not read (a generated module is no preamble).
MAX_BYTES = 1_000_000
#: How deep ``from a import *`` inside a sibling module is followed to another sibling.
MAX_DEPTH = 3


@dataclass(frozen=True)
class ModuleNames:
    """The names a file binds in the notebook, and what the imported ones stand for.

    ``imports`` maps a bound name to its qualified target (``pd`` → ``pandas``) when the
    file binds it with an import.  ``complete`` is false when the file may bind names not
    in ``names`` (or could not be read).
    """

    names: frozenset[str] = frozenset()
    imports: Mapping[str, str] = field(default_factory=dict)
    complete: bool = False


UNKNOWN = ModuleNames()


@dataclass
class SiblingFiles:
    """Reads files of one notebook's folder, each at most once (one per analysis)."""

    folder: Path | None
    _cache: dict[tuple[str, bool], ModuleNames] = field(default_factory=dict)

    def star(self, module: str) -> ModuleNames:
        """What ``from module import *`` binds, when ``module`` is a file beside the notebook."""
        return self._module(module, 0)

    def script(self, relative: str) -> ModuleNames:
        """What ``%run relative`` binds (every top-level name, private ones too)."""
        if self.folder is None or not relative.endswith(".py"):
            return UNKNOWN
        return self._read(self.folder / relative, public=False, depth=0)

    def _module(self, module: str, depth: int) -> ModuleNames:
        if self.folder is None or not module or module.startswith(".") or "." in module:
            return UNKNOWN
        if depth > MAX_DEPTH:
            return UNKNOWN
        return self._read(self.folder / f"{module}.py", public=True, depth=depth)

    def _read(self, path: Path, *, public: bool, depth: int) -> ModuleNames:
        key = (str(path), public)
        if key not in self._cache:
            self._cache[key] = UNKNOWN  # a module importing itself resolves to unknown
            self._cache[key] = self._parse(path, public, depth)
        return self._cache[key]

    def _parse(self, path: Path, public: bool, depth: int) -> ModuleNames:
        try:
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                return UNKNOWN
            module = cst.parse_module(path.read_bytes())
        except (OSError, cst.ParserSyntaxError, RecursionError, UnicodeDecodeError):
            return UNKNOWN
        top = _TopLevel(self, depth)
        for statement in module.body:
            top.statement(statement)
        if public and top.exported is not None:
            names = frozenset(top.exported)
            return ModuleNames(
                names,
                {n: t for n, t in top.imports.items() if n in names},
                complete=top.exported_complete,
            )
        names = frozenset(n for n in top.names if not (n.startswith("__") and n.endswith("__"))) - (
            {"__all__"}
        )
        if public:
            names = frozenset(n for n in names if not n.startswith("_"))
        return ModuleNames(
            names, {n: t for n, t in top.imports.items() if n in names}, top.complete
        )


class _TopLevel:
    """The names a module's top level binds (every branch of an ``if``/``try`` counts)."""

    def __init__(self, files: SiblingFiles, depth: int) -> None:
        self.files = files
        self.depth = depth
        self.names: set[str] = set()
        self.imports: dict[str, str] = {}
        self.complete = True
        self.exported: list[str] | None = None
        self.exported_complete = True

    def statement(self, statement: cst.CSTNode) -> None:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self.small(small)
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            self.names.add(statement.name.value)
        elif isinstance(statement, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
            if isinstance(statement, cst.For):
                self.target(statement.target)
            if isinstance(statement, cst.With):
                for item in statement.items:
                    if item.asname is not None:
                        self.target(item.asname.name)
            self.block(statement)

    def block(self, node: cst.CSTNode) -> None:
        for child in node.children:
            if isinstance(child, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                for statement in child.body:
                    self.statement(statement)
            elif isinstance(child, (cst.Else, cst.ExceptHandler, cst.Finally, cst.If)):
                if isinstance(child, cst.If):
                    self.statement(child)
                else:
                    self.block(child)

    def small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                self.target(target.target, small.value)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            self.target(small.target, small.value)
        elif isinstance(small, cst.AugAssign):
            if isinstance(small.target, cst.Name) and small.target.value == "__all__":
                self.export(small.value, extend=True)
            else:
                self.target(small.target)
        elif isinstance(small, cst.Import):
            for alias in small.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.bind_import(alias.asname.name.value, full)
                else:
                    head = full.split(".")[0]
                    self.bind_import(head, head)
        elif isinstance(small, cst.ImportFrom):
            self.import_from(small)

    def import_from(self, node: cst.ImportFrom) -> None:
        module = dotted_name(node.module) if node.module is not None else None
        if node.relative or module is None:
            if isinstance(node.names, cst.ImportStar):
                self.complete = False
            else:
                for alias in node.names:
                    self.names.add(_alias_name(alias))
            return
        if isinstance(node.names, cst.ImportStar):
            inner = self.files._module(module, self.depth + 1)
            self.names |= inner.names
            self.imports.update(inner.imports)
            self.complete = self.complete and inner.complete
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            self.bind_import(_alias_name(alias), f"{module}.{name}")

    def bind_import(self, name: str, target: str) -> None:
        if name:
            self.names.add(name)
            self.imports[name] = target

    def target(self, target: cst.BaseExpression, value: cst.BaseExpression | None = None) -> None:
        if isinstance(target, cst.Name):
            self.names.add(target.value)
            self.imports.pop(target.value, None)
            if target.value == "__all__" and value is not None:
                self.export(value, extend=False)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.target(element.value)
        elif isinstance(target, cst.StarredElement):
            self.target(target.value)

    def export(self, value: cst.BaseExpression, *, extend: bool) -> None:
        names: list[str] = []
        complete = isinstance(value, (cst.List, cst.Tuple))
        if isinstance(value, (cst.List, cst.Tuple)):
            for element in value.elements:
                item = element.value
                if isinstance(item, cst.SimpleString) and isinstance(item.evaluated_value, str):
                    names.append(item.evaluated_value)
                else:
                    complete = False
        if extend and self.exported is not None:
            self.exported.extend(names)
        else:
            self.exported = names
        self.exported_complete = (self.exported_complete or not extend) and complete


def _alias_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return (dotted_name(alias.name) or "").split(".")[0]
