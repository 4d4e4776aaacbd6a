"""The analysis facts the execution-state and maintainability rules (H002-H006,
H201-H209) depend on: free reads versus in-cell bindings, scopes, deferred
reads, magics, unresolved kinds, and the uses that keep imports and
variables "used"."""

from __future__ import annotations

from harden.analysis import Analysis, CellAnalysis, analyze
from harden.linter.rule import Example, md


def _analyze(*cells: str) -> Analysis:
    return analyze(Example(*cells).notebook())


def _cell(source: str) -> CellAnalysis:
    return _analyze(source).cells[0]


def _unresolved(analysis: Analysis) -> set[tuple[int, str, str]]:
    return {(u.reader, u.name, u.kind) for u in analysis.unresolved}


# -- free reads versus in-cell bindings ----------------------------------------


def test_read_before_binding_is_free_and_read_after_is_local() -> None:
    cell = _cell("y = x + 1\nx = 2\nprint(x, y)")
    assert "x" in cell.free_reads
    assert {"x", "y"} <= cell.local_reads
    assert "y" not in cell.free_reads


def test_self_rebinding_reads_the_outside_value() -> None:
    cell = _cell("x = x + 1")
    assert cell.free_reads == {"x"}
    assert cell.binding("x") is not None and cell.binding("x").from_self
    assert cell.rebinds == {"x"}


def test_rebinding_a_fresh_local_value_is_not_a_free_read() -> None:
    cell = _cell("total = 0\ntotal = total + 1")
    assert "total" not in cell.free_reads
    assert "total" in cell.local_reads


def test_last_expression_is_a_read() -> None:
    analysis = _analyze("df = 1", "df")
    assert analysis.cells[1].free_reads == {"df"}
    assert "df" in _cell("df = 1\ndf").local_reads


# -- scopes ----------------------------------------------------------------------


def test_for_target_is_bound_and_iterable_read_first() -> None:
    cell = _cell("for row in rows:\n    print(row)")
    assert cell.binding("row") is not None and cell.binding("row").kind == "for"
    assert "rows" in cell.free_reads and "row" not in cell.free_reads


def test_with_names_are_bound_except_names_only_inside_the_handler() -> None:
    cell = _cell(
        "with open(p) as fh:\n    fh.read()\ntry:\n    pass\n"
        "except ValueError as err:\n    print(err)"
    )
    assert cell.binding("fh").kind == "with"
    # Python deletes `err` when the handler ends: no notebook-level binding.
    assert cell.binding("err") is None and "err" not in cell.defines
    assert cell.handler_names == {"err"}
    assert cell.free_reads == {"open", "p", "ValueError", "print"}
    after = _cell("try:\n    pass\nexcept ValueError as err:\n    err = str(err)\nprint(err)")
    assert "err" in after.free_reads and not after.defines


def test_del_outside_any_branch_unbinds_for_later_cells() -> None:
    assert _cell("x = 1\ndel x").unbinds == {"x"}
    assert _cell("if c:\n    del x").unbinds == frozenset()
    assert _cell("del x\nx = 2").unbinds == frozenset()


def test_walrus_binds_at_notebook_level_even_in_a_comprehension() -> None:
    cell = _cell("if (n := 10) > 5:\n    pass\nys = [last := v for v in data]")
    assert cell.binding("n").kind == "walrus"
    assert cell.binding("last").kind == "walrus"
    assert "v" not in cell.defines


def test_comprehension_variable_does_not_leak() -> None:
    analysis = _analyze("[v for v in range(3)]\nprint(v)")
    assert "v" not in analysis.cells[0].defines
    assert "v" in analysis.cells[0].free_reads
    assert (0, "v", "undefined") in _unresolved(analysis)


def test_lambda_parameters_are_local() -> None:
    cell = _cell("f = lambda q, r=default: q + r + offset")
    assert "q" not in cell.free_reads and "r" not in cell.free_reads
    assert {"default", "offset"} <= cell.free_reads


def test_del_removes_the_binding_and_a_later_read_is_free() -> None:
    analysis = _analyze("x = 1\ndel x\nprint(x)")
    cell = analysis.cells[0]
    assert "x" in cell.deletes and "x" in cell.free_reads
    assert (0, "x", "undefined") in _unresolved(analysis)


