"""Data contract and property tests from ``harden expect``'s suites: ``test_<module>_contract.py``.

For each suite of a notebook *input* (a file the notebook reads):

* a **contract test** reads the file (relative to the module's data folder, as
  the other tests find data) and checks every expectation of the suite;
* a **property test** (Hypothesis) draws frames the suite allows, writes each
  to a temporary file of the same format, and calls every step whose captured
  arguments name that file with the temporary path instead: the step must not
  raise, and its results keep the columns and dtypes they had on the real data.
  A **seam test** beside it checks the round trip first (the real file,
  rewritten by the same writer, gives the same result), so a property test
  never fails because of the way it writes files.

The expectations are compiled into plain pandas checks rather than run through
Great Expectations: the generated tests stay light (no GX import, no context,
only pandas, pytest and Hypothesis) and each check reads as the line of pandas
it is.  Only the expectation types ``harden expect`` writes are compiled; any
other type in a suite becomes a test that fails naming it, never a silent skip.

The tests are run once here, at generation: a property test that fails on the
current code is a finding (the code crashes on data its contract allows); it
is written marked ``xfail(strict=True)`` with the failure as its reason and
listed in the scaffold output, so the suite stays green and the crash stays
visible (a strict xfail fails once the crash is fixed, asking to regenerate).
Suites of model inputs (``X_train``) get no tests here: the frame is paired
with a target whose rows must align, which generated frames cannot honour.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import libcst as cst

from harden.errors import HardenError, UsageError
from harden.manifests import write_files
from harden.scaffolder.generate import RESERVED, TestBuilder, _fill, _key, literal

CONTRACT_TEMPLATE = Path(__file__).with_name("contract_template.py")
#: Expectation types compiled into pandas checks (all that ``harden expect`` writes).
KNOWN = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_be_of_type",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_unique",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_mean_to_be_between",
        "expect_column_median_to_be_between",
        "expect_column_value_lengths_to_be_between",
        "expect_column_values_to_match_regex",
    }
)
#: File formats the property tests can write (``write_data`` in the template).
WRITABLE = frozenset({".csv", ".txt", ".tsv", ".tab", ".parquet", ".pq", ".json"})
TEXT_FORMATS = frozenset({".csv", ".txt", ".tsv", ".tab", ".json"})
UNBOUNDED = 10**9  # numbers the contract sets no range for are drawn within ±this
#: Names the generated property tests use besides ``RESERVED``; a result so named is renamed.
FIXED = frozenset(
    {"frame", "module", "load", "path", "folder", "st", "Path", "tempfile", "read_data"}
    | {"write_data", "reads_back", "assume", "column", "data_frames", "math", "pd"}
)


@dataclass(frozen=True)
class Suite:
    """One suite file of ``harden expect``, read as plain JSON."""

    name: str
    path: Path
    role: str
    source: str | None
    columns: tuple[str, ...]
    kinds: Mapping[str, str]
    dtypes: Mapping[str, str]
    expectations: tuple[tuple[str, Mapping[str, Any]], ...]

    def read_options(self) -> list[cst.Arg]:
        """``dates=[...]``, ``categories=[...]`` for ``read_data`` (the columns the
        notebook's frame had as datetimes and categoricals)."""
        options = []
        for keyword, kind in (("dates", "datetime"), ("categories", "category")):
            names = [c for c in self.columns if self.kinds.get(c) == kind]
            if names:
                options.append(cst.Arg(_value(names), keyword=cst.Name(keyword)))
        return options

    def of(self, kind: str, column: str | None = None) -> Mapping[str, Any] | None:
        for name, kwargs in self.expectations:
            if name == kind and (column is None or kwargs.get("column") == column):
                return kwargs
        return None


@dataclass(frozen=True)
class ContractResult:
    """What was written: the file, its tests, findings (crashes) and notes (what was not tested)."""

    test_file: Path | None
    tests: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def render_lines(self) -> list[str]:
        lines: list[str] = []
        if self.test_file is not None:
            lines.append(
                f"wrote {self.test_file} ({len(self.tests)} contract and property tests; "
                "test dependencies: pandas, pytest, hypothesis)"
            )
        lines += [f"  finding: {f}" for f in self.findings]
        lines += [f"  {n}" for n in self.notes]
        return lines


def no_expectations_hint() -> str:
    return (
        "  no data contract or property tests: write suites with `harden expect NB -o DIR` "
        "and pass --expectations DIR"
    )


# -- finding and reading suites -----------------------------------------------------------
def find_suites(directory: Path, stem: str) -> list[Suite]:
    """Suites for the notebook ``stem``: ``DIR/<stem>/*.json`` as ``harden expect`` writes
    them, else ``DIR/*.json`` (a folder of one notebook's suites)."""
    if not directory.is_dir():
        raise UsageError(f"--expectations {directory}: not a folder")
    folder = directory / stem if (directory / stem).is_dir() else directory
    suites = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
            continue
        meta = (data.get("meta") or {}).get("harden") or {}
        expectations = tuple(
            (str(e.get("type", "")), dict(e.get("kwargs") or {}))
            for e in data["expectations"]
            if isinstance(e, dict)
        )
        columns_meta = meta.get("columns") or {}
        order: Sequence[str] = ()
        for kind, kwargs in expectations:
            if kind == "expect_table_columns_to_match_ordered_list":
                order = kwargs.get("column_list") or ()
            elif kind == "expect_table_columns_to_match_set" and not order:
                order = kwargs.get("column_set") or ()
        source = (meta.get("source") or {}).get("path")
        suites.append(
            Suite(
                name=path.stem,
                path=path,
                role=str(meta.get("role", "")),
                source=source if isinstance(source, str) else None,
                columns=tuple(str(c) for c in (order or columns_meta)),
                kinds={str(k): str(v.get("kind", "")) for k, v in columns_meta.items()},
                dtypes={str(k): str(v.get("dtype", "")) for k, v in columns_meta.items()},
                expectations=expectations,
            )
        )
    if not suites:
        raise UsageError(f"--expectations {directory}: no suites of harden expect for {stem}")
    return suites


# -- code building helpers ----------------------------------------------------------------
def _s(value: str) -> cst.SimpleString:
    return cst.SimpleString(repr(value))


def _value(value: Any) -> cst.BaseExpression:
    node = literal(value, 100_000)
    if node is None:
        raise UsageError(f"a suite holds a value harden cannot write as a literal: {value!r:.60}")
    return node


def _col(frame: str, name: str) -> cst.Subscript:
    return cst.Subscript(cst.Name(frame), [cst.SubscriptElement(cst.Index(_s(name)))])


def _docstring(text: str) -> cst.SimpleStatementLine:
    text = " ".join(text.split()).replace("\\", "/").replace('"', "'")
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{text}"""'))])


def _function(
    name: str,
    doc: str,
    params: Sequence[str],
    body: Sequence[cst.BaseStatement],
    decorators: Sequence[cst.BaseExpression] = (),
) -> cst.FunctionDef:
    return cst.FunctionDef(
        cst.Name(name),
        cst.Parameters([cst.Param(cst.Name(p)) for p in params]),
        cst.IndentedBlock([_docstring(doc), *body]),
        decorators=[cst.Decorator(d) for d in decorators],
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )


def _safe(text: str) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in text).strip("_").lower()
    return cleaned if cleaned and not cleaned[0].isdigit() else f"x_{cleaned}"


# -- contract checks ----------------------------------------------------------------------
def contract_checks(suite: Suite) -> list[cst.BaseStatement]:
    """One statement per expectation: an ``assert`` naming it, or ``pytest.fail`` for
    a type not compiled here."""
    statements: list[cst.BaseStatement] = []
    unknown: list[str] = []
    for kind, kwargs in suite.expectations:
        built = _check(kind, kwargs)
        if built is None:
            unknown.append(kind)
            continue
        template, values = built
        column = kwargs.get("column")
        message = f"{column}: {kind}" if column is not None else kind
        values["MSG"] = _s(f"{message} {_short(kwargs)}".strip())
        statements.append(_fill(template, values))
    if unknown:
        names = ", ".join(sorted(set(unknown)))
        text = (
            f"not compiled by harden scaffold: {names}; check this suite with Great "
            "Expectations (harden validate) or remove them"
        )
        statements.append(_fill("pytest.fail(TEXT)", {"TEXT": _s(text)}))
    return statements


def _short(kwargs: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in kwargs.items() if k not in ("column", "column_set", "column_list")}
    text = ", ".join(f"{k}={v!r}" for k, v in shown.items())
    return f"({text})" if text and len(text) < 120 else ""


def _check(kind: str, kw: Mapping[str, Any]) -> tuple[str, dict[str, cst.BaseExpression]] | None:
    column = kw.get("column")
    values: dict[str, cst.BaseExpression] = {}
    if column is not None:
        values["COL"] = _col("frame", str(column))
    if kind == "expect_table_columns_to_match_set":
        names = sorted(str(c) for c in kw.get("column_set") or ())
        values["NAMES"] = _value(names)
        if kw.get("exact_match", True) is False:
            return "assert set(NAMES) <= set(frame.columns), MSG", values
        return "assert sorted(frame.columns) == NAMES, MSG", values
    if kind == "expect_table_columns_to_match_ordered_list":
        values["NAMES"] = _value([str(c) for c in kw.get("column_list") or ()])
        return "assert list(frame.columns) == NAMES, MSG", values
    if kind == "expect_table_row_count_to_be_between":
        return _between("len(frame)", kw, values)
    if kind == "expect_column_values_to_be_of_type":
        values["TYPE"] = _s(str(kw.get("type_")))
        return "assert COL.dtype.type.__name__ == TYPE, MSG", values
    if kind == "expect_column_values_to_not_be_null":
        if kw.get("mostly") is None:
            return "assert COL.notna().all(), MSG", values
        values["MOSTLY"] = _value(float(kw["mostly"]))
        return "assert COL.notna().mean() >= MOSTLY, MSG", values
    if kind == "expect_column_values_to_be_unique":
        return "assert not COL.dropna().duplicated().any(), MSG", values
    if kind == "expect_column_values_to_be_in_set":
        values["SET"] = _value(list(kw.get("value_set") or ()))
        return "assert COL.dropna().isin(SET).all(), MSG", values
    if kind == "expect_column_values_to_be_between":
        low, high = kw.get("min_value"), kw.get("max_value")
        if isinstance(low, str) or isinstance(high, str):
            return _between("COL.dropna()", kw, values, timestamps=True, each=True)
        return _between("COL.dropna()", kw, values, each=True)
    if kind in ("expect_column_mean_to_be_between", "expect_column_median_to_be_between"):
        stat = "mean" if "mean" in kind else "median"
        return _between(f"COL.{stat}()", kw, values)
    if kind == "expect_column_value_lengths_to_be_between":
        return _between("COL.dropna().astype(str).str.len()", kw, values, each=True)
    if kind == "expect_column_values_to_match_regex":
        values["REGEX"] = _s(str(kw.get("regex")))
        return "assert COL.dropna().astype(str).str.contains(REGEX, regex=True).all(), MSG", values
    return None


def _between(
    subject: str,
    kw: Mapping[str, Any],
    values: dict[str, cst.BaseExpression],
    *,
    timestamps: bool = False,
    each: bool = False,
) -> tuple[str, dict[str, cst.BaseExpression]]:
    low, high = kw.get("min_value"), kw.get("max_value")
    for key, bound in (("LOW", low), ("HIGH", high)):
        if bound is None:
            continue
        node = _value(bound)
        if timestamps:
            node = cst.Call(cst.Attribute(cst.Name("pd"), cst.Name("Timestamp")), [cst.Arg(node)])
        values[key] = node
    if each:
        if low is not None and high is not None:
            return f"assert {subject}.between(LOW, HIGH).all(), MSG", values
        if low is not None:
            return f"assert ({subject} >= LOW).all(), MSG", values
        if high is not None:
            return f"assert ({subject} <= HIGH).all(), MSG", values
        return "pass", values
    if low is not None and high is not None:
        return f"assert LOW <= {subject} <= HIGH, MSG", values
    if low is not None:
        return f"assert {subject} >= LOW, MSG", values
    return f"assert {subject} <= HIGH, MSG", values


# -- strategies ---------------------------------------------------------------------------
@dataclass
class _Strategy:
    """The ``@st.composite`` function drawing frames a suite allows, or why there is none."""

    function: cst.FunctionDef | None = None
    problem: str | None = None
    relaxed: list[str] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)


def build_strategy(suite: Suite, text_format: bool) -> _Strategy:
    result = _Strategy()
    columns: list[cst.BaseExpression] = []
    nulls: list[tuple[str, float]] = []
    dtypes: dict[str, str] = {}
    for name in suite.columns:
        kind = suite.kinds.get(name, "")
        dtype = suite.dtypes.get(name, "")
        element = _element(suite, name, kind, dtype, text_format, result)
        if element is None:
            result.problem = f"column {name!r} ({dtype or kind}) has no strategy"
            return result
        arguments = [cst.Arg(_s(name)), cst.Arg(element, keyword=cst.Name("elements"))]
        base = {"integer": "int64", "float": dtype or "float64", "boolean": "bool"}.get(kind)
        if base is not None and base in ("int64", "float64", "float32", "bool"):
            arguments.append(cst.Arg(_s(base), keyword=cst.Name("dtype")))
        else:
            arguments.append(cst.Arg(cst.Name("object"), keyword=cst.Name("dtype")))
        if suite.of("expect_column_values_to_be_unique", name) is not None:
            arguments.append(cst.Arg(cst.Name("True"), keyword=cst.Name("unique")))
        columns.append(cst.Call(cst.Name("column"), arguments))
        not_null = suite.of("expect_column_values_to_not_be_null", name)
        if not_null is None:
            nulls.append((name, 0.0))
        elif not_null.get("mostly") is not None:
            nulls.append((name, float(not_null["mostly"])))
        if dtype:
            dtypes[name] = dtype
    for kind, kwargs in suite.expectations:
        if kind in ("expect_column_mean_to_be_between", "expect_column_median_to_be_between"):
            result.relaxed.append(f"{kwargs.get('column')}: {kind}")
        elif kind not in KNOWN:
            result.problem = f"the suite has an expectation type not compiled here: {kind}"
            return result
    frames = cst.Call(
        cst.Name("data_frames"),
        [
            cst.Arg(cst.List([cst.Element(c) for c in columns]), keyword=cst.Name("columns")),
            cst.Arg(
                cst.parse_expression("range_indexes(min_size=1, max_size=MAX_ROWS)"),
                keyword=cst.Name("index"),
            ),
        ],
    )
    body: list[cst.BaseStatement] = [_fill("frame = draw(FRAMES)", {"FRAMES": frames})]
    for name, mostly in nulls:
        body.append(
            _fill(
                "frame = with_nulls(draw, frame, NAME, MOSTLY)",
                {"NAME": _s(name), "MOSTLY": _value(mostly)},
            )
        )
    body.append(_fill("return frame.astype(DTYPES)", {"DTYPES": _value(dtypes)}))
    relaxed = "; not enforced: the row count (1 to MAX_ROWS rows)"
    if result.relaxed:
        relaxed += ", " + ", ".join(result.relaxed)
    doc = (
        f"Frames the suite {suite.path.name} allows: its columns, types, ranges, sets, "
        f"lengths, shapes, uniqueness and nulls{relaxed}."
    )
    result.function = _function(
        f"{_safe(suite.name)}_frames",
        doc,
        ["draw"],
        body,
        decorators=[cst.parse_expression("st.composite")],
    )
    return result


def _element(
    suite: Suite, name: str, kind: str, dtype: str, text_format: bool, result: _Strategy
) -> cst.BaseExpression | None:
    in_set = suite.of("expect_column_values_to_be_in_set", name)
    between = suite.of("expect_column_values_to_be_between", name) or {}
    low, high = between.get("min_value"), between.get("max_value")
    if in_set is not None:
        return _fill_expr("st.sampled_from(VALUES)", VALUES=_value(list(in_set["value_set"])))
    if kind == "boolean":
        return cst.parse_expression("st.booleans()")
    if kind == "integer":
        low_int = -UNBOUNDED if low is None else math.ceil(low)
        high_int = UNBOUNDED if high is None else math.floor(high)
        return _fill_expr(
            "st.integers(min_value=LOW, max_value=HIGH)",
            LOW=_value(low_int),
            HIGH=_value(high_int),
        )
    if kind == "float":
        width = ", width=32" if dtype == "float32" else ""
        return _fill_expr(
            f"st.floats(min_value=LOW, max_value=HIGH, allow_nan=False, allow_infinity=False{width})",
            LOW=_value(float(-UNBOUNDED if low is None else low)),
            HIGH=_value(float(UNBOUNDED if high is None else high)),
        )
    if kind == "datetime":
        if dtype.startswith("datetime64[") and "," in dtype:
            return None  # time-zone aware
        result.imports.add("datetime")
        return _fill_expr(
            "st.datetimes(min_value=datetime.datetime.fromisoformat(LOW), "
            "max_value=datetime.datetime.fromisoformat(HIGH))",
            LOW=_s(str(low or "2000-01-01T00:00:00")),
            HIGH=_s(str(high or "2030-12-31T00:00:00")),
        )
    if kind in ("string", "category"):
        lengths = suite.of("expect_column_value_lengths_to_be_between", name) or {}
        shortest = max(int(lengths.get("min_value") or 0), 1)
        longest = int(lengths.get("max_value") or max(shortest, 12))
        regex = suite.of("expect_column_values_to_match_regex", name)
        if regex is not None:
            element = _fill_expr(
                "st.from_regex(REGEX, fullmatch=True, alphabet=ALPHABET + '@.')",
                REGEX=_s(str(regex["regex"])),
            )
            element = _fill_expr(
                "ELEMENT.filter(lambda text: SHORTEST <= len(text) <= LONGEST)",
                ELEMENT=element,
                SHORTEST=_value(shortest),
                LONGEST=_value(longest),
            )
        else:
            element = _fill_expr(
                "st.text(alphabet=st.sampled_from(ALPHABET), min_size=SHORTEST, max_size=LONGEST)",
                SHORTEST=_value(shortest),
                LONGEST=_value(longest),
            )
        if text_format:
            element = _fill_expr("ELEMENT.filter(plain_text)", ELEMENT=element)
        return element
    return None


def _fill_expr(template: str, **values: cst.BaseExpression) -> cst.BaseExpression:
    statement = _fill(template, values)
    assert isinstance(statement, cst.SimpleStatementLine)
    expr = statement.body[0]
    assert isinstance(expr, cst.Expr)
    return expr.value


# -- the seams: steps that take an input file's path --------------------------------------
@dataclass(frozen=True)
class Seam:
    """A step whose captured argument ``argument`` is the path of ``suite``'s file."""

    suite: Suite
    step: Mapping[str, Any]
    argument: str
    path: str


def find_seams(
    suite: Suite, captured: Mapping[str, Any], builder: TestBuilder, data_dir: Path
) -> list[Seam]:
    if suite.source is None:
        return []
    wanted = (data_dir / suite.source).resolve()
    seams = []
    seen: set[str] = set()
    for step in captured.get("steps", []):
        if step.get("problem") or step.get("output_problem") or step["name"] in seen:
            continue
        for argument, described in (step.get("inputs") or {}).items():
            if described.get("kind") != "json":
                continue
            try:
                value = builder.json_value(described)
            except (OSError, ValueError, KeyError):
                continue
            if (
                isinstance(value, str)
                and "://" not in value
                and (data_dir / value).resolve() == wanted
            ):
                seams.append(Seam(suite, step, argument, value))
                seen.add(step["name"])
                break
    return seams


def _seam_call(
    seam: Seam, builder: TestBuilder
) -> tuple[cst.BaseStatement, list[tuple[str, cst.BaseExpression]]]:
    """``outputs = module.step(..., argument=path)`` and the outputs to check."""
    step = seam.step
    name = step["name"]
    arguments = []
    for argument, described in step["inputs"].items():
        if argument == seam.argument:
            value: cst.BaseExpression = cst.Name("path")
        else:
            key = _key(described) if described.get("file") else f"{name}/input/{argument}"
            value = builder.argument(key, described)
        arguments.append(cst.Arg(value, keyword=cst.Name(argument)))
    call = cst.Call(cst.Attribute(cst.Name("module"), cst.Name(name)), arguments)
    outputs: dict[str, Any] = step.get("outputs") or {}
    local = {t: (t if t not in RESERVED | FIXED else f"{t}_") for t in outputs}
    if not outputs:
        return cst.SimpleStatementLine([cst.Expr(call)]), []
    if step.get("unpacked"):
        target: cst.BaseAssignTargetExpression = cst.Tuple(
            [cst.Element(cst.Name(local[t])) for t in outputs], lpar=[], rpar=[]
        )
    else:
        target = cst.Name(local[next(iter(outputs))])
    statement = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(target)], call)])
    return statement, [(local[t], d) for t, d in outputs.items()]


