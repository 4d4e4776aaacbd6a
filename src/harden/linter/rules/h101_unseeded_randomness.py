"""H101 unseeded-randomness."""

from __future__ import annotations

from collections.abc import Iterator

from harden.analysis.library import (
    GENERATORS,
    NUMPY_LEGACY,
    RANDOM_FUNCS,
    SEED_EVERYTHING,
    SEEDING_ENSEMBLES,
    SEEDS,
    SKLEARN_ALWAYS,
    SKLEARN_PREFIXES,
    SKLEARN_WHEN,
    TF_NOT_DRAWS,
    TORCH_FUNCS,
)
from harden.analysis.model import Analysis, CallSite, Location
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation

_BASE_KEYWORDS = ("estimator", "base_estimator")
#: Words of a receiver's name that say it is a DataFrame or Series (``df.sample(5)``) when
#: the analysis does not know where the receiver came from.
_FRAME_WORDS = frozenset({"df", "frame", "series"})

FIX = {
    "random": "random.seed(42)",
    "numpy": "numpy.random.seed(42)",
    "torch": "torch.manual_seed(42)",
    "tensorflow": "tf.random.set_seed(42)",
}


_SEED_KEYWORDS = ("seed", "a", "x", "entropy", "bit_generator")


def _has_seed(call: CallSite) -> bool:
    """A first argument (or seed keyword) that is not ``None``."""
    args = [call.positional(0), *(call.keyword(k) for k in _SEED_KEYWORDS)]
    return any(a is not None and not (a.is_literal and a.literal is None) for a in args)


def _sklearn_random(call: CallSite, name: str) -> bool:
    if name == "train_test_split":
        shuffle = call.keyword("shuffle")
        return not (shuffle is not None and shuffle.literal is False)
    if name in SKLEARN_WHEN:
        keyword, values = SKLEARN_WHEN[name]
        arg = call.keyword(keyword)
        return arg is not None and arg.is_literal and arg.literal in values
    return name in SKLEARN_ALWAYS or name.startswith(SKLEARN_PREFIXES)


def unseeded(call: CallSite) -> tuple[str | None, str] | None:
    """``(domain, message)`` for a random call: ``domain`` ``None`` means the call
    itself lacks its seed; otherwise it is unseeded unless the domain was seeded."""
    name = call.qualified_name
    if not name:
        return _frame_sample(call)
    module, _, func = name.rpartition(".")
    if name in GENERATORS and not _has_seed(call):
        return None, f"`{name}()` is created without a seed; pass one, e.g. `{func}(42)`"
    if "**" in call.keywords or "*" in call.keywords:
        return None
    if module == "random" and func in RANDOM_FUNCS:
        return "random", f"`{name}` is called with no `random.seed(...)` before it"
    if module == "numpy.random" and func in NUMPY_LEGACY:
        return "numpy", f"`{name}` is called with no `numpy.random.seed(...)` before it"
    if (module == "torch" and func in TORCH_FUNCS) or module == "torch.nn.init":
        return "torch", f"`{name}` is called with no `torch.manual_seed(...)` before it"
    if name.startswith("torch.") and func in {"DataLoader", "random_split", "RandomSampler"}:
        shuffle = call.keyword("shuffle")
        generator = call.keyword("generator") or (
            call.positional(2) if func == "random_split" else None
        )
        if generator is None and (
            func != "DataLoader" or (shuffle is not None and shuffle.literal is True)
        ):
            return "torch", (
                f"`{name}` shuffles with no `torch.manual_seed(...)` before it and no `generator=`"
            )
    if (
        module == "tensorflow.random"
        and not func.startswith("stateless")
        and func not in TF_NOT_DRAWS
        and not call.keyword("seed")
    ):
        return "tensorflow", f"`{name}` is called with no `tf.random.set_seed(...)` before it"
    sklearn = name.startswith("sklearn.") and (
        _sklearn_random(call, func) or module == "sklearn.datasets" and func.startswith("make_")
    )
    if sklearn or name in {"umap.UMAP", "umap.umap_.UMAP"}:
        state = call.keyword("random_state")
        if state is None or (state.is_literal and state.literal is None):
            given = "random_state=None" if state is not None else "no random_state"
            return None, f"`{name}` is called with {given}; pass random_state=42"
    return None


def _frame_sample(call: CallSite) -> tuple[str | None, str] | None:
    """``df.sample(...)`` / ``s.sample(...)`` with no ``random_state``: pandas then draws
    from NumPy's global state."""
    if call.method != "sample" or not call.receiver:
        return None
    kind = call.receiver_type or ""
    words = {w for w in call.receiver.split(".")[0].lower().split("_") if w}
    if not (kind.startswith("pandas.") or (not kind and words & _FRAME_WORDS)):
        return None
    state = call.keyword("random_state")
    if state is not None and not (state.is_literal and state.literal is None):
        return None
    return "numpy", (
        f"`{call.dotted}` samples with no `random_state=` and no `numpy.random.seed(...)` "
        "before it; pass random_state=42"
    )


