"""``validate``: check data against a suite with Great Expectations.

Files are read with pandas into GX's pandas data source; database tables and
queries go through GX's SQL data sources, so the checks run inside the
database.  Results come back in suite order with the observed value and a
few unexpected values.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harden.expectations.data import for_gx, read_call, read_file, reads_as_written, source_for
from harden.expectations.errors import SuiteError
from harden.expectations.sqlsource import sql_batches

log = logging.getLogger(__name__)

EXAMPLES = 5


@dataclass(frozen=True)
class Outcome:
    """One expectation's result.  ``observed`` is GX's observed value (or the
    mismatch details); ``examples`` a few unexpected values; ``error`` the
    message when GX could not evaluate it (a missing column)."""

    expectation: str
    column: str | None
    kwargs: Mapping[str, Any]
    success: bool
    observed: Any = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    examples: tuple[Any, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    suite: str
    suite_name: str
    data: str
    outcomes: tuple[Outcome, ...]
    skipped: tuple[str, ...] = ()
    #: How the data was read, when not plainly (the notebook's reader options).
    notes: tuple[str, ...] = ()

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.success)

    @property
    def exit_code(self) -> int:
        return 0 if self.success else 1


def load_suite(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """The GX suite in ``path`` and its raw JSON; unknown expectation types are an error."""
    from harden.expectations.gxsession import gx_module

    path = Path(path)
    if not path.is_file():
        raise SuiteError("no such suite file" if not path.exists() else "is not a file", path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"cannot read the suite ({exc})", path) from None
    except json.JSONDecodeError as exc:
        raise SuiteError(
            f"is not a Great Expectations suite: invalid JSON ({exc.msg}, line {exc.lineno})", path
        ) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("expectations"), list)
        or not isinstance(data.get("name"), str)
    ):
        raise SuiteError(
            "is not a Great Expectations suite (JSON without 'name' and 'expectations')", path
        )
    gx = gx_module()
    try:
        suite = gx.ExpectationSuite(**data)
    except Exception as exc:  # GX raises pydantic, type and value errors alike
        problem = " ".join(str(exc).split())[:200]
        raise SuiteError(f"is not a valid Great Expectations suite: {problem}", path) from None
    if len(suite.expectations) != len(data["expectations"]):
        known = {e.expectation_type for e in suite.expectations}
        unknown = sorted(
            {
                str(e.get("type", e.get("expectation_type")))
                for e in data["expectations"]
                if isinstance(e, dict)
            }
            - known
        )
        raise SuiteError(
            f"unknown expectation type(s) {', '.join(unknown) or '(unnamed)'}: "
            f"Great Expectations would silently skip "
            f"{len(data['expectations']) - len(suite.expectations)} expectation(s)",
            path,
        )
    return suite, data


def validate_data(
    suite_path: str | Path, data: str, *, table: str | None = None, query: str | None = None
) -> ValidationReport:
    """Validate ``data`` (a file, or a database URL with ``table``/``query``) against the suite."""
    from harden.expectations.gxsession import (
        ephemeral_context,
        gx_module,
        no_frame_fingerprint,
    )

    source = source_for(str(data), table, query)
    suite, raw = load_suite(suite_path)
    meta = raw.get("meta", {}).get("harden", {}) or {}
    columns = meta.get("columns", {}) or {}
    read = meta.get("source") or {}
    context = ephemeral_context()
    skipped: list[str] = []
    notes: list[str] = []
    parameters: dict[str, Any] | None = None
    if source.is_sql:
        batches, suite, skipped = sql_batches(context, source, suite, columns)
    else:
        reader: str = read.get("reader") or ""
        options = read.get("read_options") or None
        # a Parquet copy of a frame the notebook read from CSV is read as Parquet
        as_written = reads_as_written(str(source.path), reader)
        frame = read_file(str(source.path), columns, reader, options if as_written else None)
        parameters = {"dataframe": for_gx(frame)}
        if as_written and read.get("read_as_written"):
            notes.append(
                f"the notebook read {read.get('path')} with options harden cannot repeat "
                f"({read['read_as_written']}): validated a plain read"
            )
        elif as_written and options:
            notes.append(f"read as the notebook did: {read_call(reader, options)}")
        asset = context.data_sources.add_pandas("harden").add_dataframe_asset("data")
        batches = asset.add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(suite)
    order = [e.id for e in suite.expectations]
    # A validation definition gets the batch once (``get_batch`` then
    # ``batch.validate`` gets it twice, and GX fingerprints a pandas frame by
    # hashing every row each time).  BASIC carries all a report shows: the
    # observed value, unexpected count and percent, a partial list of bad
    # values; SUMMARY's extra value counts and index lists are never shown.
    definition = context.validation_definitions.add(
        gx_module().ValidationDefinition(name="harden", data=batches, suite=suite)
    )
    with no_frame_fingerprint():
        result = definition.run(batch_parameters=parameters, result_format="BASIC")
    by_id = {r.expectation_config.id: r for r in result.results}
    outcomes = _name_missing_columns(tuple(_outcome(by_id[i]) for i in order if i in by_id))
    return ValidationReport(
        str(suite_path), suite.name, source.describe(), outcomes, tuple(skipped), tuple(notes)
    )


def _outcome(result: Any) -> Outcome:
    config = result.expectation_config
    kwargs = {k: v for k, v in dict(config.kwargs).items() if k != "batch_id"}
    details = dict(result.result or {})
    observed = details.get("observed_value")
    mismatch = (details.get("details") or {}).get("mismatched")
    if mismatch:
        observed = mismatch
    examples = tuple(details.get("partial_unexpected_list") or ())[:EXAMPLES]
    return Outcome(
        expectation=config.type,
        column=kwargs.get("column"),
        kwargs=kwargs,
        success=bool(result.success),
        observed=_plain(observed),
        unexpected_count=details.get("unexpected_count"),
        unexpected_percent=details.get("unexpected_percent"),
        examples=tuple(_plain(e) for e in examples),
        error=_error(result.exception_info),
    )


def _name_missing_columns(outcomes: tuple[Outcome, ...]) -> tuple[Outcome, ...]:
    """GX's message for a missing column varies by expectation; say it plainly."""
    from dataclasses import replace

    missing: set[str] = set()
    for outcome in outcomes:
        if isinstance(outcome.observed, dict):
            missing.update(map(str, outcome.observed.get("missing") or ()))
    return tuple(
        replace(o, error=f"column {o.column!r} is missing from the data")
        if o.column in missing and not o.success
        else o
        for o in outcomes
    )


def _error(info: Any) -> str | None:
    if not isinstance(info, Mapping):
        return None
    if "raised_exception" in info:
        return str(info.get("exception_message")) if info.get("raised_exception") else None
    for value in info.values():
        message = _error(value)
        if message:
            return message
    return None


def _plain(value: Any) -> Any:
    """JSON-safe: numpy scalars and timestamps become numbers and strings."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
