"""The notebook-wide parse: cells joined into one module keep their own
statements, lines and comments, and a broken cell never disturbs the others."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

from harden.analysis import Location, analyze, analyze_cell
from harden.notebook import Cell, from_node


def _notebook(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T")] + [
        nbformat.v4.new_code_cell(s) for s in sources
    ]
    return from_node(nb)


def test_statements_locations_and_comments_stay_with_their_cell() -> None:
    analysis = analyze(
        _notebook(
            "import pandas as pd\n# trailing comment of cell 1\n",
            "# leading comment of cell 2\ndf = pd.read_csv('a.csv')\n",
            "def f(x):\n    if x:\n        return x\n    # indented trailing comment",
            "# only a comment",
            "y = f(df)\n",
        )
    )
    cells = {c.index: c for c in analysis.cells}
    assert [len(c.module.body) for c in analysis.cells] == [1, 1, 1, 0, 1]
    assert "trailing comment of cell 1" not in cells[2].module.code
    assert "leading comment of cell 2" in cells[2].module.code
    assert cells[2].binding("df").location.line == 2
    assert cells[5].binding("y").location.line == 1
    assert cells[2].calls[0].qualified_name == "pandas.read_csv"
    assert {(d.reader, d.name, d.provider) for d in analysis.dependencies} >= {
        (2, "pd", 1),
        (5, "f", 3),
        (5, "df", 2),
    }


def test_a_broken_cell_does_not_disturb_the_others() -> None:
    analysis = analyze(
        _notebook("a = 1", "def broken(:\n    pass", "b = a + 1", "(" * 300 + ")" * 300)
    )
    cells = {c.index: c for c in analysis.cells}
    assert cells[2].syntax_error is not None and cells[2].syntax_error.location.line == 1
    assert cells[4].syntax_error is not None
    assert cells[3].binding("b") is not None
    assert [(d.reader, d.name, d.provider) for d in analysis.dependencies] == [(3, "a", 1)]


def test_magics_map_back_to_user_lines_in_the_joined_parse() -> None:
    analysis = analyze(
        _notebook(
            "%matplotlib inline\nimport numpy as np",
            "!pip install x\nz = np.zeros(3)\n%timeit np.sum(z)",
        )
    )
    second = analysis.cells[1]
    assert [(m.kind, m.name, m.location.line) for m in second.magics] == [
        ("shell", "pip", 1),
        ("line", "timeit", 3),
    ]
    assert second.binding("z").location.line == 2
    assert second.calls[0].qualified_name == "numpy.zeros"


def test_single_cell_api_matches_notebook_analysis() -> None:
    cell = Cell(index=0, cell_type="code", source="x = y + 1\nz = x")
    alone = analyze_cell(cell)
    assert alone.free_reads == {"y"} and alone.defines == {"x", "z"}


def test_a_cell_libcst_refuses_is_a_problem_and_the_others_keep_their_facts(monkeypatch) -> None:
    """Cells are parsed one by one: a cell libcst refuses (after CPython
    accepted it) becomes a syntax problem, the others are analysed as usual."""
    import libcst as cst

    from harden.analysis import parse as cell_module

    notebook = _notebook(
        "a = 1\nb = a + 2", "def f(x):\n    return x + a", "c = f(b)\nd = [c, a]\n"
    )
    normal = analyze(notebook)
    real = cst.parse_module

    def refuse_the_function(code: str, *args, **kwargs):
        if code.startswith("def f"):
            raise cst.ParserSyntaxError("refused", lines=[""], raw_line=1, raw_column=0)
        return real(code, *args, **kwargs)

    monkeypatch.setattr(cell_module.cst, "parse_module", refuse_the_function)
    refused = analyze(notebook)
    assert refused.cells[1].syntax_error is not None
    assert refused.cells[1].syntax_error.location == Location(refused.cells[1].cell.index, 1)
    for index in (0, 2):
        one, other = normal.cells[index], refused.cells[index]
        assert [(b.name, b.location, b.sources) for b in one.bindings] == [
            (b.name, b.location, b.sources) for b in other.bindings
        ]
        assert one.reads == other.reads
    assert [u.name for u in refused.unresolved] == ["f"]


def test_global_augmented_assignment_in_a_function_reads_the_global() -> None:
    analysis = analyze(
        _notebook("counter = 0", "def bump():\n    global counter\n    counter += 1")
    )
    bump = analysis.cells[1]
    assert [(r.name, r.deferred) for r in bump.reads] == [("counter", True)]


def test_time_magic_inside_a_function_binds_nothing_at_notebook_level() -> None:
    analysis = analyze(_notebook("def f():\n    %time y = 1\n    return 2"))
    assert analysis.cells[0].defines == {"f"}


def test_the_dependency_graph_does_not_depend_on_the_hash_seed() -> None:
    """Names a called notebook function reads come out in one order, whatever
    PYTHONHASHSEED is (they came from a set)."""
    import subprocess
    import sys

    code = (
        "from harden.notebook import load; from harden.analysis import analyze; "
        "a = analyze(load('notebooks/examples/churn_messy.ipynb')); "
        "print([(d.name, d.provider) for d in a.dependencies])"
    )
    root = Path(__file__).resolve().parents[1]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(outputs) == 1
