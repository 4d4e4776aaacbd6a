"""Profiles and suites of generated frames: dtypes pandas users meet, the suite
JSON, and the ``[tool.harden.expect]`` keys."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import harden
from harden.errors import ConfigError
from harden.expectations.options import ExpectOptions, resolve_options
from harden.expectations.profile import profile_frame
from harden.expectations.suite import suite_document


def frame() -> pd.DataFrame:
    n = 60
    return pd.DataFrame(
        {
            "order_id": range(1000, 1000 + n),
            "quantity": pd.array([i % 7 if i % 10 else None for i in range(n)], dtype="Int64"),
            "sku": pd.array([f"{i:06d}" for i in range(n)], dtype="string"),
            "email": [f"user{i}@example.com" for i in range(n)],
            "region": pd.Categorical(["north", "south", "east"] * (n // 3)),
            "seen_at": pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Paris"),
            "score": [i / 7 for i in range(n)],
            "note": [f"free text number {i} with words" for i in range(n)],
        }
    )


def test_profile_reads_kinds_and_roles() -> None:
    columns = {c.name: c for c in profile_frame(frame()).columns}
    assert (columns["order_id"].role, columns["quantity"].kind, columns["quantity"].nulls) == (
        "id",
        "integer",
        6,
    )
    assert columns["sku"].pattern == "digits" and columns["email"].pattern == "email"
    assert columns["region"].values == ("east", "north", "south")
    assert columns["seen_at"].tz == "Europe/Paris" and columns["seen_at"].role == "range"
    assert (
        columns["score"].role == "text" and columns["note"].role == "text"
    )  # all-unique floats, free text


def test_suite_validates_its_own_frame_and_is_deterministic(tmp_path: Path) -> None:
    data = frame()
    text = suite_document("f", profile_frame(data), ExpectOptions(), {"source": None})
    assert text == suite_document("f", profile_frame(data), ExpectOptions(), {"source": None})
    suite = tmp_path / "f.json"
    suite.write_text(text)
    data.to_parquet(tmp_path / "f.parquet")
    report = harden.validate(suite, tmp_path / "f.parquet")
    assert report.success, [(o.expectation, o.column, o.observed, o.error) for o in report.failed]
    types = {e["kwargs"].get("column"): e["type"] for e in json.loads(text)["expectations"]}
    assert types["note"] == "expect_column_values_to_not_be_null"  # type and nulls only
    late = data.assign(seen_at=data["seen_at"] + pd.Timedelta(days=400))
    late.to_parquet(tmp_path / "late.parquet")
    failed = {
        (o.expectation, o.column) for o in harden.validate(suite, tmp_path / "late.parquet").failed
    }
    assert failed == {("expect_column_values_to_be_between", "seen_at")}


def test_large_frames_are_profiled_on_a_sample_but_counted_whole() -> None:
    big = pd.DataFrame({"x": range(5000), "y": ["a", "b"] * 2500})
    profile = profile_frame(big, ExpectOptions(sample_rows=1000))
    assert (profile.rows, profile.sampled_rows) == (5000, 1000)
    assert profile.columns[0].maximum == 4999  # bounds from every row


def test_expect_section_keys_are_checked(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.harden.expect]\nrow-tolerance = 0.2\nrow-tolerence = 1\n"
    )
    with pytest.raises(ConfigError, match="row-tolerence"):
        resolve_options(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.harden.expect]\nrow-tolerance = 0.2\ncolumns = 'subset'\n"
    )
    options = resolve_options(tmp_path, columns="exact")
    assert (options.row_tolerance, options.columns) == (0.2, "exact")  # the flag wins


def test_one_file_read_twice_in_one_cell_gets_two_suite_names(tmp_path: Path) -> None:
    """pydata-book reads ``ex5.csv`` twice in one cell with other options: each read
    is its own input, and their suite files must not collide (expect refused the
    whole notebook: "two captures would write the same file")."""
    from helpers import write_notebook

    from harden.analysis import analyze
    from harden.expectations.capture import plan
    from harden.notebook import load

    (tmp_path / "ex5.csv").write_text("a,b\n1,NA\n2,3\n", encoding="utf-8")
    path = write_notebook(
        tmp_path,
        "import pandas as pd",
        "first = pd.read_csv('ex5.csv')",
        "second = pd.read_csv('ex5.csv', keep_default_na=False)\n"
        "third = pd.read_csv('ex5.csv', na_values=['NA'])",
    )
    targets = plan(analyze(load(path)), tmp_path)
    names = {target.variable: target.name for target in targets}
    assert names == {
        "first": "ex5_csv_cell2",
        "second": "ex5_csv_cell3",
        "third": "ex5_csv_cell3_2",
    }
