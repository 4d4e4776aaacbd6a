"""What the tests are about, read from the module's source (libcst): ``run()``'s
parameters, the step functions it calls in order and the names each returns.

Reading the module rather than the extraction's plan means ``--module`` works on
a module a person has edited since ``harden extract`` wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from harden.errors import UsageError
from harden.extractor.entry import GENERATED_HELPERS

#: Functions the generated module has that are not steps (drawing, the command line).
NOT_STEPS = GENERATED_HELPERS


@dataclass(frozen=True)
class StepCall:
    """One call of a step function in ``run()``: ``targets = name(...)``."""

    name: str
    targets: tuple[str, ...]
    #: ``True`` when run() unpacks the result (``a, b = step(...)``).
    unpacked: bool = False


@dataclass(frozen=True)
class ModulePlan:
    module_name: str
    run_name: str
    parameters: tuple[str, ...]
    steps: tuple[StepCall, ...]
    outputs: tuple[str, ...]
    functions: tuple[str, ...]

    def step_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.name for s in self.steps))


def read_plan(source: str, module_name: str, run_name: str = "run") -> ModulePlan:
    """The plan of ``source``; a :class:`UsageError` when it has no ``run()``."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise UsageError(f"the module {module_name}.py does not parse: {exc.message}") from None
    functions = {node.name.value: node for node in module.body if isinstance(node, cst.FunctionDef)}
    run = functions.get(run_name)
    if run is None:
        raise UsageError(
            f"the module {module_name}.py has no {run_name}() to call: scaffold tests a "
            "module written by harden extract (or one with the same shape)"
        )
    parameters = tuple(p.name.value for p in (*run.params.params, *run.params.kwonly_params))
    steps: list[StepCall] = []
    outputs: tuple[str, ...] = ()
    candidates = set(functions) - NOT_STEPS - {run_name}
    body = run.body.body if isinstance(run.body, cst.IndentedBlock) else ()
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Return) and isinstance(small.value, cst.Dict):
                outputs = tuple(
                    element.key.evaluated_value
                    for element in small.value.elements
                    if isinstance(element, cst.DictElement)
                    and isinstance(element.key, cst.SimpleString)
                    and isinstance(element.key.evaluated_value, str)
                )
            call = _called(small, candidates)
            if call is None:
                continue
            name, targets, unpacked = call
            if not name.startswith("plot_"):
                steps.append(StepCall(name, targets, unpacked))
    return ModulePlan(module_name, run_name, parameters, tuple(steps), outputs, tuple(functions))


def _called(
    small: cst.BaseSmallStatement, candidates: set[str]
) -> tuple[str, tuple[str, ...], bool] | None:
    value: cst.BaseExpression | None = None
    targets: tuple[str, ...] = ()
    unpacked = False
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        value = small.value
        target = small.targets[0].target
        if isinstance(target, cst.Name):
            targets = (target.value,)
        elif isinstance(target, (cst.Tuple, cst.List)):
            names = [e.value for e in target.elements]
            if not all(isinstance(n, cst.Name) for n in names):
                return None
            targets = tuple(n.value for n in names if isinstance(n, cst.Name))
            unpacked = True
        else:
            return None
    elif isinstance(small, cst.Expr):
        value = small.value
    if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Name):
        return None
    if value.func.value not in candidates:
        return None
    return value.func.value, targets, unpacked
