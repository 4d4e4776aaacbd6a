"""``harden extract``: module structure, drops and magics, refusals, writing, the CLI.

Notebooks are built in each test (``nb``); the dataflow and equivalence of
the generated code are in ``test_extract_dataflow.py``, the example corpus in
``test_extract_examples.py``.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_notebook

from harden.errors import ExtractionError, OutputExistsError, UsageError
from harden.extractor import extract, write_extraction
from harden.extractor.sections import headings, identifier


def nb(path: Path, *cells: object, name: str = "nb.ipynb") -> Path:
    return write_notebook(path, *cells, name=name)


def functions(source: str) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}


def params(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in function.args.args]


def kwonly(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in function.args.kwonlyargs]


# --------------------------------------------------------------------------- structure


def test_module_docstring_imports_parameters_steps_run_and_main(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "# Churn model\n\nPredict churn from the customer table."),
        "%matplotlib inline\nimport pandas as pd\nimport os\nimport numpy as np",
        ('data_path = "data.csv"\nalpha = 0.5\nverbose = True', ["parameters"]),
        ("md", "## Load data"),
        "import pandas as pd\ndf = pd.DataFrame({'a': [1, 2, 3]})\ndf.head()",
        ("md", "## Score"),
        "df['b'] = df['a'] * alpha\ntotal = float(df['b'].sum())\ntotal",
    )
    e = extract(path)
    tree = ast.parse(e.source)
    doc = ast.get_docstring(tree) or ""
    assert doc.startswith("Churn model.\n\nPredict churn from the customer table.")
    fns = functions(e.source)
    assert list(fns) == ["load_data", "score", "run", "print_results", "main"]
    assert params(fns["score"]) == ["df", "alpha"]
    assert kwonly(fns["run"]) == ["data_path", "alpha", "verbose"]
    assert "data_path: str = DATA_PATH" in e.source and "alpha: float = ALPHA" in e.source
    assert "verbose: bool = VERBOSE" in e.source
    assert 'DATA_PATH = "data.csv"\nALPHA = 0.5\nVERBOSE = True\n' in e.source
    assert e.source.count("import pandas as pd") == 1
    assert "import os" not in e.source and "numpy" not in e.source  # unused: removed
    assert "matplotlib" not in e.source and "df.head()" not in e.source
    assert 'if __name__ == "__main__":' in e.source
    assert e.plan.outputs == ("total",)
    assert [s.name for s in e.plan.steps] == ["load_data", "score"]
    assert e.plan.steps[0].returns == ("df",) and e.plan.steps[1].returns == ("total",)


def test_imports_are_grouped_sorted_and_deduplicated(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("def helper_fn(x):\n    return x + 1\n")
    path = nb(
        tmp_path,
        "import sys\nimport pandas as pd\nfrom collections import OrderedDict",
        "import json\nfrom collections import Counter\nimport helper\nimport pandas as pd",
        "x = json.dumps([Counter('ab'), list(OrderedDict(a=1)), sys.version_info[0]])\n"
        "y = helper.helper_fn(1)\nz = pd.Series([1])",
    )
    e = extract(path)
    head = e.source.split('"""', 2)[2].split("\n\n\n")[0]
    stdlib = "import json\nimport os\nimport sys\nfrom collections import Counter, OrderedDict"
    assert stdlib in head
    assert "import pandas as pd" in head
    assert head.index("import pandas") > head.index("from collections")
    assert head.index("import helper") > head.index("import pandas")
    assert e.local_modules == ("helper",)
    assert "sys.path.insert(0, os.getcwd())" in e.source
    assert any("local module(s) helper" in entry.message for entry in e.log)


def test_conditional_imports_are_kept_as_they_are(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        "try:\n    import ujson as json\nexcept ImportError:\n    import json",
        "text = json.dumps({'a': 1})",
    )
    source = extract(path).source
    assert "try:\n    import ujson as json\nexcept ImportError:\n    import json\n" in source
    assert source.index("try:") < source.index("def ")


