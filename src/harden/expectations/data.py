"""The data ``validate`` checks: a file read with pandas, or a database table/query.

Files: CSV (``.csv``, ``.tsv``, ``.txt``), Parquet (``.parquet``, ``.pq``),
JSON lines (``.jsonl``, ``.ndjson``, ``.json``).  CSV and JSON carry no
types, so columns are read back as the suite's ``meta`` says the notebook
had them, where that loses nothing: dates parsed, categories restored,
whole-number floats (integers with gaps) as nullable integers, empty columns
typed.  Values that do not convert stay as read, so wrong data still fails.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harden.errors import UsageError
from harden.expectations.errors import DataError

log = logging.getLogger(__name__)

SQL_SCHEMES = ("sqlite:", "postgresql:", "postgresql+", "postgres:")
READERS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


@dataclass(frozen=True)
class Source:
    """What to validate: a file ``path``, or a database ``url`` with ``table`` or ``query``."""

    path: str | None = None
    url: str | None = None
    table: str | None = None
    query: str | None = None

    @property
    def is_sql(self) -> bool:
        return self.url is not None

    def describe(self) -> str:
        if self.url is None:
            return str(self.path)
        where = f"table {self.table}" if self.table else "query"
        return f"{redact_url(self.url)} ({where})"


def source_for(data: str, table: str | None = None, query: str | None = None) -> Source:
    if data.startswith(SQL_SCHEMES):
        if (table is None) == (query is None):
            raise UsageError(f"{redact_url(data)}: give exactly one of --table or --query")
        return Source(url=data, table=table, query=query)
    if table is not None or query is not None:
        raise UsageError("--table and --query apply to database URLs (sqlite:///…, postgresql://…)")
    return Source(path=data)


def redact_url(url: str) -> str:
    """The URL without a password."""
    import re

    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


#: The pandas readers whose options a suite can carry (``meta.harden.source``), and the
#: format (:data:`READERS`) of the files each reads: a Parquet copy of a frame the
#: notebook read from CSV is read as Parquet, without the CSV options.
OPTION_READERS = {
    "read_csv": "csv",
    "read_table": "csv",
    "read_json": "jsonl",
    "read_parquet": "parquet",
}


def reads_as_written(path: str | Path, reader: str | None) -> bool:
    """Whether ``path`` is the kind of file ``reader`` (the notebook's) reads."""
    kind = OPTION_READERS.get(reader or "")
    return kind is not None and READERS.get(Path(path).suffix.lower()) == kind


def read_call(reader: str, options: Mapping[str, Any]) -> str:
    """``read_csv(sep=';')``: a reader call as a report shows it."""
    return f"{reader}({', '.join(f'{k}={v!r}' for k, v in options.items())})"


def read_file(
    path: str | Path,
    columns: Mapping[str, Mapping[str, Any]],
    reader: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Any:
    """A pandas DataFrame from ``path``, columns typed as ``columns`` (the suite meta)
    says.  With ``options`` (the notebook's literal reader options, for a file of the
    kind ``reader`` reads: :func:`reads_as_written`), read by ``reader``
    (``read_csv``, ``read_table``, ``read_json``, ``read_parquet``) as the notebook
    read it; else by its extension."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise DataError("no such file", path)
    if not path.is_file():
        raise DataError("is not a file", path)
    kind = READERS.get(path.suffix.lower())
    if options and reader is not None and reader in OPTION_READERS:
        kind, how = OPTION_READERS[reader], f"with {read_call(reader, options)}"

        def load() -> Any:
            return getattr(pd, reader)(path, **options)

    elif kind is None:
        raise DataError(
            f"unknown data format {path.suffix or '(no extension)'!r}: use CSV, "
            "Parquet or JSON lines",
            path,
        )
    else:
        how = f"as {kind.upper()}"

        def load() -> Any:
            if kind == "csv":
                return pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
            if kind == "parquet":
                return read_parquet(path)
            return pd.read_json(path, lines=True)

    try:
        frame = load()
    except pd.errors.EmptyDataError:
        raise DataError(f"cannot read {how}: the file is empty", path) from None
    except Exception as exc:  # noqa: BLE001 - pandas and pyarrow raise their own kinds
        problem = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise DataError(f"cannot read {how}: {problem}", path) from None
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"cannot read {how}: it gives no table ({type(frame).__name__})", path)
    return restore_types(frame, columns) if kind != "parquet" else frame


def read_parquet(path: str | Path) -> Any:
    """``pandas.read_parquet``, Arrow's buffers freed column by column as they
    become pandas ones and no consolidation copy (pandas >= 3 passes
    ``to_pandas_kwargs`` on): a lower peak, and faster."""
    import inspect

    import pandas as pd

    if "to_pandas_kwargs" in inspect.signature(pd.read_parquet).parameters:
        return pd.read_parquet(path, to_pandas_kwargs={"self_destruct": True, "split_blocks": True})
    return pd.read_parquet(path)


def restore_types(frame: Any, columns: Mapping[str, Mapping[str, Any]]) -> Any:
    """Convert columns back to the kinds the notebook had, when nothing is lost."""
    import pandas as pd

    for name, info in columns.items():
        if name not in frame.columns:
            continue
        column = frame[name]
        kind = info.get("kind")
        try:
            if column.isna().all():
                frame[name] = column.astype(info.get("dtype", column.dtype))
            elif kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(column.dtype):
                frame[name] = pd.to_datetime(column, utc=bool(info.get("tz")))
                if info.get("tz"):
                    frame[name] = frame[name].dt.tz_convert(info["tz"])
            elif kind == "category":
                frame[name] = column.astype("category")
            elif kind == "integer" and pd.api.types.is_float_dtype(column.dtype):
                values = column.dropna()
                if (values == values.round()).all():
                    dtype = str(info.get("dtype", ""))
                    frame[name] = column.astype(
                        dtype if dtype.startswith(("Int", "UInt")) else "Int64"
                    )
            elif kind == "float" and pd.api.types.is_integer_dtype(column.dtype):
                frame[name] = column.astype("float64")
        except (ValueError, TypeError, OverflowError) as exc:
            log.debug("column %s left as read (%s)", name, exc)
    return frame


def for_gx(frame: Any) -> Any:
    """``frame`` with naive datetime columns in nanoseconds where the values fit.

    GX's pandas ``expect_column_values_to_be_between`` is vectorised only for
    ``datetime64[ns]`` (and tz-aware) columns; any other unit (pandas 3 reads
    Parquet timestamps as ``datetime64[us]``) falls back to a Python call per
    value, ~5 s per million rows.  The type GX checks (``datetime64``) is the
    same for every unit.  Columns are replaced in place, one at a time.
    """
    import numpy as np

    for position, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, np.dtype) and dtype.kind == "M" and dtype != "datetime64[ns]":
            try:
                frame.isetitem(position, frame.iloc[:, position].astype("datetime64[ns]"))
            except (ValueError, OverflowError) as exc:  # beyond 1677..2262: left as read
                log.debug("column %s kept as %s (%s)", frame.columns[position], dtype, exc)
    return frame
