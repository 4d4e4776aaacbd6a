"""The notebook model: loading (nbformat v4, v3 upgrades, Jupytext percent
scripts), the bad-input contract, and IPython syntax → Python line maps.

Bad input always raises :class:`harden.errors.NotebookError` whose
``one_line()`` starts with the path and holds no newline; loading never
changes the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from harden.errors import NotebookError, UnsupportedFormatError
from harden.notebook import load, loads, to_python
from harden.notebook.model import Notebook


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Unchanged(list[Path]):
    """Files appended here must hold the same bytes when the test ends."""

    def __init__(self) -> None:
        super().__init__()
        self.digests: dict[Path, str] = {}

    def append(self, path: Path) -> None:
        self.digests[path] = _digest(path)
        super().append(path)


@pytest.fixture
def unchanged() -> Iterator[_Unchanged]:
    watched = _Unchanged()
    yield watched
    for path in watched:
        assert _digest(path) == watched.digests[path], f"loading modified {path}"


def _write(path: Path, raw: bytes) -> Path:
    path.write_bytes(raw)
    return path


def _v4(tmp_path: Path, name: str = "nb.ipynb", minor: int = 5) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = minor
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    first = nbformat.v4.new_code_cell("import os\nx = 1", execution_count=3)
    first.id = "first-cell"
    first.metadata["tags"] = ["parameters", "keep"]
    first.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="hi\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=3),
    ]
    md = nbformat.v4.new_markdown_cell("# Title")
    md.id = "md-cell"
    second = nbformat.v4.new_code_cell("print(x)")
    second.id = "second"
    nb.cells = [first, md, second]
    path = tmp_path / name
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def _error(path: Path) -> NotebookError:
    with pytest.raises(NotebookError) as info:
        load(path)
    error = info.value
    line = error.one_line()
    assert "\n" not in line and "\r" not in line
    assert line.startswith(str(path))
    return error


# -- nbformat v4 --------------------------------------------------------------


def test_v4_keeps_ids_tags_counts_outputs_and_kernel(tmp_path: Path, unchanged: _Unchanged) -> None:
    path = _v4(tmp_path)
    unchanged.append(path)
    notebook = load(path)
    assert isinstance(notebook, Notebook)
    assert notebook.path == path and notebook.source_format == "ipynb"
    assert notebook.nbformat == (4, 5)
    assert notebook.kernel_name == "python3" and notebook.language == "python"
    assert notebook.is_python
    assert notebook.size_bytes == path.stat().st_size
    first, md, second = notebook.cells
    assert [c.index for c in notebook.cells] == [0, 1, 2]
    assert [c.id for c in notebook.cells] == ["first-cell", "md-cell", "second"]
    assert first.tags == frozenset({"parameters", "keep"})
    assert first.execution_count == 3 and second.execution_count is None
    assert [o["output_type"] for o in first.outputs] == ["stream", "execute_result"]
    assert first.outputs[0]["text"] == "hi\n"
    assert md.cell_type == "markdown" and not md.is_code
    assert notebook.code_cells == (first, second)
    assert notebook.tagged("parameters") == (first,)
    assert first.line(2) == "x = 1" and first.line(3) is None


def test_cell_source_given_as_a_list_of_strings_is_joined(tmp_path: Path) -> None:
    doc = {
        "nbformat": 4,
        "nbformat_minor": 4,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": 1,
                "outputs": [],
                "source": ["import os\n", "x = 1\n", "print(x)"],
            }
        ],
    }
    notebook = load(_write(tmp_path / "list.ipynb", json.dumps(doc).encode()))
    assert notebook.cells[0].source == "import os\nx = 1\nprint(x)"
    assert notebook.cells[0].lines == ["import os", "x = 1", "print(x)"]


def test_cells_without_ids_keep_none_instead_of_random_ids(tmp_path: Path) -> None:
    doc = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": "x = 1",
            }
        ],
    }
    path = _write(tmp_path / "noid.ipynb", json.dumps(doc).encode())
    assert load(path).cells[0].id is None
    assert load(path) == load(path)


def test_language_comes_from_language_info_when_kernelspec_has_none(tmp_path: Path) -> None:
    doc = {
        "nbformat": 4,
        "nbformat_minor": 4,
        "cells": [],
        "metadata": {"language_info": {"name": "R"}},
    }
    notebook = load(_write(tmp_path / "r.ipynb", json.dumps(doc).encode()))
    assert notebook.language == "R" and not notebook.is_python


def test_a_notebook_without_kernel_metadata_is_assumed_python(tmp_path: Path) -> None:
    doc = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": []}
    notebook = load(_write(tmp_path / "bare.ipynb", json.dumps(doc).encode()))
    assert notebook.language is None and notebook.kernel_name is None and notebook.is_python


def test_an_r_kernel_is_not_python(tmp_path: Path) -> None:
    doc = {
        "nbformat": 4,
        "nbformat_minor": 4,
        "cells": [],
        "metadata": {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}},
    }
    notebook = load(_write(tmp_path / "r.ipynb", json.dumps(doc).encode()))
    assert (notebook.kernel_name, notebook.language, notebook.is_python) == ("ir", "R", False)


def test_utf8_with_bom_and_non_ascii_source_load(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Übersicht — 概要")])
    raw = b"\xef\xbb\xbf" + nbformat.writes(nb).encode("utf-8")
    notebook = load(_write(tmp_path / "bom.ipynb", raw))
    assert notebook.cells[0].source == "# Übersicht — 概要"


def test_loads_reads_bytes_and_text() -> None:
    text = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
    assert loads(text, "mem.ipynb").cells[0].source == "x = 1"
    assert loads(text.encode(), "mem.ipynb").size_bytes == len(text.encode())


# -- nbformat 3 (upgraded) and unsupported versions ---------------------------


def test_nbformat_3_is_upgraded_and_read(tmp_path: Path, unchanged: _Unchanged) -> None:
    v3 = nbformat.v3
    code = v3.new_code_cell(
        input="x = 1\nprint(x)",
        prompt_number=4,
        outputs=[v3.new_output("stream", output_text="1\n")],
        metadata={"tags": ["keep"]},
    )
    doc = v3.new_notebook(
        name="old",
        metadata=v3.new_metadata(name="old"),
        worksheets=[
            v3.new_worksheet(
                cells=[
                    v3.new_text_cell("markdown", source="Intro"),
                    code,
                    v3.new_heading_cell("Results", level=2),
                ]
            )
        ],
    )
    path = tmp_path / "old.ipynb"
    path.write_text(v3.writes_json(doc), encoding="utf-8")
    unchanged.append(path)
    assert json.loads(path.read_text())["nbformat"] == 3
    notebook = load(path)
    assert notebook.nbformat[0] == 4
    assert [c.cell_type for c in notebook.cells] == ["markdown", "code", "markdown"]
    cell = notebook.cells[1]
    assert cell.source == "x = 1\nprint(x)"
    assert cell.execution_count == 4 and cell.tags == frozenset({"keep"})
    assert cell.outputs[0]["output_type"] == "stream" and cell.outputs[0]["text"] == "1\n"
    assert notebook.cells[2].source == "## Results"
    assert all(c.id is None for c in notebook.cells)  # v3 has no ids; none invented
    assert notebook.is_python


@pytest.mark.parametrize("major", [1, 2, 5])
def test_other_nbformat_versions_are_unsupported(
    tmp_path: Path, major: int, unchanged: _Unchanged
) -> None:
    doc = {"nbformat": major, "nbformat_minor": 0, "worksheets": [], "cells": [], "metadata": {}}
    path = _write(tmp_path / f"v{major}.ipynb", json.dumps(doc).encode())
    unchanged.append(path)
    error = _error(path)
    assert isinstance(error, UnsupportedFormatError)
    assert f"nbformat {major} is not supported" in error.one_line()


# -- the bad-input contract ---------------------------------------------------

BAD = {
    "invalid.ipynb": (b'{"cells": [1,\n  2,, ]}', "invalid JSON at line 2, column 5"),
    "truncated.ipynb": (b'{"cells": [', "invalid JSON at line 1"),
    "list.ipynb": (b"[1, 2, 3]", "not a notebook"),
    "package.ipynb": (b'{"name": "package.json", "version": "1.0"}', "not a notebook"),
    "string_version.ipynb": (b'{"nbformat": "4", "cells": []}', "'nbformat' version"),
    "bool_version.ipynb": (b'{"nbformat": true, "cells": []}', "'nbformat' version"),
    "no_cells.ipynb": (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "malformed"),
    "cells_not_list.ipynb": (b'{"nbformat": 4, "metadata": {}, "cells": 3}', "malformed"),
    "cell_not_object.ipynb": (b'{"nbformat": 4, "metadata": {}, "cells": [3]}', "malformed"),
    "empty.ipynb": (b"", "empty file"),
    "blank.ipynb": (b"  \n\t\n", "empty file"),
    "latin1.ipynb": ('{"cells": ["é"]}'.encode("latin-1"), "not UTF-8"),
    "binary.ipynb": (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    "nested.ipynb": (b"[" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_a_one_line_notebook_error(
    tmp_path: Path, name: str, unchanged: _Unchanged
) -> None:
    raw, expected = BAD[name]
    path = _write(tmp_path / name, raw)
    unchanged.append(path)
    error = _error(path)
    assert expected in error.one_line()
    assert error.path == str(path)


def test_a_directory_is_not_a_notebook(tmp_path: Path) -> None:
    folder = tmp_path / "folder.ipynb"
    folder.mkdir()
    assert "directory" in _error(folder).one_line()


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "missing.ipynb").one_line()


def test_a_multi_line_problem_is_still_one_line() -> None:
    error = NotebookError("first line\nsecond line\r\nthird", "nb.ipynb")
    assert error.one_line() == "nb.ipynb: first line second line third"
    assert str(error) == error.one_line()


# -- Jupytext percent scripts -------------------------------------------------

PERCENT = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Churn model
# Loads the data.

# %% tags=["parameters"]
DATA = "data.csv"

# %%
import os
print(os.getcwd())
"""


