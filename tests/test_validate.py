"""``harden validate``: a suite generated from ``loans.csv`` against the data and
mutated copies of it, in every format and in SQLite and PostgreSQL; the errors.

No kernel runs here: the suite is built from the CSV with the same functions
``harden expect`` uses for a captured frame.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import harden
from harden.cli import main
from harden.expectations.options import ExpectOptions
from harden.expectations.profile import profile_frame
from harden.expectations.suite import suite_document

LOANS = Path(__file__).parents[1] / "notebooks" / "examples" / "loans.csv"
TYPE, NOT_NULL, BETWEEN = (
    "expect_column_values_to_be_of_type",
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_between",
)
COLUMNS, ROWS = "expect_table_columns_to_match_set", "expect_table_row_count_to_be_between"


@pytest.fixture(scope="module")
def loans() -> pd.DataFrame:
    return pd.read_csv(LOANS)


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory, loans: pd.DataFrame) -> Path:
    path = tmp_path_factory.mktemp("suite") / "loans_csv.json"
    path.write_text(
        suite_document("loans_csv", profile_frame(loans), ExpectOptions(), {"source": None})
    )
    return path


def failed(suite: Path, data: object, **kwargs: str) -> set[tuple[str, str | None]]:
    report = harden.validate(suite, str(data), **kwargs)
    return {(o.expectation, o.column) for o in report.failed}


def test_the_suite_is_careful(suite: Path) -> None:
    kinds = [
        (e["type"], e["kwargs"].get("column"))
        for e in json.loads(suite.read_text())["expectations"]
    ]
    assert ("expect_column_values_to_be_unique", "applicant_id") in kinds
    assert ("expect_column_values_to_be_in_set", "employment") in kinds
    assert (BETWEEN, "age") in kinds and (ROWS, None) in kinds and (COLUMNS, None) in kinds
    assert ("expect_column_values_to_be_unique", "age") not in kinds


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_own_data_passes_in_every_file_format(
    tmp_path: Path, suite: Path, loans: pd.DataFrame, fmt: str
) -> None:
    path = tmp_path / f"loans.{fmt}"
    {
        "csv": lambda: loans.to_csv(path, index=False),
        "parquet": lambda: loans.to_parquet(path),
        "jsonl": lambda: loans.to_json(path, orient="records", lines=True),
    }[fmt]()
    report = harden.validate(suite, path)
    assert report.success, [(o.expectation, o.column, o.observed, o.error) for o in report.failed]
    assert len(report.outcomes) == len(json.loads(suite.read_text())["expectations"])


def _mutate(loans: pd.DataFrame, how: str) -> pd.DataFrame:
    frame = loans.copy()
    if how == "dropped":
        return frame.drop(columns=["income"])
    if how == "renamed":
        return frame.rename(columns={"age": "age_years"})
    if how == "nulls":
        frame.loc[[3, 9, 27], "income"] = None
    elif how == "out_of_range":
        frame.loc[5, "age"] = 500
    elif how == "category":
        frame.loc[7, "employment"] = "astronaut"
    elif how == "duplicate_ids":
        frame.loc[1, "applicant_id"] = frame.loc[0, "applicant_id"]
    elif how == "strings":
        frame["loan_amount"] = frame["loan_amount"].map(lambda v: f"{v:,.0f} USD")
    elif how == "empty":
        return frame.iloc[:0]
    elif how == "halved":
        return frame.iloc[: int(len(frame) * 0.4)]
    return frame


@pytest.mark.parametrize(
    "how, expected",
    [
        ("dropped", {(COLUMNS, None), (TYPE, "income"), (NOT_NULL, "income"), (BETWEEN, "income")}),
        ("renamed", {(COLUMNS, None), (TYPE, "age"), (NOT_NULL, "age"), (BETWEEN, "age")}),
        ("nulls", {(NOT_NULL, "income")}),
        ("out_of_range", {(BETWEEN, "age")}),
        ("category", {("expect_column_values_to_be_in_set", "employment")}),
        ("duplicate_ids", {("expect_column_values_to_be_unique", "applicant_id")}),
        ("strings", {(TYPE, "loan_amount"), (BETWEEN, "loan_amount")}),
        ("empty", {(ROWS, None)}),
        ("halved", {(ROWS, None)}),
    ],
)
def test_mutated_data_fails_exactly_the_named_expectations(
    tmp_path: Path, suite: Path, loans: pd.DataFrame, how: str, expected: set
) -> None:
    path = tmp_path / "loans.csv"
    _mutate(loans, how).to_csv(path, index=False)
    assert failed(suite, path) == expected


def test_harmless_changes_pass(tmp_path: Path, suite: Path, loans: pd.DataFrame) -> None:
    extra = loans.sample(frac=0.1, random_state=1).assign(
        applicant_id=lambda f: range(
            loans["applicant_id"].max() + 1, loans["applicant_id"].max() + 1 + len(f)
        )
    )
    changed = pd.concat([loans, extra]).sample(frac=1.0, random_state=2)
    path = tmp_path / "loans.csv"
    changed.to_csv(path, index=False)
    assert failed(suite, path) == set()


def test_missing_column_is_named(tmp_path: Path, suite: Path, loans: pd.DataFrame) -> None:
    path = tmp_path / "loans.parquet"
    loans.drop(columns=["income"]).to_parquet(path)
    report = harden.validate(suite, path)
    errors = {o.error for o in report.failed if o.column == "income"}
    assert errors == {"column 'income' is missing from the data"}


def test_sqlite_table_and_query_run_in_the_database(
    tmp_path: Path, suite: Path, loans: pd.DataFrame
) -> None:
    database = tmp_path / "loans.db"
    with sqlite3.connect(database) as connection:
        loans.to_sql("loans", connection, index=False)
        _mutate(loans, "category").to_sql("loans_bad", connection, index=False)
    url = f"sqlite:///{database}"
    assert failed(suite, url, table="loans") == set()
    assert failed(suite, url, query="SELECT * FROM loans") == set()
    assert failed(suite, url, table="loans_bad") == {
        ("expect_column_values_to_be_in_set", "employment")
    }


def test_postgresql_table_and_query(postgres_url: str, suite: Path, loans: pd.DataFrame) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url)
    loans.to_sql("loans", engine, index=False, if_exists="replace")
    _mutate(loans, "out_of_range").to_sql("loans_bad", engine, index=False, if_exists="replace")
    engine.dispose()
    assert failed(suite, postgres_url, table="loans") == set()
    assert failed(suite, postgres_url, query="SELECT * FROM loans WHERE age > 0") == set()
    assert failed(suite, postgres_url, table="loans_bad") == {(BETWEEN, "age")}
    code, out, err = _cli("validate", str(suite), postgres_url, "--table", "nope")
    assert code == 2 and "table 'nope' does not exist" in err


def _cli(*args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "harden.cli", *args], capture_output=True, text=True
    )
    return done.returncode, done.stdout, done.stderr


def test_cli_reports_failures_in_text_json_and_junit(
    tmp_path: Path, suite: Path, loans: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    _mutate(loans, "out_of_range").to_csv(path, index=False)
    assert main(["validate", str(suite), str(path)]) == 1
    text = capsys.readouterr().out
    assert (
        "1 of 32 expectations failed" in text and "expect_column_values_to_be_between [age]" in text
    )
    assert "e.g. 500" in text
    assert main(["validate", str(suite), str(path), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["success"] is False and data["statistics"] == {"evaluated": 32, "failed": 1}
    bad = [r for r in data["results"] if not r["success"]]
    assert bad[0]["column"] == "age" and bad[0]["examples"] == [500]
    assert main(["validate", str(suite), str(LOANS), "--format", "junit"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert (
        root.find("testsuite").get("tests") == "32"
        and root.find("testsuite").get("failures") == "0"
    )


def test_input_errors_are_one_line(
    tmp_path: Path, suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"\x00\x01 not parquet at all")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    not_gx = tmp_path / "not_gx.json"
    not_gx.write_text(json.dumps({"cells": [], "nbformat": 4}))
    unknown = tmp_path / "unknown.json"
    data = json.loads(suite.read_text())
    data["expectations"].append({"type": "expect_column_to_be_lovely", "kwargs": {"column": "age"}})
    unknown.write_text(json.dumps(data))
    broken = tmp_path / "broken.json"
    broken.write_text("{ nope")
    database = tmp_path / "db.sqlite"
    sqlite3.connect(database).close()
    cases = [
        ((str(suite), str(tmp_path / "missing.csv")), "missing.csv: no such file"),
        ((str(suite), str(garbage)), "garbage.parquet: cannot read as PARQUET"),
        ((str(suite), str(empty)), "empty.csv: cannot read as CSV: the file is empty"),
        ((str(not_gx), str(LOANS)), "not_gx.json: is not a Great Expectations suite"),
        ((str(broken), str(LOANS)), "broken.json: is not a Great Expectations suite: invalid JSON"),
        ((str(unknown), str(LOANS)), "unknown expectation type(s) expect_column_to_be_lovely"),
        ((str(tmp_path / "nosuite.json"), str(LOANS)), "nosuite.json: no such suite file"),
        ((str(suite), f"sqlite:///{database}", "--table", "loans"), "table 'loans' does not exist"),
        (
            (str(suite), "postgresql://postgres@127.0.0.1:1/postgres", "--table", "t"),
            "cannot connect",
        ),
        ((str(suite), f"sqlite:///{database}"), "give exactly one of --table or --query"),
    ]
    code, out, err = _cli("validate", *cases[0][0])  # one real process: no traceback anywhere
    assert code == 2 and err == f"harden: {tmp_path / 'missing.csv'}: no such file\n", err
    for args, expected in cases:
        code = main(["validate", *args])
        out, err = capsys.readouterr()
        assert code == 2, (args, out, err)
        assert expected in err, (expected, err)
        assert err.count("\n") == 1 and "Traceback" not in err, err


@pytest.mark.slow
def test_validate_reads_the_file_as_the_notebook_did(tmp_path: Path) -> None:
    """A notebook reads a semicolon file with its own missing-value marker (as
    pydata-book does): the suite records the reader's literal options and validate
    reads the file with them (a plain read gave one column and failed every check);
    options written as variables cannot be repeated, and the report says so."""
    from helpers import write_notebook

    (tmp_path / "sales.txt").write_text(
        "region;units;note\nnorth;12;NULL\nsouth;7;late\neast;NULL;ok\n", encoding="utf-8"
    )
    (tmp_path / "plain.csv").write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    notebook = write_notebook(
        tmp_path,
        "import pandas as pd\nSEP = ','",
        "sales = pd.read_csv('sales.txt', sep=';', na_values=['NULL'])\nsales.describe()",
        "plain = pd.read_csv('plain.csv', sep=SEP)\nplain.shape",
    )
    result = harden.expect(notebook, tmp_path / "suites")
    suites = {Path(s.path).stem: Path(s.path) for s in result.suites}
    source = json.loads(suites["sales_txt"].read_text(encoding="utf-8"))["meta"]["harden"]
    assert source["source"]["reader"] == "read_csv"
    assert source["source"]["read_options"] == {"sep": ";", "na_values": ["NULL"]}

    report = harden.validate(suites["sales_txt"], tmp_path / "sales.txt")
    assert report.success, [o.expectation for o in report.failed]
    assert report.notes == ("read as the notebook did: read_csv(na_values=['NULL'], sep=';')",)

    # a Parquet copy of the frame is read as Parquet: the CSV options do not apply
    copy = tmp_path / "sales.parquet"
    pd.read_csv(tmp_path / "sales.txt", sep=";", na_values=["NULL"]).to_parquet(copy)
    parquet = harden.validate(suites["sales_txt"], copy)
    assert parquet.success and parquet.notes == ()

    plain = harden.validate(suites["plain_csv"], tmp_path / "plain.csv")
    assert plain.success
    (note,) = plain.notes
    assert "with options harden cannot repeat (sep=SEP)" in note
