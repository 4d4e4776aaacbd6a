"""H402 fit-on-test-data."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from harden.analysis import Analysis, CallSite
from harden.analysis.library import (
    EVALUATION_METHODS,
    FIT_METHODS,
    HELD_OUT_FITS,
    METRIC_PREFIXES,
)
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._ml_leakage import (
    Event,
    as_split,
    looks_like_test,
    method_of,
    split_outputs,
    timeline,
)

_SETUP = (
    "import pandas as pd\nfrom sklearn.model_selection import train_test_split, KFold\n"
    "from sklearn.preprocessing import StandardScaler\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
    "df = pd.read_csv('data.csv')\nX, y = df.drop(columns='y'), df['y']"
)
_SPLIT = "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)"


class FitOnTestData(Rule):
    """A model or transformer is fit on data from the test part of a split.
    ## What it does
    Flags a fit (`fit`, `fit_transform`, `partial_fit`, `fit_predict`, `fit_resample`)
    whose data arguments come from the test part of a split.

    Test-derived names are the test parts of a split — the odd positions of `a_train,
    a_test, b_train, b_test = train_test_split(a, b)`, the second target of `for train,
    test in kf.split(X)` (also under `enumerate` / `next`) — whatever they are called,
    and names computed from them that are named like held-out data (`X_test_scaled`,
    `test_df`, `X_te`, `X_val`). A name computed from test *and* training parts
    (`pd.concat([X_train, X_test])`: a final refit on all data) is not test data. Only
    the data arguments of a fit count (positional, `X=`, `y=`): `eval_set` /
    `validation_data` monitor training, they do not train. A notebook function that fits
    on one of its parameters, called with a test part, fits on it too.

    A fit on a test part is flagged only when the model fit on it is also evaluated on
    it (`predict`, `score`, `transform`, `fit_transform`), or when the part is never
    used as held-out data (no other model predicts or scores it, no metric reads it). A
    hand-written k-fold swaps the parts (`model.fit(X1, y1).predict(X2)`, then
    `model.fit(X2, y2).predict(X1)`) and a blender is fit on a validation part the
    first-level models predicted: neither is flagged. Nor is the fit of an estimator that
    measures a fitted model on the rows it is given (eli5's `PermutationImportance`).

    ## Why is this bad?
    The test split exists to measure the model on rows it has never seen. A model or
    transformer fit on test rows has seen them, so every score computed on the test
    split afterwards is optimistic, and nobody learns how the model does on new data
    until it is in production.

    ## How to fix it
    Fit on the training part (`X_train`, `y_train`) and only `transform`, `predict` or
    `score` the test part.
    """

    id = "H402"
    name = "fit-on-test-data"
    severity = Severity.ERROR

    valid = (
        Example(
            _SETUP,
            _SPLIT,
            """
                scaler = StandardScaler().fit(X_train)
                X_test_s = scaler.transform(X_test)
                model = RandomForestClassifier()
                model.fit(scaler.transform(X_train), y_train)
                model.predict(X_test_s)
                model.score(X_test_s, y_test)
                """,
        ),
        Example(
            _SETUP,
            _SPLIT,
            "final = RandomForestClassifier()\n"
            "final.fit(pd.concat([X_train, X_test]), pd.concat([y_train, y_test]))",
        ),
        Example(
            _SETUP,
            _SPLIT,
            "test = pd.read_csv('test.csv')\n"
            "X_test = test.drop(columns='y')\nStandardScaler().fit(X_test)",
        ),
        Example(
            _SETUP,
            "for train_idx, test_idx in KFold(5).split(X):\n"
            "    model = RandomForestClassifier()\n"
            "    model.fit(X.iloc[train_idx], y.iloc[train_idx])\n"
            "    model.score(X.iloc[test_idx], y.iloc[test_idx])",
        ),
        Example(
            _SETUP,
            _SPLIT,
            "import xgboost as xgb\nm = xgb.XGBClassifier()\n"
            "m.fit(X_train, y_train, eval_set=[(X_test, y_test)])",
        ),
        Example(
            _SETUP,
            "X1, X2, y1, y2 = train_test_split(X, y, train_size=0.5)",
            "model = RandomForestClassifier()\np2 = model.fit(X1, y1).predict(X2)\n"
            "p1 = model.fit(X2, y2).predict(X1)",
        ),
        Example(
            _SETUP,
            "X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)",
            "import numpy as np\nbase = RandomForestClassifier(random_state=0).fit(X_train, y_train)\n"
            "X_val_predictions = np.column_stack([base.predict(X_val)])",
            "blender = RandomForestClassifier(random_state=0)\n"
            "blender.fit(X_val_predictions, y_val)",
        ),
        Example(
            _SETUP,
            _SPLIT,
            "from eli5.sklearn import PermutationImportance\n"
            "model = RandomForestClassifier(random_state=0).fit(X_train, y_train)\n"
            "perm = PermutationImportance(model, random_state=1).fit(X_test, y_test)\n"
            "importance = PermutationImportance(model)\nimportance.fit(X_test, y_test)",
        ),
    )
    invalid = (
        Example(
            _SETUP,
            _SPLIT,
            """
                model = RandomForestClassifier()
                model.fit(X_test, y_test)
                """,
            message=(
                "`model.fit` is called on `X_test`, which is the test part of the "
                "split in cell 2: the test rows become training rows"
            ),
            severity="error",
            expect=[(2, 2)],
        ),
        Example(
            _SETUP,
            _SPLIT,
            "scaler = StandardScaler()\nX_train = scaler.fit_transform(X_train)",
            "X_test_scaled = scaler.fit_transform(X_test)",
            expect=[(3, 1)],
        ),
        Example(
            _SETUP,
            "train, test = train_test_split(df)\n"
            "test_X = test.drop(columns='y')\nRandomForestClassifier().fit(test_X, test['y'])",
            message="`.fit()` is called on `test_X`, computed from `test`",
            expect=[(1, 3)],
        ),
        Example(
            _SETUP,
            "X_train, y_train, X_test, y_test = train_test_split(X, y)",
            "RandomForestClassifier().fit(X_train, y_train)",
            message="`y_train`, which is the test part of the split in cell 2 (output 2 of 4)",
            expect=[(2, 1)],
        ),
        Example(
            _SETUP,
            "for fold, (tr, te) in enumerate(KFold(5).split(X)):\n"
            "    X_te = X.iloc[te]\n    StandardScaler().fit(X_te)",
            expect=[(1, 3)],
        ),
        Example(
            _SETUP,
            "X1, X2, y1, y2 = train_test_split(X, y, train_size=0.5)",
            "model = RandomForestClassifier()\nmodel.fit(X2, y2)\n"
            "print(model.score(X1, y1), model.score(X2, y2))",
            message="`model.fit` is called on `X2`, which is the test part of the split in "
            "cell 2 (output 2 of 4)",
            expect=[(2, 2)],
        ),
        Example(
            _SETUP,
            _SPLIT,
            "def train(features, target):\n"
            "    model = RandomForestClassifier()\n    model.fit(features, target)\n"
            "    return model",
            "m = train(X_test, y_test)",
            message="`train` fits on its parameter `features`, given `X_test` here, which is "
            "the test part of the split in cell 2",
            expect=[(3, 1)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        # name -> (test part it comes from, what that is, the cell that split it)
        test: dict[str, tuple[str, str, int]] = {}
        train: set[str] = set()  # training parts and names computed from them
        pending: dict[str, tuple[str, str, int] | None] = {}
        fitting = _fitting_parameters(ctx.analysis)
        events = timeline(ctx.analysis)
        for index, event in enumerate(events):
            binding, call = event.binding, event.call
            if binding is not None:
                name = binding.name
                origin = next((test[s] for s in sorted(binding.sources) if s in test), None)
                test.pop(name, None)
                train.discard(name)
                if name in pending:
                    part = pending.pop(name)
                    if part is None:
                        train.add(name)
                    else:
                        test[name] = part
                elif origin is not None and looks_like_test(name):
                    test[name] = origin
                elif binding.sources & train:
                    train.add(name)
                continue
            assert call is not None
            if as_split(call) is not None:
                pending.update(_parts(event.cell.index, split_outputs(event.cell, call)))
            elif method_of(call) in FIT_METHODS and call.receiver_type not in HELD_OUT_FITS:
                for arg in call.args:
                    if arg.keyword not in (None, "X", "y", "x", "Y") or arg.names & train:
                        continue
                    hit = sorted(arg.names & test.keys())
                    if hit:
                        source, what, split_cell = test[hit[0]]
                        same = {n for n, (_, _, c) in test.items() if c == split_cell}
                        if _held_out(events, index, call, same):
                            break
                        yield Violation.at(
                            call.location,
                            _message(call, hit[0], source, what),
                            related_cells=(split_cell,),
                        )
                        break
            elif call.dotted in fitting:
                for position, parameter in fitting[call.dotted]:
                    given_arg = call.keyword(parameter) or call.positional(position)
                    if (
                        given_arg is None
                        or given_arg.keyword not in (None, parameter)
                        or given_arg.names & train
                    ):
                        continue
                    hit = sorted(given_arg.names & test.keys())
                    if hit:
                        source, what, split_cell = test[hit[0]]
                        given = (
                            f"`{hit[0]}`" if hit[0] == source else f"`{hit[0]}` (from `{source}`)"
                        )
                        yield Violation.at(
                            call.location,
                            f"`{call.dotted}` fits on its parameter `{parameter}`, given {given} "
                            f"here, which is {what}: the test rows become training rows",
                            related_cells=(split_cell,),
                        )
                        break


def _parts(cell: int, parts: list[tuple[str, ...]]) -> dict[str, tuple[str, str, int] | None]:
    """Output name -> (name, what it is, ``cell``) for test parts, ``None`` for training parts."""
    out: dict[str, tuple[str, str, int] | None] = {}
    for position, names in enumerate(parts):
        for name in names:
            what = f"the test part of the split in cell {cell + 1}"
            if not looks_like_test(name):
                what += f" (output {position + 1} of {len(parts)})"
            out[name] = None if position % 2 == 0 else (name, what, cell)
    return out


def _message(call: CallSite, name: str, part: str, what: str) -> str:
    callee = f"`{call.dotted}`" if call.dotted else f"`.{method_of(call)}()`"
    source = f"`{name}`" if name == part else f"`{name}`, computed from `{part}`"
    return f"{callee} is called on {source}, which is {what}: the test rows become training rows"


def _held_out(events: list[Event], index: int, fit: CallSite, part: set[str]) -> bool:
    """True when the fit at ``events[index]`` on the test part ``part`` is not fit-on-test:
    the part is used as held-out data elsewhere (another model predicts or scores it, a
    metric reads it) and the model fit on it is not evaluated on it. That is how a
    hand-written k-fold swaps the parts (``model.fit(X1, y1).predict(X2)``, then
    ``model.fit(X2, y2).predict(X1)``) and how a blender is fit on a validation part."""
    if method_of(fit) in {"fit_transform", "fit_predict", "fit_resample"}:
        return False  # the call itself uses what it fit on the same rows
    cell = events[index].cell
    own: list[CallSite] = [
        c  # ``model.fit(X2, y2).predict(X1)``: evaluations chained on the fit itself
        for c in cell.calls
        if isinstance(c.node, cst.Call)
        and isinstance(c.node.func, cst.Attribute)
        and c.node.func.value is fit.node
    ]
    receiver = fit.receiver.split(".")[0] if fit.receiver else None
    if receiver is not None:
        for later in events[index + 1 :]:
            other = later.call
            if later.binding is not None and later.binding.name == receiver:
                break  # rebound: a new estimator
            if other is None or not other.receiver or other.receiver.split(".")[0] != receiver:
                continue
            if method_of(other) in FIT_METHODS:
                break
            own.append(other)
    if any(method_of(c) in EVALUATION_METHODS and c.names_read & part for c in own):
        return False
    mine = {id(c) for c in own} | {id(fit)}
    return any(
        id(event.call) not in mine
        and event.call.names_read & part
        and (
            method_of(event.call) in EVALUATION_METHODS
            or (event.call.qualified_name or "").startswith(METRIC_PREFIXES)
        )
        for event in events
        if event.call is not None
    )


def _fitting_parameters(analysis: Analysis) -> dict[str, list[tuple[int, str]]]:
    """Notebook functions that fit an estimator on one of their parameters (the data
    arguments of a fit in the body read the parameter by name): name -> (position, name)."""
    fitted: dict[str, set[str]] = {}
    for cell in analysis.cells:
        for call in cell.calls:
            if call.in_function is None or method_of(call) not in FIT_METHODS:
                continue
            for arg in call.args:
                if arg.keyword in (None, "X", "y", "x", "Y") and isinstance(arg.node, cst.Name):
                    fitted.setdefault(call.in_function, set()).add(arg.node.value)
    out: dict[str, list[tuple[int, str]]] = {}
    for definition in analysis.definitions:
        node = definition.node
        names = fitted.get(definition.name)
        if not names or definition.kind != "function" or not isinstance(node, cst.FunctionDef):
            continue
        parameters = [p.name.value for p in node.params.params]
        found = [(i, p) for i, p in enumerate(parameters) if p in names]
        if found:
            out[definition.name] = found
    return out
