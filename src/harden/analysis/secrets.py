"""Secrets in a cell's source: known-format tokens and values given to secret-like names.

The text-level detectors live in :mod:`harden.secrets`; this module applies
them to what the analysis knows of a cell (its string literals, bindings,
keyword arguments, dict keys and attribute assignments).
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from harden.analysis.model import CellAnalysis, Location
from harden.analysis.walk import iter_nodes
from harden.secrets import Secret, is_secret_name, known_secrets, named_secret


def cell_secrets(cell: CellAnalysis) -> list[tuple[Secret, Location]]:
    """Secrets in a cell's source, each where its string literal starts."""
    found: dict[str, tuple[Secret, Location]] = {}
    if cell.syntax_error is not None:  # no strings were collected: scan the raw lines
        for number, line in enumerate(cell.cell.lines, start=1):
            for secret in known_secrets(line):
                found.setdefault(secret.value, (secret, Location(cell.index, number)))
        return list(found.values())
    texts = [(string.value, string.location) for string in cell.strings]
    texts += [(magic.args, magic.location) for magic in cell.magics]
    if cell.python.cell_magic is not None and cell.magics:
        start = cell.magics[0].location.line
        texts += [
            (line, Location(cell.index, start + offset))
            for offset, line in enumerate(cell.python.cell_magic.body.splitlines(), 1)
        ]
    for text, location in texts:
        for secret in known_secrets(text):
            found.setdefault(secret.value, (secret, location))
    pairs = [(b.name, b.literal) for b in cell.bindings if b.is_literal]
    pairs += [
        (a.keyword, a.literal) for c in cell.calls for a in c.args if a.keyword and a.is_literal
    ]
    pairs += [
        (k.literal, v.literal)
        for c in cell.calls
        if c.method in {"setdefault", "putenv"}
        for k, v in [(c.positional(0), c.positional(1))]
        if k is not None and v is not None and isinstance(k.literal, str)
    ]
    # Walking the tree is the slow part: only when a secret-like key or attribute is there.
    keys = [string.value for string in cell.strings if len(string.value) < 64]
    keys += [m.detail.rsplit(".", 1)[-1] for m in cell.mutations if m.kind == "attribute"]
    if cell.module is not None and any(is_secret_name(key) for key in keys):
        pairs += _tree_pairs(cell.module)
    for name, value in pairs:
        named = named_secret(name, value)
        if named is not None and named.value not in found:
            where = next((s.location for s in cell.strings if s.value == value), None)
            found[named.value] = (named, where or Location(cell.index, 1))
    return sorted(found.values(), key=lambda f: (f[1].line, f[1].column or 0))


def _tree_pairs(module: cst.Module) -> list[tuple[str, Any]]:
    """``{"api_key": "…"}``, ``cfg["token"] = "…"`` and ``client.api_key = "…"``."""
    pairs: list[tuple[str, Any]] = []

    def text(node: cst.CSTNode) -> Any:
        return node.evaluated_value if isinstance(node, cst.SimpleString) else None

    for node in iter_nodes(module):
        if isinstance(node, cst.DictElement):
            if isinstance(text(node.key), str):
                pairs.append((text(node.key), text(node.value)))
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                key = target.target
                if isinstance(key, cst.Attribute):
                    pairs.append((key.attr.value, text(node.value)))
                elif isinstance(key, cst.Subscript) and len(key.slice) == 1:
                    index = key.slice[0].slice
                    if isinstance(index, cst.Index) and isinstance(text(index.value), str):
                        pairs.append((text(index.value), text(node.value)))
    return pairs


__all__ = ["cell_secrets"]