def _seeded_by_ensemble(analysis: Analysis) -> tuple[set[int], set[str]]:
    """Base estimators a seeded ensemble seeds (``BaggingClassifier(tree, random_state=1)``):
    the ids of calls written inside it and the names passed to it."""
    nodes: set[int] = set()
    names: set[str] = set()
    for call in analysis.calls:
        name = call.qualified_name or ""
        if not name.startswith("sklearn.") or name.rsplit(".", 1)[-1] not in SEEDING_ENSEMBLES:
            continue
        state = call.keyword("random_state")
        if state is None or (state.is_literal and state.literal is None):
            continue
        for arg in [call.positional(0), *(call.keyword(k) for k in _BASE_KEYWORDS)]:
            if arg is None:
                continue
            nodes.add(id(arg.node))
            if arg.node is not None and type(arg.node).__name__ == "Name":
                names.add(arg.node.value)
    used_alone = {(call.receiver or "").split(".")[0] for call in analysis.calls if call.receiver}
    return nodes, names - used_alone


def _seeds(analysis: Analysis) -> dict[str, list[Location]]:
    found: dict[str, list[Location]] = {domain: [] for domain in SEEDS}
    for call in analysis.calls:
        name = call.qualified_name or ""
        if not _has_seed(call):
            continue
        for domain, names in SEEDS.items():
            if name in names or name in SEED_EVERYTHING:
                found[domain].append(call.location)
    return found


def _before(a: Location, b: Location) -> bool:
    return (a.cell_index, a.line, a.column or 0) < (b.cell_index, b.line, b.column or 0)


