"""The analysis's own scope pass and span recorder against libcst's providers.

The analysis resolves scopes and positions itself for speed
(``harden.analysis.scopes`` / ``harden.analysis.walk``); libcst's
``ScopeProvider`` and ``ByteSpanPositionProvider`` are the reference they
must agree with, on the example notebooks and on the scoping corner cases.
"""

from __future__ import annotations

import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import (
    ByteSpanPositionProvider,
    ClassScope,
    ComprehensionScope,
    FunctionScope,
    GlobalScope,
    MetadataWrapper,
    ScopeProvider,
)

from harden.analysis import Analysis, Location, analyze
from harden.analysis.parse import parse_cells
from harden.analysis.scopes import resolve_scopes
from harden.analysis.walk import Walker, children, code_and_spans, iter_nodes
from harden.notebook import load
from harden.notebook.model import Cell, Notebook

EXAMPLES = sorted((Path(__file__).parent.parent / "notebooks" / "examples").glob("*.ipynb"))

CORNER_CASES = {
    "comprehension": "data = [1]\nys = [x * k for x in data if x for k in data]\nx = 1\n",
    "first iterable outside": "x = [1]\nflat = [y for x in x for y in x]\n",
    "class body": (
        "k = 1\nclass A:\n    k = 2\n    j = k\n    def f(self, d=k):\n        return k\n"
        "    ys = [k for _ in range(3)]\n"
    ),
    "closures": (
        "def outer():\n    a = 1\n    def inner():\n        nonlocal a\n        a += 1\n"
        "        return a + b\n    return inner\nb = 2\n"
    ),
    "global": "def f():\n    global g\n    g = 1\n    return g + h\nh = 0\n",
    "lambda": "n = 3\nf = lambda x, y=n: x + y + n\n",
    "class body reads as it runs": (
        "k = 1\nclass A:\n    j = k\n    k = 2\n    i = k\n    class B:\n        h = k\n"
    ),
    "del": "q = 1\ndel q\n",
    "with, except, for": (
        "import contextlib\nwith contextlib.suppress(Exception) as s:\n    pass\n"
        "try:\n    pass\nexcept ValueError as err:\n    print(err)\n"
        "for i, (a, *rest) in enumerate([]):\n    print(i, a, rest)\n"
    ),
    "decorators and annotations": (
        "import functools\nT = int\n@functools.lru_cache(maxsize=None)\n"
        "def f(x: T = 1) -> T:\n    v: T = x\n    return v\n"
    ),
    "keyword arguments and attributes": "import os\nos.path.join(a=os.sep, b=os.name)\n",
    "imports in functions": "def f():\n    import json\n    return json.dumps(np)\nimport numpy as np\n",
    "augmented": "c = 0\nc += 1\nd = {}\nd['k'] += c\n",
    "f-strings": "w = 1\nprint(f'{w!r:>{w}} {[w for w in range(2)]}')\n",
    "dict and set comprehensions": "m = {k: v for k, v in {}.items()}\ns = {e for e in m}\n",
    "generator": "total = sum(i for i in range(10) if i % 2)\n",
    "walrus at top": "if (n := 10) > 5:\n    print(n)\n",
    "class in function": (
        "def make():\n    base = object\n    class C(base):\n        attr = base\n"
        "        def m(self):\n            return base\n    return C\n"
    ),
}


def _reference_access(module: cst.Module) -> dict[cst.Name, bool]:
    """Notebook-level reads as libcst's ``ScopeProvider`` classifies them."""
    scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    local = (FunctionScope, ClassScope, ComprehensionScope)
    access: dict[cst.Name, bool] = {}
    for scope in {s for s in scopes.values() if s is not None}:
        for item in scope.accesses:
            if isinstance(item.node, cst.Name):
                access[item.node] = isinstance(scope, GlobalScope) or not any(
                    isinstance(ref.scope, local) for ref in item.referents
                )
    return access


def _joined(path: Path) -> cst.Module:
    """All the notebook's parsed cells as one module (as one program)."""
    parsed = parse_cells(load(path).code_cells)
    return cst.Module(body=[s for cell in parsed.cells for s in cell.statements])


@pytest.mark.parametrize("source", list(CORNER_CASES.values()), ids=list(CORNER_CASES))
def test_scope_pass_agrees_with_libcst_on_corner_cases(source: str) -> None:
    module = cst.parse_module(source)
    assert resolve_scopes(module).access == _reference_access(module)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_scope_pass_agrees_with_libcst_on_examples(path: Path) -> None:
    module = _joined(path)
    ours = resolve_scopes(module).access
    reference = _reference_access(module)
    assert ours == reference
    assert any(ours.values())


