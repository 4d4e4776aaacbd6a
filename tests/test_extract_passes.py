"""``extract`` as named passes: the pass lists, passes run alone, the split-mode registry."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers import write_notebook

from harden.analysis import analyze
from harden.cli import main
from harden.errors import ExtractionError, UsageError
from harden.extractor import extract
from harden.extractor import splits as splits_mod
from harden.extractor.cells import (
    CELL_STEPS,
    CellContext,
    CellDraft,
    drop_display_line,
    sort_statements,
)
from harden.extractor.classify import classify
from harden.extractor.core import EXTRACT_PASSES, run_passes
from harden.extractor.passes import avoid_name_clashes, check_split_mode, split_sections
from harden.extractor.sections import Section
from harden.extractor.splits import SPLIT_MODES, SPLITS, Sectioning
from harden.extractor.state import ExtractOptions, ExtractState
from harden.notebook import Cell, load


def nb(path: Path, *cells: object, name: str = "nb.ipynb") -> Path:
    return write_notebook(path, *cells, name=name)


def test_the_pipelines_are_named_lists_in_order() -> None:
    names = [p.__name__ for p in EXTRACT_PASSES]
    assert (
        names.index("analyse")
        < names.index("prepare_cells")
        < names.index("split_sections")
        < names.index("plan_steps")
        < names.index("build_module")
    )
    assert names.index("prepare_cells") < names.index("refuse_notebook_only")
    assert len(set(names)) == len(names)
    steps = [s.__name__ for s in CELL_STEPS]
    assert steps[0] == "sort_statements"
    assert steps.index("drop_display_line") < steps.index("rewrite_notebook_only")
    assert steps[-1] == "refuse_top_level_await"


def test_running_the_passes_by_hand_is_extract(tmp_path: Path) -> None:
    path = nb(tmp_path, ("md", "## Load"), "a = [1, 2]\nlen(a)", ("md", "## Sum"), "b = sum(a)")
    state = run_passes(ExtractState(load(path), ExtractOptions()), EXTRACT_PASSES)
    assert state.source == extract(path).source
    assert [s.cells for s in state.sections] == [(1,), (3,)]


def test_a_pass_alone(tmp_path: Path) -> None:
    state = ExtractState(
        load(nb(tmp_path, "import json\nx = json.dumps(1)", name="json.ipynb")), ExtractOptions()
    )
    with pytest.raises(UsageError, match="one of headings, tags, cells"):
        check_split_mode(ExtractState(state.notebook, ExtractOptions(split="chapters")))
    named = avoid_name_clashes(state.logged(name="json", analysis=analyze(state.notebook)))
    assert named.name == "json_notebook" and state.name == ""  # the input is not changed
    split = split_sections(
        ExtractState(state.notebook, ExtractOptions(split="tags"), codes={0: None})
    )  # type: ignore[dict-item]
    assert split.sections == (Section((0,)),)
    assert [e.message for e in split.log] == ["no cell is tagged step:<name>; split at headings"]


def test_a_cell_step_alone(tmp_path: Path) -> None:
    analysis = analyze(load(nb(tmp_path, "import pandas as pd\ndf = pd.DataFrame()\ndf.head()")))
    cell = analysis.cells[0]
    ctx = CellContext(cell, classify(analysis, [], set()), frozenset(), False, False)
    sorted_ = sort_statements(CellDraft(), ctx)
    assert len(sorted_.imports) == 1 and len(sorted_.body) == 2
    dropped = drop_display_line(sorted_, ctx)
    assert len(dropped.body) == 1 and dropped.displayed == ("df",)
    assert [(e.kind, e.line, e.code) for e in dropped.log] == [("dropped", 3, "df.head()")]
    assert sorted_.log == ()  # each step returns a new draft


def _halves(cells: Sequence[Cell], code_cells: Sequence[int]) -> Sectioning:
    """A toy mode: the first half of the code cells, then the rest."""
    middle = (len(code_cells) + 1) // 2
    return Sectioning(
        (
            Section(tuple(code_cells[:middle]), "first half"),
            Section(tuple(code_cells[middle:]), "second half"),
        )
    )


def test_a_new_split_mode_is_one_function_and_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = nb(
        tmp_path,
        ("md", "## A"),
        "a = len('x')",
        "b = a + 1",
        ("md", "## B"),
        "c = b * 2",
        "d = c + a",
    )
    monkeypatch.setitem(SPLIT_MODES, "halves", _halves)
    e = extract(path, split="halves")
    assert [(s.name, s.cells) for s in e.plan.steps] == [
        ("first_half", (1, 2)),
        ("second_half", (4, 5)),
    ]
    assert main(["extract", str(path), "--split", "halves", "--stdout", "-q"]) == 0
    assert "def first_half(" in capsys.readouterr().out
    monkeypatch.delitem(SPLIT_MODES, "halves")
    with pytest.raises(UsageError, match="one of headings, tags, cells, not 'halves'"):
        extract(path, split="halves")


def test_the_builtin_modes_are_registered() -> None:
    assert SPLITS == splits_mod.split_modes() == ("headings", "tags", "cells")


def test_refusals_keep_their_order(tmp_path: Path) -> None:
    """A magic with no Python equivalent is refused only after every cell was
    prepared: a top-level await in a later cell is reported first."""
    path = nb(tmp_path, "!mkdir out", "import asyncio\nawait asyncio.sleep(0)")
    with pytest.raises(ExtractionError, match="top-level `await`"):
        extract(path)