def test_star_import_of_a_local_module_becomes_explicit(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text(
        "import math\n__all__ = ['area', 'PI2']\nPI2 = math.pi * 2\n"
        "def area(r):\n    return PI2 * r * r / 2\ndef unused():\n    pass\n"
    )
    path = nb(tmp_path, "from helpers import *", "a = area(2.0)", "print(a)")
    e = extract(path)
    assert "from helpers import area\n" in e.source
    assert any("wildcard import made explicit" in entry.message for entry in e.log)


def test_star_imports_of_a_package_and_the_standard_library_become_explicit(
    tmp_path: Path,
) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "__init__.py").write_text("def clean(x):\n    return x\n_hidden = 1\n")
    path = nb(
        tmp_path,
        "from tools import *\nfrom math import *",
        "a = clean(sqrt(2.0)) + floor(2.5)",
        "print(a)",
    )
    e = extract(path)
    assert "from tools import clean\n" in e.source
    assert "from math import floor, sqrt\n" in e.source
    assert "import *" not in e.source


def test_definitions_move_to_module_level_unchanged(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        "import numpy as np",
        '# helper for scaling\ndef scale(values, factor=2):\n    """Scale."""\n'
        "    return np.asarray(values) * factor\n\n\nclass Box:\n    size = 3\n",
        "out = scale([1, 2]) + Box.size",
    )
    e = extract(path)
    assert "# helper for scaling\ndef scale(values, factor=2):" in e.source
    assert e.plan.definitions == ("scale", "Box")
    assert e.source.index("\ndef scale(") < e.source.index(f"\ndef {e.plan.steps[0].name}(")
    assert e.source.index("class Box") < e.source.index("def run")


def test_upper_case_literals_become_module_constants(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        "import pandas as pd\nframe = pd.DataFrame({'a': [1]})",
        "COLUMNS = ['a']\nLIMIT = 10\nselected = frame[COLUMNS].head(LIMIT)",
    )
    e = extract(path)
    assert 'COLUMNS = ["a"]\nLIMIT = 10\n' in e.source
    step = functions(e.source)[e.plan.steps[-1].name]
    assert "COLUMNS" not in params(step) and "LIMIT" not in params(step)
    assert e.plan.constants == ("COLUMNS", "LIMIT")


def test_section_names_come_from_headings_and_avoid_collisions(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "# Title"),
        ("md", "## 1. Load the data!"),
        "data = [1, 2]",
        ("md", "## Model"),
        "model = sum(data)",
        ("md", "## Model"),
        "out = model * 2",
    )
    e = extract(path)
    assert [s.name for s in e.plan.steps] == ["load_data", "compute_model", "model_step"]


def test_split_by_tags_and_by_cells(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("a = len('x')", ["step:prepare"]),
        "b = a + 1",
        ("c = b * 2", ["step:finish"]),
        "d = c + a",
    )
    assert [s.cells for s in extract(path, split="tags").plan.steps] == [(0, 1), (2, 3)]
    assert [s.name for s in extract(path, split="tags").plan.steps] == ["prepare", "finish"]
    assert len(extract(path, split="cells").plan.steps) == 4
    with pytest.raises(UsageError):
        extract(path, split="chapters")


def test_no_markdown_gives_one_step_per_cell_named_from_the_code(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        "import pandas as pd",
        "orders = pd.read_csv('orders.csv')",
        "totals = orders.groupby('k').sum()\ntotals",
        "orders['flag'] = orders['x'] > 1",
    )
    names = [s.name for s in extract(path).plan.steps]
    assert names == ["load_orders", "compute_totals", "update_orders"]


def test_headings_and_identifiers() -> None:
    text = "# Title\n\nFirst paragraph\ncontinued.\n\n```\n# not a heading\n```\nSetext\n---\n"
    found = headings(text)
    assert [(h.level, h.text) for h in found] == [(1, "Title"), (2, "Setext")]
    assert found[0].paragraph == "First paragraph\ncontinued."
    assert identifier("2.1 Train the **model** (v2)") == "train_model_v2"
    assert identifier("3 ways") == "ways"
    assert identifier("Klassifikation über Größen") == "klassifikation_uber_groen"
    assert identifier("class") == "class_step"