def _shape_checks(outputs: list[tuple[str, Any]], fixtures: Path) -> list[cst.BaseStatement]:
    """The columns and dtypes of frame results (the type of others), as captured."""
    statements: list[cst.BaseStatement] = []
    for local, described in outputs:
        kind = described.get("kind")
        actual = cst.Name(local)
        columns: list[Any] | None = None
        dtypes: list[str] | None = None
        if kind == "frame":
            import pyarrow.parquet as pq

            frame = pq.read_table(fixtures / described["file"]).to_pandas()
            columns, dtypes = list(frame.columns), [str(d) for d in frame.dtypes]
        elif kind == "summary" and described.get("of") == "frame":
            columns, dtypes = described.get("columns"), described.get("dtypes")
        elif kind == "series":
            import pyarrow.parquet as pq

            series = pq.read_table(fixtures / described["file"]).to_pandas().iloc[:, 0]
            statements.append(
                _fill(
                    "assert str(ACTUAL.dtype) == DTYPE",
                    {"ACTUAL": actual, "DTYPE": _s(str(series.dtype))},
                )
            )
            continue
        if (
            columns is not None
            and dtypes is not None
            and literal(list(columns), 100_000) is not None
        ):
            statements.append(
                _fill(
                    "assert list(ACTUAL.columns) == COLUMNS",
                    {"ACTUAL": actual, "COLUMNS": _value(list(columns))},
                )
            )
            statements.append(
                _fill(
                    "assert [str(dtype) for dtype in ACTUAL.dtypes] == DTYPES",
                    {"ACTUAL": actual, "DTYPES": _value([str(d) for d in dtypes])},
                )
            )
            continue
        type_name = str(described.get("type", "")).rsplit(".", 1)[-1]
        if type_name and kind != "figure":
            statements.append(
                _fill(
                    "assert type(ACTUAL).__name__ == NAME",
                    {"ACTUAL": actual, "NAME": _s(type_name)},
                )
            )
    return statements