def test_percent_script_cells(tmp_path: Path, unchanged: _Unchanged) -> None:
    pytest.importorskip("jupytext")
    path = _write(tmp_path / "analysis.py", PERCENT.encode())
    unchanged.append(path)
    notebook = load(path)
    assert notebook.source_format == "percent"
    assert [c.cell_type for c in notebook.cells] == ["markdown", "code", "code"]
    assert notebook.cells[0].source == "# Churn model\nLoads the data."
    assert notebook.cells[1].source == 'DATA = "data.csv"'
    assert notebook.cells[1].tags == frozenset({"parameters"})
    assert notebook.cells[2].source == "import os\nprint(os.getcwd())"
    assert notebook.language == "python" and notebook.is_python
    assert all(c.id is None and c.execution_count is None for c in notebook.cells)
    assert notebook.size_bytes == len(PERCENT.encode())


def test_percent_script_without_header_is_python(tmp_path: Path) -> None:
    pytest.importorskip("jupytext")
    notebook = load(_write(tmp_path / "bare.py", b"# %%\nx = 1\n\n# %%\ny = x\n"))
    assert [c.source for c in notebook.cells] == ["x = 1", "y = x"]
    assert notebook.language == "python"


def test_python_file_without_cell_markers_is_an_error(
    tmp_path: Path, unchanged: _Unchanged
) -> None:
    path = _write(tmp_path / "module.py", b"import os\nprint(os.getcwd())\n")
    unchanged.append(path)
    assert "without '# %%' cell markers" in _error(path).one_line()