def test_global_in_a_function_binds_at_notebook_level() -> None:
    analysis = _analyze(
        "def setup():\n    global CONFIG\n    CONFIG = {}", "setup()", "print(CONFIG)"
    )
    assert analysis.cells[0].binding("CONFIG").kind == "global"
    assert analysis.unresolved == ()


def test_class_method_reads_are_deferred() -> None:
    cell = _cell("class Model:\n    def score(self):\n        return self.w * scale")
    read = cell.first_read("scale")
    assert read is not None and read.deferred and read.in_function == "Model"
    assert "self" not in cell.free_reads


# -- imports --------------------------------------------------------------------


def test_import_dotted_binds_the_first_part() -> None:
    cell = _cell("import a.b.c\nimport os.path as osp\nfrom x.y import z as w")
    assert [(i.name, i.target) for i in cell.imports] == [
        ("a", "a"),
        ("osp", "os.path"),
        ("w", "x.y.z"),
    ]
    assert cell.defines == {"a", "osp", "w"}


def test_relative_import_targets() -> None:
    cell = _cell("from . import mod\nfrom .. import up\nfrom .pkg import y")
    assert [i.target for i in cell.imports] == [".mod", "..up", ".pkg.y"]


def test_conditional_imports_are_marked() -> None:
    cell = _cell("try:\n    import ujson as json\nexcept ImportError:\n    import json")
    assert [i.conditional for i in cell.imports] == [True, True]


def test_star_import_makes_unknown_names_star_kind() -> None:
    analysis = _analyze("from math import *", "print(sqrt(2))")
    assert analysis.cells[0].imports[0].is_star
    assert _unresolved(analysis) == {(1, "sqrt", "star")}


# -- deferred reads and calls ------------------------------------------------------


def test_function_body_reads_happen_at_call_time() -> None:
    analysis = _analyze("def f():\n    return THRESHOLD", "THRESHOLD = 3", "f()")
    read = analysis.cells[0].first_read("THRESHOLD")
    assert read is not None and read.deferred
    assert analysis.unresolved == ()
    assert [(d.reader, d.name, d.provider, d.via) for d in analysis.dependencies] == [
        (2, "f", 0, None),
        (2, "THRESHOLD", 1, "f"),
    ]


def test_calling_a_function_before_its_globals_exist_is_later() -> None:
    analysis = _analyze("def f():\n    return rate", "f()", "rate = 1")
    assert _unresolved(analysis) == {(1, "rate", "later")}
    assert analysis.unresolved[0].via == "f"
    assert analysis.unresolved[0].location.line == 1


def test_function_body_reading_an_undefined_name_is_reported_in_the_body() -> None:
    analysis = _analyze("def f(a):\n    return a + missing")
    (read,) = analysis.unresolved
    assert (read.name, read.kind, read.via, read.location.line) == ("missing", "undefined", "f", 2)


def test_later_and_undefined_kinds() -> None:
    analysis = _analyze("print(x, nowhere)", "x = 1")
    assert _unresolved(analysis) == {(0, "x", "later"), (0, "nowhere", "undefined")}
    later = next(u for u in analysis.unresolved if u.kind == "later")
    assert later.definers == (1,)


def test_builtins_and_ipython_names_are_provided() -> None:
    analysis = _analyze("print(len(In), Out, _, __, _i2, _3, display, get_ipython, __name__)")
    assert analysis.unresolved == ()


def test_markdown_cells_count_in_indexes() -> None:
    analysis = analyze(Example(md("# t"), "print(y)", md("x"), "y = 1").notebook())
    assert _unresolved(analysis) == {(1, "y", "later")}


# -- magics -------------------------------------------------------------------------


def test_timeit_arguments_are_reads_at_the_magic_line() -> None:
    cell = _cell("%timeit -n 10 -r 2 f(arr)")
    assert cell.free_reads == {"f", "arr"}
    assert all(r.location.line == 1 and r.location.column is None for r in cell.reads)


def test_time_assignment_binds_and_reads_are_not_duplicated() -> None:
    cell = _cell("x = 1\nprint(x)\n%time y = print(x)")
    assert cell.defines == {"x", "y"}
    assert [r.name for r in cell.reads] == ["print"]
    assert "x" in cell.local_reads


