"""Data profiles for the report: a captured DataFrame → :class:`FrameSummary`.

``harden report`` captures no frames (``repro`` runs the notebook as it is);
``harden handoff``, whose instrumented run captures them, calls
:func:`frame_summary` on each and passes the summaries to
:func:`harden.reporter.notebook_report` (``frames=``).  The HTML draws a small
inline-SVG histogram per numeric column from ``counts``.
"""

from __future__ import annotations

from typing import Any

from harden.reporter.model import ColumnSummary, FrameSummary

#: Bars per histogram: enough to see a shape (skew, two modes), few enough to stay
#: readable at 120 px wide and a few hundred bytes per column.
BINS = 20


def frame_summary(name: str, frame: Any, source: str = "", bins: int = BINS) -> FrameSummary:
    """Summarise a pandas DataFrame: per column its dtype and nulls; numeric (not
    boolean) columns also get their range and ``bins`` equal-width counts."""
    import numpy as np
    import pandas as pd

    columns = []
    for column in frame.columns:
        series = frame[column]
        nulls = int(series.isna().sum())
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        values = series.dropna().to_numpy(dtype=float) if numeric else None
        values = values[np.isfinite(values)] if values is not None else None
        if values is None or not len(values):
            columns.append(ColumnSummary(str(column), str(series.dtype), nulls))
            continue
        low, high = float(values.min()), float(values.max())
        counts, _ = np.histogram(values, bins=bins, range=(low, high) if high > low else None)
        columns.append(
            ColumnSummary(
                str(column),
                str(series.dtype),
                nulls,
                low,
                high,
                tuple(int(c) for c in counts),
            )
        )
    return FrameSummary(name, int(len(frame)), tuple(columns), source)


__all__ = ["BINS", "frame_summary"]
