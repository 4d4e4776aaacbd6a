"""``harden scaffold --expectations``: data contract tests that fail on bad data,
and Hypothesis property tests whose crashes are reported, as strict xfails.

The slow tests run ``harden expect`` and ``harden scaffold`` once per module
(module-scoped fixtures) on copies of the data, so corrupting a file is safe.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import black
import libcst as cst
import pytest

import harden
from harden.cli import main
from harden.errors import ConfigError, UsageError
from harden.scaffolder import ScaffoldResult
from harden.scaffolder.contract import Suite, build_strategy, contract_checks, find_suites
from harden.scaffolder.options import from_section

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "notebooks" / "examples"


def _pytest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        cwd="/",
        env=dict(os.environ),
        check=False,
    )


def _code(statements: list[cst.BaseStatement]) -> str:
    return cst.Module(body=statements).code


def _suite(expectations: list[tuple[str, dict]], kinds: dict[str, str]) -> Suite:
    return Suite(
        "orders_csv",
        Path("orders_csv.json"),
        "input",
        "orders.csv",
        tuple(kinds),
        kinds,
        {name: {"integer": "int64", "string": "str"}.get(k, k) for name, k in kinds.items()},
        tuple(expectations),
    )


def test_each_expectation_becomes_a_named_pandas_check() -> None:
    suite = _suite(
        [
            ("expect_table_row_count_to_be_between", {"min_value": 5, "max_value": 20}),
            ("expect_column_values_to_not_be_null", {"column": "region", "mostly": 0.9}),
            ("expect_column_values_to_be_in_set", {"column": "region", "value_set": ["n", "s"]}),
            ("expect_column_values_to_be_between", {"column": "qty", "min_value": 0}),
        ],
        {"region": "string", "qty": "integer"},
    )
    code = _code(contract_checks(suite))
    assert "assert 5 <= len(frame) <= 20, 'expect_table_row_count_to_be_between" in code
    assert "assert frame['region'].notna().mean() >= 0.9, 'region: expect_column_values" in code
    assert "assert frame['region'].dropna().isin(['n', 's']).all()" in code
    assert "assert (frame['qty'].dropna() >= 0).all()" in code


def test_an_unknown_expectation_type_fails_loudly() -> None:
    suite = _suite([("expect_column_kl_divergence_to_be_less_than", {"column": "qty"})], {})
    code = _code(contract_checks(suite))
    assert code.startswith("pytest.fail('not compiled by harden scaffold: expect_column_kl_")
    strategy = build_strategy(suite, text_format=True)
    assert strategy.function is None and "not compiled" in str(strategy.problem)


def test_a_strategy_honours_ranges_sets_uniqueness_and_nulls() -> None:
    suite = _suite(
        [
            ("expect_column_values_to_be_unique", {"column": "order_id"}),
            (
                "expect_column_values_to_be_between",
                {"column": "qty", "min_value": 1.0, "max_value": 9.0},
            ),
            ("expect_column_values_to_not_be_null", {"column": "qty", "mostly": 0.8}),
        ],
        {"order_id": "string", "qty": "integer"},
    )
    function = build_strategy(suite, text_format=True).function
    assert function is not None
    code = black.format_str(cst.Module(body=[function]).code, mode=black.Mode())
    assert "st.integers(min_value=1, max_value=9)" in code
    assert "unique=True" in code and "plain_text" in code
    assert 'with_nulls(draw, frame, "order_id", 0.0)' in code  # no not-null expectation
    assert 'with_nulls(draw, frame, "qty", 0.8)' in code


def test_the_property_settings_are_checked() -> None:
    assert from_section({"property-examples": 10}).property_examples == 10
    with pytest.raises(ConfigError, match="property-rows"):
        from_section({"property-rows": -1})


def test_a_folder_without_suites_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no suites of harden expect"):
        find_suites(tmp_path, "churn")


def test_a_missing_expectations_folder_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "scaffold",
            str(EXAMPLES / "churn_clean.ipynb"),
            "-o",
            str(tmp_path / "tests"),
            "--module-dir",
            str(tmp_path / "module"),
            "--expectations",
            str(tmp_path / "nowhere"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--expectations" in err and "not a folder" in err


# -- an example notebook: expect, scaffold, pytest, then corrupt its data ------------------
@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory) -> ScaffoldResult:
    base = tmp_path_factory.mktemp("churn")
    for name in ("churn_clean.ipynb", "churn.csv"):
        shutil.copy(EXAMPLES / name, base / name)
    expected = harden.expect(base / "churn_clean.ipynb", base / "expectations")
    assert expected.exit_code == 0
    return harden.scaffold(
        base / "churn_clean.ipynb",
        base / "tests",
        module_dir=base / "module",
        expectations=base / "expectations",
        property_examples=10,
    )


@pytest.mark.slow
def test_contract_and_property_tests_pass_as_generated(churn: ScaffoldResult) -> None:
    assert churn.contract is not None and churn.contract.test_file is not None
    assert churn.contract.tests == (
        "test_churn_csv_satisfies_its_contract",
        "test_load_clean_reads_a_rewritten_churn_csv",
        "test_load_clean_on_frames_churn_csv_allows",
    )
    assert churn.contract.findings == ()
    source = churn.contract.test_file.read_text()
    assert "import harden" not in source and "from harden" not in source
    assert "settings(\n    max_examples=EXAMPLES,\n    derandomize=True," in source
    assert 'elements=st.sampled_from(["dsl", "fiber", "none"])' in source
    assert "test_churn_clean_contract.py" in churn.render()
    # no findings: the run at generation passed every test of the file as written


@pytest.mark.slow
def test_the_contract_test_fails_on_corrupted_data(churn: ScaffoldResult) -> None:
    data = churn.module_path.parents[1] / "churn.csv"
    original = data.read_text()
    lines = original.splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("tenure_months")] = "500"  # out of the range the suite allows
    row[header.index("contract")] = ""  # a null where the data had none
    try:
        data.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
        done = _pytest(str(churn.contract.test_file), "-k", "satisfies")
    finally:
        data.write_text(original)
    assert done.returncode == 1
    assert "tenure_months: expect_column_values_to_be_between" in done.stdout


# -- a module that crashes on data its contract allows -------------------------------------
ORDERS = '''\
"""Orders, compared with the north region."""

import pandas as pd

DATA_PATH = "orders.csv"


def load_orders(data_path):
    orders = pd.read_csv(data_path)
    totals = orders.groupby("region")["amount"].sum()
    orders["vs_north"] = orders["amount"] / totals["north"]
    return orders


def run(*, data_path=DATA_PATH):
    orders = load_orders(data_path)
    return {"orders": orders}
'''


@pytest.fixture(scope="module")
def crashing(tmp_path_factory: pytest.TempPathFactory) -> ScaffoldResult:
    import pandas as pd

    from harden.expectations.options import ExpectOptions
    from harden.expectations.profile import profile_frame
    from harden.expectations.suite import suite_document

    base = tmp_path_factory.mktemp("orders")
    (base / "orders.py").write_text(ORDERS)
    frame = pd.DataFrame(
        {
            "region": ["north", "south", "east", "north", "south", "east"] * 5,
            "amount": [float(10 + i) for i in range(30)],
        }
    )
    frame.to_csv(base / "orders.csv", index=False)
    provenance = {"role": "input", "source": {"path": "orders.csv"}, "variable": "orders"}
    text = suite_document("orders_csv", profile_frame(frame), ExpectOptions(), provenance)
    (base / "suites").mkdir()
    (base / "suites" / "orders_csv.json").write_text(text)
    return harden.scaffold(
        None,
        base / "tests",
        module=base / "orders.py",
        expectations=base / "suites",
        property_examples=10,
    )


@pytest.mark.slow
def test_a_crash_on_allowed_data_is_a_strict_xfail_and_reported(crashing: ScaffoldResult) -> None:
    assert crashing.contract is not None and crashing.contract.test_file is not None
    (finding,) = crashing.contract.findings
    assert finding.startswith("test_load_orders_on_frames_orders_csv_allows: crashes on data")
    assert "KeyError" in finding and "north" in finding
    assert "finding: test_load_orders_on_frames" in crashing.render()
    source = crashing.contract.test_file.read_text()
    assert (
        "test_load_orders_on_frames_orders_csv_allows = pytest.mark.xfail(\n    strict=True"
        in source
    )
    done = _pytest(str(crashing.directory))
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 xfailed" in done.stdout


def _built_expectation_types() -> set[str]:
    """The expectation types ``harden expect`` can build, read from its source with
    libcst: the first argument of every ``Spec(...)``; an f-string is expanded with the
    strings its names take in the ``for`` loops of the file (``ExpectColumn{stat}...``)."""
    from itertools import product

    tree = cst.parse_module((ROOT / "src/harden/expectations/suite.py").read_text())
    loops: dict[str, set[str]] = {}
    for loop in _nodes(tree, cst.For):
        targets = loop.target.elements if isinstance(loop.target, cst.Tuple) else None
        if not isinstance(loop.iter, cst.Tuple):
            continue
        for row in loop.iter.elements:
            values = row.value.elements if isinstance(row.value, cst.Tuple) else [row]
            names = [t.value for t in targets] if targets else [loop.target]
            for name, value in zip(names, values):
                if isinstance(name, cst.Name) and isinstance(value.value, cst.SimpleString):
                    loops.setdefault(name.value, set()).add(value.value.evaluated_value)
    built: set[str] = set()
    for call in _nodes(tree, cst.Call):
        if not (isinstance(call.func, cst.Name) and call.func.value == "Spec"):
            continue
        first = call.args[0].value
        if isinstance(first, cst.SimpleString):
            built.add(first.evaluated_value)
            continue
        assert isinstance(first, cst.FormattedString), cst.Module([]).code_for_node(first)
        choices: list[set[str]] = []
        for part in first.parts:
            if isinstance(part, cst.FormattedStringText):
                choices.append({part.value})
            else:
                assert isinstance(part.expression, cst.Name), "an f-string of a name, looped"
                choices.append(loops[part.expression.value])
        built |= {"".join(parts) for parts in product(*choices)}
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() for name in built}


def _nodes(tree: cst.CSTNode, kind: type) -> list[Any]:
    found: list[Any] = []

    class Visitor(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, kind):
                found.append(node)
            return True

    tree.visit(Visitor())
    return found


def test_the_contract_compiles_every_expectation_type_expect_emits() -> None:
    """``contract.KNOWN`` is the set of types ``harden expect`` builds (read from its
    source), and a frame with every kind of column, profiled and made into a GX suite by
    the real code path, emits exactly those types, all of which the contract compiles:
    a new expectation in ``expect`` fails here until the contract compiles it too."""
    import pandas as pd

    from harden.expectations.options import ExpectOptions
    from harden.expectations.profile import profile_frame
    from harden.expectations.suite import suite_document
    from harden.scaffolder.contract import KNOWN

    built = _built_expectation_types()
    assert built == KNOWN, (sorted(built - KNOWN), sorted(KNOWN - built))
    frame = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6],  # id: unique
            "region": pd.Series(["n", "s", "n", "s", "n", "s"], dtype="category"),
            "amount": [1.5, 2.0, 2.0, None, 7.25, 3.0],  # range, with a null: mostly
            "when": pd.to_datetime([f"2024-01-0{d}" for d in range(1, 7)]),  # range
            "zip": ["01234", "12345", "23456", "34567", "45678", "56789"],  # shaped
            "code": ["a1", "b22", "c333", "d4", "e55", "f666"],  # plain: lengths
        }
    )
    options = ExpectOptions(column_order=True, statistics=True, max_categories=3)
    document = suite_document("all", profile_frame(frame, options), options, {})
    emitted = {e["type"] for e in json.loads(document)["expectations"]}
    assert emitted == KNOWN, (sorted(emitted - KNOWN), sorted(KNOWN - emitted))


def test_the_generated_conftest_seeds_what_the_capture_run_seeded(monkeypatch) -> None:
    """torch is not installed here: a stand-in module records ``manual_seed`` calls.
    The conftest template's ``_seeded`` fixture and the capture worker's seeding must
    be the same code, or values pinned by the capture would differ under pytest."""
    import random
    import types

    from harden.scaffolder import worker
    from harden.scaffolder.core import CONFTEST_TEMPLATE

    seeds: list[int] = []
    torch = types.ModuleType("torch")
    torch.manual_seed = seeds.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torch", torch)
    worker.seed_global_generators()
    drawn = random.random()
    random.seed(0)
    assert seeds == [0] and drawn == random.random()

    def body(path: Path, name: str) -> list[str]:
        module = cst.parse_module(path.read_text(encoding="utf-8"))
        (function,) = [
            node
            for node in module.body
            if isinstance(node, cst.FunctionDef) and node.name.value == name
        ]
        statements = function.body.body[1:]  # without the docstring
        return [module.code_for_node(statement).strip() for statement in statements]

    assert body(CONFTEST_TEMPLATE, "_seeded") == body(
        Path(worker.__file__), "seed_global_generators"
    )
