"""The generated module's entry points: step functions, ``run(**params)`` and ``main()``.

``run`` takes the notebook's parameters as typed keyword-only arguments
whose defaults are the module-level constants, calls the steps in notebook
order (each step's returns unpacked into names of the same spelling) and
returns the key results as a ``dict``.  ``main`` exposes the same
parameters as command-line options with argparse.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from harden.extractor import nodes
from harden.extractor.model import ParameterSpec, PlotFunction, Step
from harden.extractor.nodes import Statement

#: Functions the generated module adds around the notebook's steps (entry points and
#: helpers; ``print_results`` takes another free name when the notebook uses it).
GENERATED_HELPERS = frozenset(
    {"main", "run_and_draw", "save_figures", "print_results", "show_results", "report_results"}
)

_FIGURE_HELPER = '''
def save_figures(prefix: str) -> None:
    """Save every open matplotlib figure as FIGURES_DIR/<prefix>-<n>.png, then close them."""
    import matplotlib.pyplot as plt

    os.makedirs(FIGURES_DIR, exist_ok=True)
    for number in plt.get_fignums():
        plt.figure(number).savefig(os.path.join(FIGURES_DIR, f"{prefix}-{number}.png"))
    plt.close("all")
'''

_LOCAL_PATH = """
if os.getcwd() not in sys.path:
    sys.path.insert(0, os.getcwd())
"""


_SAVE_FIGURES = """
if FIGURES_OPTION is None:
    RESULTS = RUN(**args)
else:
    RESULTS, FIGURES = DRAW(**args)
    os.makedirs(FIGURES_OPTION, exist_ok=True)
    for FIGURE_NAME, FIGURE in FIGURES.items():
        FIGURE.savefig(os.path.join(FIGURES_OPTION, f"{FIGURE_NAME}.png"))
"""

_RESULTS_HELPER = '''
def print_results(results: dict[str, Any], path: str | None = None) -> None:
    """Print run()'s results, one a line: numbers, text and small dicts of them as
    they are, anything else (tables, arrays, models) as its type and shape; with
    ``path``, also write the values printed as they are to that file as JSON."""
    scalar = (bool, int, float, str, type(None))
    saved: dict[str, Any] = {}
    for name, value in results.items():
        if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
            value = value.item()  # a NumPy scalar
        # a small dict (best_params_): its keys and values, NumPy numbers as Python ones
        small = isinstance(value, dict) and len(value) <= 20
        if small:
            value = {k: v.item() if getattr(v, "ndim", None) == 0 else v for k, v in value.items()}
        items = [*value, *value.values()] if small else [value]
        if all(isinstance(item, scalar) for item in items):
            saved[name] = value
            shown = f"{value:.6g}" if isinstance(value, float) else value
            print(f"{name}: {shown}")
        else:
            shape = getattr(value, "shape", None)
            size = f" {shape}" if isinstance(shape, tuple) else ""
            if isinstance(value, (list, tuple, dict, set)):
                size = f" of {len(value)}"
            print(f"{name}: {type(value).__name__}{size}")
    if path is not None:
        # strict JSON has no NaN or infinity: they are written as the text "NaN", "-Infinity"
        strict = json.loads(json.dumps(saved, default=str), parse_constant=str)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(strict, handle, indent=2)
'''


class _Rename(cst.CSTTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        super().__init__()
        self.names = names

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.names.get(updated_node.value)
        return updated_node.with_changes(value=new) if new else updated_node


def plot_function(
    plot: PlotFunction, body: Sequence[Statement], pyplot: str, doc: str
) -> cst.FunctionDef:
    """``plot_<step>(values) -> Figure``: its own figure, the cell's plotting statements."""
    statements: list[Statement] = [nodes.docstring(doc)]
    if not plot.makes_figure:
        statements.append(nodes.line(cst.Expr(nodes.call(f"{pyplot}.figure"))))
    lines = list(body)
    if lines:
        lines[0] = lines[0].with_changes(leading_lines=[])
    statements.extend(lines)
    statements.append(nodes.line(cst.Return(nodes.call(f"{pyplot}.gcf"))))
    params = cst.Parameters([nodes.param(name) for name in plot.inputs])
    return nodes.function(plot.name, params, statements, cst.Name("Figure"))


def figure_helper(name: str) -> cst.FunctionDef:
    helper = cst.parse_statement(_FIGURE_HELPER.strip() + "\n")
    assert isinstance(helper, cst.FunctionDef)
    return helper.with_changes(name=cst.Name(name))


def results_helper(name: str) -> cst.FunctionDef:
    """``print_results(results, path)``: what ``main()`` shows of run()'s results."""
    helper = cst.parse_statement(_RESULTS_HELPER.strip() + "\n")
    assert isinstance(helper, cst.FunctionDef)
    return helper.with_changes(
        name=cst.Name(name), leading_lines=[cst.EmptyLine(), cst.EmptyLine()]
    )