# -- the file -----------------------------------------------------------------------------
@dataclass
class _Built:
    """Tests of the file, by name: (function, statements after it, kind, suite name)."""

    tests: dict[str, cst.FunctionDef] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    about: dict[str, str] = field(default_factory=dict)
    strategies: list[cst.FunctionDef] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    #: seam test name → the property test that depends on it
    pairs: dict[str, str] = field(default_factory=dict)

    def add(self, function: cst.FunctionDef, kind: str, about: str) -> None:
        name = function.name.value
        while name in self.tests:
            name += "_again"
        self.tests[name] = function.with_changes(name=cst.Name(name))
        self.kinds[name] = kind
        self.about[name] = about


def build_contract_tests(
    suites: Sequence[Suite],
    captured: Mapping[str, Any],
    builder: TestBuilder,
    data_dir: Path,
    with_properties: bool,
) -> _Built:
    built = _Built()
    for suite in suites:
        if suite.role != "input":
            built.notes.append(
                f"{suite.path.name}: a {suite.role or 'non-input'} suite: no contract or "
                "property test (only the frames read from files are tested here)"
            )
            continue
        if suite.source is None or "://" in suite.source:
            built.notes.append(f"{suite.path.name}: the suite names no local file it was read from")
            continue
        if not (data_dir / suite.source).is_file():
            built.notes.append(f"{suite.path.name}: {suite.source} not found beside the module")
            continue
        read = cst.Call(cst.Name("read_data"), [cst.Arg(_s(suite.source)), *suite.read_options()])
        body = [_fill("frame = READ", {"READ": read})]
        body += contract_checks(suite)
        doc = (
            f"{suite.source}, as pandas reads it, satisfies {suite.path.name} "
            f"({len(suite.expectations)} expectations of harden expect, checked with pandas)."
        )
        built.add(
            _function(f"test_{_safe(suite.name)}_satisfies_its_contract", doc, [], body),
            "contract",
            suite.source,
        )
        if not with_properties:
            continue
        suffix = Path(suite.source).suffix.lower()
        if suffix not in WRITABLE:
            built.notes.append(f"{suite.path.name}: no property test: cannot write {suffix} files")
            continue
        seams = find_seams(suite, captured, builder, data_dir)
        if not seams:
            built.notes.append(
                f"{suite.path.name}: no property test: no step takes the path of "
                f"{suite.source} as an argument"
            )
            continue
        strategy = build_strategy(suite, suffix in TEXT_FORMATS)
        if strategy.function is None:
            built.notes.append(f"{suite.path.name}: no property test: {strategy.problem}")
            continue
        built.strategies.append(strategy.function)
        built.imports |= strategy.imports
        for seam in seams:
            seam_name, property_name = _seam_tests(
                seam, strategy.function.name.value, builder, built
            )
            built.pairs[seam_name] = property_name
    return built