def test_percent_script_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "latin.py", '# %%\nx = "é"\n'.encode("latin-1"))
    assert "not UTF-8" in _error(path).one_line()


# -- IPython syntax → Python, and the line map back ---------------------------


def _mapped(source: str) -> list[tuple[str, int, bool]]:
    """(python line, cell line, exact) for every line of the transformed code."""
    python = to_python(source)
    return [
        (text, python.line_map.line(n), n in python.line_map.exact)
        for n, text in enumerate(python.code.splitlines(), start=1)
    ]


def test_plain_python_maps_line_for_line() -> None:
    source = "import os\n\nx = 1\nprint(x)"
    python = to_python(source)
    assert python.code.rstrip("\n") == source
    assert [python.line_map.line(n) for n in range(1, 5)] == [1, 2, 3, 4]
    assert python.line_map.column(3, 5) == 5


def test_line_magic_is_rewritten_and_has_no_column() -> None:
    rows = _mapped("%matplotlib inline\nimport os\nx = 1")
    assert rows[0] == ("get_ipython().run_line_magic('matplotlib', 'inline')", 1, False)
    assert rows[1:] == [("import os", 2, True), ("x = 1", 3, True)]
    assert to_python("%matplotlib inline").line_map.column(1, 3) is None


def test_cell_magic_with_python_body_is_unwrapped_and_shifted_by_one() -> None:
    python = to_python("%%time\nx = 1\ny = x + 1")
    assert python.code.splitlines() == ["x = 1", "y = x + 1"]
    assert python.cell_magic is not None and python.cell_magic.name == "time"
    assert [python.line_map.line(n) for n in (1, 2)] == [2, 3]
    assert python.line_map.column(2, 5) == 5  # the body's columns are unchanged