def test_code_spans_in_headings_keep_their_underscores(tmp_path: Path) -> None:
    text = "## Using `cross_val_score` for __model__ _selection_ in snake_case\nThe `cv` folds."
    assert headings(text)[0].text == "Using cross_val_score for model selection in snake_case"
    path = nb(
        tmp_path,
        ("md", "# Notes"),
        ("md", "## Scoring with `cross_val_score`"),
        "scores = [0.5, 0.7]\nbest = max(scores)",
    )
    e = extract(path)
    assert '"""Scoring with cross_val_score."""' in e.source
    assert [s.name for s in e.plan.steps] == ["scoring_cross_val_score"]


# --------------------------------------------------------------------------- drops and magics


def test_notebook_only_lines_are_dropped_and_logged(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        "%load_ext autoreload\n%autoreload 2\n%config InlineBackend.figure_format = 'svg'\n"
        "import matplotlib.pyplot as plt\nfrom IPython.display import display",
        "values = [3, 1, 2]\ndisplay(values)\nplt.plot(values)\nplt.show()\nvalues",
        "%time ordered = sorted(values)\n%timeit -n 3 -r 2 sorted(values)\nlen(ordered)",
        "!pip install -q xgboost==2.0 'lightgbm>=4'\n%pip install requests",
    )
    e = extract(path)
    assert "display(" not in e.source and "plt.show()" not in e.source
    assert "get_ipython" not in e.source and "%" not in e.source.split('"""')[2]
    assert "ordered = sorted(values)" in e.source
    assert "plt.plot(values)" in e.source
    assert e.requirements == ("xgboost==2.0", "lightgbm>=4", "requests")
    kinds = [(entry.kind, entry.code) for entry in e.log]
    assert ("dropped", "display(values)") in kinds
    assert ("dropped", "plt.show()") in kinds
    assert ("dropped", "values") in kinds
    assert ("changed", "%time ordered = sorted(values)") in kinds
    assert ("requirement", "%pip install requests") in kinds
    assert e.files()["requirements-notebook.txt"] == "xgboost==2.0\nlightgbm>=4\nrequests\n"


def test_shell_commands_and_unsupported_magics_stop_extraction(tmp_path: Path) -> None:
    path = nb(tmp_path, "files = 1\n!mkdir data", "%run other.py", "%%bash\necho hi")
    with pytest.raises(ExtractionError) as info:
        extract(path)
    message = info.value.one_line()
    assert "`!mkdir data`" in message and "`%run other.py`" in message and "`%%bash`" in message
    assert "--drop-magics" in message and "cell 1, line 2" in message
    e = extract(path, drop_magics=True)
    risky = [entry for entry in e.log if entry.kind == "risky"]
    assert len(risky) == 3
    assert "get_ipython" not in e.source


def test_shell_lines_that_only_show_output_are_dropped_not_refused(tmp_path: Path) -> None:
    """`!head data.csv`, `!ls | wc -l`, `!pip list` change nothing the code computes: they are
    dropped and logged; a redirect or a command that changes files is still refused."""
    path = nb(tmp_path, "!head -n 3 data.csv\n!ls data | wc -l\n!pip list", "x = 1\nprint(x)")
    e = extract(path)
    dropped = [entry for entry in e.log if entry.kind == "dropped" and entry.cell_index == 0]
    assert [entry.code for entry in dropped] == [
        "!head -n 3 data.csv",
        "!ls data | wc -l",
        "!pip list",
    ]
    assert all("only shows output" in entry.message for entry in dropped)
    assert "get_ipython" not in e.source and "print(" in e.source
    for command in ("!head -n 3 data.csv > top.csv", "!ls data && rm -r data", "files = !ls"):
        with pytest.raises(ExtractionError, match="no Python equivalent"):
            extract(nb(tmp_path, command, "x = 1"))


def test_cell_magics_with_python_bodies_keep_the_body(tmp_path: Path) -> None:
    path = nb(tmp_path, "%%time\ntotal = sum(range(10))", "%%html\n<b>hi</b>", "print(total)")
    e = extract(path)
    assert "total = sum(range(10))" in e.source and "<b>" not in e.source
    assert any(entry.code.startswith("%%time") for entry in e.log)


