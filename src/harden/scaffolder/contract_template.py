"""Data contract and property tests of MODULE, written by harden scaffold.

This text is replaced; the helpers below are copied into the generated file as
they are, so the generated tests import nothing from harden.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import strategies as st

#: Text ``pandas.read_csv`` would read as a missing value or a boolean.
NA_WORDS = frozenset(
    {"", "#n/a", "#n/a n/a", "#na", "<na>", "n/a", "na", "nan", "null", "none", "true", "false"}
)
#: Characters drawn for free text (kept plain so a CSV stays readable).
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_-"


def read_data(
    path: str | Path, dates: Sequence[str] = (), categories: Sequence[str] = ()
) -> pd.DataFrame:
    """The file as pandas reads it, by its suffix (CSV when unknown); from text
    formats, ``dates`` parsed and ``categories`` as categoricals, as the suite
    recorded them in the notebook's frame."""
    suffix = Path(path).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    if suffix == ".feather":
        return pd.read_feather(path)
    if suffix == ".json":
        frame = pd.read_json(path)
        for name in dates:
            frame[name] = pd.to_datetime(frame[name])
        return frame.astype(dict.fromkeys(categories, "category"))
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path, parse_dates=list(dates))
    kinds = dict.fromkeys(categories, "category")
    sep = "\t" if suffix in (".tsv", ".tab") else ","
    return pd.read_csv(path, sep=sep, parse_dates=list(dates), dtype=kinds or None)


def write_data(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` in the format ``read_data`` reads from this suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".parquet", ".pq"):
        frame.to_parquet(path, index=False)
    elif suffix in (".tsv", ".tab"):
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".json":
        frame.to_json(path, orient="columns")
    elif suffix == ".feather":
        frame.reset_index(drop=True).to_feather(path)
    elif suffix in (".xlsx", ".xls"):
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False)


def reads_back(
    frame: pd.DataFrame, path: str | Path, dates: Sequence[str] = (), categories: Sequence[str] = ()
) -> bool:
    """``True`` when the file written from ``frame`` reads back with the same
    columns and kinds of dtype (a text column of digits comes back from a CSV as
    numbers: that frame is not one the contract describes once written)."""
    back = read_data(path, dates, categories)
    same_columns = list(back.columns) == list(frame.columns)
    return same_columns and [d.kind for d in back.dtypes] == [d.kind for d in frame.dtypes]


def plain_text(text: str) -> bool:
    """Text a CSV keeps as text: not a number, not a missing-value word, no outer spaces."""
    try:
        float(text)
    except ValueError:
        return text.strip() == text and text.lower() not in NA_WORDS
    return False


def with_nulls(draw: Any, frame: pd.DataFrame, name: str, mostly: float) -> pd.DataFrame:
    """``frame`` with some values of ``name`` missing: at most the share ``1 - mostly``."""
    most = math.floor(len(frame) * (1 - mostly) + 1e-9)
    if most < 1:
        return frame
    rows = draw(st.lists(st.integers(0, len(frame) - 1), max_size=most, unique=True))
    if rows:
        frame[name] = frame[name].astype(object)
        frame.loc[frame.index[rows], name] = None
    return frame
