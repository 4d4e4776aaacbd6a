"""H207 suppressed-warnings."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from harden.analysis import dotted_name
from harden.analysis.model import Argument, CallSite, CellAnalysis
from harden.analysis.walk import iter_nodes
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation

#: Parameter names in order, to read positional or keyword arguments alike.
SIGNATURES = {
    "warnings.filterwarnings": ("action", "message", "category", "module", "lineno", "append"),
    "warnings.simplefilter": ("action", "category", "lineno", "append"),
}
CHAINED = frozenset({"mode.chained_assignment", "chained_assignment"})


class SuppressedWarnings(Rule):
    """All warnings are silenced (`warnings.filterwarnings("ignore")` and the like).
    ## What it does
    Flags blanket warning suppression: `warnings.filterwarnings("ignore")` and
    `warnings.simplefilter("ignore")` (however imported, `action=` too) with no
    narrowing `message`, `category` (other than `Warning`) or `module`;
    `numpy.seterr(all="ignore")`; and turning off pandas' chained-assignment warning
    (`pd.options.mode.chained_assignment = None`, `pd.set_option(...)`).

    Targeted filters (`category=DeprecationWarning`) and suppression scoped with `with
    warnings.catch_warnings():` / `np.errstate(...)` are deliberate and not flagged.

    ## Why is this bad?
    Warnings are how libraries report that results may be wrong: a model that did not
    converge, a division by zero, a chained assignment that did not write, an API about
    to change. Silenced for the whole process, they stay silent in production, where
    nobody looks at the notebook any more.

    ## How to fix it
    Remove the filter; silence a specific warning (`category=...`) inside `with
    warnings.catch_warnings():` where it is understood.
    """

    id = "H207"
    name = "suppressed-warnings"
    severity = Severity.WARNING

    valid = (
        Example(
            "import warnings\nwarnings.filterwarnings('ignore', category=FutureWarning)\n"
            "warnings.simplefilter('error')\n"
            "warnings.filterwarnings('ignore', message='divide by zero')"
        ),
        Example(
            "import warnings\nwith warnings.catch_warnings():\n"
            "    warnings.simplefilter('ignore')\n    x = 1"
        ),
        Example(
            "import numpy as np\nnp.seterr(divide='ignore')\n"
            "with np.errstate(all='ignore'):\n    y = 1"
        ),
        Example(
            "import pandas as pd\npd.set_option('display.max_columns', None)\n"
            "pd.options.mode.chained_assignment = 'raise'"
        ),
    )
    invalid = (
        Example("import warnings\nwarnings.filterwarnings('ignore')", expect=[(0, 2)]),
        Example(
            "from warnings import simplefilter", "simplefilter(action='ignore')", expect=[(1, 1)]
        ),
        Example("import warnings as w\nw.filterwarnings('ignore', '', Warning)", expect=[(0, 2)]),
        Example("import numpy as np\nnp.seterr(all='ignore')", expect=[(0, 2)]),
        Example(
            "import pandas as pd\npd.options.mode.chained_assignment = None\n"
            "pd.set_option('mode.chained_assignment', None)",
            expect=[(0, 2), (0, 3)],
        ),
        Example(
            "import warnings", "def quiet():\n    warnings.simplefilter('ignore')", expect=[(1, 2)]
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        pandas = {imp.name for imp in ctx.analysis.imports if imp.target == "pandas"}
        for cell in ctx.analysis.cells:
            scoped: set[int] | None = None
            for call in cell.calls:
                what = _suppression(call)
                if what is None:
                    continue
                if scoped is None:
                    scoped = _scoped_calls(cell)
                if id(call.node) not in scoped:
                    yield Violation.at(call.location, what)
            for mutation in cell.mutations:
                if (
                    mutation.kind == "attribute"
                    and mutation.name in pandas
                    and mutation.detail.endswith("options.mode.chained_assignment")
                    and isinstance(mutation.statement, cst.Assign)
                    and isinstance(mutation.statement.value, cst.Name)
                    and mutation.statement.value.value == "None"
                ):
                    yield Violation.at(mutation.location, _CHAINED_MESSAGE)


_CHAINED_MESSAGE = (
    "pandas' chained-assignment warning is turned off: writes to copies will fail silently"
)


def _suppression(call: CallSite) -> str | None:
    name = call.qualified_name or call.dotted or ""
    if name in SIGNATURES:
        params = SIGNATURES[name]
        if not _is(_arg(call, params, "action"), "ignore"):
            return None
        message, module = _arg(call, params, "message"), _arg(call, params, "module")
        category = _arg(call, params, "category")
        if (
            (message is not None and not _is(message, "", ".*"))
            or (module is not None and not _is(module, ""))
            or (category is not None and category.code not in {"Warning", "warnings.Warning"})
        ):
            return None
        return f'`{call.dotted}("ignore")` silences every warning for the rest of the run'
    if name == "numpy.seterr" and _is(call.keyword("all"), "ignore"):
        return '`numpy.seterr(all="ignore")` hides floating-point errors (NaN, inf, overflow)'
    if (
        name == "pandas.set_option"
        and _is(call.positional(0), *CHAINED)
        and _is(call.positional(1), None)
    ):
        return _CHAINED_MESSAGE
    return None


def _arg(call: CallSite, params: tuple[str, ...], name: str) -> Argument | None:
    found = call.keyword(name)
    if found is not None or name not in params:
        return found
    return call.positional(params.index(name))


def _is(arg: Argument | None, *values: object) -> bool:
    return arg is not None and arg.is_literal and arg.literal in values


def _scoped_calls(cell: CellAnalysis) -> set[int]:
    """Ids of call nodes inside ``with warnings.catch_warnings():`` blocks."""
    scoped: set[int] = set()
    if cell.module is None:
        return scoped

    for node in iter_nodes(cell.module):
        if isinstance(node, cst.With) and any(
            isinstance(item.item, cst.Call)
            and (dotted_name(item.item.func) or "").endswith("catch_warnings")
            for item in node.items
        ):
            scoped.update(
                id(inner) for inner in iter_nodes(node.body) if isinstance(inner, cst.Call)
            )
    return scoped