def test_no_prints_drops_print_calls_everywhere(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        "x = 1\nprint(x)\nfor i in range(2):\n    print(i)\ny = x + 1",
        "def report(v):\n    text = f'value {v}'\n    print(text)\n    return v",
        "z = report(y)",
    )
    source = extract(path, no_prints=True).source
    notebook_code = source.split("def print_results(")[0]  # main() prints the results
    assert "print(" not in notebook_code and "for i in range(2):\n        pass" in source
    assert "def report(v):\n    return v" in source  # `text` only fed the print
    assert "print(x)" in extract(path).source


def test_figures_are_drawn_by_plot_functions_and_saved_by_main(tmp_path: Path) -> None:
    path = nb(tmp_path, "import matplotlib.pyplot as plt", "plt.plot([1, 2])\nplt.show()", "n = 1")
    e = extract(path, save_figures="figs")
    assert "def plot_figure() -> Figure:" in e.source  # its own function, its own figure
    assert "def run_and_draw(" in e.source and 'default="figs"' in e.source
    module = tmp_path / f"{e.module_name}.py"
    module.write_text(e.source)
    env = dict(os.environ, MPLBACKEND="Agg")
    subprocess.run([sys.executable, str(module)], cwd=tmp_path, check=True, env=env)
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["plot_figure.png"]


def test_top_level_await_is_refused(tmp_path: Path) -> None:
    path = nb(tmp_path, "import asyncio", "await asyncio.sleep(0)")
    with pytest.raises(ExtractionError, match="top-level `await`"):
        extract(path)


# --------------------------------------------------------------------------- refusal


def test_hidden_state_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = nb(tmp_path, "x = holidays + 1", "print(later)", "later = 2")
    with pytest.raises(ExtractionError) as info:
        extract(path)
    message = info.value.one_line()
    assert "H003" in message and "holidays" in message and "H002" in message
    assert "--allow-hidden-state" in message and "harden lint" in message
    assert str(path) in message


def test_allow_hidden_state_makes_undefined_names_required_arguments(tmp_path: Path) -> None:
    path = nb(tmp_path, "x = holidays + 1", "y = x * 2")
    e = extract(path, allow_hidden_state=True)
    run = functions(e.source)["run"]
    assert kwonly(run) == ["holidays"] and run.args.kw_defaults == [None]
    assert any(entry.kind == "risky" and "H003" in entry.message for entry in e.log)
    assert "required=True" in e.source


def test_syntax_errors_are_refused_and_left_out_when_allowed(tmp_path: Path) -> None:
    path = nb(tmp_path, "a = 1", "b = (", "c = a + 1")
    with pytest.raises(ExtractionError, match="H209"):
        extract(path)
    e = extract(path, allow_hidden_state=True)
    assert "b = (" not in e.source and "c = a + 1" in e.source


def test_functions_assigning_globals_are_refused(tmp_path: Path) -> None:
    path = nb(tmp_path, "count = 0", "def bump():\n    global count\n    count += 1", "bump()")
    with pytest.raises(ExtractionError, match="`bump` assign notebook globals"):
        extract(path)


def test_other_languages_and_bad_options_are_usage_errors(tmp_path: Path) -> None:
    path = nb(tmp_path, "x <- 1")
    raw = json.loads(path.read_text())
    raw["metadata"]["kernelspec"] = {"name": "ir", "language": "R", "display_name": "R"}
    path.write_text(json.dumps(raw))
    with pytest.raises(ExtractionError, match="not a Python notebook"):
        extract(path)
    good = nb(tmp_path, "x = 1", name="good.ipynb")
    with pytest.raises(UsageError, match="module name"):
        extract(good, module_name="not-valid")
    with pytest.raises(UsageError, match="`nope`"):
        extract(good, outputs=["nope"])


# --------------------------------------------------------------------------- determinism and writing