def _seam_tests(seam: Seam, strategy: str, builder: TestBuilder, built: _Built) -> tuple[str, str]:
    step = seam.step["name"]
    call, outputs = _seam_call(seam, builder)
    checks = _shape_checks(outputs, builder.fixtures)
    filename = _s(Path(seam.path).name)
    with_path = _fill(
        "with tempfile.TemporaryDirectory() as folder:\n    path = str(Path(folder) / NAME)\n",
        {"NAME": filename},
    )
    assert isinstance(with_path, cst.With)
    block = with_path.body
    assert isinstance(block, cst.IndentedBlock)

    def within(*statements: cst.BaseStatement) -> cst.With:
        return with_path.with_changes(body=block.with_changes(body=[*block.body, *statements]))

    options = seam.suite.read_options()
    read = cst.Call(cst.Name("read_data"), [cst.Arg(_s(seam.path)), *options])
    rewrite = _fill("write_data(READ, path)", {"READ": read})
    back = cst.Call(
        cst.Name("reads_back"), [cst.Arg(cst.Name("frame")), cst.Arg(cst.Name("path")), *options]
    )
    seam_test = _function(
        f"test_{step}_reads_a_rewritten_{_safe(seam.suite.name)}",
        f"{step}() reads {seam.path} rewritten by write_data() as it reads the original "
        "(the seam the property test below uses): its results keep their columns and dtypes.",
        ["module", "load"],
        [within(rewrite, call), *checks],
    )
    built.add(seam_test, "seam", seam.path)
    seam_name = list(built.tests)[-1]
    drawn = [
        _fill("write_data(frame, path)", {}),
        _fill("assume(BACK)", {"BACK": back}),
        call,
    ]
    settings = cst.parse_expression(
        "settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, "
        "phases=[Phase.generate], report_multiple_bugs=False, "
        "suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, "
        "HealthCheck.filter_too_much, HealthCheck.data_too_large])"
    )
    given = _fill_expr("given(frame=STRATEGY())", STRATEGY=cst.Name(strategy))
    property_test = _function(
        f"test_{step}_on_frames_{_safe(seam.suite.name)}_allows",
        f"{step}() on frames {seam.suite.path.name} allows, written to a temporary "
        f"{Path(seam.path).suffix} file: no exception, and its results keep the columns "
        "and dtypes they had on the real data.",
        ["module", "load", "frame"],
        [within(*drawn), *checks],
        decorators=[settings, given],
    )
    built.add(property_test, "property", seam.path)
    return seam_name, list(built.tests)[-1]


