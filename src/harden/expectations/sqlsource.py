"""GX's SQL data sources for ``validate``: a table or query checked inside the
database, pandas type names translated to SQL ones, regexes dropped where the
database has none (SQLite)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harden.expectations.data import Source
from harden.expectations.errors import DataError

#: pandas kinds → SQL type names: GX resolves them in the dialect's type module
#: (SQLite) or compares the spelled-out names (PostgreSQL).
SQL_TYPES: dict[str, list[str]] = {
    "integer": ["INTEGER", "BIGINT", "SMALLINT"],
    "float": [
        "FLOAT",
        "REAL",
        "DOUBLE_PRECISION",
        "DOUBLE PRECISION",
        "DOUBLE",
        "NUMERIC",
        "DECIMAL",
    ],
    "boolean": ["BOOLEAN"],
    "string": ["TEXT", "VARCHAR", "CHAR", "NVARCHAR", "CHARACTER VARYING"],
    "category": ["TEXT", "VARCHAR", "CHAR", "NVARCHAR", "CHARACTER VARYING"],
    "datetime": [
        "TIMESTAMP",
        "DATETIME",
        "DATE",
        "TIMESTAMP WITHOUT TIME ZONE",
        "TIMESTAMP WITH TIME ZONE",
    ],
}


def sql_batches(
    context: Any, source: Source, suite: Any, columns: Mapping[str, Any]
) -> tuple[Any, Any, list[str]]:
    """The table's or query's batch definition and the suite in SQL terms:
    types as SQL type names, regexes dropped where the database has none."""
    gx = _gx()
    engine_name = check_database(source)
    url = source.url or ""
    if engine_name == "sqlite":
        datasource = context.data_sources.add_sqlite("harden", connection_string=url)
    elif engine_name == "postgresql":
        datasource = context.data_sources.add_postgres("harden", connection_string=url)
    else:
        datasource = context.data_sources.add_sql("harden", connection_string=url)
    if source.table is not None:
        asset = datasource.add_table_asset("data", table_name=source.table)
    else:
        asset = datasource.add_query_asset("data", query=source.query)
    batches = asset.add_batch_definition_whole_table("all")
    expectations, skipped = [], []
    for expectation in suite.expectations:
        config = expectation.configuration
        kwargs = dict(config.kwargs)
        if config.type == "expect_column_values_to_be_of_type" and source.query is not None:
            skipped.append(
                f"{config.type} on {kwargs.get('column')}: a query's column types are not known"
            )
            continue
        if config.type == "expect_column_values_to_be_of_type":
            kind = columns.get(str(kwargs.get("column")), {}).get("kind")
            if kind in SQL_TYPES:
                expectations.append(
                    gx.expectations.ExpectColumnValuesToBeInTypeList(
                        column=kwargs["column"], type_list=SQL_TYPES[kind]
                    )
                )
                continue
        if config.type == "expect_column_values_to_match_regex" and engine_name == "sqlite":
            skipped.append(
                f"{config.type} on {kwargs.get('column')}: SQLite has no regular expressions"
            )
            continue
        expectations.append(expectation)
    for expectation in expectations:
        expectation.id = None
    return (
        batches,
        gx.ExpectationSuite(name=suite.name, expectations=expectations, meta=suite.meta),
        skipped,
    )


def _gx() -> Any:
    from harden.expectations.gxsession import gx_module

    return gx_module()


def check_database(source: Source) -> str:
    """Connect once with SQLAlchemy: a refused connection or a missing table is a one-line error."""
    import sqlalchemy as sa

    url = source.url or ""
    where = source.describe()
    if url.startswith("sqlite:"):
        database = url.split(":///", 1)[-1]
        if database and database != ":memory:" and not Path(database).is_file():
            raise DataError("no such database file", database)
    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            names = set(sa.inspect(connection).get_table_names()) | set(
                sa.inspect(connection).get_view_names()
            )
        dialect = engine.dialect.name
        engine.dispose()
    except ImportError as exc:
        raise DataError(f"no database driver: {exc}", where) from None
    except Exception as exc:  # SQLAlchemy wraps every driver's errors differently
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise DataError(
            f"cannot connect: {message[0] if message else type(exc).__name__}", where
        ) from None
    if source.table is not None and source.table not in names:
        raise DataError(f"table {source.table!r} does not exist", where)
    return str(dialect)