def test_same_bytes_twice_and_across_processes(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "# T"),
        "import os, sys\nimport pandas as pd\nA = 1",
        ("md", "## S"),
        "b = {'k': A}\nc = [b, sys.argv[:0]]\nd = set()",
    )
    first = extract(path).source
    assert extract(path).source == first
    code = (
        "import sys; from harden.extractor import extract; "
        "sys.stdout.write(extract(sys.argv[1]).source)"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, PYTHONHASHSEED=seed),
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert outs == {first}


def test_write_keeps_hand_edits_unless_forced(tmp_path: Path) -> None:
    path = nb(tmp_path, "!pip install tqdm\nx = 1")
    out = tmp_path / "out"
    e = extract(path)
    result = write_extraction(e, out)
    assert sorted(p.name for p in result.written) == [
        "nb.extract.log",
        "nb.py",
        "requirements-notebook.txt",
    ]
    manifest = json.loads((out / ".harden-extract.json").read_text())
    assert set(manifest["files"]) == {"nb.py", "nb.extract.log", "requirements-notebook.txt"}
    assert write_extraction(e, out).written == ()
    (out / "nb.py").write_text((out / "nb.py").read_text() + "# mine\n")
    with pytest.raises(OutputExistsError, match="nb.py"):
        write_extraction(e, out)
    assert (out / "nb.py").read_text().endswith("# mine\n")
    write_extraction(e, out, force=True)
    assert (out / "nb.py").read_text() == e.source


def test_a_file_harden_did_not_write_is_not_overwritten(tmp_path: Path) -> None:
    path = nb(tmp_path, "x = 1")
    (tmp_path / "nb.py").write_text("# hand made\n")
    with pytest.raises(OutputExistsError):
        write_extraction(extract(path))
    assert (tmp_path / "nb.py").read_text() == "# hand made\n"


def test_default_module_names(tmp_path: Path) -> None:
    assert extract(nb(tmp_path, "x = 1", name="Customer LTV (v2).ipynb")).module_name == (
        "customer_ltv_v2"
    )
    assert extract(nb(tmp_path, "x = 1", name="statistics.ipynb")).module_name == (
        "statistics_notebook"
    )
    assert extract(nb(tmp_path, "x = 1", name="2024 report.ipynb")).module_name == "nb_2024_report"


# --------------------------------------------------------------------------- CLI