def test_global_names_in_a_node_are_its_notebook_level_reads() -> None:
    module = cst.parse_module("a = 1\nb = f(a, [a + c for c in d], lambda e: e + g)\n")
    scopes = resolve_scopes(module)
    value = module.body[1].body[0].value
    assert scopes.global_names_in(value) == {"f", "a", "d", "g"}
    assert scopes.global_names_in(value.args[1]) == {"a", "d"}
    assert scopes.global_names_in(module.body[0]) == frozenset()


def test_where_libcst_departs_from_python_the_scope_pass_follows_python() -> None:
    # libcst turns the read of ``os`` into a read of the attribute ``os.path``.
    module = cst.parse_module("import os.path\nos.path.join('a')\n")
    ours = resolve_scopes(module).access
    assert [(n.value, v) for n, v in ours.items()] == [("os", True)]
    assert _reference_access(module) == {}
    analysis = analyze_source("import os.path\n", "print(os.path.join('a', 'b'))\n")
    assert [r.name for r in analysis.cells[1].reads] == ["print", "os"]
    # A function's local read before it is bound is still the local.
    module = cst.parse_module("z = 1\ndef f():\n    print(z)\n    z = 2\n")
    assert [(n.value, v) for n, v in resolve_scopes(module).access.items()] == [
        ("print", True),
        ("z", False),
    ]
    assert [v for n, v in _reference_access(module).items() if n.value == "z"] == [True]
    # ``match`` captures bind; libcst counts them as reads.
    module = cst.parse_module("match p:\n    case {'k': v, **rest}:\n        print(v, rest)\n")
    reads = {n.value for n in resolve_scopes(module).access}
    assert reads == {"p", "print", "v", "rest"}
    assert {n.value for n, v in resolve_scopes(module).access.items() if v} == reads
    analysis = analyze_source(
        "point = {'x': 1, 'tags': [1, 2]}\n",
        "match point:\n    case {'x': int() as x, 'tags': [first, *others]}:\n"
        "        print(x, first, others)\n    case Point(y=yy):\n        print(yy)\n",
    )
    cell = analysis.cells[1]
    assert {b.name for b in cell.bindings} == {"x", "first", "others", "yy"}
    assert {r.name for r in cell.reads} == {"point", "int", "print", "Point"}
    assert [u.name for u in analysis.unresolved] == ["Point"]


def analyze_source(*cells: str) -> Analysis:
    notebook = Notebook(
        path=Path("nb.ipynb"),
        kernel_name="python3",
        language="python",
        nbformat=(4, 5),
        cells=tuple(Cell(index=i, cell_type="code", source=code) for i, code in enumerate(cells)),
    )
    return analyze(notebook)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_spans_are_libcsts_byte_spans(path: Path) -> None:
    module = _joined(path)
    code, spans = code_and_spans(module)
    assert code == module.code
    reference = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ByteSpanPositionProvider)
    assert spans.keys() == reference.keys()
    for node, span in reference.items():
        start, end = spans[node]
        # Ours count characters, libcst's count bytes.
        assert len(code[:start].encode("utf-8")) == span.start
        assert len(code[start:end].encode("utf-8")) == span.length


def test_spans_count_characters_not_bytes() -> None:
    module = cst.parse_module("título = 'ñandú'\nx = título\n")
    code, spans = code_and_spans(module)
    name = module.body[1].body[0].value
    start, end = spans[name]
    assert code[start:end] == "título"


def test_walker_visits_code_in_source_order() -> None:
    module = cst.parse_module(
        "@dec\ndef f(a=b, *, c=d) -> e:\n    return g if h else i\n"
        "try:\n    pass\nexcept j as k:\n    l\nm[n:o:p]\n"
    )
    seen: list[str] = []

    class Names(Walker):
        def visit_Name(self, node: cst.Name) -> bool:
            seen.append(node.value)
            return False

    Names().walk(module)
    assert seen == [
        "dec",
        "f",
        "a",
        "b",
        "c",
        "d",
        "e",
        "g",
        "h",
        "i",
        "j",
        "k",
        "l",
        "m",
        "n",
        "o",
        "p",
    ]