def test_cell_magic_after_blank_lines_maps_to_the_body_lines() -> None:
    python = to_python("\n\n%%time\nx = 1\ny = 2")
    assert python.code.splitlines() == ["x = 1", "y = 2"]
    assert [python.line_map.line(n) for n in (1, 2)] == [4, 5]


def test_timeit_options_and_blank_first_body_line() -> None:
    python = to_python("%%timeit -n 3\n\nx = 1")
    assert python.cell_magic is not None and python.cell_magic.line == "-n 3"
    assert python.code.strip() == "x = 1"
    statement_line = python.code.splitlines().index("x = 1") + 1
    assert python.line_map.line(statement_line) == 3


def test_plain_python_skips_the_ipython_transformer_and_maps_one_to_one() -> None:
    source = "\n\nimport os\nx = 1  # a % b\nprint(f'{x}?')"
    python = to_python(source)
    assert python.code == source + "\n"
    assert python.line_map.targets == (1, 2, 3, 4, 5)
    assert python.line_map.exact == frozenset({1, 2, 3, 4, 5})


def test_other_cell_magics_become_one_call() -> None:
    python = to_python("%%bash\necho hi\nls")
    assert python.code.strip().startswith("get_ipython().run_cell_magic('bash'")
    assert python.cell_magic is not None and python.cell_magic.body == "echo hi\nls"
    assert python.line_map.line(1) == 1


def test_shell_escape_and_shell_assignment() -> None:
    assert _mapped("!pip install pandas\nimport pandas") == [
        ("get_ipython().system('pip install pandas')", 1, False),
        ("import pandas", 2, True),
    ]
    assert _mapped("files = !ls -la\nprint(files)") == [
        ("files = get_ipython().getoutput('ls -la')", 1, False),
        ("print(files)", 2, True),
    ]


def test_help_syntax() -> None:
    rows = _mapped("x = 1\nx?\ny = 2")
    assert rows[1] == ("get_ipython().run_line_magic('pinfo', 'x')", 2, False)
    assert rows[2] == ("y = 2", 3, True)


def test_line_continuations_keep_the_following_lines_in_place() -> None:
    source = (
        "s = 'a' \\\n    'b'\n!echo \\\n  hi\nq = 1\ntotal = (1 +\n         2)\n%time z = total"
    )
    rows = _mapped(source)
    assert rows[0] == ("s = 'a' \\", 1, True) and rows[1] == ("    'b'", 2, True)
    assert rows[2][0].startswith("get_ipython().system('echo") and rows[2][1] == 3
    assert rows[3] == ("q = 1", 5, True)
    assert rows[4:6] == [("total = (1 +", 6, True), ("         2)", 7, True)]
    assert rows[6] == ("get_ipython().run_line_magic('time', 'z = total')", 8, False)


def test_magic_inside_a_function_body() -> None:
    rows = _mapped("def f():\n    !ls\n    return 1\nz = f()")
    assert rows[1] == ("    get_ipython().system('ls')", 2, False)
    assert rows[3] == ("z = f()", 4, True)


def test_an_empty_cell_and_a_line_map_outside_its_range() -> None:
    python = to_python("")
    assert python.code.strip() == ""
    assert python.line_map.line(1) == 1 and python.line_map.line(99) == 1
    short = to_python("x = 1\ny = 2")
    assert short.line_map.line(0) == 1 and short.line_map.line(99) == 2