def local_path_bootstrap(modules: Sequence[str]) -> cst.If:
    statement = cst.parse_statement(_LOCAL_PATH.strip() + "\n")
    assert isinstance(statement, cst.If)
    comment = cst.Comment(
        "# Modules beside the notebook ("
        + ", ".join(modules)
        + ") import from the working directory."
    )
    return statement.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(comment=comment)])


def step_function(step: Step, body: Sequence[Statement]) -> cst.FunctionDef:
    statements: list[Statement] = []
    if step.doc:
        statements.append(nodes.docstring(step.doc))
    statements.extend(body)
    if step.returns:
        if step.result_type:
            value: cst.BaseExpression = nodes.call(
                step.result_type, keywords=[(n, cst.Name(n)) for n in step.returns]
            )
        else:
            value = nodes.names_tuple(step.returns)
        statements.append(nodes.line(cst.Return(value), blank_before=len(body) > 2))
    params = cst.Parameters([nodes.param(name) for name in step.inputs])
    returns = cst.Name(step.result_type) if step.result_type else None
    return nodes.function(step.name, params, statements, returns)


def result_class(step: Step) -> cst.ClassDef:
    assert step.result_type is not None
    fields = [
        cst.SimpleStatementLine(
            [cst.AnnAssign(cst.Name(n), cst.Annotation(cst.Name("Any")), value=None)]
        )
        for n in step.returns
    ]
    doc = nodes.docstring(f"What {step.name}() returns.")
    return cst.ClassDef(
        cst.Name(step.result_type),
        cst.IndentedBlock([doc, *fields]),
        bases=[cst.Arg(cst.Name("NamedTuple"))],
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )


def run_function(
    name: str,
    steps: Sequence[Step],
    parameters: Sequence[ParameterSpec],
    hidden: Sequence[str],
    outputs: Sequence[str],
    doc: str,
    plots: Sequence[PlotFunction] = (),
    figures: str | None = None,
) -> cst.FunctionDef:
    """``run()``; with ``figures`` (the local dict's name), ``run_and_draw()``:
    each plot function called right after its step, results and figures returned."""
    kwonly = []
    body: list[Statement] = [nodes.docstring(doc)]
    for spec in parameters:
        if spec.mutable:
            note = nodes.union_none(spec.type_name or "object")
            kwonly.append(nodes.param(spec.name, note, cst.Name("None")))
            body.append(_copy_default(spec))
        else:
            kwonly.append(nodes.param(spec.name, spec.type_name, cst.Name(spec.constant)))
    kwonly += [nodes.param(name) for name in hidden]
    if figures is not None:
        annotation = cst.Annotation(nodes.subscript("dict", cst.Name("str"), cst.Name("Figure")))
        empty = cst.AnnAssign(cst.Name(figures), annotation, cst.Dict([]))
        body.append(nodes.line(empty))
        body += _draw(plots, "", figures)
    for step in steps:
        value = nodes.call(step.name, [cst.Name(n) for n in step.inputs])
        if step.returns:
            body.append(nodes.line(nodes.assign(step.returns, value)))
        else:
            body.append(nodes.line(cst.Expr(value)))
        if figures is not None:
            body += _draw(plots, step.name, figures)
    result: cst.BaseExpression = nodes.dict_of_names(outputs)
    if figures is not None:
        result = cst.Tuple(
            [cst.Element(result), cst.Element(cst.Name(figures))],
            lpar=[],
            rpar=[],
        )
    body.append(nodes.line(cst.Return(result)))
    params = (
        cst.Parameters(star_arg=cst.ParamStar(), kwonly_params=kwonly)
        if kwonly
        else (cst.Parameters())
    )
    returns: cst.BaseExpression = nodes.subscript("dict", cst.Name("str"), cst.Name("Any"))
    if figures is not None:
        returns = nodes.subscript(
            "tuple", returns, nodes.subscript("dict", cst.Name("str"), cst.Name("Figure"))
        )
    return nodes.function(name, params, body, returns)


def _draw(plots: Sequence[PlotFunction], step: str, figures: str) -> list[cst.SimpleStatementLine]:
    """``figures["plot_x"] = plot_x(...)`` for the plots drawn after ``step``."""
    lines = []
    for plot in plots:
        if plot.step == step:
            target = cst.Subscript(
                cst.Name(figures), [cst.SubscriptElement(cst.Index(nodes.string(plot.name)))]
            )
            drawn = nodes.call(plot.name, [cst.Name(n) for n in plot.inputs])
            lines.append(nodes.line(cst.Assign([cst.AssignTarget(target)], drawn)))
    return lines


def _copy_default(spec: ParameterSpec) -> cst.If:
    copy = nodes.call("copy.deepcopy", [cst.Name(spec.constant)])
    test = cst.Comparison(cst.Name(spec.name), [cst.ComparisonTarget(cst.Is(), cst.Name("None"))])
    return cst.If(test, cst.IndentedBlock([nodes.line(nodes.assign([spec.name], copy))]))