class UnseededRandomness(Rule):
    """A random API is used without a seed (`random`, `numpy.random`, scikit-learn, torch).
    ## What it does
    Flags random draws with no seed: `random.*` functions with no `random.seed(...)`
    earlier in the notebook, legacy `numpy.random.*` with no `numpy.random.seed(...)`,
    generators built without a seed (`default_rng()`, `RandomState()`,
    `random.Random()`), `torch` draws, `nn.init` and shuffling
    `DataLoader`/`random_split` with no `torch.manual_seed`, `tf.random.*` with no
    `tf.random.set_seed`, and the scikit-learn splitters and estimators that use
    `random_state` when it is missing or `None` (a variable counts as a seed). Seeding
    helpers that seed everything (`seed_everything`, `transformers.set_seed`,
    `keras.utils.set_random_seed`) count for every library. A call inside a function
    body counts as seeded when the notebook seeds anywhere, since the function runs
    later. scikit-learn calls are flagged even after `numpy.random.seed`: their result
    then depends on every draw before them. A base estimator given to an ensemble that
    seeds it (`BaggingClassifier(tree, random_state=1)`, AdaBoost) is seeded. A pandas
    `sample` (`df.sample(5)`, `s.sample(frac=1)`) with no `random_state` draws from
    NumPy's global state: it is flagged unless `numpy.random.seed(...)` came before it.
    `LogisticRegression` is flagged only with
    the sag/saga/liblinear solvers, `PCA` only with `svd_solver` randomized/arpack,
    `SVC` only with `probability=True`; torch layer constructors are not flagged.

    ## Why is this bad?
    Unseeded random draws — data splits, shuffles, weight initialisation, sampling —
    give different numbers on every run: metrics move, stored outputs cannot be
    reproduced, and a regression cannot be told apart from noise.

    ## How to fix it
    Seed once at the top (`random.seed(42)`, `np.random.seed(42)`,
    `torch.manual_seed(42)`), use `np.random.default_rng(42)`, and pass
    `random_state=42` to scikit-learn.
    """

    id = "H101"
    name = "unseeded-randomness"
    severity = Severity.WARNING

    valid = (
        Example("import random\nrandom.seed(0)", "x = random.choice([1, 2, 3])"),
        # Only timed: the values %timeit computes are thrown away.
        Example("import numpy as np", "%timeit np.random.rand(3)", "%%timeit\nnp.random.rand(3)"),
        Example(
            "import numpy as np\nrng = np.random.default_rng(42)\nrng.normal(size=3)",
            "np.random.seed(SEED)\nnp.random.rand(2)",
        ),
        Example(
            "from sklearn.model_selection import train_test_split, KFold\n"
            "a, b = train_test_split(X, random_state=SEED)\nKFold(5)\n"
            "train_test_split(X, shuffle=False)"
        ),
        Example(
            "from sklearn.linear_model import LogisticRegression\nfrom sklearn.decomposition "
            "import PCA\nLogisticRegression(max_iter=500)\nPCA(n_components=2)\n"
            "from sklearn.ensemble import RandomForestClassifier as RF\nRF(**params)"
        ),
        Example(
            "import torch\ntorch.manual_seed(0)\nw = torch.randn(3, 3)",
            "from torch.utils.data import DataLoader\nDataLoader(ds, shuffle=True)",
        ),
        Example(
            "import numpy as np\ndef noise(n):\n    return np.random.rand(n)",
            "np.random.seed(1)\nnoise(3)",
            "import lightning as L\nL.seed_everything(7)\nimport torch\ntorch.rand(2)",
        ),
        Example(
            "from sklearn.tree import DecisionTreeClassifier\n"
            "from sklearn.ensemble import BaggingClassifier, AdaBoostClassifier\n"
            "tree = DecisionTreeClassifier()\nbag = BaggingClassifier(tree, random_state=1)\n"
            "ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), random_state=0)",
            "import pandas as pd\ndf = pd.read_csv('a.csv')\nrows = df.sample(5, random_state=0)",
            "import numpy as np\nnp.random.seed(0)\nshuffled = df.sample(frac=1)",
        ),
    )
    invalid = (
        Example(
            "import random\nrandom.shuffle(items)\nrandom.seed(0)",
            message="`random.shuffle` is called with no `random.seed(...)` before it",
            severity="warning",
            expect=[(0, 2)],
        ),
        Example(
            "import numpy as np\nx = np.random.rand(10)\nrng = np.random.default_rng()",
            "np.random.seed(None)\ny = np.random.normal(0, 1, 5)",
            expect=[(0, 2), (0, 3), (1, 2)],
        ),
        Example(
            "from sklearn.model_selection import train_test_split as tts, KFold\n"
            "X_tr, X_te = tts(X, test_size=0.2)\ncv = KFold(5, shuffle=True)",
            "from sklearn.ensemble import RandomForestClassifier\n"
            "m = RandomForestClassifier(n_estimators=100, random_state=None)",
            message="random_state",
            expect=[(0, 2), (0, 3), (1, 2)],
        ),
        Example(
            "from sklearn.svm import SVC\nfrom sklearn.cluster import KMeans\n"
            "SVC(probability=True)\nKMeans(3)\nfrom sklearn.datasets import make_blobs\n"
            "X, y = make_blobs(100)",
            expect=[(0, 3), (0, 4), (0, 6)],
        ),
        Example(
            "import torch\nfrom torch import nn\nw = torch.randn(2)\nnn.init.xavier_uniform_(w)",
            "from torch.utils.data import DataLoader\nDataLoader(ds, batch_size=8, shuffle=True)",
            expect=[(0, 3), (0, 4), (1, 2)],
        ),
        Example(
            "import tensorflow as tf\nz = tf.random.normal([3])",
            "import random as r\ng = r.Random()",
            expect=[(0, 2), (1, 2)],
        ),
        Example(
            "from sklearn.tree import DecisionTreeClassifier\n"
            "from sklearn.ensemble import BaggingClassifier\n"
            "tree = DecisionTreeClassifier()\nbag = BaggingClassifier(tree)\n"
            "other = DecisionTreeClassifier()\nBaggingClassifier(other, random_state=0)\n"
            "other.fit(X, y)",
            expect=[(0, 3), (0, 4), (0, 5)],
        ),
        Example(
            "import pandas as pd\ndf = pd.read_csv('a.csv')\nrows = df.sample(5)",
            "train_df = df.sample(frac=0.8, random_state=None)",
            message="samples with no `random_state=` and no `numpy.random.seed(...)` before it",
            severity="warning",
            expect=[(0, 3), (1, 1)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        seeds = _seeds(ctx.analysis)
        base_nodes, base_names = _seeded_by_ensemble(ctx.analysis)
        for call in ctx.analysis.calls:
            found = unseeded(call)
            if found is None:
                continue
            if id(call.node) in base_nodes or (
                len(call.assigned_to) == 1 and call.assigned_to[0] in base_names
            ):
                continue  # the ensemble it is given to seeds it
            domain, message = found
            if domain is not None:
                earlier = [s for s in seeds[domain] if _before(s, call.location)]
                if earlier or (call.in_function is not None and seeds[domain]):
                    continue
                joint = " or" if message.endswith("random_state=42") else ";"
                message += f"{joint} call {FIX[domain]} once at the top"
            yield Violation.at(call.location, message)
