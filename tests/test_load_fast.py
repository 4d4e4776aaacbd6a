"""The nbformat-free v4 reader gives what nbformat's reader gives, and leaves
anything unusual to nbformat (so its errors are the messages)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from harden.errors import NotebookError
from harden.notebook import from_dict, loads
from harden.notebook.load import _is_plain_v4

EXAMPLES = sorted(
    (Path(__file__).resolve().parent.parent / "notebooks" / "examples").glob("*.ipynb")
)


def _doc() -> dict[str, Any]:
    """Every shape the reader rewrites: split sources and texts, JSON and text
    bundles, attachments, transient metadata."""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "language": "python", "display_name": "P"},
            "signature": "sha256:x",
            "orig_nbformat": 3,
        },
        "cells": [
            {
                "cell_type": "markdown",
                "id": "m1",
                "metadata": {"trusted": True},
                "source": ["# Title\n", "![x](attachment:a.png)"],
                "attachments": {"a.png": {"image/png": ["iVBO", "Rw0"]}},
            },
            {
                "cell_type": "code",
                "id": "c1",
                "execution_count": 1,
                "metadata": {"tags": ["parameters"], "trusted": False},
                "source": ["import json\n", "print(json.dumps({}))"],
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": ["{}\n", "more\n"]},
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {
                            "text/plain": ["a\n", "b"],
                            "application/json": ["kept", "as a list"],
                            "application/vnd+json": {"k": 1},
                        },
                    },
                    {"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["t"]},
                ],
            },
            {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": []},
        ],
    }


def _same(raw: bytes) -> None:
    fast = loads(raw, "nb.ipynb")
    slow = from_dict(json.loads(raw), "nb.ipynb", size_bytes=len(raw))
    assert fast == slow
    assert [dict(c.metadata) for c in fast.cells] == [dict(c.metadata) for c in slow.cells]
    assert [c.outputs for c in fast.cells] == [c.outputs for c in slow.cells]
    assert fast.metadata == slow.metadata
    assert fast.node == slow.node
    assert isinstance(fast.node, nbformat.NotebookNode)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_read_as_nbformat_reads_them(path: Path) -> None:
    raw = path.read_bytes()
    if json.loads(raw).get("nbformat") == 4:
        assert _is_plain_v4(json.loads(raw))
    _same(raw)


def test_every_rewritten_shape_matches_nbformat() -> None:
    raw = json.dumps(_doc()).encode()
    assert _is_plain_v4(json.loads(raw))
    _same(raw)
    node = loads(raw).node
    assert "signature" not in node.metadata and "trusted" not in node.cells[0].metadata
    assert node.cells[0].attachments["a.png"]["image/png"] == "iVBORw0"
    assert node.cells[1].outputs[1].data["application/json"] == ["kept", "as a list"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["cells"][1].pop("metadata"),
        lambda d: d.pop("metadata"),
        lambda d: d["cells"][1]["outputs"].append("not an output"),
        lambda d: d["cells"][1]["outputs"][0].update(text=["a", 1]),
        lambda d: d["cells"][1]["source"].append(3),
        lambda d: d["cells"][0].update(attachments=None),
        lambda d: d["cells"][1]["outputs"][1].update(data=[1]),
        lambda d: d.update(nbformat=4.0),
    ],
)
def test_anything_unusual_goes_to_nbformat_with_the_same_outcome(damage: Any) -> None:
    doc = copy.deepcopy(_doc())
    damage(doc)
    assert not _is_plain_v4(doc)
    raw = json.dumps(doc).encode()
    try:
        expected: Any = from_dict(json.loads(raw), "nb.ipynb", size_bytes=len(raw))
    except NotebookError as exc:
        expected = str(exc)
    try:
        got: Any = loads(raw, "nb.ipynb")
    except NotebookError as exc:
        got = str(exc)
    assert got == expected