def main_function(
    name: str,
    run: str,
    parameters: Sequence[ParameterSpec],
    hidden: Sequence[str],
    draw: str | None = None,
    figures_default: str | None = None,
    report: str = "print_results",
) -> list[Statement]:
    """``main()``: argparse options for run()'s parameters and ``--save-results
    PATH``; with ``draw`` (``run_and_draw``'s name) also ``--figures DIR``.
    It prints the results with ``report`` (:func:`results_helper`) and returns them."""
    parser = nodes.call(
        "argparse.ArgumentParser",
        keywords=[
            ("description", cst.Name("__doc__")),
            ("formatter_class", nodes.dotted("argparse.RawDescriptionHelpFormatter")),
        ],
    )
    body: list[Statement] = [
        nodes.docstring("Command line: each parameter of run() is an option; prints the results."),
        nodes.line(nodes.assign(["parser"], parser)),
    ]
    for spec in parameters:
        body.append(nodes.line(cst.Expr(_option(spec.name, spec))))
    for hidden_name in hidden:
        body.append(nodes.line(cst.Expr(_option(hidden_name, None))))
    parsed = nodes.call("parser.parse_args", [cst.Name("argv")])
    if draw is not None:
        default = nodes.string(figures_default) if figures_default else cst.Name("None")
        option = nodes.call(
            "parser.add_argument",
            [nodes.string("--figures")],
            [
                ("metavar", nodes.string("DIR")),
                ("default", default),
                ("help", nodes.string("draw the notebook's figures into DIR/<name>.png")),
            ],
        )
        body.append(nodes.line(cst.Expr(option)))
    option = nodes.call(
        "parser.add_argument",
        [nodes.string("--save-results")],
        [
            ("metavar", nodes.string("PATH")),
            ("default", cst.Name("None")),
            ("help", nodes.string("also write the results printed as values to PATH (JSON)")),
        ],
    )
    body.append(nodes.line(cst.Expr(option)))
    body.append(nodes.line(nodes.assign(["args"], nodes.call("vars", [parsed]))))
    pop = nodes.call("args.pop", [nodes.string("save_results")])
    body.append(nodes.line(nodes.assign(["results_path"], pop)))
    if draw is None:
        call = cst.Call(cst.Name(run), [cst.Arg(cst.Name("args"), star="**")])
        body.append(nodes.line(nodes.assign(["results"], call)))
    else:
        pop = nodes.call("args.pop", [nodes.string("figures")])
        body.append(nodes.line(nodes.assign(["figures_dir"], pop)))
        template = cst.parse_module(_SAVE_FIGURES.strip() + "\n").body
        renames = {
            "FIGURES_OPTION": "figures_dir",
            "RUN": run,
            "DRAW": draw,
            "RESULTS": "results",
            "FIGURES": "figures",
            "FIGURE_NAME": "figure_name",
            "FIGURE": "figure",
        }
        body.extend(s.visit(_Rename(renames)) for s in template)  # type: ignore[misc]
    shown = nodes.call(report, [cst.Name("results"), cst.Name("results_path")])
    body.append(nodes.line(cst.Expr(shown)))
    body.append(nodes.line(cst.Return(cst.Name("results"))))
    argv = nodes.param(
        "argv", nodes.union_none(nodes.subscript("list", cst.Name("str"))), cst.Name("None")
    )
    returns = nodes.subscript("dict", cst.Name("str"), cst.Name("Any"))
    main = nodes.function(name, cst.Parameters([argv]), body, returns)
    guard = cst.If(
        cst.Comparison(
            cst.Name("__name__"), [cst.ComparisonTarget(cst.Equal(), nodes.string("__main__"))]
        ),
        cst.IndentedBlock([nodes.line(cst.Expr(nodes.call(name)))]),
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )
    return [main, guard]


def _option(name: str, spec: ParameterSpec | None) -> cst.Call:
    flag = "--" + name.lower().replace("_", "-")
    keywords: list[tuple[str, cst.BaseExpression]] = []
    if flag[2:].replace("-", "_") != name:
        keywords.append(("dest", nodes.string(name)))
    if spec is None:
        keywords += [
            ("required", cst.Name("True")),
            ("help", nodes.string("no notebook cell defines it (hidden state)")),
        ]
        return nodes.call("parser.add_argument", [nodes.string(flag)], keywords)
    if spec.type_name == "bool":
        keywords.append(("action", nodes.dotted("argparse.BooleanOptionalAction")))
    elif spec.type_name in {"int", "float", "str"}:
        keywords.append(("type", cst.Name(spec.type_name)))
    elif spec.type_name is not None:
        keywords.append(("type", nodes.dotted("json.loads")))
    default = cst.Name("None") if spec.mutable else cst.Name(spec.constant)
    keywords.append(("default", default))
    text = (
        f"JSON, default: {_short(spec.value)}"
        if spec.mutable or spec.type_name in {"tuple"}
        else "default: %(default)s"
    )
    keywords.append(("help", nodes.string(text)))
    return nodes.call("parser.add_argument", [nodes.string(flag)], keywords)


def _short(value: object) -> str:
    import json

    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    text = text.replace("%", "%%")
    return text if len(text) <= 60 else text[:57] + "..."
