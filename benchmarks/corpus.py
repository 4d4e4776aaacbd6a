"""Build the benchmark corpus: the shipped example notebooks plus generated ones.

    python benchmarks/corpus.py                # builds benchmarks/.corpus/
    python benchmarks/corpus.py --count 300 --seed 7 --dest /tmp/corpus

The generated notebooks are realistic data-science notebooks, not noise: a
dataset modelled on the CSVs beside ``notebooks/examples/`` (churn, housing,
loans, iris, sales, sensors, orders, reviews) is loaded with pandas, inspected,
cleaned, plotted, turned into features and fed to scikit-learn models, with
markdown headings, magics (``%matplotlib inline``, ``!pip install``, ``%%time``,
``%timeit``), helper functions, loops, stored execution counts and outputs
(tables, printed metrics, PNG plots, warnings, the odd traceback).  Part of the
corpus is deliberately messy the way real research notebooks are: unseeded
randomness, absolute paths, unused and scattered imports, out-of-order
execution, leakage through preprocessing before the split, a cell that does
not parse.

Everything is derived from one seeded :class:`random.Random`, cell ids
included, so the same ``--seed`` and ``--count`` give byte-identical files.
The generated part does not depend on which examples exist: examples are
copied in as ``example_<name>.ipynb`` next to ``gen_<NNN>_<dataset>.ipynb``.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import re
import shutil
import struct
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from harden.notebook.build import CellSpec, build_notebook, kernelspec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DEST = HERE / ".corpus"
EXAMPLES = ROOT / "notebooks" / "examples"
DEFAULT_COUNT = 200
DEFAULT_SEED = 20240611
#: Bump when the generator changes so stale corpora are rebuilt.
GENERATOR_VERSION = 1
MIN_CODE_CELLS = 20
MAX_CODE_CELLS = 150


# --------------------------------------------------------------------------- datasets


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # int, float, cat, bool, id, date, text
    low: float = 0
    high: float = 1
    choices: tuple[str, ...] = ()
    prefix: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    columns: tuple[Column, ...]
    target: str
    task: str  # classification or regression
    #: Expression turning ``df[target]`` into a numeric label, if needed.
    label: str = ""
    date: str = ""
    text: str = ""

    @property
    def numeric(self) -> list[str]:
        return [
            c.name for c in self.columns if c.kind in ("int", "float") and c.name != self.target
        ]

    @property
    def categorical(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "cat" and c.name != self.target]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "churn",
        "Customer churn",
        (
            Column("customer_id", "id", prefix="C"),
            Column("tenure_months", "int", 0, 72),
            Column("contract", "cat", choices=("month_to_month", "one_year", "two_year")),
            Column("internet_service", "cat", choices=("dsl", "fiber", "none")),
            Column(
                "payment_method",
                "cat",
                choices=("credit_card", "bank_transfer", "electronic_check", "mailed_check"),
            ),
            Column("monthly_charges", "float", 18, 120),
            Column("total_charges", "float", 0, 8000),
            Column("support_calls", "int", 0, 9),
            Column("senior", "int", 0, 1),
            Column("churned", "cat", choices=("No", "Yes")),
        ),
        target="churned",
        task="classification",
        label='(df["churned"] == "Yes").astype(int)',
    ),
    Dataset(
        "housing",
        "House prices",
        (
            Column("listing_id", "id", prefix=""),
            Column(
                "neighborhood",
                "cat",
                choices=("Riverside", "Oakwood", "Hillcrest", "Downtown", "Lakeview"),
            ),
            Column("sqft", "int", 600, 4200),
            Column("bedrooms", "int", 1, 6),
            Column("bathrooms", "float", 1, 4),
            Column("year_built", "int", 1920, 2022),
            Column("lot_sqft", "float", 1500, 12000),
            Column("garage_spaces", "float", 0, 3),
            Column("condition", "int", 1, 5),
            Column("has_pool", "bool"),
            Column("sale_price", "float", 60000, 900000),
        ),
        target="sale_price",
        task="regression",
    ),
    Dataset(
        "loans",
        "Loan default",
        (
            Column("applicant_id", "id", prefix="7"),
            Column("age", "int", 21, 70),
            Column("income", "float", 18000, 180000),
            Column("loan_amount", "float", 1000, 50000),
            Column("term_months", "int", 12, 60),
            Column("credit_history_years", "int", 0, 40),
            Column("open_accounts", "int", 0, 12),
            Column(
                "employment", "cat", choices=("salaried", "self_employed", "unemployed", "retired")
            ),
            Column(
                "purpose",
                "cat",
                choices=("car", "home_improvement", "debt_consolidation", "education", "medical"),
            ),
            Column("defaulted", "int", 0, 1),
        ),
        target="defaulted",
        task="classification",
    ),
    Dataset(
        "iris",
        "Iris species",
        (
            Column("sepal_length", "float", 4.3, 7.9),
            Column("sepal_width", "float", 2.0, 4.4),
            Column("petal_length", "float", 1.0, 6.9),
            Column("petal_width", "float", 0.1, 2.5),
            Column("species", "cat", choices=("setosa", "versicolor", "virginica")),
        ),
        target="species",
        task="classification",
    ),
    Dataset(
        "sales",
        "Store sales",
        (
            Column("date", "date"),
            Column("store", "cat", choices=("north", "south", "east", "west")),
            Column("category", "cat", choices=("grocery", "home", "electronics", "toys")),
            Column("units", "int", 0, 250),
            Column("unit_price", "float", 1, 60),
            Column("promo", "int", 0, 1),
        ),
        target="units",
        task="regression",
        date="date",
    ),
    Dataset(
        "sensors",
        "Sensor anomalies",
        (
            Column("timestamp", "date"),
            Column("sensor_id", "cat", choices=("S-01", "S-02", "S-03", "S-04")),
            Column("temperature", "float", 55, 90),
            Column("vibration", "float", 0.2, 0.9),
            Column("pressure", "float", 95, 106),
            Column("failure", "int", 0, 1),
        ),
        target="failure",
        task="classification",
        date="timestamp",
    ),
    Dataset(
        "orders",
        "Order returns",
        (
            Column("order_id", "id", prefix="O"),
            Column("customer_id", "id", prefix="C"),
            Column("order_date", "date"),
            Column("amount", "float", 5, 400),
            Column("items", "int", 1, 12),
            Column("channel", "cat", choices=("web", "app", "store")),
            Column("returned", "bool"),
        ),
        target="returned",
        task="classification",
        label='df["returned"].astype(int)',
        date="order_date",
    ),
    Dataset(
        "reviews",
        "Product reviews",
        (
            Column("review_id", "id", prefix="5"),
            Column(
                "product",
                "cat",
                choices=("backpack", "water bottle", "headphones", "tent", "jacket"),
            ),
            Column("rating", "int", 1, 5),
            Column("helpful_votes", "int", 0, 40),
            Column("text", "text"),
        ),
        target="rating",
        task="classification",
        label='(df["rating"] >= 4).astype(int)',
        text="text",
    ),
)

PEOPLE = ("alice", "jsmith", "maria", "dchen", "kpatel", "tom", "researcher", "ubuntu")
WORDS = (
    "great",
    "value",
    "broke",
    "after",
    "a",
    "week",
    "highly",
    "recommend",
    "cheap",
    "plastic",
    "fits",
    "well",
    "very",
    "disappointed",
    "comfortable",
    "would",
    "buy",
    "again",
    "too",
    "small",
    "perfect",
    "for",
    "hiking",
    "returned",
    "it",
)


# --------------------------------------------------------------------------- outputs


def _png(width: int, height: int, series: list[float], color: tuple[int, int, int]) -> str:
    """A small, valid PNG that looks like a line plot; base64 as notebooks store it."""
    white = bytes((255, 255, 255))
    rows = [bytearray(white * width) for _ in range(height)]
    left, bottom = 30, height - 20
    for y in range(10, bottom + 1):  # y axis
        rows[y][left * 3 : left * 3 + 3] = b"\x00\x00\x00"
    rows[bottom][left * 3 : (width - 10) * 3] = b"\x00\x00\x00" * (width - 10 - left)  # x axis
    span = width - 10 - left - 1
    lo, hi = min(series), max(series)
    for x in range(span):
        v = series[int(x * (len(series) - 1) / max(span - 1, 1))]
        y = bottom - 1 - int((v - lo) / ((hi - lo) or 1) * (bottom - 12))
        for dy in (0, 1):
            px = (left + 1 + x) * 3
            rows[max(10, y - dy)][px : px + 3] = bytes(color)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode("ascii")


@dataclass
class Cell:
    kind: str  # code or markdown
    source: str
    output: str = ""  # none, table, print, plot, value, warning, error
    tags: tuple[str, ...] = ()


# --------------------------------------------------------------------------- the generator


@dataclass
class Profile:
    """What kind of notebook this is: tidy or messy, and which habits it has."""

    markdown: bool
    messy: bool
    seeded: bool
    abs_path: bool
    remote: bool
    pip_install: bool
    inline: bool
    unused_imports: bool
    scattered_imports: bool
    leak: bool
    warnings_off: bool
    redefine: bool
    syntax_error: bool
    executed: bool
    out_of_order: bool
    error_output: bool
    parameters_cell: bool
    extras: set[str] = field(default_factory=set)


class Generator:
    def __init__(self, rng: random.Random, ds: Dataset, pngs: list[str]) -> None:
        self.rng = rng
        self.ds = ds
        self.pngs = pngs
        r = rng.random
        messy = r() < 0.65
        self.p = Profile(
            markdown=r() > 0.16,
            messy=messy,
            seeded=(not messy) or r() < 0.3,
            abs_path=messy and r() < 0.45,
            remote=messy and r() < 0.12,
            pip_install=messy and r() < 0.35,
            inline=r() < 0.7,
            unused_imports=messy and r() < 0.7,
            scattered_imports=messy and r() < 0.6,
            leak=messy and r() < 0.3,
            warnings_off=messy and r() < 0.35,
            redefine=messy and r() < 0.25,
            syntax_error=messy and r() < 0.04,
            executed=r() < 0.9,
            out_of_order=messy and r() < 0.4,
            error_output=messy and r() < 0.2,
            parameters_cell=(not messy) and r() < 0.5,
        )
        self.seed_expr = "RANDOM_STATE" if self.p.seeded else ""
        self.frame = "df"
        self.helpers: list[str] = []
        self.seen: set[str] = set()

    # -- small helpers --------------------------------------------------------------

    def pick(self, seq):
        return self.rng.choice(list(seq))

    def num(self) -> str:
        return self.pick(self.ds.numeric)

    def cat(self) -> str:
        cats = self.ds.categorical
        return self.pick(cats) if cats else self.num()

    def rs(self, sep: str = ", ") -> str:
        """``random_state=...`` argument text, or nothing in an unseeded notebook."""
        return f"{sep}random_state=RANDOM_STATE" if self.p.seeded else ""

    def md(self, text: str) -> Cell:
        return Cell("markdown", text)

    def code(self, source: str, output: str = "none", tags: tuple[str, ...] = ()) -> Cell:
        return Cell("code", source.strip("\n"), output, tags)

    # -- sections -------------------------------------------------------------------

    def intro(self) -> list[Cell]:
        ds = self.ds
        cells = []
        if self.p.markdown:
            goal = ("predict " + ds.target.replace("_", " ")) if ds.task else "explore"
            cells.append(
                self.md(
                    f"# {ds.title}: {self.pick(['exploration', 'analysis', 'baseline model', 'first look', 'modelling'])}\n\n"
                    f"Goal: {goal} from the `{ds.name}` data. "
                    f"{self.pick(['Draft, not cleaned up yet.', 'Notes for the team meeting.', 'Follow-up on last sprint.', ''])}"
                )
            )
        if self.p.pip_install:
            pkgs = self.pick(
                [
                    "xgboost",
                    "seaborn==0.13.2",
                    "lightgbm shap",
                    "scikit-learn --upgrade",
                    "openpyxl",
                ]
            )
            cells.append(self.code(f"!pip install -q {pkgs}", "print"))
        return cells

    def config(self) -> list[Cell]:
        ds = self.ds
        if self.p.remote:
            path = f'"https://raw.githubusercontent.com/example-org/datasets/main/{ds.name}.csv"'
        elif self.p.abs_path:
            who = self.pick(PEOPLE)
            path = self.pick(
                [
                    f'"/home/{who}/projects/{ds.name}/data/{ds.name}.csv"',
                    f'"/Users/{who}/Downloads/{ds.name}.csv"',
                    f'r"C:\\Users\\{who}\\Documents\\data\\{ds.name}.csv"',
                ]
            )
        else:
            path = f'"data/{ds.name}.csv"'
        lines = [f"DATA_PATH = {path}"]
        if self.p.seeded:
            lines.append(f"RANDOM_STATE = {self.pick([0, 1, 7, 42, 42, 42, 2024, 1234])}")
        lines.append(f"TEST_SIZE = {self.pick(['0.2', '0.2', '0.25', '0.3'])}")
        lines.append(f'TARGET = "{ds.target}"')
        if self.rng.random() < 0.4:
            lines.append(f"N_ESTIMATORS = {self.pick([100, 200, 300, 500])}")
        tags = ("parameters",) if self.p.parameters_cell else ()
        cells = [self.code("\n".join(lines), tags=tags)]
        if self.p.seeded and self.rng.random() < 0.6:
            cells.append(self.code("np.random.seed(RANDOM_STATE)"))
        return cells

    def load(self) -> list[Cell]:
        ds = self.ds
        cells = []
        if self.p.markdown:
            cells.append(
                self.md(
                    self.pick(
                        ["## Load the data", "## 1. Data", "## Loading", "### Read the raw file"]
                    )
                )
            )
        parse = f', parse_dates=["{ds.date}"]' if ds.date and self.rng.random() < 0.6 else ""
        cells.append(self.code(f"df = pd.read_csv(DATA_PATH{parse})\ndf.head()", "table"))
        cells.append(self.code(self.pick(["df.shape", "print(df.shape)", "len(df)"]), "value"))
        cells.append(self.code("df.info()", "print"))
        return cells

    def imports(self, body: list[Cell]) -> tuple[list[Cell], list[Cell]]:
        """The import cell for what ``body`` uses; messy notebooks scatter some later."""
        text = "\n".join(c.source for c in body if c.kind == "code")
        top: list[str] = []
        if re.search(r"\bnp\.", text):
            top.append("import numpy as np")
        top.insert(0, "import pandas as pd")
        if "plt." in text:
            top.append("import matplotlib.pyplot as plt")
        if "sns." in text:
            top.append("import seaborn as sns")
        if re.search(r"\bwarnings\.", text):
            top.insert(0, "import warnings")
        if re.search(r"(?<!np\.)\brandom\.", text):
            top.insert(0, "import random")
        if re.search(r"\bos\.", text):
            top.insert(0, "import os")
        sk: dict[str, list[str]] = {}
        for name, module in SKLEARN.items():
            if f"{name}(" in text or f"{name}." in text:
                sk.setdefault(module, []).append(name)
        late: list[str] = []
        sk_lines = [f"from {m} import {', '.join(sorted(ns))}" for m, ns in sorted(sk.items())]
        if self.p.scattered_imports and sk_lines:
            k = self.rng.randint(1, len(sk_lines))
            late, sk_lines = sk_lines[:k], sk_lines[k:]
        top += sk_lines
        if self.p.unused_imports:
            for extra in self.rng.sample(UNUSED, self.rng.randint(1, 3)):
                if extra not in top:
                    top.append(extra)
        if self.p.warnings_off:
            if "import warnings" not in top:
                top.insert(0, "import warnings")
            top.append('warnings.filterwarnings("ignore")')
        cells = [self.code("\n".join(top))]
        if self.p.inline:
            cells.append(
                self.code(
                    self.pick(
                        [
                            "%matplotlib inline",
                            "%matplotlib inline\n%config InlineBackend.figure_format = 'retina'",
                            "%load_ext autoreload\n%autoreload 2\n%matplotlib inline",
                        ]
                    )
                )
            )
        return cells, [self.code(line) for line in late]

    # -- pools: each call returns one new, plausible cell ----------------------------

    def inspect(self) -> Cell:
        ds, f = self.ds, self.frame
        n, c = self.num(), self.cat()
        options: list[tuple[str, str]] = [
            (f"{f}.describe()", "table"),
            (f"{f}.describe(include='all').T", "table"),
            (f"{f}.isna().sum()", "value"),
            (f"{f}.dtypes", "value"),
            (f"{f}.tail({self.pick([3, 5, 10])})", "table"),
            (f"{f}.sample(5{self.rs()})", "table"),
            (f'{f}["{c}"].value_counts()', "value"),
            (f'{f}["{c}"].value_counts(normalize=True).round(3)', "value"),
            (f'{f}.groupby("{c}")["{n}"].agg(["mean", "median", "count"])', "table"),
            (f'{f}["{n}"].quantile([0.01, 0.25, 0.5, 0.75, 0.99])', "value"),
            (f'{f}[{f}["{n}"] > {f}["{n}"].quantile(0.99)]', "table"),
            (f'{f}.sort_values("{n}", ascending=False).head(10)', "table"),
            (f"{f}.nunique()", "value"),
            (f"{f}.select_dtypes('number').corr().round(2)", "table"),
            (f'pd.crosstab({f}["{c}"], {f}["{ds.target}"], normalize="index")', "table"),
            (f'print({f}["{n}"].min(), {f}["{n}"].max(), {f}["{n}"].mean())', "print"),
            (f"{f}.duplicated().sum()", "value"),
            (f"{f}.memory_usage(deep=True).sum() / 1e6", "value"),
        ]
        src, out = self.pick(options)
        return self.code(src, out)

    def clean(self) -> Cell:
        f = self.frame
        n, c = self.num(), self.cat()
        options: list[tuple[str, str]] = [
            (f"{f} = {f}.drop_duplicates()\n{f}.shape", "value"),
            (f'{f}["{n}"] = {f}["{n}"].fillna({f}["{n}"].median())', "none"),
            (f'{f} = {f}.dropna(subset=["{n}"])', "none"),
            (
                f'low, high = {f}["{n}"].quantile([0.01, 0.99])\n{f}["{n}"] = {f}["{n}"].clip(low, high)',
                "none",
            ),
            (f'{f}["{c}"] = {f}["{c}"].astype(str).str.strip().str.lower()', "none"),
            (f'{f}["{c}"] = {f}["{c}"].astype("category")', "none"),
            (
                f"{f}.columns = [col.strip().lower().replace(' ', '_') for col in {f}.columns]",
                "none",
            ),
            (
                (
                    f'for col in {f}.select_dtypes("number").columns:\n'
                    f"    {f}[col] = {f}[col].fillna({f}[col].median())\n"
                    f"print({f}.isna().sum().sum())"
                ),
                "print",
            ),
            (
                (f"missing = {f}.isna().mean().sort_values(ascending=False)\nmissing[missing > 0]"),
                "value",
            ),
            (f'{f} = {f}[{f}["{n}"] >= 0].reset_index(drop=True)', "none"),
            (f'{f}["{c}"] = {f}["{c}"].replace({{"unknown": None, "n/a": None}})', "none"),
            (
                (
                    f'before = len({f})\n{f} = {f}.query("{n} == {n}")\n'
                    f'print(f"dropped {{before - len({f})}} rows")'
                ),
                "print",
            ),
        ]
        if self.ds.date:
            d = self.ds.date
            options.append((f'{f}["{d}"] = pd.to_datetime({f}["{d}"], errors="coerce")', "none"))
            options.append((f'{f} = {f}.sort_values("{d}").reset_index(drop=True)', "none"))
        src, out = self.pick(options)
        return self.code(src, out)

    def eda(self) -> Cell:
        f, ds = self.frame, self.ds
        n, c = self.num(), self.cat()
        n2 = self.pick([x for x in ds.numeric if x != n] or [n])
        bins = self.pick([20, 30, 40, 50])
        options = [
            f'{f}["{n}"].hist(bins={bins})\nplt.title("{n}")\nplt.xlabel("{n}")\nplt.show()',
            (
                f'fig, ax = plt.subplots(figsize=(8, 5))\nax.scatter({f}["{n}"], {f}["{n2}"], alpha=0.4)\n'
                f'ax.set_xlabel("{n}")\nax.set_ylabel("{n2}")\nplt.show()'
            ),
            (
                f'{f}.groupby("{c}")["{n}"].mean().sort_values().plot(kind="barh")\n'
                f'plt.title("mean {n} by {c}")\nplt.tight_layout()'
            ),
            f'{f}.boxplot(column="{n}", by="{c}", figsize=(8, 5))\nplt.suptitle("")\nplt.show()',
            (
                f'corr = {f}.select_dtypes("number").corr()\nplt.figure(figsize=(7, 6))\n'
                f'plt.imshow(corr, cmap="coolwarm", vmin=-1, vmax=1)\nplt.colorbar()\n'
                f"plt.xticks(range(len(corr)), corr.columns, rotation=90)\n"
                f"plt.yticks(range(len(corr)), corr.columns)\nplt.show()"
            ),
            (
                f"cols = {ds.numeric[:4]!r}\nfig, axes = plt.subplots(1, len(cols), figsize=(4 * len(cols), 3))\n"
                f"for ax, col in zip(axes, cols):\n    ax.hist({f}[col].dropna(), bins={bins})\n"
                f"    ax.set_title(col)\nplt.tight_layout()\nplt.show()"
            ),
            f'sns.histplot(data={f}, x="{n}", hue="{ds.target}", kde=True)\nplt.show()',
            f'sns.countplot(data={f}, x="{c}")\nplt.xticks(rotation=45)\nplt.show()',
            f'np.log1p({f}["{n}"]).plot(kind="kde")\nplt.title("log {n}")',
        ]
        if ds.date:
            d = ds.date
            options.append(
                f'{f}.set_index("{d}")["{n}"].resample("W").mean().plot(figsize=(10, 4))\n'
                f'plt.ylabel("{n}")\nplt.show()'
            )
        return self.code(self.pick(options), "plot")

    def feature(self) -> Cell:
        f, ds = self.frame, self.ds
        n, c = self.num(), self.cat()
        n2 = self.pick([x for x in ds.numeric if x != n] or [n])
        options: list[tuple[str, str]] = [
            (f'{f}["{n}_log"] = np.log1p({f}["{n}"].clip(lower=0))', "none"),
            (f'{f}["{n}_per_{n2}"] = {f}["{n}"] / ({f}["{n2}"] + 1)', "none"),
            (
                (
                    f'{f}["{n}_bin"] = pd.cut({f}["{n}"], bins={self.pick([4, 5, 10])}, labels=False)\n'
                    f'{f}["{n}_bin"].value_counts().sort_index()'
                ),
                "value",
            ),
            (f'{f}["{n}_z"] = ({f}["{n}"] - {f}["{n}"].mean()) / {f}["{n}"].std()', "none"),
            (f'{f}["{c}_mean_{n}"] = {f}.groupby("{c}")["{n}"].transform("mean")', "none"),
            (f'{f}["{n}_x_{n2}"] = {f}["{n}"] * {f}["{n2}"]', "none"),
            (
                f'counts = {f}["{c}"].value_counts()\n{f}["{c}_freq"] = {f}["{c}"].map(counts) / len({f})',
                "none",
            ),
            (
                (
                    f'for col in {ds.numeric[:3]!r}:\n    {f}[col + "_sq"] = {f}[col] ** 2\n'
                    f'{f}.filter(like="_sq").head()'
                ),
                "table",
            ),
        ]
        if ds.date:
            d = ds.date
            options += [
                (
                    (
                        f'{f}["{d}"] = pd.to_datetime({f}["{d}"])\n{f}["month"] = {f}["{d}"].dt.month\n'
                        f'{f}["dayofweek"] = {f}["{d}"].dt.dayofweek'
                    ),
                    "none",
                ),
                (
                    f'{f}["{n}_rolling"] = {f}.groupby("{c}")["{n}"].transform(lambda s: s.rolling(7, min_periods=1).mean())',
                    "none",
                ),
            ]
        if ds.text:
            t = ds.text
            options += [
                (
                    f'{f}["{t}_len"] = {f}["{t}"].str.len()\n{f}["{t}_words"] = {f}["{t}"].str.split().str.len()',
                    "none",
                ),
                (f'{f}["exclaim"] = {f}["{t}"].str.count("!")', "none"),
            ]
        src, out = self.pick(options)
        return self.code(src, out)

    def helper(self) -> Cell:
        f, ds = self.frame, self.ds
        n, c = self.num(), self.cat()
        base = name = self.pick(
            [
                "plot_distribution",
                "summarize",
                "add_features",
                "clean_frame",
                "evaluate",
                "top_values",
            ]
        )
        if name in self.helpers and not self.p.redefine:
            name = f"{name}_{len(self.helpers)}"
        self.helpers.append(name)
        bodies = {  # keyed by the base name; ``name`` may carry a suffix
            "plot_distribution": (
                (
                    f"def {name}(frame, column, bins=30):\n"
                    f'    """Histogram of one column with its mean marked."""\n'
                    f'    ax = frame[column].plot(kind="hist", bins=bins, alpha=0.7)\n'
                    f'    ax.axvline(frame[column].mean(), color="red", linestyle="--")\n'
                    f"    ax.set_title(column)\n"
                    f"    return ax\n\n"
                    f'{name}({f}, "{n}")'
                ),
                "plot",
            ),
            "summarize": (
                (
                    f"def {name}(frame, by):\n"
                    f'    out = frame.groupby(by).agg(n=("{n}", "size"), mean=("{n}", "mean"))\n'
                    f'    out["share"] = out["n"] / out["n"].sum()\n'
                    f'    return out.sort_values("n", ascending=False)\n\n'
                    f'{name}({f}, "{c}")'
                ),
                "table",
            ),
            "add_features": (
                (
                    f"def {name}(frame):\n"
                    f"    frame = frame.copy()\n"
                    f'    for col in frame.select_dtypes("number").columns:\n'
                    f"        if frame[col].skew() > 1:\n"
                    f'            frame[col + "_log"] = np.log1p(frame[col].clip(lower=0))\n'
                    f"    return frame\n\n"
                    f"{f} = {name}({f})\n{f}.shape"
                ),
                "value",
            ),
            "clean_frame": (
                (
                    f"def {name}(frame, threshold=0.5):\n"
                    f"    keep = frame.columns[frame.isna().mean() < threshold]\n"
                    f"    frame = frame[keep].drop_duplicates()\n"
                    f"    return frame.reset_index(drop=True)\n\n"
                    f"{f} = {name}({f})"
                ),
                "none",
            ),
            "evaluate": (
                f"def {name}(model, X, y):\n"
                f"    preds = model.predict(X)\n"
                + (
                    '    return {"accuracy": accuracy_score(y, preds), "f1": f1_score(y, preds, average="macro")}\n'
                    if ds.task == "classification"
                    else '    return {"mae": mean_absolute_error(y, preds), "r2": r2_score(y, preds)}\n'
                ),
                "none",
            ),
            "top_values": (
                (
                    f"def {name}(frame, column, k=5):\n"
                    f"    counts = {{}}\n"
                    f"    for value in frame[column]:\n"
                    f"        counts[value] = counts.get(value, 0) + 1\n"
                    f"    return sorted(counts.items(), key=lambda kv: -kv[1])[:k]\n\n"
                    f'{name}({f}, "{c}")'
                ),
                "value",
            ),
        }
        src, out = bodies[base]
        return self.code(src, out)

    def model_setup(self) -> list[Cell]:
        ds, f = self.ds, self.frame
        cells = []
        if self.p.markdown:
            cells.append(
                self.md(
                    self.pick(
                        [
                            "## Model",
                            "## Modelling",
                            "## 3. Baseline model",
                            "## Train / test split",
                        ]
                    )
                )
            )
        y = ds.label.replace("df", f) if ds.label else f"{f}[TARGET]"
        if ds.text:
            cells.append(
                self.code(f"vectorizer = TfidfVectorizer(min_df=2, ngram_range=(1, 2))\ny = {y}")
            )
            if self.p.leak:
                cells.append(
                    self.code(
                        f'X = vectorizer.fit_transform({f}["{ds.text}"])\n'
                        f"X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE{self.rs()})"
                    )
                )
            else:
                cells.append(
                    self.code(
                        f'text_train, text_test, y_train, y_test = train_test_split({f}["{ds.text}"], y, '
                        f"test_size=TEST_SIZE{self.rs()})\n"
                        f"X_train = vectorizer.fit_transform(text_train)\nX_test = vectorizer.transform(text_test)\n"
                        f"X_train.shape",
                        "value",
                    )
                )
            return cells
        feats = ds.numeric + ds.categorical
        cells.append(
            self.code(
                f"FEATURES = {feats!r}\n"
                f"X = pd.get_dummies({f}[FEATURES], columns={ds.categorical!r}, drop_first=True)\n"
                f"y = {y}\nX.shape, y.shape",
                "value",
            )
        )
        strat = ", stratify=y" if ds.task == "classification" and self.rng.random() < 0.5 else ""
        if self.p.leak:
            cells.append(
                self.code(
                    "scaler = StandardScaler()\nX_scaled = scaler.fit_transform(X)\n"
                    f"X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, test_size=TEST_SIZE{strat}{self.rs()})"
                )
            )
        else:
            cells.append(
                self.code(
                    f"X_train, X_test, y_train, y_test = train_test_split(\n"
                    f"    X, y, test_size=TEST_SIZE{strat}{self.rs()}\n)\nprint(X_train.shape, X_test.shape)",
                    "print",
                )
            )
            cells.append(
                self.code(
                    "scaler = StandardScaler()\nX_train = scaler.fit_transform(X_train)\n"
                    "X_test = scaler.transform(X_test)"
                )
            )
        return cells

    def model(self) -> Cell:
        ds = self.ds
        rs = self.rs()
        if ds.task == "classification":
            est = self.pick(
                [
                    "LogisticRegression(max_iter=1000)",
                    f"RandomForestClassifier(n_estimators={self.pick([100, 200, 500])}, max_depth={self.pick(['None', 5, 8, 12])}{rs})",
                    f"GradientBoostingClassifier(learning_rate={self.pick([0.05, 0.1, 0.2])}{rs})",
                    f"DecisionTreeClassifier(max_depth={self.pick([3, 4, 6])}{rs})",
                    "KNeighborsClassifier(n_neighbors=7)",
                ]
            )
            metrics = self.pick(
                [
                    'print("accuracy", accuracy_score(y_test, preds))\nprint("f1", f1_score(y_test, preds, average="macro"))',
                    "print(classification_report(y_test, preds))",
                    "confusion_matrix(y_test, preds)",
                ]
            )
        else:
            est = self.pick(
                [
                    "LinearRegression()",
                    f"Ridge(alpha={self.pick([0.1, 1.0, 10.0])})",
                    f"RandomForestRegressor(n_estimators={self.pick([100, 300])}{rs})",
                    f"GradientBoostingRegressor(max_depth={self.pick([3, 4])}{rs})",
                ]
            )
            metrics = self.pick(
                [
                    'print("MAE", mean_absolute_error(y_test, preds))\nprint("R2", r2_score(y_test, preds))',
                    'rmse = np.sqrt(mean_squared_error(y_test, preds))\nprint(f"RMSE: {rmse:.2f}")',
                ]
            )
        name = self.pick(["model", "clf" if ds.task == "classification" else "reg", "baseline"])
        out = "value" if metrics.startswith("confusion") else "print"
        timed = "%%time\n" if self.rng.random() < 0.12 else ""
        src = f"{timed}{name} = {est}\n{name}.fit(X_train, y_train)\npreds = {name}.predict(X_test)\n{metrics}"
        return self.code(src, out)

    def experiment(self) -> Cell:
        ds = self.ds
        rs = self.rs()
        score = "accuracy" if ds.task == "classification" else "r2"
        est = "RandomForestClassifier" if ds.task == "classification" else "RandomForestRegressor"
        options: list[tuple[str, str]] = [
            (
                (
                    f'scores = cross_val_score({est}(n_estimators=100{rs}), X_train, y_train, cv=5, scoring="{score}")\n'
                    f"print(scores.mean(), scores.std())"
                ),
                "print",
            ),
            (
                (
                    f"results = []\nfor depth in [2, 4, 6, 8, 12, None]:\n"
                    f"    m = {est}(max_depth=depth{rs})\n    m.fit(X_train, y_train)\n"
                    f"    results.append((depth, m.score(X_test, y_test)))\n"
                    f'pd.DataFrame(results, columns=["max_depth", "{score}"])'
                ),
                "table",
            ),
            (
                (
                    f'param_grid = {{"n_estimators": [100, 300], "max_depth": [4, 8, None]}}\n'
                    f'search = GridSearchCV({est}({rs.lstrip(", ")}), param_grid, cv=3, scoring="{score}", n_jobs=-1)\n'
                    f"search.fit(X_train, y_train)\nsearch.best_params_, search.best_score_"
                ),
                "value",
            ),
            (
                (
                    f"forest = {est}(n_estimators=200{rs}).fit(X_train, y_train)\n"
                    f'importances = pd.Series(forest.feature_importances_, index=X.columns if hasattr(X, "columns") else None)\n'
                    f'importances.sort_values().tail(15).plot(kind="barh")\nplt.show()'
                ),
                "plot",
            ),
            ("%timeit model.predict(X_test)", "print"),
            (
                (
                    "sample_idx = np.random.choice(len(y_test), size=20, replace=False)\n"
                    'pd.DataFrame({"true": np.asarray(y_test)[sample_idx], "pred": preds[sample_idx]})'
                ),
                "table",
            ),
        ]
        if ds.task == "classification":
            options.append(
                (
                    (
                        "probs = model.predict_proba(X_test)[:, 1]\n"
                        "fpr, tpr, _ = roc_curve(y_test, probs, pos_label=model.classes_[1])\n"
                        'plt.plot(fpr, tpr)\nplt.plot([0, 1], [0, 1], "k--")\nplt.xlabel("FPR")\nplt.ylabel("TPR")\nplt.show()'
                    ),
                    "plot",
                )
            )
        else:
            options.append(
                (
                    'plt.scatter(y_test, preds, alpha=0.3)\nplt.xlabel("actual")\nplt.ylabel("predicted")\nplt.show()',
                    "plot",
                )
            )
        src, out = self.pick(options)
        return self.code(src, out)

    def fresh(self, pool: Callable[[], Cell], tries: int = 6) -> Cell:
        """A cell from ``pool`` whose source this notebook has not used yet, if one comes up."""
        for _ in range(tries):
            cell = pool()
            if cell.source not in self.seen:
                break
        self.seen.add(cell.source)
        return cell

    def block(self, pool: Callable[[], Cell], k: int) -> Cell:
        """Several statements in one cell, the way cleaning and feature code piles up."""
        parts, shown = [], None
        for _ in range(k):
            cell = self.fresh(pool)
            if cell.output != "none":
                *code, last = cell.source.splitlines()
                if code and not last.startswith(("print(", " ")):  # a trailing display line
                    shown = shown or last
                    cell = self.code("\n".join(code))
                else:
                    continue
            comment = self.pick(COMMENTS) if self.rng.random() < 0.4 else ""
            parts.append((f"# {comment}\n" if comment else "") + cell.source)
        if not parts:
            return self.fresh(pool)
        src = "\n".join(parts)
        if shown and self.rng.random() < 0.5:
            return self.code(f"{src}\n{shown}", "value")
        return self.code(src, "none")

    def pipeline(self) -> Cell:
        ds = self.ds
        if ds.text:
            return self.experiment()
        est = (
            "LogisticRegression(max_iter=1000)"
            if ds.task == "classification"
            else f"Ridge(alpha={self.pick([0.3, 1.0, 3.0])})"
        )
        score = "accuracy" if ds.task == "classification" else "r2"
        return self.code(
            f"numeric = {ds.numeric!r}\n"
            f"categorical = {ds.categorical!r}\n"
            f"preprocess = ColumnTransformer([\n"
            f'    ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), numeric),\n'
            f'    ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),\n'
            f"])\n"
            f'pipe = Pipeline([("prep", preprocess), ("model", {est})])\n'
            f"raw_train, raw_test, ytr, yte = train_test_split(\n"
            f"    {self.frame}[numeric + categorical], y, test_size=TEST_SIZE{self.rs()}\n"
            f")\n"
            f"pipe.fit(raw_train, ytr)\n"
            f'print("{score}:", pipe.score(raw_test, yte))',
            "print",
        )

    def messy_cells(self) -> list[tuple[str, Cell]]:
        """Habits placed into sections: (section, cell)."""
        f = self.frame
        out: list[tuple[str, Cell]] = []
        if self.p.messy and not self.p.seeded:
            out.append(
                (
                    "inspect",
                    self.code(
                        self.pick(
                            [
                                f"{f}.sample(frac=0.1)",
                                f"noise = np.random.rand(len({f}))\n{f}['noise'] = noise",
                                f"idx = random.sample(range(len({f})), 50)\n{f}.iloc[idx].head()",
                                f"np.random.shuffle(rows := {f}.index.to_numpy())",
                            ]
                        ),
                        "table",
                    ),
                )
            )
        if self.p.redefine and self.helpers:
            name = self.helpers[0]
            out.append(
                (
                    "features",
                    self.code(
                        f"def {name}(frame, *args, **kwargs):\n    # quick fix, see above\n"
                        f"    return frame.head()\n",
                        "none",
                    ),
                )
            )
        if self.p.messy and self.rng.random() < 0.2:
            out.append(
                ("clean", self.code(f'os.chdir("{self.pick(["..", "/tmp", "notebooks"])}")'))
            )
        if self.p.messy and self.rng.random() < 0.1:
            out.append(
                (
                    "model",
                    self.code(
                        f'DB_PASSWORD = "{self.pick(["hunter2", "Summer2023!", "letmein-42"])}"\n'
                        f'conn_str = f"postgresql://analyst:{{DB_PASSWORD}}@db.internal:5432/warehouse"'
                    ),
                )
            )
        if self.p.messy and self.rng.random() < 0.25:
            out.append(("inspect", self.code("!ls -la data/", "print")))
        if self.p.syntax_error:
            out.append(("clean", self.code(f'print "rows:", len({f})', "none")))
        if self.p.messy and self.rng.random() < 0.3:
            out.append(("features", self.code(f"{f}.head()", "table")))
        return out

    # -- assemble -------------------------------------------------------------------

    def cells(self) -> list[Cell]:
        target = self.rng.randint(MIN_CODE_CELLS, MAX_CODE_CELLS)
        sections: dict[str, list[Cell]] = {
            "inspect": [],
            "clean": [],
            "eda": [],
            "features": [],
            "model": [],
            "experiments": [],
        }
        pools: dict[str, Callable[[], Cell]] = {
            "inspect": self.inspect,
            "clean": self.clean,
            "eda": self.eda,
            "features": self.feature,
            "experiments": self.experiment,
        }
        weights = {"inspect": 3, "clean": 2, "eda": 3, "features": 3, "experiments": 2}
        # a core every notebook has
        for sec, k in (("inspect", 2), ("clean", 2), ("eda", 2), ("features", 2)):
            sections[sec] += [self.fresh(pools[sec]) for _ in range(k)]
        sections["features"].append(self.helper())
        sections["model"] += self.model_setup()
        sections["model"].append(self.model())
        if self.p.messy and self.rng.random() < 0.3:  # the one cell that does everything
            sections["features"].append(
                self.block(
                    lambda: self.fresh(self.rng.choice([self.clean, self.feature])),
                    self.rng.randint(14, 24),
                )
            )
        for sec, cell in self.messy_cells():
            pos = self.rng.randint(0, len(sections[sec]))
            sections[sec].insert(pos, cell)

        intro, rest = self.intro(), self.config() + self.load()
        head = intro + rest
        fixed = len([c for c in head if c.kind == "code"]) + 2  # + imports, inline magic
        count = fixed + sum(1 for s in sections.values() for c in s if c.kind == "code")
        names = list(weights)
        while count < target:
            sec = self.rng.choices(names, [weights[n] for n in names])[0]
            roll = self.rng.random()
            if sec == "features" and roll < 0.12:
                cell = self.helper()
            elif sec == "experiments" and roll < 0.25:
                cell = self.model()
            elif sec == "experiments" and roll < 0.35:
                cell = self.pipeline()
            elif sec in ("clean", "features") and roll < 0.45:
                cell = self.block(pools[sec], self.rng.randint(2, 4))
            else:
                cell = self.fresh(pools[sec])
            sections[sec].append(cell)
            count += 1

        titles = {
            "inspect": ["## First look", "## 2. Explore", "### Inspect"],
            "clean": ["## Cleaning", "## Data cleaning", "### Fix missing values and outliers"],
            "eda": ["## Plots", "## Exploratory analysis", "### Distributions"],
            "features": ["## Feature engineering", "## Features", "### New columns"],
            "experiments": ["## Experiments", "## Tuning", "### Try a few models"],
        }
        body: list[Cell] = []
        for sec in ("inspect", "clean", "eda", "features", "model", "experiments"):
            cells = sections[sec]
            if self.p.markdown and sec in titles and cells:
                body.append(self.md(self.pick(titles[sec])))
            for cell in cells:
                body.append(cell)
                if self.p.markdown and self.rng.random() < 0.08:
                    body.append(self.md(self.pick(NOTES)))
        imports, late = self.imports(head + body)
        if late:  # scattered imports: put them just before the model section
            at = next((i for i, c in enumerate(body) if "train_test_split(" in c.source), len(body))
            body[at:at] = late
        tail: list[Cell] = []
        if self.p.markdown and self.rng.random() < 0.6:
            tail.append(self.md("## Conclusions\n\n" + self.pick(CONCLUSIONS)))
        if self.rng.random() < 0.3:
            tail.append(self.code(f'{self.frame}.to_csv("{self.ds.name}_clean.csv", index=False)'))
        if self.rng.random() < 0.35:
            tail.append(self.code(""))
        # keep the code cells within [MIN, MAX]: trim padding from the end of the body
        cells = intro + imports + rest + body + tail
        while sum(c.kind == "code" for c in cells) > MAX_CODE_CELLS:
            idx = max(i for i, c in enumerate(cells) if c.kind == "code" and c in body)
            del cells[idx]
        return cells


SKLEARN = {
    "train_test_split": "sklearn.model_selection",
    "cross_val_score": "sklearn.model_selection",
    "GridSearchCV": "sklearn.model_selection",
    "StandardScaler": "sklearn.preprocessing",
    "OneHotEncoder": "sklearn.preprocessing",
    "SimpleImputer": "sklearn.impute",
    "ColumnTransformer": "sklearn.compose",
    "Pipeline": "sklearn.pipeline",
    "TfidfVectorizer": "sklearn.feature_extraction.text",
    "LogisticRegression": "sklearn.linear_model",
    "LinearRegression": "sklearn.linear_model",
    "Ridge": "sklearn.linear_model",
    "RandomForestClassifier": "sklearn.ensemble",
    "RandomForestRegressor": "sklearn.ensemble",
    "GradientBoostingClassifier": "sklearn.ensemble",
    "GradientBoostingRegressor": "sklearn.ensemble",
    "DecisionTreeClassifier": "sklearn.tree",
    "KNeighborsClassifier": "sklearn.neighbors",
    "accuracy_score": "sklearn.metrics",
    "f1_score": "sklearn.metrics",
    "classification_report": "sklearn.metrics",
    "confusion_matrix": "sklearn.metrics",
    "roc_curve": "sklearn.metrics",
    "mean_absolute_error": "sklearn.metrics",
    "mean_squared_error": "sklearn.metrics",
    "r2_score": "sklearn.metrics",
}

UNUSED = [
    "import os",
    "import sys",
    "import json",
    "import seaborn as sns",
    "import scipy.stats as stats",
    "from sklearn.svm import SVC",
    "from datetime import datetime",
    "import pickle",
    "from tqdm import tqdm",
    "import re",
]

NOTES = [
    "Looks like there are a few outliers here; revisit later.",
    "**Note:** this takes a while on the full data.",
    "TODO: ask the data team about the missing values.",
    "The distribution is quite skewed, so a log transform might help.",
    "Results below are from the run on Friday.",
    "### Quick check",
]

COMMENTS = [
    "fix types",
    "handle missing values",
    "TODO: check with data owner",
    "outliers",
    "new features",
    "this helped the score",
    "quick hack",
    "normalise",
    "from the old notebook",
]

CONCLUSIONS = [
    "The tree models beat the linear baseline by a few points. Next: tune and add features.",
    "Not much signal in the categorical columns. Need more data.",
    "Baseline is good enough for a first demo; the scores are not stable across seeds though.",
    "- cleaning steps need to move into the pipeline\n- check the leakage question with the team",
]


# --------------------------------------------------------------------------- outputs and writing


def _out(output_type: str, **fields) -> dict:
    """One output as nbformat stores it (built as a dict: validated once per notebook)."""
    return {"output_type": output_type, **fields}


class OutputMaker:
    def __init__(self, rng: random.Random, ds: Dataset, pngs: list[str]) -> None:
        self.rng = rng
        self.ds = ds
        self.pngs = pngs

    def value(self, col: Column, row: int) -> str:
        r = self.rng
        if col.kind == "id":
            return f"{col.prefix}{10000 + row}"
        if col.kind == "int":
            return str(r.randint(int(col.low), int(col.high)))
        if col.kind == "float":
            return f"{r.uniform(col.low, col.high):.2f}"
        if col.kind == "cat":
            return r.choice(col.choices)
        if col.kind == "bool":
            return r.choice(("True", "False"))
        if col.kind == "date":
            return f"2023-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        return " ".join(r.choice(WORDS) for _ in range(r.randint(4, 9)))[:40]

    def table(self) -> list:
        cols = list(self.ds.columns[:8])
        rows = [[self.value(c, i) for c in cols] for i in range(5)]
        widths = [max(len(c.name), *(len(row[j]) for row in rows)) for j, c in enumerate(cols)]
        lines = ["   " + "  ".join(c.name.rjust(w) for c, w in zip(cols, widths))]
        lines += [
            f"{i:<3}" + "  ".join(v.rjust(w) for v, w in zip(row, widths))
            for i, row in enumerate(rows)
        ]
        html = (
            '<div>\n<table border="1" class="dataframe">\n  <thead>\n    <tr style="text-align: right;">\n'
            "      <th></th>\n"
            + "".join(f"      <th>{c.name}</th>\n" for c in cols)
            + "    </tr>\n  </thead>\n  <tbody>\n"
            + "".join(
                f"    <tr>\n      <th>{i}</th>\n"
                + "".join(f"      <td>{v}</td>\n" for v in row)
                + "    </tr>\n"
                for i, row in enumerate(rows)
            )
            + "  </tbody>\n</table>\n</div>"
        )
        data = {"text/plain": "\n".join(lines)}
        if self.rng.random() < 0.8:
            data["text/html"] = html
        return [data]

    def outputs(self, cell: Cell, count: int | None) -> list:
        r = self.rng
        if count is None or cell.output == "none":
            outs = []
        elif cell.output == "table":
            outs = [
                _out("execute_result", data=self.table()[0], metadata={}, execution_count=count)
            ]
        elif cell.output == "value":
            n = r.randint(2, 8)
            text = (
                "\n".join(
                    f"{self.value(c, 0):<24}{r.uniform(0, 1000):.4f}" for c in self.ds.columns[:n]
                )
                + "\ndtype: float64"
            )
            outs = [
                _out(
                    "execute_result", data={"text/plain": text}, metadata={}, execution_count=count
                )
            ]
        elif cell.output == "print":
            text = "\n".join(
                f"{r.choice(WORDS)} {r.uniform(0, 1):.4f}" for _ in range(r.randint(1, 6))
            )
            outs = [_out("stream", name="stdout", text=text + "\n")]
        else:  # plot
            outs = [
                _out(
                    "display_data",
                    metadata={},
                    data={
                        "image/png": r.choice(self.pngs),
                        "text/plain": "<Figure size 640x480 with 1 Axes>",
                    },
                )
            ]
        if count is not None and r.random() < 0.03:
            outs.insert(
                0,
                _out(
                    "stream",
                    name="stderr",
                    text=(
                        f"/tmp/ipykernel_{r.randint(1000, 99999)}/{r.randint(100000, 999999)}.py:3: FutureWarning: "
                        "The default of observed=False is deprecated and will be changed to True in a future "
                        "version of pandas.\n"
                    ),
                ),
            )
        return outs


def _generate(rng: random.Random, index: int, pngs: list[str]) -> tuple[str, nbformat.NotebookNode]:
    ds = rng.choice(DATASETS)
    gen = Generator(rng, ds, pngs)
    cells = gen.cells()
    maker = OutputMaker(rng, ds, pngs)
    kernel = kernelspec("python3", "python", "Python 3 (ipykernel)")
    language_info = {
        "name": "python",
        "version": rng.choice(["3.10.12", "3.11.7", "3.12.3"]),
        "mimetype": "text/x-python",
        "file_extension": ".py",
    }
    code_cells = [c for c in cells if c.kind == "code"]
    # execution counts: in order, with gaps from re-runs, sometimes shuffled, sometimes a tail not run
    counts: list[int | None] = []
    n = 0
    for _ in code_cells:
        n += 1 if n == 0 or rng.random() < 0.85 else rng.randint(2, 6)
        counts.append(n)
    if not gen.p.executed:
        counts = [None] * len(counts)
    else:
        if gen.p.out_of_order and len(counts) > 4:
            for _ in range(rng.randint(1, 4)):
                i, j = rng.sample(range(len(counts)), 2)
                counts[i], counts[j] = counts[j], counts[i]
        if gen.p.messy and rng.random() < 0.25:
            for i in range(len(counts) - rng.randint(1, 5), len(counts)):
                counts[i] = None
    error_at = rng.randrange(len(code_cells)) if gen.p.error_output else -1
    out_cells: list[CellSpec] = []
    k = 0
    for cell in cells:
        if cell.kind == "markdown":
            out_cells.append(CellSpec(cell.source, "markdown", id=f"{rng.getrandbits(48):012x}"))
            continue
        count = counts[k]
        outputs = maker.outputs(cell, count)
        if k == error_at and count is not None:
            outputs = [
                _out(
                    "error",
                    ename="KeyError",
                    evalue=f"'{ds.target}_old'",
                    traceback=[
                        "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
                        "\x1b[0;31mKeyError\x1b[0m                                  Traceback (most recent call last)",
                        f"\x1b[0;31mKeyError\x1b[0m: '{ds.target}_old'",
                    ],
                )
            ]
        k += 1
        out_cells.append(
            CellSpec(
                cell.source,
                "code",
                cell.tags,
                count,
                tuple(outputs),
                id=f"{rng.getrandbits(48):012x}",
            )
        )
    nb = build_notebook(out_cells, kernel=kernel, metadata={"language_info": language_info})
    return f"gen_{index:03d}_{ds.name}.ipynb", nb


def _pngs(rng: random.Random, k: int = 8) -> list[str]:
    out = []
    for _ in range(k):
        series = [0.0]
        for _ in range(60):
            series.append(series[-1] + rng.gauss(0, 1))
        color = rng.choice([(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)])
        out.append(_png(rng.choice([384, 432, 560]), rng.choice([260, 288, 350]), series, color))
    return out


def build_corpus(
    dest: Path = DEFAULT_DEST,
    count: int = DEFAULT_COUNT,
    seed: int = DEFAULT_SEED,
    examples: Path = EXAMPLES,
    quiet: bool = False,
) -> list[Path]:
    """(Re)build the corpus in ``dest``; returns the notebook paths, sorted.

    Every ``*.ipynb`` already in ``dest`` is removed first, so the folder holds
    exactly this corpus.
    """
    started = time.perf_counter()
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.ipynb"):
        old.unlink()
    copied = []
    if examples.is_dir():
        for nb_path in sorted(examples.glob("*.ipynb")):
            target = dest / f"example_{nb_path.name}"
            shutil.copyfile(nb_path, target)
            copied.append(target)
    rng = random.Random(seed)
    pngs = _pngs(rng)
    written = []
    for i in range(count):
        name, nb = _generate(rng, i, pngs)
        path = dest / name
        nbformat.validate(nb)
        path.write_text(nbformat.writes(nb), encoding="utf-8")
        written.append(path)
    paths = sorted(copied + written)
    stats = corpus_stats(paths)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "generated": count,
        "examples": [p.name for p in copied],
        **stats,
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if not quiet:
        print(
            f"corpus: {len(paths)} notebooks ({len(copied)} examples + {count} generated, seed {seed}) "
            f"in {dest} [{time.perf_counter() - started:.1f} s]",
            file=sys.stderr,
        )
    return paths


def corpus_stats(paths: list[Path]) -> dict:
    """Counts that describe a corpus: notebooks, cells, code lines, bytes."""
    code_cells = md_cells = lines = size = 0
    per_nb = []
    for path in paths:
        size += path.stat().st_size
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        n = 0
        for cell in nb.get("cells", []):
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            if cell.get("cell_type") == "code":
                n += 1
                lines += len(src.splitlines())
            elif cell.get("cell_type") == "markdown":
                md_cells += 1
        code_cells += n
        per_nb.append(n)
    return {
        "notebooks": len(paths),
        "code_cells": code_cells,
        "markdown_cells": md_cells,
        "code_lines": lines,
        "bytes": size,
        "code_cells_min": min(per_nb, default=0),
        "code_cells_max": max(per_nb, default=0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument(
        "--count",
        type=int,
        default=DEFAULT_COUNT,
        help="generated notebooks, on top of the examples (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    paths = build_corpus(args.dest, args.count, args.seed)
    print(json.dumps(corpus_stats(paths), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
