"""What flows between steps, checked against the notebook itself.

Each notebook here is plain Python (no magics), so running its cells in
order with ``exec`` in a fresh process is what the kernel would do; the
extracted module's ``run()`` runs in the same fresh process, in its own
namespace, and every key result must have the same ``repr``.  The kernel
based equivalence tests over the examples are in
``test_extract_examples.py``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_notebook

from harden.extractor import Extraction, extract

ORACLE = r"""
import copy, importlib, json, sys
import nbformat
path, module_dir, module_name, params = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
notebook = nbformat.read(path, as_version=4)
namespace = {"__name__": "__main__"}
for cell in notebook.cells:
    if cell.cell_type == "code":
        exec(compile(cell.source, "<cell>", "exec"), namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(copy.deepcopy(params))
sys.path.insert(0, module_dir)
results = importlib.import_module(module_name).run(**params)
print(json.dumps({n: [repr(namespace[n]), repr(results[n])] for n in results}))
"""


def nb(path: Path, *cells: object, name: str = "flow.ipynb") -> Path:
    return write_notebook(path, *cells, name=name)


def same_results(path: Path, extraction: Extraction, **params: object) -> dict[str, str]:
    """Run notebook cells and ``run()``; assert every output agrees; return the reprs."""
    module_dir = path.parent / "module"
    module_dir.mkdir(exist_ok=True)
    module = module_dir / extraction.module_file
    module.write_text(extraction.source)
    import black

    assert black.format_str(extraction.source, mode=black.Mode()) == extraction.source
    ruff = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "F",
            "--isolated",
            "--no-cache",
            "--output-format",
            "concise",
            str(module),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            ORACLE,
            str(path),
            str(module_dir),
            extraction.module_name,
            json.dumps(params),
        ],
        cwd=path.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    values = json.loads(done.stdout.splitlines()[-1])
    assert values, "run() returned nothing to compare"
    for name, (notebook, module) in values.items():
        assert notebook == module, f"{name}: notebook {notebook} != module {module}"
    return {name: pair[0] for name, pair in values.items()}


def step(extraction: Extraction, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = extraction.plan.step(name)
    assert found is not None, [s.name for s in extraction.plan.steps]
    return found.inputs, found.returns


def test_a_name_rebound_in_several_sections(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## Load"),
        "rows = [5, 3, 8, 1]",
        ("md", "## Clean"),
        "rows = [r for r in rows if r > 1]",
        ("md", "## Sort"),
        "rows = sorted(rows)",
        ("md", "## Report"),
        "top = rows[-1]\nsummary = {'n': len(rows), 'top': top}",
    )
    e = extract(path)
    assert step(e, "clean") == (("rows",), ("rows",))
    assert step(e, "sort") == (("rows",), ("rows",))
    assert same_results(path, e) == {"top": "8", "summary": "{'n': 3, 'top': 8}"}


def test_in_place_mutation_across_sections_is_returned(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## Make"),
        "import pandas as pd\nframe = pd.DataFrame({'a': [1, 2]})\nreport = {}",
        ("md", "## Enrich"),
        "frame['b'] = frame['a'] * 10\nreport['rows'] = len(frame)",
        ("md", "## Finish"),
        "frame.loc[0, 'b'] = -1\nreport['total'] = int(frame['b'].sum())\nfinal = frame",
    )
    e = extract(path)
    assert step(e, "enrich") == (("frame", "report"), ("frame", "report"))
    same_results(path, e)


def test_a_list_built_by_loops_across_cells(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## Start"),
        "scores = []\nseen = {}",
        ("md", "## First batch"),
        "for k in range(3):\n    scores.append(k * k)\n    seen[k] = True",
        ("md", "## Second batch"),
        "for k in range(3, 5):\n    scores.append(k * k)",
        ("md", "## Result"),
        "best = max(scores)\ncount = len(scores)",
    )
    e = extract(path)
    assert step(e, "first_batch") == (("scores", "seen"), ("scores",))
    assert same_results(path, e) == {"best": "16", "count": "5"}


def test_functions_reading_globals_get_them_as_keyword_arguments(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## Setup"),
        "import pandas as pd\nbase = pd.Series([1.0, 2.0, 3.0])\noffset = 0.5",
        ("md", "## Helpers"),
        "def shifted(x):\n    return x + offset + base.mean()\n\n\n"
        "def both(x):\n    return shifted(x) * 2",
        ("md", "## Use"),
        "first = both(1.0)\noffset = 10.0\nsecond = both(1.0)\n"
        "mapped = [round(v, 2) for v in base.apply(shifted)]",
    )
    e = extract(path)
    changes = {c.name: c.added for c in e.plan.function_changes}
    assert changes == {"shifted": ("base", "offset"), "both": ("base", "offset")}
    assert "def shifted(x, *, base, offset):" in e.source
    assert "both(1.0, base=base, offset=offset)" in e.source
    assert "functools.partial(shifted, base=base, offset=offset)" in e.source
    values = same_results(path, e)
    assert values["first"] == "np.float64(7.0)" and values["second"] == "np.float64(26.0)"


def test_literal_globals_read_by_functions_become_module_constants(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        "margin = 0.25\nmonths = 12",
        "def value(spend):\n    return spend * margin * months",
        "total = value(100.0)",
    )
    e = extract(path, outputs=["total"])
    # leading literals are parameters: read by a function, they are passed as keywords
    assert [p.name for p in e.plan.parameters] == ["margin", "months"]
    path2 = nb(
        tmp_path,
        "import math\nscale = math.pi",
        "margin = 0.25",
        "def value(spend):\n    return spend * margin * scale",
        "total = value(100.0)",
        name="constants.ipynb",
    )
    e2 = extract(path2)
    assert "margin" in e2.plan.constants and "margin = 0.25\n" in e2.source
    assert "def value(spend, *, scale):" in e2.source
    same_results(path, e)
    same_results(path2, e2)


def test_classes_and_defaults_that_read_step_values_stay_in_their_step(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("cutoff = 3", ["parameters"]),
        "values = [1, 4, 6]",
        "class Counter:\n    def count(self, xs):\n        return sum(x > cutoff for x in xs)",
        "def above(xs, limit=cutoff):\n    return [x for x in xs if x > limit]",
        "n = Counter().count(values)\nkept = above(values)",
    )
    e = extract(path)
    assert e.plan.definitions == ()
    reasons = {entry.code: entry.message for entry in e.log if entry.kind == "changed"}
    assert "cutoff" in reasons["Counter"] and "cutoff" in reasons["above"]
    same_results(path, e)
    same_results(path, e, cutoff=4)


def test_a_conditionally_rebound_name_keeps_its_earlier_value(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## A"),
        "label = 'first'\nflag = len(label) > 10",
        ("md", "## B"),
        "if flag:\n    label = 'second'",
        ("md", "## C"),
        "result = label.upper()",
    )
    e = extract(path)
    assert step(e, "b") == (("flag", "label"), ("label",))
    assert same_results(path, e) == {"result": "'FIRST'"}


def test_parameters_overridden_later_and_by_run_arguments(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("store = 'north'\nhorizon = 7\nweights = [1, 2]", ["parameters"]),
        ("md", "## Fit"),
        "span = horizon * 2\nscaled = [w * span for w in weights]",
        ("md", "## Override"),
        "horizon = 30\nweights.append(3)",
        ("md", "## Report"),
        "report = {'store': store, 'horizon': horizon, 'scaled': scaled, 'weights': list(weights)}",
    )
    e = extract(path)
    assert "weights: list | None = None" in e.source and "copy.deepcopy(WEIGHTS)" in e.source
    assert same_results(path, e)["report"].startswith("{'store': 'north', 'horizon': 30")
    same_results(path, e, store="south", horizon=3, weights=[5])


def test_injected_parameters_cell_overrides_the_defaults(tmp_path: Path) -> None:
    path = nb(
        tmp_path, ("n = 2", ["parameters"]), ("n = 5", ["injected-parameters"]), "result = n * 10"
    )
    e = extract(path)
    assert "N = 5" in e.source and [p.source for p in e.plan.parameters] == ["injected-parameters"]
    same_results(path, e)


def test_many_returns_come_back_as_a_named_tuple(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## Split"),
        "a, b = 1, 2\nc = a + b\nd = c * 2",
        ("md", "## Use"),
        "total = a + b + c + d",
    )
    e = extract(path)
    assert e.plan.steps[0].result_type == "SplitResult"
    assert "class SplitResult(NamedTuple):" in e.source
    assert "a, b, c, d = split()" in e.source
    same_results(path, e)


def test_outputs_can_be_chosen(tmp_path: Path) -> None:
    path = nb(tmp_path, ("md", "## One"), "x = 2\ny = x * 3", ("md", "## Two"), "z = y + 1\nz")
    assert extract(path).plan.outputs == ("z",)
    e = extract(path, outputs=["x", "y", "z"])
    assert same_results(path, e) == {"x": "2", "y": "6", "z": "7"}


def test_unused_notebook_globals_do_not_become_unused_locals(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## Work"),
        "data = [3, 1, 2]\npreview = sorted(data)[:2]\n"
        "handle = print('side effect')\nresult = sum(data)",
        ("md", "## Report"),
        "final = result * 2",
    )
    e = extract(path)
    body = ast.unparse(
        next(
            n
            for n in ast.parse(e.source).body
            if isinstance(n, ast.FunctionDef) and n.name == "work"
        )
    )
    assert "preview" not in body and "print('side effect')" in body and "handle" not in body
    logged = {entry.code for entry in e.log}
    assert "preview = sorted(data)[:2]" in logged
    same_results(path, e)


def test_deleted_and_augmented_names(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## A"),
        "total = 1\ntmp = 5",
        ("md", "## B"),
        "total += tmp\ndel tmp",
        ("md", "## C"),
        "final = total * 2",
    )
    e = extract(path)
    assert step(e, "b") == (("total", "tmp"), ("total",))
    assert same_results(path, e) == {"final": "12"}


@pytest.mark.parametrize("split", ["headings", "tags", "cells"])
def test_every_split_computes_the_same(tmp_path: Path, split: str) -> None:
    path = nb(
        tmp_path,
        ("md", "## Data"),
        ("values = list(range(10))", ["step:data"]),
        "evens = [v for v in values if v % 2 == 0]",
        ("md", "## Stats"),
        ("mean = sum(evens) / len(evens)", ["step:stats"]),
        "spread = max(evens) - min(evens)",
    )
    e = extract(path, split=split, outputs=["mean", "spread"])
    assert same_results(path, e) == {"mean": "4.0", "spread": "8"}


def test_dead_walrus_and_shadowed_definitions_are_cleaned(tmp_path: Path) -> None:
    path = nb(
        tmp_path,
        ("md", "## Work"),
        "values = [3, 1, 2]\ntotal = sum(kept := sorted(values))",
        "def show(x):\n    return x\n\n\ndef show(x, y=1):\n    return x * y\n\n\n"
        "shown = show(total)",
        ("md", "## End"),
        "final = shown + 1",
    )
    e = extract(path)
    assert "kept :=" not in e.source and "sum(sorted(values))" in e.source
    assert e.source.count("def show(") == 1 and "def show(x, y=1):" in e.source
    same_results(path, e)


def test_awkward_but_common_constructs(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a\nb\n")
    path = nb(
        tmp_path,
        ("md", "## One"),
        "from math import sqrt\nfirst, *rest = [4, 9, 16]\nroot = sqrt(first)",
        "with open('notes.txt') as handle:\n    lines = handle.read().split()",
        "try:\n    bad = int('x')\nexcept ValueError as err:\n    problem = str(err)",
        "for index, item in enumerate(rest):\n    pass",
        "square = lambda v: v * v\nlabel = f'{root:.1f}'",
        ("md", "## Two"),
        "from numpy import sqrt\nroots = [float(sqrt(r)) for r in rest]",
        "def outer(n):\n    def inner(m):\n        return m + n\n    return inner(1)",
        "import statistics\nfor k in range(2):\n    import json\nspread = statistics.pstdev(roots)",
        ("md", "## Three"),
        "summary = {'lines': lines, 'problem': problem, 'last': (index, item), "
        "'sq': square(3), 'label': label, 'roots': roots, 'outer': outer(2), "
        "'spread': spread, 'dump': json.dumps(rest)}",
    )
    e = extract(path)
    values = same_results(path, e)
    assert "'sq': 9" in values["summary"] and "'outer': 3" in values["summary"]