def test_walker_skips_children_when_visit_returns_false_and_always_leaves() -> None:
    module = cst.parse_module("f(g(x))\n")
    events: list[str] = []

    class Calls(Walker):
        def visit_Call(self, node: cst.Call) -> bool:
            events.append("visit " + cst.Module([]).code_for_node(node.func))
            return node.func.value == "f"  # type: ignore[union-attr]

        def leave_Call(self, node: cst.Call) -> None:
            events.append("leave " + cst.Module([]).code_for_node(node.func))

    Calls().walk(module)
    assert events == ["visit f", "visit g", "leave g", "leave f"]


def test_children_leave_out_formatting() -> None:
    module = cst.parse_module("x = (1 ,  2)  # note\n")
    kinds = {type(node).__name__ for node in iter_nodes(module)}
    assert {
        "Module",
        "SimpleStatementLine",
        "Assign",
        "AssignTarget",
        "Name",
        "Tuple",
        "Element",
        "Integer",
    } <= kinds
    assert not kinds & {"SimpleWhitespace", "Comma", "LeftParen", "TrailingWhitespace", "Comment"}
    assert list(children(cst.Name("x"))) == []


def test_cells_are_one_program_for_scopes_but_keep_their_own_positions() -> None:
    cells = [
        Cell(index=0, cell_type="code", source="a = 1\n"),
        Cell(index=2, cell_type="code", source="# a comment\n\ndef f():\n    return a + b\n"),
    ]
    parsed = parse_cells(cells)
    body = parsed.cells[1].statements[0]
    assert parsed.scopes.global_names_in(body) == {"a", "b"}
    # The opening comment travels with the first statement; positions are the cell's.
    assert "# a comment" in cst.Module(body=[body]).code
    assert parsed.cells[1].location(body) == Location(2, 3, 1)
    assert parsed.cells[1].location(body.name) == Location(2, 3, 5)
    assert parsed.cells[1].location(cst.Name("elsewhere")) is None


def test_locations_are_worked_out_only_when_read_and_equal_plain_ones() -> None:
    import dataclasses
    import pickle

    analysis = analyze_source("x = 1\n", "y = x + 2\n")
    binding = analysis.cells[1].bindings[0]
    assert binding.location == Location(1, 1, 1)
    assert hash(binding.location) == hash(Location(1, 1, 1))
    assert repr(binding.location) == "Location(cell_index=1, line=1, column=1)"
    restored = pickle.loads(pickle.dumps(analysis.cells[1].reads[0].location))
    assert type(restored) is Location and restored == Location(1, 1, 5)
    moved = dataclasses.replace(analysis.cells[1].reads[0].location, line=3)
    assert moved == Location(1, 3, 5)


def test_a_cell_whose_code_cannot_be_generated_gets_line_one(monkeypatch) -> None:
    from harden.analysis import positions as cell_module

    def too_deep(module: cst.Module) -> None:
        raise RecursionError

    monkeypatch.setattr(cell_module, "code_and_spans", too_deep)
    analysis = analyze_source("x = 1\n", "y = undefined_name + x\n")
    read = next(r for r in analysis.cells[1].reads if r.name == "undefined_name")
    assert read.location == Location(1, 1)
    assert [u.name for u in analysis.unresolved] == ["undefined_name"]


def test_every_field_that_can_hold_code_is_walked() -> None:
    """A libcst upgrade that adds a field must not silently hide code from the
    analysis: the source-order table names every code-carrying field."""
    import dataclasses

    from harden.analysis.walk import _SOURCE_ORDER, _TRIVIA_FIELDS, child_fields

    for name, order in _SOURCE_ORDER.items():
        cls = getattr(cst, name, None)
        if cls is None:  # a node of a newer libcst than this one
            continue
        declared = {
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in _TRIVIA_FIELDS
            and not f.name.startswith("whitespace")
            and "Literal[" not in str(f.type)
        }  # ``Arg.star``: text, not code
        assert set(order) == declared, name
        assert child_fields(cls) == order


def test_scope_pass_agrees_with_libcst_on_generated_notebooks(tmp_path: Path, monkeypatch) -> None:
    """The benchmark corpus generator's notebooks (helpers, loops, comprehensions,
    magics, %%time cells): every read classified as libcst classifies it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "harden_bench_corpus", Path(__file__).parent.parent / "benchmarks" / "corpus.py"
    )
    assert spec is not None and spec.loader is not None
    corpus = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, corpus)  # its dataclasses look it up
    spec.loader.exec_module(corpus)
    paths = corpus.build_corpus(tmp_path, count=12, seed=7, examples=tmp_path / "none", quiet=True)
    reads = 0
    for path in paths:
        module = _joined(path)
        ours = resolve_scopes(module).access
        assert ours == _reference_access(module), path.name
        reads += len(ours)
    assert reads > 1000
