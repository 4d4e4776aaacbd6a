"""Hoisted imports: de-duplicated, grouped (future, stdlib, third party, local), unused removed.

Wildcard imports of a local module beside the notebook are resolved by
reading that module's source (``__all__``, or its public top-level names,
without running it) and become explicit imports of the names the module
uses.  Other wildcard imports stay (and ruff reports F403/F405 on them).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import libcst as cst

from harden.analysis.modules import UNKNOWN, SiblingFiles
from harden.extractor.nodes import dotted

Group = Literal["future", "stdlib", "third-party", "local"]
GROUPS: tuple[Group, ...] = ("future", "stdlib", "third-party", "local")
_EMPTY = cst.Module(body=[])


@dataclass(frozen=True, order=True)
class ImportEntry:
    """One imported name: ``import module as asname`` or ``from module import name as asname``."""

    module: str
    name: str | None = None  # None: ``import module``; "*": wildcard
    asname: str | None = None

    @property
    def bound(self) -> str | None:
        if self.name == "*":
            return None
        if self.asname:
            return self.asname
        return self.name if self.name is not None else self.module.split(".")[0]

    @property
    def top(self) -> str:
        return self.module.lstrip(".").split(".")[0]


def entries_of(statement: cst.Import | cst.ImportFrom) -> list[ImportEntry]:
    code = _EMPTY.code_for_node
    out: list[ImportEntry] = []
    if isinstance(statement, cst.Import):
        for alias in statement.names:
            asname = code(alias.asname.name) if alias.asname else None
            out.append(ImportEntry(code(alias.name), None, asname))
        return out
    module = "." * len(statement.relative) + (code(statement.module) if statement.module else "")
    if isinstance(statement.names, cst.ImportStar):
        return [ImportEntry(module, "*")]
    for alias in statement.names:
        asname = code(alias.asname.name) if alias.asname else None
        out.append(ImportEntry(module, code(alias.name), asname))
    return out


def group_of(entry: ImportEntry, folder: Path | None) -> Group:
    if entry.module.startswith("."):
        return "local"
    if entry.top == "__future__":
        return "future"
    if folder is not None and is_local(entry.top, folder):
        return "local"
    if entry.top in sys.stdlib_module_names:
        return "stdlib"
    return "third-party"


def is_local(top: str, folder: Path) -> bool:
    package = folder / top
    return (folder / f"{top}.py").is_file() or (package / "__init__.py").is_file()


def used_names(nodes: Iterable[cst.CSTNode]) -> set[str]:
    """Names read anywhere in ``nodes`` (attribute and keyword names excluded)."""
    names: set[str] = set()

    class _Reads(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> bool:
            names.add(node.value)
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)
            return False

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            for decorator in node.decorators:
                decorator.visit(self)
            node.params.visit(self)
            if node.returns is not None:
                node.returns.visit(self)
            node.body.visit(self)
            return False

        def visit_Param(self, node: cst.Param) -> bool:
            for part in (node.annotation, node.default):
                if part is not None:
                    part.visit(self)
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            for child in (*node.decorators, *node.bases, *node.keywords, node.body):
                child.visit(self)
            return False

    visitor = _Reads()
    for node in nodes:
        node.visit(visitor)
    return names


def star_names(entry: ImportEntry, folder: Path | None) -> list[str] | None:
    """The names ``from m import *`` provides, sorted, for a module beside the notebook
    or a standard-library module (its source read as the analysis reads a sibling
    module, never run); else ``None``."""
    if entry.module.startswith("."):
        return None
    provided = SiblingFiles(folder).star(entry.module) if folder is not None else UNKNOWN
    if not provided.complete and "." not in entry.module and folder is not None:
        package = folder / entry.module / "__init__.py"
        if package.is_file():
            provided = SiblingFiles(package.parent).star("__init__")
    if not provided.complete and entry.top in sys.stdlib_module_names:
        return _stdlib_names(entry.module)
    return sorted(provided.names) if provided.complete else None


#: Standard-library modules that do something when imported.
_UNSAFE_STDLIB = frozenset({"antigravity", "this", "idlelib", "turtle", "turtledemo", "tkinter"})


def _stdlib_names(module: str) -> list[str] | None:
    import importlib
    import importlib.util

    if module.split(".")[0] in _UNSAFE_STDLIB:
        return None
    try:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin and spec.origin.endswith(".py"):
            source = Path(spec.origin)
            provided = SiblingFiles(source.parent).star(source.stem)
            return sorted(provided.names) if provided.complete else None
        loaded = importlib.import_module(module)
    except (ImportError, OSError, ValueError):
        return None
    names = getattr(loaded, "__all__", None)
    if names is None:
        names = [n for n in dir(loaded) if not n.startswith("_")]
    return sorted(str(n) for n in names)


def _name_key(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return (kind, name.lower())


def statements(
    entries: Iterable[ImportEntry], folder: Path | None
) -> dict[Group, list[cst.SimpleStatementLine]]:
    """Import statements per group, sorted: ``import x`` first, then ``from x import …``."""
    grouped: dict[Group, list[ImportEntry]] = {group: [] for group in GROUPS}
    for entry in sorted(
        set(entries), key=lambda e: (e.module.lower(), e.module, e.name or "", e.asname or "")
    ):
        grouped[group_of(entry, folder)].append(entry)
    out: dict[Group, list[cst.SimpleStatementLine]] = {}
    for group, found in grouped.items():
        plain = [e for e in found if e.name is None]
        lines = [cst.SimpleStatementLine([cst.Import([_alias(e.module, e.asname)])]) for e in plain]
        modules = list(dict.fromkeys(e.module for e in found if e.name is not None))
        for module in modules:
            names = [e for e in found if e.module == module and e.name is not None]
            if any(e.name == "*" for e in names):
                lines.append(_from(module, None))
            named = sorted(
                (e for e in names if e.name != "*"),
                key=lambda e: (*_name_key(e.name or ""), e.asname or ""),
            )
            if named:
                lines.append(_from(module, named))
        out[group] = lines
    return out


def _alias(name: str, asname: str | None) -> cst.ImportAlias:
    return cst.ImportAlias(dotted(name), asname=cst.AsName(cst.Name(asname)) if asname else None)


def _from(module: str, names: list[ImportEntry] | None) -> cst.SimpleStatementLine:
    dots = len(module) - len(module.lstrip("."))
    bare = module.lstrip(".")
    imported: cst.ImportStar | list[cst.ImportAlias]
    imported = (
        cst.ImportStar() if names is None else [_alias(e.name or "", e.asname) for e in names]
    )
    node = cst.ImportFrom(
        module=dotted(bare) if bare else None, names=imported, relative=[cst.Dot()] * dots
    )
    return cst.SimpleStatementLine([node])