def harden(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harden.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_writes_prints_and_fails_in_one_line(tmp_path: Path) -> None:
    from harden.cli import main

    path = nb(tmp_path, ("md", "# T"), "value = 41 + 1\nvalue")
    assert main(["extract", str(path), "-o", str(tmp_path / "out"), "-q"]) == 0
    assert (tmp_path / "out" / "nb.py").exists()
    assert main(["extract", str(path), "--outputs", "a b"]) == 2
    assert main(["extract", str(tmp_path / "missing.ipynb")]) == 2
    assert main(["extract", str(path), "--stdout", "-o", "x"]) == 2
    bad = nb(tmp_path, "print(nope)", name="bad.ipynb")
    assert main(["extract", str(bad)]) == 2


def test_cli_stdout_and_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from harden.cli import main

    path = nb(tmp_path, "value = 41 + 1\nvalue")
    assert main(["extract", str(path), "--stdout"]) == 0
    captured = capsys.readouterr()
    assert captured.out == extract(path).source
    assert "display-only expression" in captured.err
    assert not (tmp_path / "nb.py").exists()
    bad = nb(tmp_path, "print(nope)", name="bad.ipynb")
    assert main(["extract", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("harden: ") and "Traceback" not in err


# --------------------------------------------------------------------------- edge cases


def test_an_empty_notebook_gives_a_module_with_an_empty_run(tmp_path: Path) -> None:
    e = extract(nb(tmp_path, ("md", "# Nothing yet")))
    assert e.plan.steps == () and "def run() -> dict[str, Any]:" in e.source
    assert "return {}" in e.source


def test_generated_names_avoid_the_notebooks_own(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        "import pandas as pd",
        "def run(x):\n    return x\n\n\ndef main():\n    return run(1)",
        "value = main()",
        name="pandas.ipynb",
    )
    e = extract(path)
    assert e.module_name == "pandas_notebook"
    assert (e.plan.run_name, e.plan.main_name) == ("run_notebook", "cli")
    assert "def run(x):" in e.source and "def run_notebook() -> dict[str, Any]:" in e.source


def test_names_used_only_by_timeit_are_still_inputs(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## Data"),
        "data = list(range(5))",
        ("md", "## Time"),
        "%timeit sorted(data)",
    )
    e = extract(path)
    assert e.plan.step("time").inputs == ("data",)
    assert "sorted(data)" in e.source


def test_a_wildcard_import_harden_cannot_read_is_kept_and_logged(tmp_path: Path) -> None:
    path = nb(tmp_path, "from numpy import *", "a = array([1])")
    e = extract(path)
    assert "from numpy import *" in e.source
    assert any(entry.kind == "risky" and "F403" in entry.message for entry in e.log)


def test_percent_scripts_never_overwrite_their_source(tmp_path: Path) -> None:
    script = tmp_path / "analysis.py"
    script.write_text("# %% [markdown]\n# # Title\n\n# %%\nvalue = sum([1, 2])\n")
    e = extract(script)
    assert e.module_name == "analysis_module"
    forced = extract(script, module_name="analysis")
    with pytest.raises(UsageError, match="overwrite the notebook itself"):
        write_extraction(forced, force=True)
    assert script.read_text().startswith("# %% [markdown]")


def test_split_by_tags_without_tags_falls_back_to_headings(tmp_path: Path) -> None:
    path = nb(tmp_path, ("md", "## A"), "a = len('x')", ("md", "## B"), "b = a + 1")
    e = extract(path, split="tags")
    assert [s.name for s in e.plan.steps] == ["compute_a", "compute_b"]  # `a`, `b` are variables
    assert any("split at headings" in entry.message for entry in e.log)


def test_suppressed_hidden_state_still_gives_a_sound_module(tmp_path: Path) -> None:
    path = nb(tmp_path, ("total = base + 1", ["harden-ignore:H003"]), "double = total * 2")
    e = extract(path)
    run = functions(e.source)["run"]
    assert kwonly(run) == ["base"]
    assert any(entry.kind == "risky" and "suppressed" in entry.message for entry in e.log)


def test_upper_case_list_and_dict_parameters_keep_their_defaults(tmp_path: Path) -> None:
    from test_extract_examples import call_with_defaults

    path = nb(
        tmp_path,
        (
            'C_GRID = [0.01, 0.1]\nOPTIONS = {"scale": 2}\nALPHA = 0.5\nname = "x"',
            ["parameters"],
        ),
        "best = max(c * OPTIONS['scale'] * ALPHA for c in C_GRID)\nlabel = name + str(best)\nlabel",
    )
    e = extract(path)
    tree = ast.parse(e.source)
    constants = [
        t.id
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    ]
    assert constants == ["C_GRID_DEFAULT", "OPTIONS_DEFAULT", "ALPHA", "NAME"]
    assert kwonly(functions(e.source)["run"]) == ["C_GRID", "OPTIONS", "ALPHA", "name"]
    assert "C_GRID = copy.deepcopy(C_GRID_DEFAULT)" in e.source
    module = tmp_path / e.module_file
    module.write_text(e.source, encoding="utf-8")
    done = call_with_defaults(module, tmp_path)
    assert done.returncode == 0, done.stderr
    override = subprocess.run(
        [sys.executable, str(module), "--c-grid", "[1, 2]", "--alpha", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert override.returncode == 0, override.stderr


def test_a_cell_harden_cannot_analyse_is_refused_for_what_it_is(tmp_path: Path) -> None:
    """Python runs the notebook; only harden cannot read a cell: the refusal says so
    (not "does not run top to bottom") and does not offer to leave the cell out."""
    path = nb(tmp_path, "x = 1", "total = " + " + ".join(["x"] * 2000) + "\nprint(total)")
    with pytest.raises(ExtractionError) as info:
        extract(path)
    message = info.value.one_line()
    assert "the notebook runs, but harden cannot analyse 1 of its cells" in message
    assert "H209 cell 2, line 1" in message and "Split the expression" in message
    assert "does not run top to bottom" not in message
    assert "--allow-hidden-state" not in message
