"""Issue 10's quality measure: what the generated example modules look like to an engineer.

Counted from the modules' syntax trees (the snapshots, which
``test_extract_examples`` keeps equal to what ``harden extract`` writes):
step functions that return nothing, calls whose result a step discards,
plotting calls outside ``plot_*`` functions, and parameters ``run()`` exposes.
The numbers are pinned: a change that makes any of them worse fails here.
Before issue 10 (commit 1e195ff) the examples had 17 plotting calls inside
the computation and 25 parameters.
"""

from __future__ import annotations

import ast
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "snapshots" / "extract"
PLOT_ROOTS = frozenset({"plt", "sns", "matplotlib", "seaborn"})
PLOT_METHODS = frozenset(
    {
        "plot",
        "hist",
        "scatter",
        "bar",
        "barh",
        "imshow",
        "heatmap",
        "boxplot",
        "pie",
        "set_title",
        "set_xlabel",
        "set_ylabel",
        "legend",
        "tight_layout",
        "set_xticks",
        "set_yticks",
        "axvline",
        "axhline",
    }
)
ENTRY_POINTS = frozenset({"run", "main", "run_and_draw", "print_results"})
#: Calls made for what they change, not for a value.
EFFECTS = frozenset(
    {
        "print",
        "append",
        "extend",
        "update",
        "fit",
        "add",
        "remove",
        "pop",
        "insert",
        "clear",
        "filterwarnings",
        "seed",
        "shuffle",
        "set_option",
        "setdefault",
        "sort",
        "to_csv",
        "to_parquet",
        "savefig",
        "write",
        "close",
        "discard",
    }
)
#: Worst allowed totals over the examples (lower is better, bar parameters).
PINNED = {"return_nothing": 4, "discarded_calls": 0, "plot_calls_outside": 0}
MIN_PARAMETERS = 45


def _root(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _callee(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def measure(source: str) -> dict[str, int]:
    tree = ast.parse(source)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    steps = [f for f in functions if f.name not in ENTRY_POINTS and not f.name.startswith("plot_")]
    counts = {
        "return_nothing": 0,
        "discarded_calls": 0,
        "plot_calls_outside": 0,
        "parameters": 0,
    }
    for step in steps:
        returns = [n for n in ast.walk(step) if isinstance(n, ast.Return) and n.value is not None]
        counts["return_nothing"] += not returns
        for statement in step.body:
            if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
                continue
            func = statement.value.func
            name = _callee(func)
            if name in EFFECTS or _root(func) in PLOT_ROOTS or name in PLOT_METHODS:
                continue
            if isinstance(func, ast.Name) and name[:1].islower():
                continue  # the notebook's own function, called for its effect
            counts["discarded_calls"] += 1
    for function in functions:
        if function.name.startswith("plot_"):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and (
                _root(node.func) in PLOT_ROOTS or _callee(node.func) in PLOT_METHODS
            ):
                counts["plot_calls_outside"] += 1
    run = next((f for f in functions if f.name == "run"), None)
    counts["parameters"] = len(run.args.kwonlyargs) if run is not None else 0
    return counts


def totals() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted(SNAPSHOTS.glob("*.py")):
        for key, value in measure(path.read_text()).items():
            found[key] = found.get(key, 0) + value
    return found


def test_the_measure_sees_what_it_counts() -> None:
    source = (
        "import matplotlib.pyplot as plt\n"
        "def load(df):\n    df.head()\n    plt.plot([1])\n    knn.predict(X)\n"
        "def plot_load(df):\n    plt.plot([1])\n    return plt.gcf()\n"
        "def run(*, a=1, b=2):\n    load(1)\n    return {}\n"
    )
    assert measure(source) == {
        "return_nothing": 1,
        "discarded_calls": 2,
        "plot_calls_outside": 1,
        "parameters": 2,
    }


def test_the_example_modules_do_not_regress() -> None:
    found = totals()
    assert len(list(SNAPSHOTS.glob("*.py"))) == 11
    for key, worst in PINNED.items():
        assert found[key] <= worst, f"{key}: {found[key]} (pinned at most {worst})"
    assert found["parameters"] >= MIN_PARAMETERS, found
