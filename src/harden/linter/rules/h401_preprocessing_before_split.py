"""H401 preprocessing-before-split."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._ml_leakage import (
    Event,
    Lineage,
    Split,
    all_outputs,
    as_split,
    data_names,
    inside_data_argument,
    method_of,
    placement,
    root,
    split_derived,
    timeline,
    transformer_fit,
)

_IMPORTS = (
    "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n"
    "from sklearn.model_selection import train_test_split, KFold, cross_val_score\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "df = pd.read_csv('data.csv')\nX, y = df.drop(columns='y'), df['y']"
)


class PreprocessingBeforeSplit(Rule):
    """A transformer is fit on data that is afterwards split into train and test.
    ## What it does
    Flags a transformer (scaler, encoder, imputer, vectorizer, feature selector, PCA)
    fit before the data is split into train and test.

    A transformer is "fit before the split" when (a) what it produced (its
    `fit_transform` output, or a later `transform` of the fitted object) flows through
    assignments into the data arguments of a later split, or (b) the data it was fit on
    is split afterwards and the fitted object then transforms a part of that split.
    Splits are `train_test_split`, `model_selection` splitters' `.split` and the
    cross-validation helpers (`cross_val_score`, `*SearchCV.fit`); the latter only when
    the transformer was not fit on an earlier split's output (scaling the training set,
    then cross-validating on it, is the common pattern we leave alone). Stateless
    transformers (`Normalizer`, `PolynomialFeatures`, `FunctionTransformer`, hashing)
    and target encoders (`LabelEncoder`) learn nothing from the rows and are not
    flagged. Pandas preprocessing (`pd.get_dummies`, `df.fillna(df.mean())`) is out of
    scope: telling a statistic of the data from a constant needs value tracking harden
    does not do.

    ## Why is this bad?
    A scaler, encoder, imputer, vectorizer, feature selector or PCA fit on all the rows
    learns statistics of the test rows too. The test score then measures a model that
    has already seen the test data, and is better than what the model will do in
    production on data it has never seen.

    ## How to fix it
    Split first, then fit the transformer on the training part only — best inside a
    sklearn Pipeline, which cross-validation refits per fold.
    """

    id = "H401"
    name = "preprocessing-before-split"
    severity = Severity.WARNING

    valid = (
        Example(
            _IMPORTS,
            "X_train, X_test, y_train, y_test = train_test_split(X, y)",
            "scaler = StandardScaler()\nX_train = scaler.fit_transform(X_train)\n"
            "X_test = scaler.transform(X_test)",
        ),
        Example(
            _IMPORTS,
            "from sklearn.pipeline import make_pipeline\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
            "pipe = make_pipeline(StandardScaler(), LogisticRegression())\n"
            "pipe.fit(X_train, y_train)",
            "cross_val_score(pipe, X, y)",
        ),
        Example(
            _IMPORTS,
            "from sklearn.decomposition import PCA\n"
            "coords = PCA(2).fit_transform(X)  # a plot of all the data",
            "X_train, X_test, y_train, y_test = train_test_split(X, y)",
        ),
        Example(
            _IMPORTS,
            "from sklearn.preprocessing import PolynomialFeatures, LabelEncoder\n"
            "X = PolynomialFeatures(2).fit_transform(X)\ny = LabelEncoder().fit_transform(y)",
            "X_train, X_test, y_train, y_test = train_test_split(X, y)",
        ),
        Example(
            _IMPORTS,
            "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
            "X_train_s = StandardScaler().fit_transform(X_train)",
            "cross_val_score(LogisticRegression(), X_train_s, y_train)",
        ),
        Example(
            _IMPORTS,
            "scaler = StandardScaler().fit(X)  # exploring",
            "X_train, X_test, y_train, y_test = train_test_split(X, y)",
            "X_train = scaler.fit_transform(X_train)\nX_test = scaler.transform(X_test)",
        ),
        Example(
            _IMPORTS,
            "scaler = StandardScaler()\nX_s = scaler.fit_transform(X)",
            "X = df.drop(columns=['y', 'id'])\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y)",
        ),
    )
    invalid = (
        Example(
            _IMPORTS,
            "scaler = StandardScaler()\nX_scaled = scaler.fit_transform(X)",
            "X_train, X_test, y_train, y_test = train_test_split(X_scaled, y)",
            message="its output `X_scaled` is split by `train_test_split` in cell 3",
            severity="warning",
            expect=[(1, 2)],
        ),
        Example(
            _IMPORTS,
            "cols = ['a', 'b']\ndf[cols] = StandardScaler().fit_transform(df[cols])",
            "X = df.drop(columns='y')\nX_train, X_test = train_test_split(X)",
            expect=[(1, 2)],
        ),
        Example(
            _IMPORTS,
            "from sklearn import impute\nimp = impute.SimpleImputer()",
            "imp.fit(X)\nX = pd.DataFrame(imp.transform(X))",
            "for train, test in KFold(5).split(X):\n    pass",
            expect=[(2, 1)],
        ),
        Example(
            _IMPORTS,
            "scaler = StandardScaler().fit(X)",
            "X_train, X_test, y_train, y_test = train_test_split(X, y)",
            "X_train = scaler.transform(X_train)",
            message="and the call in cell 4 transforms a part of the split",
            expect=[(1, 1)],
        ),
        Example(
            _IMPORTS,
            "from sklearn.preprocessing import scale\nX = scale(X)",
            "cross_val_score(LogisticRegression(), X, y)",
            expect=[(1, 2)],
        ),
        Example(
            _IMPORTS,
            "from sklearn.feature_extraction.text import TfidfVectorizer\n"
            "vec = TfidfVectorizer()\nfeatures = vec.fit_transform(df['text'])",
            "X_train, X_test, y_train, y_test = train_test_split(features, y)",
            expect=[(1, 3)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        events = timeline(ctx.analysis)
        on_split = split_derived(events)
        for index, event in enumerate(events):
            call = event.call
            fitted = transformer_fit(call) if call is not None else None
            if call is None or fitted is None:
                continue
            data = data_names(call, (0,), ("X", "raw_documents"))
            # Cross-validating data scaled after an earlier split is left alone.
            counts = _counts_as_split(data & on_split[index])
            leak = _leak(events, index, data, counts)
            if leak is not None:
                message, related = leak
                yield Violation.at(
                    call.location, f"{fitted} is fit here{message}", related_cells=related
                )


def _counts_as_split(fit_after_split: frozenset[str]) -> Callable[[Split | None], bool]:
    return lambda split: split is not None and not (split.kind == "cv" and fit_after_split)


def _leak(
    events: list[Event], index: int, data: frozenset[str], counts: Callable[[Split | None], bool]
) -> tuple[str, tuple[int, ...]] | None:
    """How the fit at ``events[index]`` leaks into a later split, if it does, and the
    cells that message names."""
    event = events[index]
    call = event.call
    assert call is not None
    place = placement(event.cell, call)
    if any(
        counts(as_split(c)) and c.node is not None and inside_data_argument(c.node, place)
        for c in event.cell.calls
    ):
        return ", inside the call that splits its output, so the test rows leak into the fit", ()
    produced = Lineage(set(place.roots), set(place.names))
    if call.qualified_name is None and root(call.receiver):
        produced.names.add(root(call.receiver) or "")
    fit_data, split_parts = Lineage(set(data)), Lineage()
    for later in events[index + 1 :]:
        if later.binding is not None:
            for lineage in (produced, fit_data, split_parts):
                lineage.bind(later.binding)
            continue
        other = later.call
        assert other is not None
        split, method, receiver = as_split(other), method_of(other), root(other.receiver)
        elsewhere = later.cell is not event.cell
        related = (later.cell.index,) if elsewhere else ()
        where = (
            f"in cell {later.cell.index + 1}"
            if elsewhere
            else f"on line {other.location.line} of this cell"
        )
        if split is not None and counts(split):
            hit = produced.hits(split.data)
            if hit:
                what = (
                    f"its output `{hit[0]}`"
                    if hit[0] in place.names | place.roots
                    else f"`{hit[0]}`, computed from its output,"
                )
                return (
                    f", before the split: {what} is split by `{split.label}` {where}, "
                    "so the test rows leak into the fit"
                ), related
            if split.kind == "split" and fit_data.hits(split.data):
                split_parts.pending |= all_outputs(later.cell, other)
        elif receiver in produced.names and method in {"fit", "fit_transform"}:
            produced.names.discard(receiver)  # refit: what it learnt before is gone
        elif (
            receiver in produced.names
            and method == "transform"
            and split_parts.hits(data_names(other))
        ):
            return (
                f" on `{', '.join(sorted(data))}`, which is split afterwards, and the "
                f"call {where} transforms a part of the split with it, so the test rows "
                "leak into the fit"
            ), related
    return None
