"""H401 preprocessing-before-split."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._ml_leakage import (
    Event,
    Lineage,
    SplitParts,
    all_outputs,
    as_split,
    data_names,
    inside_data_argument,
    method_of,
    placement,
    position_part,
    root,
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
    Splits are `train_test_split`, `model_selection` splitters' `.split`, a split by
    position (`X[:n]` and `X[n:]`, `X.iloc[...]`, `X.head(n)` and `X.tail(m)`) and every
    call that cross-validates what it receives (`cross_val_score`, `cross_validate`,
    `learning_curve`, `validation_curve`, `GridSearchCV.fit`, `RandomizedSearchCV.fit`):
    scaling the training part and then cross-validating it lets the scaler see every
    validation fold. A transformer fit on the training and test parts joined
    (`np.vstack([X_train, X_test])`, `pd.concat([train, test])`) is flagged too. Stateless
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
            "X_train, X_test, y_train, y_test = train_test_split(X, y)",
            "from sklearn.pipeline import make_pipeline\n"
            "final = make_pipeline(StandardScaler(), LogisticRegression())\n"
            "final.fit(pd.concat([X_train, X_test]), pd.concat([y_train, y_test]))",
            "X = X.head(100)\nX_train = StandardScaler().fit_transform(X.head(80))",
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
        Example(
            _IMPORTS,
            "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
            "X_train_s = StandardScaler().fit_transform(X_train)",
            "cross_val_score(LogisticRegression(), X_train_s, y_train)",
            message="a StandardScaler is fit here, before cross-validation: its output "
            "`X_train_s` is cross-validated by `cross_val_score` in cell 3, so every "
            "validation fold leaks into the fit (put the transformer in a Pipeline)",
            expect=[(1, 2)],
        ),
        Example(
            _IMPORTS,
            "from sklearn.model_selection import GridSearchCV, RandomizedSearchCV\n"
            "from sklearn.model_selection import learning_curve\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
            "scaler = StandardScaler().fit(X_train)\nX_train_s = scaler.transform(X_train)",
            "grid = GridSearchCV(LogisticRegression(), {'C': [1, 10]})\n"
            "grid.fit(X_train_s, y_train)",
            message="is cross-validated by `GridSearchCV.fit` in cell 3",
            expect=[(1, 4)],
        ),
        Example(
            _IMPORTS,
            "scaler = StandardScaler()\nX = scaler.fit_transform(X)",
            "n = int(len(X) * 0.8)\nX_train, X_test = X[:n], X[n:]",
            message="its output `X` is split by position (`X_train`, `X_test`) in cell 3",
            expect=[(1, 2)],
        ),
        Example(
            _IMPORTS,
            "df_s = pd.DataFrame(StandardScaler().fit_transform(df))",
            "train = df_s.iloc[:800]\ntest = df_s.iloc[800:]",
            expect=[(1, 1)],
        ),
        Example(
            _IMPORTS,
            "import numpy as np\nX_train, X_test, y_train, y_test = train_test_split(X, y)",
            "scaler = StandardScaler().fit(np.vstack([X_train, X_test]))",
            message="a StandardScaler is fit here on `X_test`, `X_train`, which joins "
            "the training and test parts of a split, so the test rows leak into the fit",
            expect=[(2, 1)],
        ),
        Example(
            _IMPORTS,
            "train, test = train_test_split(df)\nboth = pd.concat([train, test])",
            "from sklearn.feature_extraction.text import CountVectorizer\n"
            "vec = CountVectorizer().fit(both['text'])",
            expect=[(2, 2)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        events = timeline(ctx.analysis)
        parts = SplitParts()
        for index, event in enumerate(events):
            call = event.call
            if event.binding is not None:
                parts.bind(event.binding)
                continue
            assert call is not None
            if as_split(call) is not None and as_split(call).kind == "split":  # type: ignore[union-attr]
                parts.split(event.cell, call)
            fitted = transformer_fit(call)
            if fitted is None:
                continue
            data = data_names(call, (0,), ("X", "raw_documents"))
            joined = parts.joined(data)
            if joined and not (call.receiver_type or "").startswith("sklearn.pipeline."):
                names = ", ".join(f"`{n}`" for n in joined)
                yield Violation.at(
                    call.location,
                    f"{fitted} is fit here on {names}, which joins the training and test "
                    "parts of a split, so the test rows leak into the fit",
                )
                continue
            leak = _leak(events, index, data)
            if leak is not None:
                message, related = leak
                yield Violation.at(
                    call.location, f"{fitted} is fit here{message}", related_cells=related
                )


def _leak(
    events: list[Event], index: int, data: frozenset[str]
) -> tuple[str, tuple[int, ...]] | None:
    """How the fit at ``events[index]`` leaks into a later split, if it does, and the
    cells that message names."""
    event = events[index]
    call = event.call
    assert call is not None
    place = placement(event.cell, call)
    if any(
        as_split(c) is not None and c.node is not None and inside_data_argument(c.node, place)
        for c in event.cell.calls
    ):
        return ", inside the call that splits its output, so the test rows leak into the fit", ()
    produced = Lineage(set(place.roots), set(place.names))
    if call.qualified_name is None and root(call.receiver):
        produced.names.add(root(call.receiver) or "")
    fit_data, split_parts = Lineage(set(data)), Lineage()
    sliced: dict[str, dict[str, str]] = {}  # produced name -> side -> the part's name
    for later in events[index + 1 :]:
        if later.binding is not None:
            part = position_part(later.binding)
            if part is not None and part[0] in produced.names:
                sides = sliced.setdefault(part[0], {})
                sides[part[1]] = later.binding.name
                if len(sides) == 2:
                    elsewhere = later.cell is not event.cell
                    where = (
                        f"in cell {later.cell.index + 1}"
                        if elsewhere
                        else f"on line {later.binding.location.line} of this cell"
                    )
                    what = (
                        f"its output `{part[0]}`"
                        if part[0] in place.names | place.roots
                        else f"`{part[0]}`, computed from its output,"
                    )
                    return (
                        f", before the split: {what} is split by position "
                        f"(`{sides['head']}`, `{sides['tail']}`) {where}, so the test rows "
                        "leak into the fit"
                    ), ((later.cell.index,) if elsewhere else ())
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
        if split is not None:
            hit = produced.hits(split.data)
            if hit:
                what = (
                    f"its output `{hit[0]}`"
                    if hit[0] in place.names | place.roots
                    else f"`{hit[0]}`, computed from its output,"
                )
                if split.kind == "cv":
                    return (
                        f", before cross-validation: {what} is cross-validated by "
                        f"`{split.label}` {where}, so every validation fold leaks into the "
                        "fit (put the transformer in a Pipeline)"
                    ), related
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
