"""SARIF regions point at the line of the raw ``.ipynb`` file that holds the finding's
source line (harden.linter.filelines): checked on notebooks with several cells, saved
as Jupyter saves them, with unusual indentation, on one line, and with sources stored
as one string."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import harden
from harden.linter.filelines import file_lines
from harden.linter.formats import sarif

SOURCES = [
    "# Title",
    "import random\nx = 1\n\nrandom.shuffle([1, 2])",
    "y = 2",
    "def f():\n    return 1\n\n\nimport os\nos.chdir('/tmp')",
]


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(SOURCES[0]),
        *(nbformat.v4.new_code_cell(s) for s in SOURCES[1:]),
    ]
    return nb


def _texts() -> dict[str, str]:
    nb = _notebook()
    saved = nbformat.writes(nb)  # Jupyter's layout: indent 1, sources as lists of lines
    data = json.loads(saved)
    one_string = json.loads(saved)
    for cell in one_string["cells"]:
        cell["source"] = "".join(cell["source"])
    return {
        "jupyter": saved,
        "indent-4": json.dumps(data, indent=4),
        "tabs-and-crlf": json.dumps(data, indent="\t").replace("\n", "\r\n"),
        "one-line": json.dumps(data),
        "one-string-sources": json.dumps(one_string, indent=2),
    }


@pytest.mark.parametrize("layout", list(_texts()))
def test_every_source_line_maps_to_the_file_line_that_holds_it(layout: str) -> None:
    text = _texts()[layout]
    file = text.split("\n")
    cells = file_lines(text)
    assert cells is not None and len(cells) == len(SOURCES)
    for cell, source in zip(cells, SOURCES, strict=True):
        for number, line in enumerate(source.split("\n"), start=1):
            held = file[cell.file_line(number) - 1]
            assert json.dumps(line)[1:-1] in held, (layout, number, line, held)


def test_not_a_notebook() -> None:
    assert file_lines("not json") is None
    assert file_lines('{"a": 1}') is None
    assert file_lines("[1, 2]") is None


def test_nbformat_3_cells_are_read_from_the_first_worksheet() -> None:
    text = json.dumps(
        {
            "nbformat": 3,
            "worksheets": [{"cells": [{"cell_type": "code", "input": ["a = 1\n", "b = 2"]}]}],
        },
        indent=1,
    )
    (cell,) = file_lines(text) or ()
    assert '"b = 2"' in text.split("\n")[cell.file_line(2) - 1]


@pytest.mark.parametrize("layout", ["jupyter", "indent-4", "one-string-sources"])
def test_sarif_region_is_the_line_of_the_ipynb_file(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(_texts()[layout], encoding="utf-8")
    report = harden.lint(path, select=["H101", "H106"])
    log = json.loads(
        sarif.render(report.results, report.rules, color=False, fail_on=report.fail_on)
    )
    results = log["runs"][0]["results"]
    file = _texts()[layout].split("\n")
    assert {r["ruleId"] for r in results} == {"H101", "H106"}
    for result in results:
        region = result["locations"][0]["physicalLocation"]["region"]
        props = result["properties"]
        held = file[region["startLine"] - 1]
        wanted = SOURCES[props["cell_index"]].split("\n")[props["cell_line"] - 1]
        assert json.dumps(wanted)[1:-1] in held
        cell = props["cell_index"] + 1
        assert f"cell {cell} (1-based), line {props['cell_line']}" in result["message"]["text"]
