"""What ``validate`` hands GX: datetimes in nanoseconds (GX's vectorised
between-check), out-of-range values left as read, results unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import harden
from harden.expectations.data import for_gx, read_parquet
from harden.expectations.options import ExpectOptions
from harden.expectations.profile import profile_frame
from harden.expectations.suite import suite_document


def test_datetimes_become_nanoseconds_where_they_fit() -> None:
    frame = pd.DataFrame(
        {
            "us": pd.to_datetime(["2024-01-01", "2025-06-01"]).astype("datetime64[us]"),
            "far": np.array(["3000-01-01", "2000-01-01"], dtype="datetime64[us]"),
            "aware": pd.to_datetime(["2024-01-01", "2025-01-01"], utc=True),
            "n": [1, 2],
        }
    )
    out = for_gx(frame)
    assert str(out["us"].dtype) == "datetime64[ns]"
    assert str(out["far"].dtype) == "datetime64[us]"
    assert out["aware"].dtype == frame["aware"].dtype and str(out["n"].dtype) == "int64"


def test_datetime_range_checked_on_parquet(tmp_path: Path) -> None:
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(1000), unit="h")
    frame = pd.DataFrame({"at": times.astype("datetime64[us]"), "x": np.arange(1000.0)})
    suite = tmp_path / "s.json"
    suite.write_text(suite_document("s", profile_frame(frame), ExpectOptions(), {}))
    good, bad = tmp_path / "good.parquet", tmp_path / "bad.parquet"
    frame.to_parquet(good)
    frame.assign(at=frame["at"].where(frame.index != 7, pd.Timestamp("2031-01-01"))).to_parquet(bad)
    assert read_parquet(good).equals(pd.read_parquet(good))
    assert harden.validate(suite, good).success
    failed = harden.validate(suite, bad).failed
    assert [(o.expectation, o.column) for o in failed] == [
        ("expect_column_values_to_be_between", "at")
    ]
    assert failed[0].examples == ("2031-01-01T00:00:00",)
