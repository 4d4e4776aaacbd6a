"""The test package from the capture's descriptors: ``conftest.py`` and ``test_<module>.py``.

Code is built from libcst nodes: statement templates are fixed code parsed
once, whose placeholder names (``ACTUAL``, ``EXPECTED``, ``KEY``…) are replaced
by nodes; values captured from the run enter the tree only as literals of
plain values (checked to parse back to the same value) or as ``load(key)``
calls, so no captured text can change the code's structure.  black formats
the result, and it must compile.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from harden.errors import HardenError
from harden.scaffolder.store import rebuild

#: Names the generated tests use; a step result with one of these names is renamed.
RESERVED = frozenset(
    {"module", "load", "np", "pd", "pytest", "math", "inspect", "RTOL", "ATOL", "params"}
)
ITEMS_EXPANDED = 20  # containers with more items are compared whole
LITERAL_CHARS = 80  # longer plain values are loaded from their fixture


@dataclass(frozen=True)
class Tolerances:
    rtol: float = 1e-7
    atol: float = 1e-12


@dataclass
class _Body:
    """Statements of one test and the imports they need."""

    statements: list[cst.BaseStatement] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    asserts: int = 0
    comments: list[str] = field(default_factory=list)

    def add(self, template: str, imports: Sequence[str] = (), **values: cst.BaseExpression) -> None:
        statement = _fill(template, values)
        if self.comments:
            lines = [cst.EmptyLine(comment=cst.Comment(f"# {c}")) for c in self.comments]
            statement = statement.with_changes(leading_lines=lines)
            self.comments = []
        self.statements.append(statement)
        self.imports.update(imports)
        if template.lstrip().startswith(("assert", "np.testing", "pd.testing")):
            self.asserts += 1

    def note(self, text: str) -> None:
        self.comments.append(" ".join(text.split())[:300])


class _Fill(cst.CSTTransformer):
    def __init__(self, values: Mapping[str, cst.BaseExpression]) -> None:
        self.values = values

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self.values.get(original.value, updated)


def _fill(template: str, values: Mapping[str, cst.BaseExpression]) -> cst.BaseStatement:
    statement = cst.parse_statement(template.strip() + "\n")
    filled = statement.visit(_Fill(values))
    if not isinstance(filled, cst.BaseStatement):
        raise HardenError("internal error: a test template did not build a statement")
    return filled


def literal(value: Any, limit: int = LITERAL_CHARS) -> cst.BaseExpression | None:
    """A literal node for a plain value, or ``None`` when it has none (nan, long)."""
    text = repr(value)
    if len(text) > limit:
        return None
    try:
        if ast.literal_eval(text) != value or _has_special_float(value):
            return None
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return None
    return cst.parse_expression(text)


def _has_special_float(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value) or math.isinf(value)
    if isinstance(value, (list, tuple)):
        return any(_has_special_float(v) for v in value)
    if isinstance(value, dict):
        return any(_has_special_float(v) for v in value.values())
    return False


def _string(value: str) -> cst.SimpleString:
    return cst.SimpleString(repr(value))


def _load(key: str) -> cst.Call:
    return cst.Call(cst.Name("load"), [cst.Arg(_string(key))])


class TestBuilder:
    """Builds assertions for descriptors; reads JSON fixtures to inline small values."""

    def __init__(self, fixtures: Path) -> None:
        self.fixtures = fixtures

    def json_value(self, described: Mapping[str, Any]) -> Any:
        text = (self.fixtures / described["file"]).read_text(encoding="utf-8")
        return rebuild(json.loads(text), described["tree"])

    def argument(self, key: str, described: Mapping[str, Any]) -> cst.BaseExpression:
        if described.get("kind") == "json":
            node = literal(self.json_value(described))
            if node is not None:
                return node
        return _load(key)

    # -- assertions ---------------------------------------------------------------------
    def pin(self, body: _Body, actual: cst.BaseExpression, described: Mapping[str, Any]) -> None:
        kind = described.get("kind")
        key = _key(described)
        if kind == "frame":
            body.add(
                "pd.testing.assert_frame_equal(ACTUAL, EXPECTED, check_exact=False, rtol=RTOL, atol=ATOL)",
                ["pandas"],
                ACTUAL=actual,
                EXPECTED=_load(key),
            )
        elif kind == "series":
            body.add(
                "pd.testing.assert_series_equal(ACTUAL, EXPECTED, check_exact=False, rtol=RTOL, atol=ATOL)",
                ["pandas"],
                ACTUAL=actual,
                EXPECTED=_load(key),
            )
        elif kind == "array":
            if described.get("numeric", True):
                body.add(
                    "np.testing.assert_allclose(ACTUAL, EXPECTED, rtol=RTOL, atol=ATOL, equal_nan=True)",
                    ["numpy"],
                    ACTUAL=actual,
                    EXPECTED=_load(key),
                )
            else:
                body.add(
                    "np.testing.assert_array_equal(ACTUAL, EXPECTED)",
                    ["numpy"],
                    ACTUAL=actual,
                    EXPECTED=_load(key),
                )
        elif kind == "json":
            value = self.json_value(described)
            self._plain(body, actual, _load(key), value, described["tree"], 0)
        elif kind == "container":
            self._container(body, actual, described)
        elif kind == "pickle":
            self._pickled(body, actual, described)
        elif kind == "estimator":
            self._estimator(body, actual, described)
        elif kind == "summary":
            self._summary(body, actual, described)
        elif kind == "unstable":
            body.note(f"not pinned by value: {described.get('reason', '')}")
            self._shape(body, actual, described)
        elif kind == "figure":
            body.note("a figure: not compared (draw it with the module's plot_ functions)")
        else:  # secret, opaque, too-large
            body.note(f"only its type is pinned: the value {described.get('reason', '')}")
            self._type(body, actual, described)

    def _type(self, body: _Body, actual: cst.BaseExpression, described: Mapping[str, Any]) -> None:
        name = str(described.get("type", "")).rsplit(".", 1)[-1]
        if name:
            body.add("assert type(ACTUAL).__name__ == NAME", ACTUAL=actual, NAME=_string(name))

    def _shape(self, body: _Body, actual: cst.BaseExpression, described: Mapping[str, Any]) -> None:
        self._type(body, actual, described)
        shape = described.get("shape")
        if shape is not None:
            node = literal(tuple(shape))
            if node is not None:
                body.add("assert ACTUAL.shape == SHAPE", ACTUAL=actual, SHAPE=node)
        columns = described.get("columns")
        if columns:
            node = literal(list(columns))
            if node is not None:
                body.add("assert list(ACTUAL.columns) == COLUMNS", ACTUAL=actual, COLUMNS=node)

    def _plain(
        self,
        body: _Body,
        actual: cst.BaseExpression,
        expected_node: cst.BaseExpression,
        value: Any,
        tree: Any,
        depth: int,
    ) -> None:
        if isinstance(tree, dict) and depth < 3:
            items = tree["items"]
            if len(items) <= ITEMS_EXPANDED:
                if tree["t"] == "dict":
                    keys = literal(list(items))
                    if keys is not None:
                        body.add("assert list(ACTUAL) == KEYS", ACTUAL=actual, KEYS=keys)
                        for name, subtree in items.items():
                            item, sub = (
                                _item(actual, _string(name)),
                                _item(expected_node, _string(name)),
                            )
                            self._plain(body, item, sub, value[name], subtree, depth + 1)
                        return
                else:
                    length = cst.Integer(str(len(items)))
                    body.add("assert len(ACTUAL) == LENGTH", ACTUAL=actual, LENGTH=length)
                    for position, subtree in enumerate(items):
                        index = cst.Integer(str(position))
                        item, sub = _item(actual, index), _item(expected_node, index)
                        self._plain(body, item, sub, value[position], subtree, depth + 1)
                    return
        floats = _floats(tree)
        node = literal(value)
        if node is None and isinstance(value, float) and math.isnan(value):
            body.add("assert math.isnan(ACTUAL)", ["math"], ACTUAL=actual)
            return
        expected: cst.BaseExpression = node if node is not None else expected_node
        if floats:
            body.add(
                "assert ACTUAL == pytest.approx(EXPECTED, rel=RTOL, abs=ATOL, nan_ok=True)",
                ["pytest"],
                ACTUAL=actual,
                EXPECTED=expected,
            )
        elif value is None or isinstance(value, bool):
            body.add("assert ACTUAL is EXPECTED", ACTUAL=actual, EXPECTED=expected)
        else:
            body.add("assert ACTUAL == EXPECTED", ACTUAL=actual, EXPECTED=expected)

    def _container(
        self, body: _Body, actual: cst.BaseExpression, described: Mapping[str, Any]
    ) -> None:
        items = described["items"]
        if described["t"] == "dict":
            keys = literal(list(items))
            if keys is not None:
                body.add("assert list(ACTUAL) == KEYS", ACTUAL=actual, KEYS=keys)
            for name, sub in items.items():
                item = cst.Subscript(actual, [cst.SubscriptElement(cst.Index(_string(name)))])
                self.pin(body, item, sub)
        else:
            body.add(
                "assert len(ACTUAL) == LENGTH", ACTUAL=actual, LENGTH=cst.Integer(str(len(items)))
            )
            for position, sub in enumerate(items):
                index = cst.Integer(str(position))
                self.pin(body, cst.Subscript(actual, [cst.SubscriptElement(cst.Index(index))]), sub)

    def _pickled(
        self, body: _Body, actual: cst.BaseExpression, described: Mapping[str, Any]
    ) -> None:
        how = described.get("compare")
        key = _key(described)
        if how == "eq":
            body.add("assert ACTUAL == EXPECTED", ACTUAL=actual, EXPECTED=_load(key))
        elif how == "approx":
            body.add(
                "assert ACTUAL == pytest.approx(EXPECTED, rel=RTOL, abs=ATOL, nan_ok=True)",
                ["pytest"],
                ACTUAL=actual,
                EXPECTED=_load(key),
            )
        elif how == "vars":
            body.add("assert vars(ACTUAL) == vars(EXPECTED)", ACTUAL=actual, EXPECTED=_load(key))
        elif how == "repr":
            body.add("assert repr(ACTUAL) == repr(EXPECTED)", ACTUAL=actual, EXPECTED=_load(key))
        else:
            body.note("compared by type only: its value has no equality that holds on a copy")
            self._type(body, actual, described)

    def _estimator(
        self, body: _Body, actual: cst.BaseExpression, described: Mapping[str, Any]
    ) -> None:
        self._type(body, actual, described)
        params = described.get("params") or {}
        if params and described.get("params_tree"):
            params = rebuild(params, described["params_tree"])
        node = literal(params, 2000) if params else None
        if node is not None:
            body.add("params = PARAMS", PARAMS=node)
            body.add(
                "assert {name: ACTUAL.get_params(deep=False)[name] for name in params} == params",
                ACTUAL=actual,
            )
        final = described.get("final_params") or {}
        if final and described.get("final_params_tree"):
            final = rebuild(final, described["final_params_tree"])
        node = literal(final, 2000) if final else None
        if node is not None:
            last = cst.Subscript(
                actual,
                [
                    cst.SubscriptElement(
                        cst.Index(cst.UnaryOperation(cst.Minus(), cst.Integer("1")))
                    )
                ],
            )
            body.add("params = PARAMS", PARAMS=node)
            body.add(
                "assert {name: ACTUAL.get_params(deep=False)[name] for name in params} == params",
                ACTUAL=last,
            )
        predict = described.get("predict")
        if predict:
            method = cst.Attribute(actual, cst.Name(predict["method"]))
            call = cst.Call(method, [cst.Arg(_load(_key(predict["X"])))])
            self.pin(body, call, predict["y"])
        for path, sub in (described.get("attributes") or {}).items():
            target: cst.BaseExpression = actual
            if path.startswith("[-1]"):
                target = cst.Subscript(
                    actual,
                    [
                        cst.SubscriptElement(
                            cst.Index(cst.UnaryOperation(cst.Minus(), cst.Integer("1")))
                        )
                    ],
                )
                path = path[4:]
            self.pin(body, cst.Attribute(target, cst.Name(path.lstrip("."))), sub)

    def _summary(
        self, body: _Body, actual: cst.BaseExpression, described: Mapping[str, Any]
    ) -> None:
        body.note(f"summarised, not stored whole ({described.get('reason', '')})")
        shape = literal(tuple(described["shape"]))
        if shape is not None:
            body.add("assert ACTUAL.shape == SHAPE", ACTUAL=actual, SHAPE=shape)
        if described.get("of") == "array":
            dtype = _string(str(described.get("dtype")))
            body.add("assert str(ACTUAL.dtype) == DTYPE", ACTUAL=actual, DTYPE=dtype)
            quantiles = described.get("quantiles")
            if quantiles:
                body.add(
                    "assert np.nanquantile(ACTUAL, [0, 0.25, 0.5, 0.75, 1]).tolist() == pytest.approx(Q, rel=RTOL, abs=ATOL)",
                    ["numpy", "pytest"],
                    ACTUAL=actual,
                    Q=cst.parse_expression(repr(quantiles)),
                )
            return
        frame = actual
        if described.get("of") == "series":
            frame = cst.Call(
                cst.Attribute(actual, cst.Name("to_frame")), [cst.Arg(_string("value"))]
            )
        if described.get("columns"):
            columns = literal(described["columns"])
            if columns is not None:
                body.add("assert list(ACTUAL.columns) == COLUMNS", ACTUAL=frame, COLUMNS=columns)
        body.add(
            "assert [str(dtype) for dtype in ACTUAL.dtypes] == DTYPES",
            ACTUAL=frame,
            DTYPES=cst.parse_expression(repr([str(d) for d in described["dtypes"]])),
        )
        for column, quantiles in (described.get("quantiles") or {}).items():
            if any(q is None for q in quantiles):
                continue
            item = cst.Subscript(frame, [cst.SubscriptElement(cst.Index(_string(column)))])
            body.add(
                "assert ACTUAL.quantile([0, 0.25, 0.5, 0.75, 1]).tolist() == pytest.approx(Q, rel=RTOL, abs=ATOL)",
                ["pytest"],
                ACTUAL=item,
                Q=cst.parse_expression(repr(quantiles)),
            )
        for column, digest in (described.get("hashes") or {}).items():
            item = cst.Subscript(frame, [cst.SubscriptElement(cst.Index(_string(column)))])
            body.add(
                "assert int(pd.util.hash_pandas_object(ACTUAL, index=False).sum()) == DIGEST",
                ["pandas"],
                ACTUAL=item,
                DIGEST=cst.Integer(str(int(digest))),
            )


def _key(described: Mapping[str, Any]) -> str:
    """The name a test loads a value by; two keys may share a file (stored once)."""
    return str(described.get("key") or str(described.get("file", "")).rsplit(".", 1)[0])


def _item(node: cst.BaseExpression, index: cst.BaseExpression) -> cst.Subscript:
    return cst.Subscript(node, [cst.SubscriptElement(cst.Index(index))])


def _floats(tree: Any) -> bool:
    if tree == "f":
        return True
    if isinstance(tree, dict):
        items = tree["items"]
        values = items.values() if isinstance(items, dict) else items
        return any(_floats(t) for t in values)
    return False