def render(
    built: _Built,
    module_name: str,
    suites_dir: Path,
    output: Path,
    examples: int,
    rows: int,
    marks: Mapping[str, str],
    findings_doc: Sequence[str],
) -> str:
    template = cst.parse_module(CONTRACT_TEMPLATE.read_text(encoding="utf-8"))
    where = Path(os.path.relpath(suites_dir, output)).as_posix()
    doc_lines = [
        f"Data contract and property tests of {module_name}.py, written by harden scaffold.",
        "",
        f"From the suites of harden expect in {where}/. Contract tests: each input file",
        "satisfies its suite; the expectations are compiled into plain pandas checks",
        "(no Great Expectations needed to run them). Property tests (Hypothesis): frames",
        "each suite allows are written to a temporary file and fed to the steps that",
        "read that input; they must not raise and must keep their results' columns and dtypes.",
        "",
        "Examples are derandomized (CI draws the same frames every run) and not shrunk",
        "(phases=[Phase.generate]: a crash costs seconds, not minutes of shrinking; add",
        "Phase.shrink to see the smallest failing frame).",
        "",
        "Test dependencies: pandas, pytest, hypothesis.",
        "Settings: [tool.harden.scaffold] property-examples, property-rows.",
    ]
    if findings_doc:
        doc_lines += ["", "Findings at generation (marked xfail, strict):"]
        doc_lines += [f"- {line}" for line in findings_doc]
    text = "\n".join(doc_lines).replace("\\", "/").replace('"""', "'''")
    body: list[Any] = [cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{text}\n"""'))])]
    imports = [
        "import tempfile",
        "import pytest",
        "from hypothesis import HealthCheck, Phase, assume, given, settings",
        "from hypothesis.extra.pandas import column, data_frames, range_indexes",
    ]
    if "datetime" in built.imports:
        imports.insert(0, "import datetime")
    past_imports = False
    for statement in template.body[1:]:
        is_import = isinstance(statement, cst.SimpleStatementLine) and isinstance(
            statement.body[0], (cst.Import, cst.ImportFrom)
        )
        if not is_import and not past_imports:
            past_imports = True
            body += [cst.parse_statement(line + "\n") for line in imports]
            body.append(
                _fill("EXAMPLES = N", {"N": cst.Integer(str(examples))}).with_changes(
                    leading_lines=[
                        cst.EmptyLine(),
                        cst.EmptyLine(
                            comment=cst.Comment(
                                "# [tool.harden.scaffold] property-examples, property-rows"
                            )
                        ),
                    ]
                )
            )
            body.append(_fill("MAX_ROWS = N", {"N": cst.Integer(str(rows))}))
        body.append(statement)
    body += built.strategies
    for name, function in built.tests.items():
        body.append(function)
        if name in marks:
            mark = _fill(
                "NAME = pytest.mark.xfail(strict=True, reason=REASON)(NAME)",
                {"NAME": cst.Name(name), "REASON": _s(marks[name])},
            ).with_changes(
                leading_lines=[
                    cst.EmptyLine(
                        comment=cst.Comment(
                            "# A finding at generation: marked here, after the test, so "
                            "Hypothesis draws the same examples"
                        )
                    )
                ]
            )
            body.append(mark)
    code = cst.Module(body=body).code
    import black

    try:
        code = black.format_str(code, mode=black.Mode())
    except Exception as exc:  # noqa: BLE001 - black raises assorted errors
        raise HardenError(
            f"internal error: generated contract tests do not format: {exc}"
        ) from None
    compile(code, "generated", "exec")
    return code


def verify(path: Path, timeout: float) -> dict[str, str]:
    """Run pytest on ``path`` once: failing test name → its failure, one line."""
    report = path.with_suffix(".xml")
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                f"--junitxml={report}",
                str(path),
            ],
            cwd=path.parent,
            env=dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0"),
            capture_output=True,
            text=True,
            timeout=timeout or None,
            check=False,
        )
        if not report.exists():
            return {}
        failures: dict[str, str] = {}
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            for child in case:
                if child.tag in ("failure", "error"):
                    failures[case.get("name", "")] = _one_line(
                        child.get("message", ""), child.text or ""
                    )
        return failures
    except subprocess.TimeoutExpired:
        return {"": f"the tests did not finish within {timeout:.0f}s"}
    finally:
        report.unlink(missing_ok=True)


def _one_line(message: str, text: str) -> str:
    lines = [line.strip() for line in (message or text).splitlines() if line.strip()]
    exceptions = [line for line in text.splitlines() if line.startswith("E   ") and ":" in line]
    line = lines[0] if lines else "failed"
    if line.startswith(("hypothesis.errors", "Falsifying")) and exceptions:
        line = exceptions[-1][4:].strip()
    return " ".join(line.split())[:200]


UNSATISFIED = ("Unsatisfiable", "FailedHealthCheck", "Flaky")


def write_contract_tests(
    module_name: str,
    stem: str,
    captured: Mapping[str, Any],
    output: Path,
    data_dir: Path,
    expectations: Path,
    *,
    examples: int,
    rows: int,
    timeout: float,
    force: bool,
    manifest: str,
) -> ContractResult:
    """Build, run once, mark findings and write ``test_<module>_contract.py``."""
    import importlib.util

    suites = find_suites(expectations, stem)
    builder = TestBuilder(output / "fixtures")
    with_properties = importlib.util.find_spec("hypothesis") is not None
    built = build_contract_tests(suites, captured, builder, data_dir, with_properties)
    notes = list(built.notes)
    if not with_properties:
        notes.append("no property tests: hypothesis is not installed")
    name = f"test_{module_name}_contract.py"
    if not built.tests:
        notes.append(f"no {name}: no suite of an input file read by the module")
        return ContractResult(None, (), (), tuple(notes))
    candidate = output / f"_harden_candidate_{os.getpid()}.py"
    try:
        candidate.write_text(
            render(built, module_name, expectations, output, examples, rows, {}, []),
            encoding="utf-8",
        )
        failures = verify(candidate, timeout)
    finally:
        candidate.unlink(missing_ok=True)
    marks: dict[str, str] = {}
    findings: list[str] = []
    dropped: set[str] = set()
    if "" in failures:
        raise UsageError(f"{name}: {failures['']}")
    for test, failure in failures.items():
        kind = built.kinds.get(test)
        if kind == "seam":
            dropped |= {test, built.pairs[test]}
            notes.append(
                f"{built.about[test]}: no property test: {test} fails (the rewritten file does "
                f"not read as the original): {failure}"
            )
        elif kind == "property" and any(word in failure for word in UNSATISFIED):
            dropped.add(test)
            notes.append(f"{test}: dropped: Hypothesis found no frames to try ({failure})")
    for test, failure in failures.items():
        kind = built.kinds.get(test)
        if test in dropped or kind is None:
            continue
        marks[test] = failure
        if kind == "property" and failure.startswith("AssertionError"):
            findings.append(
                f"{test}: on data its contract allows, its results lose their columns or "
                f"dtypes: {failure}"
            )
        elif kind == "property":
            findings.append(f"{test}: crashes on data its contract allows: {failure}")
        else:
            findings.append(
                f"{test}: {built.about[test]} does not satisfy its suite today: {failure}"
            )
    for test in dropped:
        built.tests.pop(test, None)
    source = render(built, module_name, expectations, output, examples, rows, marks, findings)
    written = write_files(output, {name: source}, force=force, manifest_name=manifest)
    del written
    return ContractResult(output / name, tuple(built.tests), tuple(findings), tuple(notes))