def test_timeit_cell_magic_body_is_python_read_only() -> None:
    # %%timeit runs its body in a function of its own: it reads, binds nothing.
    cell = _cell("%%timeit -n 3\ntotal = sum(vals)")
    assert cell.free_reads == {"sum", "vals"}
    assert [r.location.line for r in cell.reads if r.name == "vals"] == [2]
    assert not cell.bindings and not cell.calls


def test_shell_and_magic_interpolation_are_uses_not_reads() -> None:
    analysis = _analyze(
        "folder = 'data'\nurl = 'x'", "!ls {folder} $url\n%cd {folder}", "!echo $HOME"
    )
    assert analysis.cells[1].expanded_reads == {"folder", "url"}
    assert analysis.cells[1].free_reads == frozenset()
    assert "folder" in analysis.cells[1].uses
    # IPython leaves names it cannot find to the shell: never unresolved.
    assert analysis.unresolved == ()


def test_magic_line_still_parses() -> None:
    cell = _cell("%matplotlib inline\nimport os\n!pip install x\nfiles = !ls")
    assert cell.syntax_error is None
    assert [m.kind for m in cell.magics] == ["line", "shell", "shell-assign"]
    assert cell.defines == {"os", "files"}


# -- mutations and syntax errors --------------------------------------------------------


def test_mutations_know_their_statement_and_self_reference() -> None:
    cell = _cell("df['a'] = df['a'] * 2\ndf['b'] = 1\ndf['c'] += 1\nitems.append(3)")
    kinds = [(m.name, m.kind, m.self_referential) for m in cell.mutations]
    assert kinds == [
        ("df", "subscript", True),
        ("df", "subscript", False),
        ("df", "augmented", True),
        ("items", "method", True),
    ]
    assert all(m.statement is not None for m in cell.mutations[:3])


def test_a_method_on_a_calls_result_mutates_the_receiver_variable_not_the_function() -> None:
    analysis = _analyze(
        "import numpy as np\nfrom sklearn.linear_model import LinearRegression",
        "def make(degree):\n    return LinearRegression()",
        "model = make(3).fit(X, y)\nnp.array([2, 1]).sort()\nLinearRegression().fit(X, y)\n"
        "search.set_params(cv=3).fit(X, y)\nmodels['a'].fit(X, y)",
    )
    mutated = [m.name for m in analysis.cells[2].mutations]
    assert mutated == ["search", "search", "models"]  # never make, np or LinearRegression


def test_deeply_nested_parentheses_are_a_syntax_error_not_a_crash() -> None:
    cell = _cell("(" * 300 + ")" * 300)
    assert cell.syntax_error is not None
    assert "nested" in cell.syntax_error.message
    assert cell.code_lines == 0


def test_syntax_error_location_is_the_users_line() -> None:
    cell = _cell("%matplotlib inline\nx = 1\ny = (\n")
    assert cell.syntax_error is not None
    assert cell.syntax_error.location.line == 3


def test_augmented_assignment_reads_the_name_first() -> None:
    analysis = _analyze("total = 0", "total += 5", "n = 0\nn += 1")
    cell = analysis.cells[1]
    assert cell.free_reads == {"total"} and cell.binding("total").sources == {"total"}
    assert [(d.reader, d.name, d.provider) for d in analysis.dependencies] == [(1, "total", 0)]
    assert "n" not in analysis.cells[2].free_reads and "n" in analysis.cells[2].local_reads
    assert (0, "acc", "undefined") in _unresolved(_analyze("for i in range(3):\n    acc += i"))


def test_code_too_deep_for_libcst_is_a_syntax_problem_not_a_crash() -> None:
    analysis = _analyze("x = 1", "y = " + "not " * 1500 + "x", "print(x)")
    problem = analysis.cells[1].syntax_error
    assert problem is not None and problem.message == "code nested too deeply to analyse"
    assert analysis.cells[2].free_reads == {"print", "x"}


def test_parser_memory_error_has_a_message() -> None:
    problem = _cell("-" * 100000 + "1").syntax_error
    assert problem is not None and problem.message == "code nested too deeply to parse"
