"""Build an nbformat notebook from a list of cells.

One helper shared by the rule examples, the test helpers, the benchmark
corpus and the example-notebook builder (``tools/build_examples.py``).  It
makes the notebook as plain dicts and converts once (no per-cell schema
validation); call :func:`nbformat.validate` on the result when it matters.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from nbformat import NotebookNode

CellKind = Literal["code", "markdown", "raw"]


@dataclass(frozen=True)
class CellSpec:
    """One cell to build.

    ``tags`` go to ``metadata["tags"]`` (only when not empty), on top of
    ``metadata``.  ``execution_count`` and ``outputs`` apply to code cells
    only.  ``id`` ``None`` draws a random nbformat cell id.
    """

    source: str
    kind: CellKind = "code"
    tags: tuple[str, ...] = ()
    execution_count: int | None = None
    outputs: tuple[Mapping[str, Any], ...] = ()
    id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


def kernelspec(name: str, language: str, display_name: str | None = None) -> dict[str, str]:
    """A ``kernelspec`` metadata entry (``display_name`` defaults to ``name``)."""
    return {
        "display_name": display_name if display_name is not None else name,
        "language": language,
        "name": name,
    }


def _cell_dict(cell: CellSpec) -> dict[str, Any]:
    from nbformat.v4.nbbase import random_cell_id

    metadata = copy.deepcopy(dict(cell.metadata))
    if cell.tags:
        metadata["tags"] = list(cell.tags)
    node: dict[str, Any] = {
        "id": cell.id if cell.id is not None else random_cell_id(),
        "cell_type": cell.kind,
        "metadata": metadata,
        "source": cell.source,
    }
    if cell.kind == "code":
        node["execution_count"] = cell.execution_count
        node["outputs"] = [copy.deepcopy(dict(output)) for output in cell.outputs]
    return node


def build_notebook(
    cells: Iterable[CellSpec | str],
    *,
    kernel: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    nbformat_minor: int = 5,
) -> NotebookNode:
    """An nbformat v4 notebook holding ``cells`` (a plain string is a code cell).

    ``kernel`` is the ``kernelspec`` entry (see :func:`kernelspec`);
    ``metadata`` holds any other notebook metadata (``language_info``, ...).
    Mappings are copied, never shared with the result.
    """
    import nbformat

    notebook_metadata: dict[str, Any] = {}
    if kernel is not None:
        notebook_metadata["kernelspec"] = dict(kernel)
    notebook_metadata.update(copy.deepcopy(dict(metadata or {})))
    specs: Sequence[CellSpec] = [c if isinstance(c, CellSpec) else CellSpec(c) for c in cells]
    return nbformat.from_dict(
        {
            "nbformat": 4,
            "nbformat_minor": nbformat_minor,
            "metadata": notebook_metadata,
            "cells": [_cell_dict(c) for c in specs],
        }
    )
