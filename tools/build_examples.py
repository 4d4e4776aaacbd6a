#!/usr/bin/env python
"""Build the example notebooks in ``notebooks/examples/``.

This script is the source of truth for the fixtures: it writes the CSV data
files, builds every notebook from the cell specs below, executes it for real
in a fresh ``python3`` kernel (working directory = ``notebooks/examples``),
applies the deliberate "history" a messy notebook carries (cells run out of
order, a cell deleted after it ran, an error output left behind by a cell
that was fixed later, a cell never run), and writes ``README.md`` and
``expected_findings.json`` from the same specs, so cell indexes in the table
can never drift from the notebooks.

Usage::

    python tools/build_examples.py                 # data + all notebooks + README + JSON
    python tools/build_examples.py --only iris_exploration churn_clean
    python tools/build_examples.py --data-only
    python tools/build_examples.py --docs-only     # README + JSON only
    python tools/build_examples.py --verify        # papermill each notebook, compare with "runs"

Execution order per notebook: by default every code cell is run top to
bottom.  A spec may give ``plan`` (the keys of the cells in the order the
author ran them); cells left out of the plan keep ``execution_count`` null.
``exec_source`` is the source a cell had when it ran (the stored source is
``source``); ``deleted=True`` cells are executed and then removed.

Outputs are real, except for the R notebook, which is stored unexecuted (no
R kernel here).  Some outputs are volatile by design (``%time``, unseeded
randomness, a token read from the environment); rebuilding changes those.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "notebooks" / "examples"

MAX_CSV_BYTES = 60_000
MAX_NOTEBOOK_BYTES = 1_250_000
LARGE_OUTPUT_MIN = (
    1_060_000  # H501 fixture: raw output text must exceed 1 MiB with margin
)

# Obviously fake, well-formed credentials (AWS's own documentation example key;
# a GitHub-shaped token that is not a real one).
FAKE_AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
FAKE_GITHUB_TOKEN = "ghp_" + "HardenExampleFakeToken" + "0" * 14

PY_KERNELSPEC = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}
PY_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11.7",
}
R_KERNELSPEC = {"display_name": "R", "language": "R", "name": "ir"}
R_LANGUAGE_INFO = {
    "codemirror_mode": "r",
    "file_extension": ".r",
    "mimetype": "text/x-r-source",
    "name": "R",
    "pygments_lexer": "r",
    "version": "4.3.1",
}


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------


def _churn(rng: np.random.Generator) -> pd.DataFrame:
    n = 600
    tenure = rng.integers(1, 73, n)
    p_m2m = np.clip(0.85 - tenure / 90, 0.1, 0.9)
    u = rng.random(n)
    contract = np.where(
        u < p_m2m,
        "month-to-month",
        np.where(u < p_m2m + (1 - p_m2m) / 2, "one_year", "two_year"),
    )
    internet = rng.choice(["dsl", "fiber", "none"], n, p=[0.35, 0.45, 0.20])
    payment = rng.choice(
        ["electronic_check", "mailed_check", "bank_transfer", "credit_card"],
        n,
        p=[0.35, 0.2, 0.22, 0.23],
    )
    base = np.select([internet == "none", internet == "dsl"], [22.0, 55.0], 90.0)
    monthly = np.round(base + rng.normal(0, 8, n).clip(-15, 20), 2)
    total = np.round(monthly * tenure * rng.normal(1, 0.03, n), 2)
    total = pd.Series(total)
    total[rng.choice(np.flatnonzero(tenure <= 3), 9, replace=False)] = np.nan
    calls = rng.poisson(1.0 + 0.9 * (internet == "fiber"), n)
    senior = (rng.random(n) < 0.16).astype(int)
    logit = (
        -1.6
        + 1.5 * (contract == "month-to-month")
        - 0.035 * tenure
        + 0.45 * calls
        + 0.7 * (internet == "fiber")
        + 0.5 * (payment == "electronic_check")
        + 0.4 * senior
    )
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "customer_id": [f"C{10000 + i}" for i in range(n)],
            "tenure_months": tenure,
            "contract": contract,
            "internet_service": internet,
            "payment_method": payment,
            "monthly_charges": monthly,
            "total_charges": total,
            "support_calls": calls,
            "senior": senior,
            "churned": np.where(churned, "Yes", "No"),
        }
    )


def _housing(rng: np.random.Generator) -> pd.DataFrame:
    n = 520
    hoods = {
        "Northside": 1.0,
        "Riverside": 1.25,
        "Old Town": 1.1,
        "Hillcrest": 1.45,
        "Lakeview": 1.6,
    }
    neighborhood = rng.choice(list(hoods), n, p=[0.28, 0.22, 0.2, 0.18, 0.12])
    sqft = np.round(rng.normal(1800, 550, n).clip(480, 4600), -1).astype(int)
    sqft[rng.choice(n, 4, replace=False)] = rng.integers(8, 40, 4)  # data-entry errors
    bedrooms = np.clip(np.round(sqft / 650 + rng.normal(0, 0.7, n)), 1, 6).astype(int)
    bathrooms = np.clip(
        np.round((bedrooms * 0.6 + rng.normal(0.4, 0.5, n)) * 2) / 2, 1, 4.5
    )
    year = rng.integers(1905, 2024, n)
    lot = np.round(np.maximum(sqft, 600) * rng.uniform(1.4, 5.0, n), -1)
    garage = rng.choice([0, 1, 2, 3], n, p=[0.2, 0.35, 0.38, 0.07]).astype(float)
    condition = rng.choice([1, 2, 3, 4, 5], n, p=[0.04, 0.14, 0.42, 0.28, 0.12])
    pool = rng.random(n) < 0.12
    mult = np.array([hoods[h] for h in neighborhood])
    log_price = (
        np.log(290)
        + 0.82 * np.log(np.maximum(sqft, 480))
        + np.log(mult)
        + 0.035 * bathrooms
        - 0.0022 * (2024 - year)
        + 0.00002 * (2024 - year) ** 2
        + 0.045 * (condition - 3)
        + 0.03 * garage
        + 0.06 * pool
        + 0.08 * np.log(lot / 1000)
        + rng.normal(0, 0.11, n)
    )
    price = np.round(np.exp(log_price), -2)
    lot = pd.Series(lot)
    lot[rng.choice(n, 20, replace=False)] = np.nan
    garage = pd.Series(garage)
    garage[rng.choice(n, 14, replace=False)] = np.nan
    price = pd.Series(price)
    price[rng.choice(n, 6, replace=False)] = np.nan
    return pd.DataFrame(
        {
            "listing_id": np.arange(1001, 1001 + n),
            "neighborhood": neighborhood,
            "sqft": sqft,
            "bedrooms": bedrooms,
            "bathrooms": bathrooms,
            "year_built": year,
            "lot_sqft": lot,
            "garage_spaces": garage,
            "condition": condition,
            "has_pool": pool,
            "sale_price": price,
        }
    )


SALES_HOLIDAYS = [
    "2023-01-01",
    "2023-01-16",
    "2023-02-20",
    "2023-05-29",
    "2023-07-04",
    "2023-08-28",
]


def _sales(rng: np.random.Generator) -> pd.DataFrame:
    dates = pd.date_range("2023-01-01", periods=240, freq="D")
    base = {
        ("north", "grocery"): 140,
        ("north", "home"): 45,
        ("north", "toys"): 28,
        ("south", "grocery"): 110,
        ("south", "home"): 38,
        ("south", "toys"): 35,
    }
    price = {"grocery": 4.5, "home": 18.0, "toys": 24.0}
    weekly = np.array([0.92, 0.88, 0.9, 0.95, 1.08, 1.25, 1.15])  # Mon..Sun
    holiday = dates.isin(pd.to_datetime(SALES_HOLIDAYS))
    rows = []
    for (store, cat), level in base.items():
        promo = rng.random(len(dates)) < 0.1
        trend = 1 + 0.0006 * np.arange(len(dates))
        mu = (
            level
            * trend
            * weekly[dates.day_of_week]
            * np.where(promo, 1.35, 1.0)
            * np.where(holiday, 0.7, 1.0)
        )
        units = rng.poisson(mu)
        unit_price = np.round(
            price[cat] * np.where(promo, 0.85, 1.0) * rng.normal(1, 0.02, len(dates)), 2
        )
        rows.append(
            pd.DataFrame(
                {
                    "date": dates.strftime("%Y-%m-%d"),
                    "store": store,
                    "category": cat,
                    "units": units,
                    "unit_price": unit_price,
                    "promo": promo.astype(int),
                }
            )
        )
    return (
        pd.concat(rows)
        .sort_values(["date", "store", "category"])
        .reset_index(drop=True)
    )


def _iris() -> pd.DataFrame:
    from sklearn.datasets import load_iris

    bunch = load_iris()
    frame = pd.DataFrame(
        bunch.data,
        columns=["sepal_length", "sepal_width", "petal_length", "petal_width"],
    )
    frame["species"] = bunch.target_names[bunch.target]
    return frame


def _reviews(rng: np.random.Generator) -> pd.DataFrame:
    products = [
        "kettle",
        "blender",
        "toaster",
        "headphones",
        "desk lamp",
        "backpack",
        "water bottle",
    ]
    pos = [
        "works great",
        "really love it",
        "excellent build quality",
        "arrived quickly",
        "easy to use",
        "worth every penny",
        "very comfortable",
        "looks beautiful",
        "highly recommend",
        "battery lasts forever",
        "quiet and powerful",
        "great value",
    ]
    neg = [
        "stopped working",
        "broke after a week",
        "cheap plastic",
        "very disappointed",
        "returned it",
        "waste of money",
        "too noisy",
        "arrived damaged",
        "poor customer service",
        "does not fit",
        "leaks everywhere",
        "instructions useless",
    ]
    neutral = [
        "bought it for my kitchen",
        "second one I own",
        "gift for my dad",
        "used it daily",
        "as described",
    ]
    rows = []
    for i in range(600):
        rating = int(rng.choice([1, 2, 3, 4, 5], p=[0.14, 0.1, 0.12, 0.27, 0.37]))
        p_pos = {1: 0.08, 2: 0.2, 3: 0.5, 4: 0.8, 5: 0.92}[rating]
        n_phr = int(rng.integers(2, 4))
        n_pos = int((rng.random(n_phr) < p_pos).sum())
        phrases = [str(x) for x in rng.choice(pos, n_pos, replace=False)]
        phrases += [str(x) for x in rng.choice(neg, n_phr - n_pos, replace=False)]
        phrases = [phrases[j] for j in rng.permutation(len(phrases))]
        if rng.random() < 0.4:
            phrases.insert(
                int(rng.integers(0, len(phrases) + 1)), str(rng.choice(neutral))
            )
        product = str(rng.choice(products))
        text = (
            f"The {product}: "
            + ", ".join(phrases)
            + ("!" if rng.random() < 0.3 else ".")
        )
        rows.append(
            {"review_id": 5000 + i, "product": product, "rating": rating, "text": text}
        )
    return pd.DataFrame(rows)


def _customers_orders(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_cust = 250
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(
        rng.integers(0, 540, n_cust), unit="D"
    )
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{1001 + i}" for i in range(n_cust)],
            "signup_date": signup.strftime("%Y-%m-%d"),
            "region": rng.choice(
                ["east", "west", "central"], n_cust, p=[0.4, 0.35, 0.25]
            ),
            "channel": rng.choice(
                ["organic", "paid_search", "referral"], n_cust, p=[0.5, 0.3, 0.2]
            ),
        }
    )
    end = pd.Timestamp("2023-12-31")
    rows = []
    oid = 100001
    for cid, start, channel in zip(
        customers["customer_id"], signup, customers["channel"]
    ):
        rate = {"organic": 0.9, "paid_search": 0.6, "referral": 1.1}[
            channel
        ] * rng.gamma(2.0, 0.5)
        life_days = int(rng.exponential(300))
        last = min(end, start + pd.Timedelta(days=life_days))
        months = max((last - start).days / 30.4, 0.3)
        n_orders = max(1, int(rng.poisson(rate * months)))
        spend = rng.gamma(4.0, 14.0)
        for _ in range(min(n_orders, 12)):
            day = start + pd.Timedelta(
                days=int(rng.integers(0, max((last - start).days, 1) + 1))
            )
            items = int(rng.integers(1, 6))
            amount = round(float(spend * items * rng.uniform(0.6, 1.4) / 2.5), 2)
            if rng.random() < 0.01:
                amount = 0.0  # internal test orders
            rows.append(
                (
                    f"O{oid}",
                    cid,
                    day.strftime("%Y-%m-%d"),
                    amount,
                    items,
                    bool(rng.random() < 0.05),
                )
            )
            oid += 1
    orders = pd.DataFrame(
        rows,
        columns=[
            "order_id",
            "customer_id",
            "order_date",
            "amount",
            "items",
            "returned",
        ],
    )
    orders = orders.sort_values(["order_date", "order_id"]).reset_index(drop=True)
    return customers, orders


def _sensors(rng: np.random.Generator) -> pd.DataFrame:
    stamps = pd.date_range("2024-03-01", periods=240, freq="h")
    frames = []
    for k, (temp0, vib0) in enumerate(
        [(68.0, 0.40), (72.5, 0.35), (65.0, 0.55), (70.0, 0.45)]
    ):
        daily = 2.0 * np.sin(2 * np.pi * (stamps.hour.to_numpy() - 14) / 24)
        temp = (
            temp0
            + daily
            + np.cumsum(rng.normal(0, 0.08, len(stamps)))
            + rng.normal(0, 0.35, len(stamps))
        )
        vib = vib0 + rng.normal(0, 0.03, len(stamps))
        spikes = rng.choice(np.arange(24, len(stamps)), 3 + k, replace=False)
        temp[spikes] += rng.uniform(4, 9, len(spikes))
        vib[spikes[: len(spikes) // 2]] += rng.uniform(0.3, 0.6, len(spikes) // 2)
        frames.append(
            pd.DataFrame(
                {
                    "timestamp": stamps.strftime("%Y-%m-%d %H:%M"),
                    "sensor_id": f"S-0{k + 1}",
                    "temperature": np.round(temp, 2),
                    "vibration": np.round(vib, 3),
                    "pressure": np.round(101.3 + rng.normal(0, 0.4, len(stamps)), 1),
                }
            )
        )
    out = pd.concat(frames)
    # the logger writes rows in arrival order, not sorted
    return out.iloc[rng.permutation(len(out))].reset_index(drop=True)


def _loans(rng: np.random.Generator) -> pd.DataFrame:
    n = 650
    age = rng.integers(21, 70, n)
    employment = rng.choice(
        ["salaried", "self_employed", "unemployed"], n, p=[0.72, 0.22, 0.06]
    )
    income = np.round(
        np.exp(rng.normal(10.9, 0.45, n))
        * np.select([employment == "unemployed"], [0.35], 1.0),
        -2,
    )
    purpose = rng.choice(
        ["car", "home_improvement", "debt_consolidation", "education"],
        n,
        p=[0.3, 0.25, 0.35, 0.1],
    )
    loan = np.round(rng.uniform(0.05, 0.6, n) * income, -2)
    term = rng.choice([12, 24, 36, 60], n, p=[0.15, 0.3, 0.35, 0.2])
    history = np.clip(age - 18 - rng.integers(0, 10, n), 0, None)
    accounts = rng.poisson(4, n)
    logit = (
        -2.6
        + 5.5 * loan / income
        - 0.07 * history
        + 0.18 * accounts
        + 1.8 * (employment == "unemployed")
        + 0.6 * (employment == "self_employed")
        + 0.7 * (purpose == "debt_consolidation")
    )
    defaulted = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {
            "applicant_id": np.arange(70001, 70001 + n),
            "age": age,
            "income": income,
            "loan_amount": loan,
            "term_months": term,
            "credit_history_years": history,
            "open_accounts": accounts,
            "employment": employment,
            "purpose": purpose,
            "defaulted": defaulted,
        }
    )


def write_data() -> None:
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    customers, orders = _customers_orders(np.random.default_rng(404))
    files = {
        "churn.csv": _churn(np.random.default_rng(101)),
        "housing.csv": _housing(np.random.default_rng(202)),
        "sales.csv": _sales(np.random.default_rng(303)),
        "iris.csv": _iris(),
        "reviews.csv": _reviews(np.random.default_rng(505)),
        "customers.csv": customers,
        "orders.csv": orders,
        "sensors.csv": _sensors(np.random.default_rng(606)),
        "loans.csv": _loans(np.random.default_rng(707)),
    }
    for name, frame in files.items():
        path = EXAMPLES / name
        frame.to_csv(path, index=False, lineterminator="\n")
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise SystemExit(f"{name} is {size} bytes (> {MAX_CSV_BYTES})")
        print(f"  {name:<14} {len(frame):>5} rows {size:>7} bytes")


# --------------------------------------------------------------------------
# notebook specs
# --------------------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # "code" | "markdown"
    source: str
    key: str | None = None
    tags: tuple[str, ...] = ()
    exec_source: str | None = None  # source at the time it ran, when it differs
    expect_error: bool = False  # running exec_source raises (stored error output)
    deleted: bool = False  # executed, then removed from the notebook


def md(source: str, key: str | None = None) -> Cell:
    return Cell("markdown", textwrap.dedent(source).strip("\n"), key)


def code(source: str, key: str | None = None, **kw) -> Cell:
    return Cell("code", textwrap.dedent(source).strip("\n"), key, **kw)


@dataclass
class Spec:
    name: str
    kind: str  # "lint" | "extract" | "other"
    summary: str
    cells: list[Cell]
    expected: list[tuple[str, str | None]]  # (rule, cell key or None)
    runs: bool
    runs_note: str = ""
    plan: list[str] | None = None  # execution order by key; None = top to bottom
    env: dict[str, str] = field(default_factory=dict)
    language: str = "python"
    execute: bool = True
    notes: str = ""

    def stored_cells(self) -> list[Cell]:
        return [c for c in self.cells if not c.deleted]

    def index_of(self, key: str) -> int:
        for i, c in enumerate(self.stored_cells()):
            if c.key == key:
                return i
        raise KeyError(f"{self.name}: no stored cell with key {key!r}")

    def findings(self) -> list[list]:
        out = [
            [rule, None if key is None else self.index_of(key)]
            for rule, key in self.expected
        ]
        return sorted(out, key=lambda f: (-1 if f[1] is None else f[1], f[0]))


SPECS: list[Spec] = []


def spec(**kw) -> Spec:
    s = Spec(**kw)
    keys = [c.key for c in s.cells if c.key]
    if len(keys) != len(set(keys)):
        raise SystemExit(f"{s.name}: duplicate cell keys")
    SPECS.append(s)
    return s


# ---------------------------------------------------------------- churn_clean
spec(
    name="churn_clean.ipynb",
    kind="lint",
    summary="Tidy churn model: parameters cell, relative path, seeded split and model, "
    "preprocessing inside a Pipeline fitted on the training split only. Must lint clean.",
    expected=[],
    runs=True,
    cells=[
        md(
            """
            # Customer churn model

            Predict which subscribers cancel from their account and usage data
            (`churn.csv`, one row per customer). The model is a logistic regression
            inside a scikit-learn `Pipeline`, so imputation, scaling and encoding are
            fitted on the training split only.
            """
        ),
        code(
            """
            import matplotlib.pyplot as plt
            import pandas as pd
            from sklearn.compose import ColumnTransformer
            from sklearn.impute import SimpleImputer
            from sklearn.linear_model import LogisticRegression
            from sklearn.metrics import classification_report, roc_auc_score
            from sklearn.model_selection import train_test_split
            from sklearn.pipeline import Pipeline
            from sklearn.preprocessing import OneHotEncoder, StandardScaler
            """,
            "imports",
        ),
        md("## Parameters"),
        code(
            """
            data_path = "churn.csv"
            test_size = 0.25
            regularization = 1.0
            seed = 42
            """,
            "parameters",
            tags=("parameters",),
        ),
        md(
            """
            ## Load and clean

            `total_charges` is blank for a few customers in their first months; it is
            rebuilt from `monthly_charges × tenure_months`. The target becomes 0/1.
            """
        ),
        code(
            """
            raw = pd.read_csv(data_path)
            print(f"{len(raw)} customers, {raw['churned'].eq('Yes').mean():.1%} churned")
            raw.head()
            """,
            "load",
        ),
        code(
            """
            customers = raw.assign(
                total_charges=raw["total_charges"].fillna(raw["monthly_charges"] * raw["tenure_months"]),
                churned=raw["churned"].eq("Yes").astype(int),
            ).drop(columns=["customer_id"])
            customers.describe()
            """,
            "clean",
        ),
        md(
            """
            ## Features

            Support calls per year of tenure, and the average monthly amount actually
            billed (differs from the current plan price after plan changes).
            """
        ),
        code(
            """
            features = customers.assign(
                calls_per_year=customers["support_calls"] / (customers["tenure_months"] / 12),
                avg_charge=customers["total_charges"] / customers["tenure_months"],
            )
            numeric_cols = [
                "tenure_months",
                "monthly_charges",
                "total_charges",
                "support_calls",
                "senior",
                "calls_per_year",
                "avg_charge",
            ]
            categorical_cols = ["contract", "internet_service", "payment_method"]
            X = features[numeric_cols + categorical_cols]
            y = features["churned"]
            X.shape
            """,
            "features",
        ),
        md("## Train / test split"),
        code(
            """
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=test_size, stratify=y, random_state=seed
            )
            print(f"train: {len(X_train)} rows, test: {len(X_test)} rows")
            """,
            "split",
        ),
        md(
            """
            ## Model

            Median imputation and scaling for numeric columns, one-hot encoding for
            categorical ones, then an L2-regularised logistic regression.
            """
        ),
        code(
            """
            preprocess = ColumnTransformer(
                [
                    (
                        "num",
                        Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
                        numeric_cols,
                    ),
                    ("cat", OneHotEncoder(handle_unknown="ignore"), categorical_cols),
                ]
            )
            model = Pipeline(
                [
                    ("preprocess", preprocess),
                    ("classifier", LogisticRegression(C=regularization, max_iter=1000, random_state=seed)),
                ]
            )
            model.fit(X_train, y_train)
            """,
            "model",
        ),
        md("## Evaluation"),
        code(
            """
            churn_probability = model.predict_proba(X_test)[:, 1]
            test_auc = roc_auc_score(y_test, churn_probability)
            print(f"test ROC AUC: {test_auc:.3f}")
            print(classification_report(y_test, model.predict(X_test), digits=3))
            """,
            "evaluate",
        ),
        code(
            """
            fig, ax = plt.subplots(figsize=(6, 4))
            ax.hist(churn_probability[y_test.to_numpy() == 0], bins=20, alpha=0.6, label="stayed")
            ax.hist(churn_probability[y_test.to_numpy() == 1], bins=20, alpha=0.6, label="churned")
            ax.set_xlabel("predicted churn probability")
            ax.set_ylabel("customers in test set")
            ax.legend()
            fig.tight_layout()
            """,
            "plot",
        ),
        md("## Results"),
        code(
            """
            coefficients = pd.Series(
                model.named_steps["classifier"].coef_[0],
                index=model.named_steps["preprocess"].get_feature_names_out(),
            ).sort_values()
            coefficients
            """,
            "coefficients",
        ),
        code(
            """
            results = {"test_auc": round(test_auc, 4), "n_train": len(X_train), "n_test": len(X_test)}
            results
            """,
            "results",
        ),
    ],
)

# ---------------------------------------------------------------- churn_messy
spec(
    name="churn_messy.ipynb",
    kind="lint",
    summary="The same churn task written in a hurry: silenced warnings, unseeded split and forest, "
    "scaler re-fitted on the test split, a function redefined, an error output left behind by a "
    "cell that was fixed but not re-run.",
    runs=True,
    runs_note="the stored KeyError came from an earlier version of cell 6; the current source runs",
    expected=[
        ("H105", "imports"),
        ("H203", "imports"),
        ("H207", "config"),
        ("H403", None),
        ("H004", "drop"),
        ("H006", "corr"),
        ("H004", "dummies"),
        ("H101", "split"),
        ("H402", "scale"),
        ("H101", "forest"),
        ("H204", "importances"),
        ("H101", "logreg"),
        ("H202", "logreg"),
        ("H208", "evaluate2"),
    ],
    cells=[
        md("# Churn analysis - Q3 retention deck"),
        code(
            """
            %matplotlib inline
            import pandas as pd
            import numpy as np
            import matplotlib.pyplot as plt
            import os
            import warnings
            from sklearn.model_selection import train_test_split
            from sklearn.preprocessing import StandardScaler
            from sklearn.ensemble import RandomForestClassifier
            from sklearn.metrics import accuracy_score, roc_auc_score, f1_score
            """,
            "imports",
        ),
        code(
            """
            DATA = "churn.csv"
            TARGET = "churned"
            TEST_SIZE = 0.3
            warnings.filterwarnings("ignore")  # sklearn spam
            """,
            "config",
        ),
        code(
            """
            df = pd.read_csv(DATA)
            df.head()
            """,
            "load",
        ),
        code(
            """
            df = df.drop(columns=["customer_id"])
            df["total_charges"] = df["total_charges"].fillna(0)
            df[TARGET] = (df[TARGET] == "Yes").astype(int)
            df.shape
            """,
            "drop",
        ),
        code(
            """
            df.groupby("contract")[TARGET].mean().plot(kind="bar")
            plt.ylabel("churn rate")
            plt.title("Churn by contract")
            """,
            "eda",
        ),
        code(
            """
            df[["tenure_months", "monthly_charges", "support_calls", TARGET]].corr()
            """,
            "corr",
            exec_source='df[["tenure", "monthly_charges", "support_calls", TARGET]].corr()',
            expect_error=True,
        ),
        code(
            """
            df["avg_charge"] = df["total_charges"] / df["tenure_months"]
            df = pd.get_dummies(df, columns=["contract", "internet_service", "payment_method"], drop_first=True)
            X = df.drop(columns=[TARGET])
            y = df[TARGET]
            """,
            "dummies",
        ),
        code(
            """
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE)
            """,
            "split",
        ),
        code(
            """
            scaler = StandardScaler()
            X_train_s = scaler.fit_transform(X_train)
            X_test_s = scaler.fit_transform(X_test)
            """,
            "scale",
        ),
        code(
            """
            rf = RandomForestClassifier(n_estimators=200)
            rf.fit(X_train_s, y_train)
            """,
            "forest",
        ),
        code(
            """
            def evaluate(model):
                preds = model.predict(X_test_s)
                print("accuracy", accuracy_score(y_test, preds))
                print("f1", f1_score(y_test, preds))

            evaluate(rf)
            """,
            "evaluate1",
        ),
        code(
            """
            importances = pd.Series(rf.feature_importances_, index=X.columns).sort_values(ascending=False)
            top10 = importances.head(10)
            importances.head(10).plot(kind="barh")
            """,
            "importances",
        ),
        md("## try logistic regression"),
        code(
            """
            from sklearn.linear_model import LogisticRegression
            lr = LogisticRegression(solver="liblinear")
            lr.fit(X_train_s, y_train)
            """,
            "logreg",
        ),
        code(
            """
            def evaluate(model):
                preds = model.predict(X_test_s)
                proba = model.predict_proba(X_test_s)[:, 1]
                print("accuracy", round(accuracy_score(y_test, preds), 3))
                print("auc", round(roc_auc_score(y_test, proba), 3))

            evaluate(lr)
            evaluate(rf)
            """,
            "evaluate2",
        ),
        code(
            """
            print("churn rate in test set:", np.round(y_test.mean(), 3))
            """,
            "rate",
        ),
    ],
)

# ------------------------------------------------------- housing_prices_messy
_HOUSING_FEATURES = """
# ---- feature engineering (v3, keep in sync with the pricing deck) ----
feats = pd.DataFrame(index=housing.index)
feats["sqft"] = housing["sqft"]
feats["log_sqft"] = np.log(housing["sqft"])
feats["lot_sqft"] = housing["lot_sqft"]
feats["log_lot"] = np.log1p(housing["lot_sqft"])
feats["lot_ratio"] = housing["lot_sqft"] / housing["sqft"]
feats["big_lot"] = (housing["lot_sqft"] > housing["lot_sqft"].quantile(0.75)).astype(int)
feats["bedrooms"] = housing["bedrooms"]
feats["bathrooms"] = housing["bathrooms"]
feats["rooms"] = housing["bedrooms"] + housing["bathrooms"]
feats["bath_per_bed"] = housing["bathrooms"] / housing["bedrooms"].clip(lower=1)
feats["sqft_per_room"] = housing["sqft"] / feats["rooms"].clip(lower=1)
feats["studio_like"] = (housing["bedrooms"] <= 1).astype(int)
feats["family_size"] = (housing["bedrooms"] >= 4).astype(int)
feats["age"] = 2024 - housing["year_built"]
feats["age_sq"] = feats["age"] ** 2
feats["log_age"] = np.log1p(feats["age"])
feats["new_build"] = (feats["age"] <= 5).astype(int)
feats["pre_war"] = (housing["year_built"] < 1940).astype(int)
feats["built_1950s_70s"] = housing["year_built"].between(1950, 1979).astype(int)
feats["decade"] = (housing["year_built"] // 10) * 10
feats["garage"] = housing["garage_spaces"]
feats["has_garage"] = (housing["garage_spaces"] > 0).astype(int)
feats["big_garage"] = (housing["garage_spaces"] >= 2).astype(int)
feats["condition"] = housing["condition"]
feats["good_condition"] = (housing["condition"] >= 4).astype(int)
feats["poor_condition"] = (housing["condition"] <= 2).astype(int)
feats["pool"] = housing["has_pool"].astype(int)
# neighbourhood dummies by hand (get_dummies broke the old pipeline)
feats["nb_northside"] = (housing["neighborhood"] == "Northside").astype(int)
feats["nb_riverside"] = (housing["neighborhood"] == "Riverside").astype(int)
feats["nb_old_town"] = (housing["neighborhood"] == "Old Town").astype(int)
feats["nb_hillcrest"] = (housing["neighborhood"] == "Hillcrest").astype(int)
feats["nb_lakeview"] = (housing["neighborhood"] == "Lakeview").astype(int)
feats["premium_area"] = feats["nb_hillcrest"] + feats["nb_lakeview"]
# interactions
feats["sqft_x_condition"] = feats["sqft"] * feats["condition"]
feats["sqft_x_premium"] = feats["sqft"] * feats["premium_area"]
feats["sqft_x_age"] = feats["sqft"] * feats["age"]
feats["age_x_condition"] = feats["age"] * feats["condition"]
feats["pool_x_premium"] = feats["pool"] * feats["premium_area"]
feats["garage_x_premium"] = feats["garage"] * feats["premium_area"]
feats["lot_x_premium"] = feats["log_lot"] * feats["premium_area"]
feats["rooms_x_condition"] = feats["rooms"] * feats["condition"]
feats["baths_x_premium"] = feats["bathrooms"] * feats["premium_area"]
feats["new_x_premium"] = feats["new_build"] * feats["premium_area"]
feats["riverside_x_sqft"] = feats["nb_riverside"] * feats["sqft"]
feats["oldtown_x_age"] = feats["nb_old_town"] * feats["age"]
feats["northside_x_lot"] = feats["nb_northside"] * feats["log_lot"]
# neighbourhood-relative size (median sqft per area)
area_median_sqft = housing.groupby("neighborhood")["sqft"].transform("median")
feats["sqft_vs_area"] = housing["sqft"] / area_median_sqft
feats["bigger_than_area"] = (feats["sqft_vs_area"] > 1).astype(int)
area_median_age = feats.groupby(housing["neighborhood"])["age"].transform("median")
feats["age_vs_area"] = feats["age"] - area_median_age
# squared terms
feats["log_sqft_sq"] = feats["log_sqft"] ** 2
feats["condition_sq"] = feats["condition"] ** 2
feats["rooms_sq"] = feats["rooms"] ** 2
feats["bathrooms_sq"] = feats["bathrooms"] ** 2
feats["garage_sq"] = feats["garage"] ** 2
feats["lot_ratio_sq"] = feats["lot_ratio"] ** 2
feats["log_lot_sq"] = feats["log_lot"] ** 2
feats["bedrooms_sq"] = feats["bedrooms"] ** 2
feats["age_x_pool"] = feats["age"] * feats["pool"]
feats["rooms_x_premium"] = feats["rooms"] * feats["premium_area"]
feats["condition_x_premium"] = feats["condition"] * feats["premium_area"]
# flags from the listing agents' checklist
feats["luxury"] = ((feats["pool"] == 1) & (feats["good_condition"] == 1) & (feats["premium_area"] == 1)).astype(int)
feats["fixer_upper"] = ((feats["poor_condition"] == 1) & (feats["age"] > 40)).astype(int)
feats["starter_home"] = ((housing["bedrooms"] <= 2) & (housing["sqft"] < 1200)).astype(int)
feats["big_family"] = ((housing["bedrooms"] >= 4) & (housing["bathrooms"] >= 2.5)).astype(int)
feats["modern_garage"] = ((feats["new_build"] == 1) & (feats["has_garage"] == 1)).astype(int)
feats = feats.drop(columns=["decade"])
print(feats.shape)
"""

spec(
    name="housing_prices_messy.ipynb",
    kind="lint",
    summary="House-price regression with environment problems: an absolute path on the author's "
    "machine, a remote URL, %pip install, shell escapes, os.chdir, a wildcard import, a 70-line "
    "feature cell, and the scaler fitted on all rows before the split.",
    runs=True,
    runs_note="the /home/alice path and the https URL sit in branches that are not taken; "
    "%pip install --no-index succeeds offline because scikit-learn is installed",
    expected=[
        ("H201", "imports"),
        ("H102", "config"),
        ("H403", None),
        ("H104", "pip"),
        ("H106", "chdir"),
        ("H103", "load"),
        ("H105", "head"),
        ("H205", "features"),
        ("H401", "scale"),
        ("H105", "fit"),
    ],
    cells=[
        md(
            """
            # House price model

            Hedonic regression on the listings export: log sale price against size, age,
            condition and neighbourhood.
            """
        ),
        code(
            """
            import os
            import pandas as pd
            import numpy as np
            import matplotlib.pyplot as plt
            from math import *
            from sklearn.model_selection import train_test_split
            from sklearn.preprocessing import StandardScaler
            from sklearn.linear_model import Ridge
            from sklearn.metrics import mean_squared_error, r2_score
            """,
            "imports",
        ),
        code(
            """
            LOCAL_COPY = "/home/alice/projects/housing/data/housing.csv"
            USE_REMOTE = False
            TEST_SIZE = 0.2
            """,
            "config",
        ),
        code(
            """
            # needed on the shared analysis server
            %pip install --no-index --quiet scikit-learn
            """,
            "pip",
        ),
        code(
            """
            # run from the project folder so the relative paths below work
            if os.path.exists(os.path.dirname(LOCAL_COPY)):
                os.chdir(os.path.dirname(LOCAL_COPY))
            """,
            "chdir",
        ),
        code(
            """
            if USE_REMOTE:
                housing = pd.read_csv("https://data.example.com/exports/housing_2023.csv")
            elif os.path.exists(LOCAL_COPY):
                housing = pd.read_csv(LOCAL_COPY)
            else:
                housing = pd.read_csv("housing.csv")
            housing.shape
            """,
            "load",
        ),
        code("!head -n 3 housing.csv", "head"),
        code(
            """
            housing = housing[housing["sqft"] > 300]
            housing = housing.dropna(subset=["sale_price"])
            housing["lot_sqft"] = housing["lot_sqft"].fillna(housing["lot_sqft"].median())
            housing["garage_spaces"] = housing["garage_spaces"].fillna(0)
            housing.describe()
            """,
            "clean",
        ),
        Cell("code", _HOUSING_FEATURES.strip("\n"), "features"),
        code(
            """
            scaler = StandardScaler()
            X_scaled = scaler.fit_transform(feats)
            y = np.log(housing["sale_price"])
            """,
            "scale",
        ),
        code(
            """
            X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, test_size=TEST_SIZE, random_state=1)
            print(f"train rows: {len(X_train)}, test rows: {len(X_test)}, mean log price: {y_train.mean():.3f}")
            """,
            "split",
        ),
        code(
            """
            model = Ridge(alpha=3.0, random_state=0)
            %time model.fit(X_train, y_train)
            """,
            "fit",
        ),
        code(
            """
            pred = model.predict(X_test)
            rmse = sqrt(mean_squared_error(y_test, pred))
            print(f"RMSE (log price): {rmse:.4f}")
            print(f"R^2: {r2_score(y_test, pred):.3f}")
            """,
            "metrics",
        ),
        code(
            """
            plt.figure(figsize=(5, 5))
            plt.scatter(np.exp(y_test), np.exp(pred), s=8, alpha=0.5)
            plt.plot([1e5, 1.2e6], [1e5, 1.2e6], color="black", lw=1)
            plt.xlabel("actual price")
            plt.ylabel("predicted price")
            plt.title("Ridge: predicted vs actual (test)")
            """,
            "plot",
        ),
        code(
            """
            coefs = pd.Series(model.coef_, index=feats.columns).sort_values()
            coefs
            """,
            "coefs",
        ),
    ],
)

# ------------------------------------------------------- sales_forecast_messy
SALES_LAGS = 26

spec(
    name="sales_forecast_messy.ipynb",
    kind="lint",
    summary="Daily unit-sales forecast with hidden state: a cell that reads a name defined below it "
    "(run out of order), a name whose defining cell was deleted, a cell never run, a 1 MB printed "
    "table, a hard-coded AWS key id, and a half-typed last cell that does not parse.",
    runs=False,
    runs_note="NameError in cell 4 (`holidays`: its cell was deleted after it ran); cell 7 also reads "
    "`cutoff` before cell 8 defines it, and the last cell is a SyntaxError",
    plan=[
        "imports",
        "config",
        "load",
        "holidays",
        "calendar",
        "lags",
        "show",
        "cutoff",
        "split",
        "todo",
        "model",
        "plot",
    ],
    expected=[
        ("H301", "config"),
        ("H403", None),
        ("H103", "load"),
        ("H003", "calendar"),
        ("H501", "show"),
        ("H002", "split"),
        ("H001", "cutoff"),
        ("H206", "todo"),
        ("H005", "describe"),
        ("H209", "summary"),
    ],
    cells=[
        md(
            """
            # Daily sales forecast

            Gradient boosting on lagged units per store and category; the last four
            weeks are held out.
            """
        ),
        code(
            """
            import pandas as pd
            import numpy as np
            import matplotlib.pyplot as plt
            from sklearn.ensemble import GradientBoostingRegressor
            from sklearn.metrics import mean_absolute_error
            """,
            "imports",
        ),
        code(
            f"""
            FROM_S3 = False
            AWS_ACCESS_KEY_ID = "{FAKE_AWS_KEY_ID}"
            HORIZON_DAYS = 28
            """,
            "config",
        ),
        code(
            """
            if FROM_S3:
                sales = pd.read_csv(
                    "s3://acme-analytics/sales/daily_sales.csv",
                    parse_dates=["date"],
                    storage_options={"key": AWS_ACCESS_KEY_ID},
                )
            else:
                sales = pd.read_csv("sales.csv", parse_dates=["date"])
            sales.tail()
            """,
            "load",
        ),
        code(
            f"""
            holidays = pd.to_datetime({SALES_HOLIDAYS!r})
            """,
            "holidays",
            deleted=True,
        ),
        code(
            """
            features = sales.assign(
                revenue=sales["units"] * sales["unit_price"],
                dow=sales["date"].dt.dayofweek,
                is_holiday=sales["date"].isin(holidays).astype(int),
            )
            features.groupby("is_holiday")["units"].mean()
            """,
            "calendar",
        ),
        code(
            f"""
            features = features.sort_values(["store", "category", "date"])
            for lag in range(1, {SALES_LAGS + 1}):
                features[f"units_lag_{{lag}}"] = features.groupby(["store", "category"])["units"].shift(lag)
                features[f"revenue_lag_{{lag}}"] = features.groupby(["store", "category"])["revenue"].shift(lag)
            features = features.dropna().reset_index(drop=True)
            """,
            "lags",
        ),
        code(
            """
            # check the lags line up before modelling
            print(features.to_string())
            """,
            "show",
        ),
        code(
            """
            in_train = features["date"] < cutoff
            train, test = features[in_train], features[~in_train]
            print(len(train), len(test))
            """,
            "split",
        ),
        code(
            """
            cutoff = features["date"].max() - pd.Timedelta(days=HORIZON_DAYS)
            cutoff
            """,
            "cutoff",
        ),
        code(
            """
            # TODO: promo calendar features (ask Dana for the 2024 calendar)
            """,
            "todo",
        ),
        code(
            """
            feature_cols = [c for c in features.columns if "_lag_" in c] + ["dow", "is_holiday", "promo", "unit_price"]
            gbr = GradientBoostingRegressor(n_estimators=300, max_depth=3, learning_rate=0.05, random_state=7)
            gbr.fit(train[feature_cols], train["units"])
            mae = mean_absolute_error(test["units"], gbr.predict(test[feature_cols]))
            print(f"MAE: {mae:.2f} units ({mae / np.mean(test['units']):.1%} of the mean)")
            """,
            "model",
        ),
        code(
            """
            test.groupby(["store", "category"])["units"].describe()
            """,
            "describe",
        ),
        code(
            """
            fig, ax = plt.subplots(figsize=(7, 2.5))
            for store, part in test[test["category"] == "grocery"].groupby("store"):
                ax.plot(part["date"], part["units"], label=f"{store} actual")
                ax.plot(part["date"], gbr.predict(part[feature_cols]), "--", label=f"{store} forecast")
            ax.legend()
            fig.autofmt_xdate()
            """,
            "plot",
        ),
        code(
            """
            summary = pd.DataFrame({"model": ["gbr"], "mae": [mae]
            summary
            """,
            "summary",
        ),
    ],
)

# ------------------------------------------------------------ iris_exploration
spec(
    name="iris_exploration.ipynb",
    kind="lint",
    summary="Exploration of the iris measurements with k-means; prose markdown but no heading, "
    "unseeded numpy jitter, unseeded KMeans, random.shuffle, and a trailing empty cell.",
    runs=True,
    runs_note="the jitter plot, the cluster labels and the shuffled ARI change between runs",
    expected=[
        ("H502", None),
        ("H105", "imports"),
        ("H101", "jitter"),
        ("H101", "kmeans"),
        ("H101", "shuffle"),
        ("H206", "empty"),
    ],
    cells=[
        md(
            """
            Quick look at the iris measurements before the clustering demo next week.
            Data: `iris.csv` (150 flowers, 3 species, 4 measurements in cm).
            """
        ),
        code(
            """
            %matplotlib inline
            import random
            import numpy as np
            import pandas as pd
            import matplotlib.pyplot as plt
            from sklearn.cluster import KMeans
            from sklearn.metrics import adjusted_rand_score
            """,
            "imports",
        ),
        code(
            """
            iris = pd.read_csv("iris.csv")
            iris.describe()
            """,
            "load",
        ),
        code(
            """
            iris.groupby("species").mean().round(2)
            """,
            "means",
        ),
        md(
            "Petal measurements separate setosa completely; jitter the points so overlaps are visible."
        ),
        code(
            """
            jitter = np.random.normal(0, 0.05, size=len(iris))
            colors = iris["species"].map({"setosa": "tab:blue", "versicolor": "tab:orange", "virginica": "tab:green"})
            plt.scatter(iris["petal_length"] + jitter, iris["petal_width"], c=colors, s=12)
            plt.xlabel("petal length (cm, jittered)")
            plt.ylabel("petal width (cm)")
            """,
            "jitter",
        ),
        code(
            """
            measurements = iris[["sepal_length", "sepal_width", "petal_length", "petal_width"]]
            km = KMeans(n_clusters=3, n_init=10)
            clusters = km.fit_predict(measurements)
            print("ARI vs species:", round(adjusted_rand_score(iris["species"], clusters), 3))
            """,
            "kmeans",
        ),
        code(
            """
            # sanity check: shuffled labels should give an ARI close to 0
            labels = list(iris["species"])
            random.shuffle(labels)
            print("ARI vs shuffled species:", round(adjusted_rand_score(labels, clusters), 3))
            """,
            "shuffle",
        ),
        code(
            """
            pd.crosstab(iris["species"], clusters, rownames=["species"], colnames=["cluster"])
            """,
            "crosstab",
        ),
        code("", "empty"),
    ],
)

# ------------------------------------------------------------- sentiment_messy
spec(
    name="sentiment_messy.ipynb",
    kind="lint",
    summary="Review sentiment with TF-IDF + logistic regression: the vectorizer is fitted on all "
    "reviews before the split, a printed config shows a GitHub token read from the environment, "
    "an input() prompt behind a flag, an unseeded classifier.",
    runs=True,
    runs_note="the input() call is behind INTERACTIVE = False; re-runs print an empty token",
    env={"GITHUB_TOKEN": FAKE_GITHUB_TOKEN},
    expected=[
        ("H403", None),
        ("H302", "show_config"),
        ("H401", "vectorize"),
        ("H101", "model"),
        ("H107", "interactive"),
        ("H204", "errors"),
    ],
    cells=[
        md(
            """
            # Review sentiment classifier

            Labels: reviews rated 4 or 5 stars are positive. Baseline for the labelling
            project (labels will come from the `review-labels` repo later).
            """
        ),
        code(
            """
            import os
            import re
            import pandas as pd
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.linear_model import LogisticRegression
            from sklearn.model_selection import train_test_split
            from sklearn.metrics import classification_report
            """,
            "imports",
        ),
        code(
            """
            LABEL_REPO = "acme/review-labels"
            MIN_RATING_POSITIVE = 4
            INTERACTIVE = False
            """,
            "config",
        ),
        code(
            """
            config = {
                "repo": LABEL_REPO,
                "token": os.environ.get("GITHUB_TOKEN", ""),
                "min_rating_positive": MIN_RATING_POSITIVE,
            }
            print(config)
            """,
            "show_config",
        ),
        code(
            """
            reviews = pd.read_csv("reviews.csv")
            reviews["label"] = (reviews["rating"] >= config["min_rating_positive"]).astype(int)
            reviews["clean_text"] = reviews["text"].str.lower().map(lambda s: re.sub(r"[^a-z' ]+", " ", s))
            reviews[["clean_text", "label"]].head()
            """,
            "load",
        ),
        code(
            """
            vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, stop_words="english")
            X = vectorizer.fit_transform(reviews["clean_text"])
            y = reviews["label"]
            X.shape
            """,
            "vectorize",
        ),
        code(
            """
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
            clf = LogisticRegression(C=4.0, solver="liblinear")
            clf.fit(X_train, y_train)
            print(classification_report(y_test, clf.predict(X_test), digits=3))
            """,
            "model",
        ),
        code(
            """
            vocab = vectorizer.get_feature_names_out()
            order = clf.coef_[0].argsort()
            print("most negative:", ", ".join(vocab[order[:10]]))
            print("most positive:", ", ".join(vocab[order[-10:]]))
            """,
            "vocab",
        ),
        code(
            """
            if INTERACTIVE:
                review = input("Type a review: ")
                print(clf.predict_proba(vectorizer.transform([review.lower()]))[0, 1])
            """,
            "interactive",
        ),
        code(
            """
            test_predictions = pd.DataFrame(
                {"text": reviews.loc[y_test.index, "text"], "label": y_test, "predicted": clf.predict(X_test)}
            )
            errors = test_predictions[test_predictions["label"] != test_predictions["predicted"]]
            n_errors = len(errors)
            errors.head(10)
            """,
            "errors",
        ),
    ],
)

# ------------------------------------------------------------- sales_summary_r
spec(
    name="sales_summary_r.ipynb",
    kind="lint",
    summary="A small R notebook (kernel `ir`): harden analyses Python notebooks only.",
    language="R",
    execute=False,
    runs=False,
    runs_note="needs an R kernel (`ir`), which is not installed; stored unexecuted",
    expected=[("H503", None)],
    cells=[
        md(
            """
            # Sales summary (R)

            Units and revenue per store and category, for the monthly ops review.
            """
        ),
        code(
            """
            library(dplyr)
            library(readr)
            """,
            "imports",
        ),
        code(
            """
            sales <- read_csv("sales.csv", show_col_types = FALSE)
            summary(sales)
            """,
            "load",
        ),
        code(
            """
            sales %>%
              mutate(revenue = units * unit_price) %>%
              group_by(store, category) %>%
              summarise(units = sum(units), revenue = sum(revenue), .groups = "drop") %>%
              arrange(desc(revenue))
            """,
            "summary",
        ),
    ],
)

# ================================================================ extract set
# ---------------------------------------------------------------- customer_ltv
spec(
    name="customer_ltv.ipynb",
    kind="extract",
    summary="Customer lifetime value: `orders` and `rfm` rebound in several sections, a column added "
    "to `orders` in a later section, helper functions defined mid-notebook (one calling another) that "
    "read notebook globals (`snapshot_date`, `monthly_margin`, `lifetime_months`).",
    runs=True,
    notes="Key result: `segment_summary` (DataFrame, last cell); also `rfm` with an `ltv` column.",
    expected=[("H004", "clean"), ("H004", "segments")],
    cells=[
        md(
            """
            # Customer lifetime value

            Estimate a simple lifetime value per customer from the order history and
            summarise it by value segment and acquisition channel.
            """
        ),
        code(
            """
            import numpy as np
            import pandas as pd
            """,
            "imports",
        ),
        md("## Load"),
        code(
            """
            orders = pd.read_csv("orders.csv", parse_dates=["order_date"])
            customers = pd.read_csv("customers.csv", parse_dates=["signup_date"])
            print(orders.shape, customers.shape)
            """,
            "load",
        ),
        md(
            """
            ## Clean orders

            Drop zero-amount internal test orders and returned orders, and attach the
            customer's region and acquisition channel.
            """
        ),
        code(
            """
            orders = orders[orders["amount"] > 0]
            orders = orders[~orders["returned"]]
            orders = orders.merge(customers[["customer_id", "region", "channel"]], on="customer_id", how="left")
            orders.head()
            """,
            "clean",
        ),
        md("## Helpers"),
        code(
            '''
            snapshot_date = orders["order_date"].max() + pd.Timedelta(days=1)


            def recency_days(frame):
                """Days between each customer's last order and the snapshot date."""
                return (snapshot_date - frame.groupby("customer_id")["order_date"].max()).dt.days
            ''',
            "helpers",
        ),
        md("## Monthly revenue"),
        code(
            """
            orders["month"] = orders["order_date"].dt.to_period("M").dt.to_timestamp()
            monthly = orders.groupby(["month", "region"], as_index=False)["amount"].sum()
            monthly.pivot(index="month", columns="region", values="amount").tail()
            """,
            "monthly",
        ),
        code(
            """
            ax = monthly.pivot(index="month", columns="region", values="amount").plot(figsize=(8, 4), marker="o")
            ax.set_ylabel("revenue")
            ax.set_title("Monthly revenue by region");
            """,
            "plot",
        ),
        md("## Customer features"),
        code(
            '''
            def customer_table(frame):
                """One row per customer: frequency, monetary value, recency."""
                table = frame.groupby("customer_id").agg(
                    n_orders=("order_id", "nunique"),
                    revenue=("amount", "sum"),
                    first_order=("order_date", "min"),
                )
                table["recency_days"] = recency_days(frame)
                table["avg_order_value"] = table["revenue"] / table["n_orders"]
                return table


            rfm = customer_table(orders)
            rfm.describe().round(2)
            ''',
            "features",
        ),
        md(
            """
            ## Lifetime value

            Monthly spend since the first order, times the gross margin and an expected
            lifetime, discounted by how long the customer has been silent.
            """
        ),
        code(
            '''
            monthly_margin = 0.32
            lifetime_months = 24


            def lifetime_value(table):
                """Margin-adjusted monthly spend times expected lifetime, discounted for recency."""
                active_months = ((snapshot_date - table["first_order"]).dt.days / 30.4).clip(lower=1)
                monthly_spend = table["revenue"] / active_months
                churn_penalty = np.exp(-table["recency_days"] / 180)
                return monthly_spend * monthly_margin * lifetime_months * churn_penalty


            rfm["ltv"] = lifetime_value(rfm)
            rfm["ltv"].describe().round(2)
            ''',
            "ltv",
        ),
        md("## Segments"),
        code(
            """
            rfm = rfm.join(customers.set_index("customer_id")[["region", "channel"]])
            rfm["segment"] = pd.qcut(rfm["ltv"], q=[0, 0.5, 0.8, 1.0], labels=["low", "mid", "high"])
            segment_summary = (
                rfm.groupby(["segment", "channel"], observed=True)
                .agg(customers=("ltv", "size"), mean_ltv=("ltv", "mean"), total_ltv=("ltv", "sum"))
                .round(2)
                .reset_index()
            )
            segment_summary
            """,
            "segments",
        ),
    ],
)

# -------------------------------------------------------- model_selection_loop
spec(
    name="model_selection_loop.ipynb",
    kind="extract",
    summary="Model selection on housing.csv: the `scores` list and `pipelines` dict are built up "
    "across three sections by loops (each section appends), then a leaderboard and a refit of the best.",
    runs=True,
    notes="Key results: `leaderboard` (DataFrame), `summary` (dict, last cell), `final_model` (fitted Pipeline).",
    expected=[("H004", "ridge"), ("H004", "forest"), ("H004", "boosting")],
    cells=[
        md(
            """
            # Choosing a price model

            Compare a few regressors with 5-fold cross-validation on the training split.
            Every section appends its candidates to the same `scores` list.
            """
        ),
        code(
            """
            import pandas as pd
            from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
            from sklearn.impute import SimpleImputer
            from sklearn.linear_model import Ridge
            from sklearn.metrics import mean_absolute_error
            from sklearn.model_selection import KFold, cross_val_score, train_test_split
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import StandardScaler
            """,
            "imports",
        ),
        md("## Data"),
        code(
            """
            housing = pd.read_csv("housing.csv").dropna(subset=["sale_price"])
            housing = housing[housing["sqft"] > 300]
            X = pd.get_dummies(housing.drop(columns=["sale_price", "listing_id"]), columns=["neighborhood"], dtype=float)
            y = housing["sale_price"] / 1000
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
            cv = KFold(n_splits=5, shuffle=True, random_state=0)
            scores = []
            pipelines = {}
            X_train.shape
            """,
            "data",
        ),
        md("## Linear baseline"),
        code(
            """
            for alpha in [0.1, 1.0, 10.0]:
                name = f"ridge(alpha={alpha})"
                pipelines[name] = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), Ridge(alpha=alpha, random_state=0))
                mae = -cross_val_score(pipelines[name], X_train, y_train, cv=cv, scoring="neg_mean_absolute_error").mean()
                scores.append({"model": name, "cv_mae": round(mae, 2)})
            """,
            "ridge",
        ),
        md("## Random forest"),
        code(
            """
            for depth in [4, 8, 16]:
                name = f"forest(max_depth={depth})"
                pipelines[name] = make_pipeline(
                    SimpleImputer(strategy="median"),
                    RandomForestRegressor(n_estimators=100, max_depth=depth, random_state=0),
                )
                mae = -cross_val_score(pipelines[name], X_train, y_train, cv=cv, scoring="neg_mean_absolute_error").mean()
                scores.append({"model": name, "cv_mae": round(mae, 2)})
            """,
            "forest",
        ),
        md("## Gradient boosting"),
        code(
            """
            for rate in [0.03, 0.1]:
                name = f"boosting(learning_rate={rate})"
                pipelines[name] = make_pipeline(
                    SimpleImputer(strategy="median"),
                    GradientBoostingRegressor(learning_rate=rate, n_estimators=200, random_state=0),
                )
                mae = -cross_val_score(pipelines[name], X_train, y_train, cv=cv, scoring="neg_mean_absolute_error").mean()
                scores.append({"model": name, "cv_mae": round(mae, 2)})
            """,
            "boosting",
        ),
        md("## Pick the best and refit"),
        code(
            """
            leaderboard = pd.DataFrame(scores).sort_values("cv_mae").reset_index(drop=True)
            leaderboard
            """,
            "leaderboard",
        ),
        code(
            """
            best_name = leaderboard.loc[0, "model"]
            final_model = pipelines[best_name].fit(X_train, y_train)
            test_mae = mean_absolute_error(y_test, final_model.predict(X_test))
            summary = {
                "best_model": best_name,
                "cv_mae": float(leaderboard.loc[0, "cv_mae"]),
                "test_mae": round(float(test_mae), 2),
                "n_candidates": len(scores),
            }
            summary
            """,
            "refit",
        ),
    ],
)

# ------------------------------------------------------------ sensor_anomalies
spec(
    name="sensor_anomalies.ipynb",
    kind="extract",
    summary="Rolling z-score anomaly detection on four temperature sensors. No markdown at all "
    "(nothing to split sections on); a helper function defined mid-notebook.",
    runs=True,
    notes="Key result: `anomaly_rates` (DataFrame, last cell); `readings` gains an `anomaly` column.",
    expected=[("H502", None)],
    cells=[
        code(
            """
            import numpy as np
            import pandas as pd
            import matplotlib.pyplot as plt
            """,
            "imports",
        ),
        code(
            """
            readings = pd.read_csv("sensors.csv", parse_dates=["timestamp"])
            readings = readings.sort_values(["sensor_id", "timestamp"]).reset_index(drop=True)
            readings.head()
            """,
            "load",
        ),
        code(
            """
            window = 12
            rolling = readings.groupby("sensor_id")[["temperature", "vibration"]].rolling(window, min_periods=3)
            baseline = rolling.mean().reset_index(level=0, drop=True)
            spread = rolling.std().reset_index(level=0, drop=True).replace(0, np.nan)
            zscores = (readings[["temperature", "vibration"]] - baseline.shift(1)) / spread.shift(1)
            zscores.describe().round(2)
            """,
            "zscores",
        ),
        code(
            """
            def flag_anomalies(z, threshold=3.5):
                return (z.abs() > threshold).any(axis=1)


            readings["anomaly"] = flag_anomalies(zscores)
            readings["anomaly"].mean()
            """,
            "flag",
        ),
        code(
            """
            fig, axes = plt.subplots(2, 2, figsize=(10, 6), sharex=True)
            for ax, (sensor, part) in zip(axes.ravel(), readings.groupby("sensor_id")):
                ax.plot(part["timestamp"], part["temperature"], lw=0.8)
                flagged = part[part["anomaly"]]
                ax.scatter(flagged["timestamp"], flagged["temperature"], color="red", s=10)
                ax.set_title(sensor)
            fig.autofmt_xdate()
            """,
            "plot",
        ),
        code(
            """
            anomaly_rates = (
                readings.groupby("sensor_id")
                .agg(n_readings=("anomaly", "size"), anomalies=("anomaly", "sum"), max_temperature=("temperature", "max"))
                .assign(rate=lambda t: (t["anomalies"] / t["n_readings"]).round(4))
            )
            anomaly_rates
            """,
            "rates",
        ),
    ],
)

# -------------------------------------------------------------- demand_params
spec(
    name="demand_params.ipynb",
    kind="extract",
    summary="Per-store demand model driven by a papermill `parameters` cell (store, horizon_days, "
    "n_estimators, seed); stored run uses the defaults. Re-run with e.g. "
    "`papermill demand_params.ipynb out.ipynb -p store south -p horizon_days 21`.",
    runs=True,
    notes="Key result: `metrics` (dict, last cell; its `store` and `horizon_days` echo the parameters); "
    "`model` (fitted RandomForestRegressor).",
    expected=[],
    cells=[
        md(
            """
            # Store demand forecast

            One-day-ahead unit demand for one store from calendar, promotion and lagged
            demand features. Parameterised for papermill: run it once per store.
            """
        ),
        code(
            """
            import numpy as np
            import pandas as pd
            from sklearn.ensemble import RandomForestRegressor
            from sklearn.metrics import mean_absolute_error
            """,
            "imports",
        ),
        md("## Parameters"),
        code(
            """
            store = "north"
            horizon_days = 28
            n_estimators = 200
            seed = 0
            """,
            "parameters",
            tags=("parameters",),
        ),
        md("## Data"),
        code(
            """
            sales = pd.read_csv("sales.csv", parse_dates=["date"])
            store_sales = sales[sales["store"] == store]
            daily = store_sales.groupby("date", as_index=False).agg(units=("units", "sum"), promo=("promo", "max"))
            print(f"{store}: {len(daily)} days, {daily['units'].sum():,} units")
            """,
            "data",
        ),
        md("## Features"),
        code(
            """
            daily["dow"] = daily["date"].dt.day_of_week
            for lag in (1, 7, 14):
                daily[f"lag_{lag}"] = daily["units"].shift(lag)
            daily["rolling_7"] = daily["units"].shift(1).rolling(7).mean()
            model_frame = daily.dropna().reset_index(drop=True)
            feature_cols = ["dow", "promo", "lag_1", "lag_7", "lag_14", "rolling_7"]
            model_frame.tail()
            """,
            "features",
        ),
        md("## Train and evaluate"),
        code(
            """
            cutoff = model_frame["date"].max() - pd.Timedelta(days=horizon_days)
            train = model_frame[model_frame["date"] <= cutoff]
            test = model_frame[model_frame["date"] > cutoff]
            model = RandomForestRegressor(n_estimators=n_estimators, min_samples_leaf=2, random_state=seed)
            model.fit(train[feature_cols], train["units"])
            forecast = model.predict(test[feature_cols])
            """,
            "train",
        ),
        md("## Results"),
        code(
            """
            metrics = {
                "store": store,
                "horizon_days": horizon_days,
                "mae": round(mean_absolute_error(test["units"], forecast), 2),
                "naive_mae": round(mean_absolute_error(test["units"], test["lag_7"]), 2),
                "mean_units": round(float(np.mean(test["units"])), 2),
            }
            metrics
            """,
            "results",
        ),
    ],
)

# --------------------------------------------------------------- loan_default
spec(
    name="loan_default.ipynb",
    kind="extract",
    summary="Loan default model configured by leading literal assignments (no parameters cell), a "
    "class defined mid-notebook, `loans` rebound across sections, a `report` dict filled in by "
    "several sections, and a function whose default argument reads a global.",
    runs=True,
    notes="Key results: `report` (dict, last cell), `model` (fitted LogisticRegression), `approvals` (DataFrame).",
    expected=[("H403", None), ("H004", "features")],
    cells=[
        md(
            """
            # Loan default model

            Probability of default for personal-loan applicants, and the approval table
            at the current decline threshold.
            """
        ),
        code(
            """
            import numpy as np
            import pandas as pd
            from sklearn.linear_model import LogisticRegression
            from sklearn.metrics import brier_score_loss, roc_auc_score
            from sklearn.model_selection import train_test_split
            from sklearn.preprocessing import StandardScaler
            """,
            "imports",
        ),
        code(
            """
            DATA_FILE = "loans.csv"
            TEST_FRACTION = 0.25
            SEED = 11
            THRESHOLD = 0.35
            """,
            "config",
        ),
        md("## Load"),
        code(
            """
            loans = pd.read_csv(DATA_FILE)
            report = {"n_loans": len(loans), "default_rate": round(float(loans["defaulted"].mean()), 4)}
            loans.head()
            """,
            "load",
        ),
        md("## Features"),
        code(
            '''
            class RatioFeatures:
                """Affordability ratios derived from the application."""

                def __init__(self, term_col="term_months"):
                    self.term_col = term_col

                def transform(self, frame):
                    out = frame.copy()
                    out["debt_to_income"] = out["loan_amount"] / out["income"]
                    out["installment"] = out["loan_amount"] / out[self.term_col]
                    out["installment_to_income"] = out["installment"] * 12 / out["income"]
                    return out


            loans = RatioFeatures().transform(loans)
            loans = pd.get_dummies(loans, columns=["employment", "purpose"], dtype=float)
            report["n_features"] = loans.shape[1] - 2
            ''',
            "features",
        ),
        md("## Split and scale"),
        code(
            """
            X = loans.drop(columns=["applicant_id", "defaulted"])
            y = loans["defaulted"]
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=TEST_FRACTION, random_state=SEED, stratify=y
            )
            scaler = StandardScaler().fit(X_train)
            X_train = scaler.transform(X_train)
            X_test = scaler.transform(X_test)
            """,
            "split",
        ),
        md("## Model"),
        code(
            """
            model = LogisticRegression(C=0.5, max_iter=2000, random_state=SEED)
            model.fit(X_train, y_train)
            scores = model.predict_proba(X_test)[:, 1]
            report["test_auc"] = round(float(roc_auc_score(y_test, scores)), 4)
            report["brier"] = round(float(brier_score_loss(y_test, scores)), 4)
            """,
            "model",
        ),
        md("## Decision threshold"),
        code(
            """
            def approval_table(probabilities, threshold=THRESHOLD):
                decision = np.where(probabilities >= threshold, "decline", "approve")
                return pd.crosstab(pd.Series(decision, name="decision"), pd.Series(y_test.to_numpy(), name="defaulted"))


            approvals = approval_table(scores)
            report["decline_rate"] = round(float((scores >= THRESHOLD).mean()), 4)
            approvals
            """,
            "threshold",
        ),
        md("## Results"),
        code("report", "results"),
    ],
)


# ==========================================================================
# building
# ==========================================================================


def _cell_id(nb_name: str, cell: Cell, index: int) -> str:
    return hashlib.sha1(f"{nb_name}:{cell.key or index}".encode()).hexdigest()[:8]


def _new_notebook(s: Spec, cells: list[Cell], for_execution: bool):
    import nbformat
    from nbformat import v4

    nb = v4.new_notebook()
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, c in enumerate(cells):
        src = (
            c.exec_source if (for_execution and c.exec_source is not None) else c.source
        )
        if c.kind == "markdown":
            node = v4.new_markdown_cell(src)
        else:
            node = v4.new_code_cell(src)
            node.execution_count = None
            node.outputs = []
        node.id = _cell_id(s.name, c, i)
        node.metadata = nbformat.NotebookNode({"tags": list(c.tags)} if c.tags else {})
        nb.cells.append(node)
    if s.language == "R":
        nb.metadata = nbformat.NotebookNode(
            {"kernelspec": dict(R_KERNELSPEC), "language_info": dict(R_LANGUAGE_INFO)}
        )
    else:
        nb.metadata = nbformat.NotebookNode(
            {
                "kernelspec": dict(PY_KERNELSPEC),
                "language_info": json.loads(json.dumps(PY_LANGUAGE_INFO)),
            }
        )
    return nb


def _has_error(node) -> bool:
    return any(o.get("output_type") == "error" for o in node.get("outputs", []))


def _execute(s: Spec, nb) -> None:
    from nbclient import NotebookClient

    keys = [c.key for c in s.cells]
    if s.plan is None:
        order = [i for i, c in enumerate(s.cells) if c.kind == "code" and not c.deleted]
    else:
        order = [keys.index(k) for k in s.plan]
    saved = {
        k: os.environ.get(k)
        for k in [*s.env, "PIP_ROOT_USER_ACTION", "PIP_DISABLE_PIP_VERSION_CHECK"]
    }
    os.environ.update(s.env)
    os.environ["PIP_ROOT_USER_ACTION"] = "ignore"
    os.environ["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    try:
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=600,
            allow_errors=True,
            record_timing=False,
            resources={"metadata": {"path": str(EXAMPLES)}},
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        with client.setup_kernel():
            for i in order:
                node = nb.cells[i]
                client.execute_cell(node, i)
                err = _has_error(node)
                if err != s.cells[i].expect_error:
                    detail = [
                        o for o in node.outputs if o.get("output_type") == "error"
                    ]
                    raise SystemExit(
                        f"{s.name}: cell {s.cells[i].key or i} error={err}, expected {s.cells[i].expect_error}\n"
                        + "\n".join(f"{o.ename}: {o.evalue}" for o in detail)
                    )
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build(s: Spec) -> Path:
    import nbformat

    executed = _new_notebook(s, s.cells, for_execution=True)
    if s.execute:
        _execute(s, executed)
    final = _new_notebook(s, s.stored_cells(), for_execution=False)
    run_nodes = [n for n, c in zip(executed.cells, s.cells) if not c.deleted]
    for node, ran in zip(final.cells, run_nodes):
        if node.cell_type == "code":
            node.execution_count = ran.execution_count
            node.outputs = ran.outputs
            for o in node.outputs:
                o.get("metadata", {}).pop("execution", None)
    nbformat.validate(final)
    path = EXAMPLES / s.name
    text = nbformat.writes(final, version=4)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    _check_built(s, final, path)
    return path


def _output_chars(node) -> int:
    total = 0
    for o in node.get("outputs", []):
        if "text" in o:
            total += len(o["text"])
        for value in o.get("data", {}).values():
            total += len(value) if isinstance(value, str) else len(json.dumps(value))
        if o.get("output_type") == "error":
            total += sum(len(line) for line in o.get("traceback", []))
    return total


def _check_built(s: Spec, nb, path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise SystemExit(f"{s.name}: {size} bytes > {MAX_NOTEBOOK_BYTES}")
    large = {key for rule, key in s.expected if rule == "H501"}
    for c, node in zip(s.stored_cells(), nb.cells):
        chars = _output_chars(node)
        if c.key in large and chars < LARGE_OUTPUT_MIN:
            raise SystemExit(
                f"{s.name}: cell {c.key} output is {chars} chars, want >= {LARGE_OUTPUT_MIN}"
            )
        if c.key not in large and chars > 300_000:
            raise SystemExit(
                f"{s.name}: cell {c.key} output unexpectedly large ({chars})"
            )
    errors = {key for rule, key in s.expected if rule == "H006"}
    for c, node in zip(s.stored_cells(), nb.cells):
        if _has_error(node) != (c.key in errors):
            raise SystemExit(
                f"{s.name}: error output in cell {c.key} does not match the H006 expectation"
            )
    print(f"  {s.name:<30} {len(nb.cells):>3} cells {size:>9} bytes")


# ==========================================================================
# docs: README.md and expected_findings.json
# ==========================================================================

RULE_NAMES = {
    "H001": "out-of-order-execution",
    "H002": "use-before-define",
    "H003": "undefined-name",
    "H004": "non-idempotent-cell",
    "H005": "unexecuted-cell",
    "H006": "error-output",
    "H101": "unseeded-randomness",
    "H102": "absolute-path",
    "H103": "remote-data",
    "H104": "install-in-notebook",
    "H105": "ipython-only-syntax",
    "H106": "working-directory-change",
    "H107": "interactive-input",
    "H201": "wildcard-import",
    "H202": "scattered-imports",
    "H203": "unused-import",
    "H204": "unused-variable",
    "H205": "long-cell",
    "H206": "empty-cell",
    "H207": "suppressed-warnings",
    "H208": "redefined-function",
    "H209": "syntax-error",
    "H301": "hardcoded-secret",
    "H302": "secret-in-output",
    "H401": "preprocessing-before-split",
    "H402": "fit-on-test-data",
    "H403": "missing-parameters-cell",
    "H501": "large-output",
    "H502": "no-title",
    "H503": "unsupported-kernel",
}


def write_expected() -> None:
    data = {
        "findings": {s.name: s.findings() for s in SPECS},
        "runs": {s.name: s.runs for s in SPECS},
    }
    covered = {rule for s in SPECS for rule, _ in s.expected}
    missing = sorted(set(RULE_NAMES) - covered)
    if missing:
        raise SystemExit(f"rules not covered by any example: {missing}")
    data["kind"] = {s.name: s.kind for s in SPECS}
    # one notebook per line: readable diffs, still plain JSON
    parts = []
    for key, table in data.items():
        rows = [
            f"    {json.dumps(name)}: {json.dumps(value)}"
            for name, value in table.items()
        ]
        parts.append(f"  {json.dumps(key)}: {{\n" + ",\n".join(rows) + "\n  }")
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    assert json.loads(text) == data
    (EXAMPLES / "expected_findings.json").write_text(text, encoding="utf-8")


def _fmt_findings(s: Spec) -> str:
    items = s.findings()
    if not items:
        return "none (lints clean)"
    return ", ".join(f"{r}@{'nb' if i is None else i}" for r, i in items)


def write_readme() -> None:
    lines = [README_HEAD.strip("\n"), ""]
    for kind, title in [
        ("lint", "Lint notebooks"),
        ("extract", "Extract notebooks (all run top to bottom)"),
    ]:
        lines += [
            f"## {title}",
            "",
            "| notebook | what it is | intended findings (rule@cell) | runs top to bottom |",
            "|---|---|---|---|",
        ]
        for s in SPECS:
            if s.kind != kind:
                continue
            runs = "yes" if s.runs else "**no**"
            if s.runs_note:
                runs += f": {s.runs_note}"
            what = s.summary + (f" {s.notes}" if s.notes else "")
            lines.append(f"| `{s.name}` | {what} | {_fmt_findings(s)} | {runs} |")
        lines.append("")
    lines += [
        "## Where each rule fires",
        "",
        "| rule | name | notebook@cell |",
        "|---|---|---|",
    ]
    for rule, name in RULE_NAMES.items():
        where = [
            f"`{s.name}`@{'nb' if i is None else i}"
            for s in SPECS
            for r, i in s.findings()
            if r == rule
        ]
        lines.append(f"| {rule} | {name} | {', '.join(where)} |")
    lines += ["", "## Cell by cell", ""]
    for s in SPECS:
        lines += [
            f"### `{s.name}`",
            "",
            "| cell | type | exec count | tags | first line | intended findings |",
            "|---|---|---|---|---|---|",
        ]
        path = EXAMPLES / s.name
        stored = json.loads(path.read_text()) if path.exists() else None
        for i, c in enumerate(s.stored_cells()):
            count = ""
            if stored is not None and c.kind == "code":
                ec = stored["cells"][i]["execution_count"]
                count = "null" if ec is None else str(ec)
            first = next((ln for ln in c.source.splitlines() if ln.strip()), "(empty)")
            first = first.replace("|", "\\|")
            if len(first) > 60:
                first = first[:57] + "..."
            rules = ", ".join(r for r, k in s.expected if k is not None and k == c.key)
            tags = ", ".join(c.tags)
            lines.append(f"| {i} | {c.kind} | {count} | {tags} | `{first}` | {rules} |")
        nb_level = ", ".join(r for r, k in s.expected if k is None)
        if nb_level:
            lines += ["", f"Notebook-level (cell `null`): {nb_level}"]
        lines.append("")
    lines.append(README_SEMANTICS.strip("\n"))
    (EXAMPLES / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


README_HEAD = """
# Example notebooks

Realistic notebooks with their data, used as fixtures by the lint tests, the
extractor and the repro runner. **Generated** by `tools/build_examples.py`
(data, notebooks with real outputs, this README and `expected_findings.json`
all come from the specs in that script: edit the script, not the files).

- Cell indexes are 0-based among **all** cells, markdown included; `nb`/`null`
  means a notebook-level finding.
- `expected_findings.json` holds the same table for tests:
  `{"findings": {"nb.ipynb": [["H101", 4], ["H502", null], ...]}, "runs": {"nb.ipynb": true},
  "kind": {"nb.ipynb": "lint" | "extract"}}`.
  Each (rule, cell) pair is meant to produce exactly one finding.
- "runs top to bottom" means `papermill nb.ipynb out.ipynb --cwd notebooks/examples -k python3`
  finishes without a cell error in a fresh kernel. No notebook writes files or
  needs the network when run.
- Data files (all CSV, < 60 KB): `churn.csv`, `housing.csv`, `sales.csv`,
  `iris.csv`, `reviews.csv`, `customers.csv`, `orders.csv`, `sensors.csv`, `loans.csv`
  (synthetic, generated with fixed seeds; iris from scikit-learn).
"""

README_SEMANTICS = """
## Rule semantics these fixtures assume

The expected findings only hold if the rules mean what is written here. Where a
rule could reasonably be read two ways, the fixtures avoid the ambiguous case,
or the choice is stated below.

- **H001** out-of-order: reported at each code cell whose stored execution count is
  lower than the count of the nearest executed code cell above it (cells with a
  null count are skipped). Each fixture has at most one inversion, which is also
  lower than every count above it.
- **H002/H003**: reads at a cell's top level (including top-level `for`/`if`/`with`
  bodies, comprehensions excluded) of a name that no earlier cell and no earlier
  statement of the same cell binds. Defined by a later cell → H002; defined by no
  cell, not a builtin and not an IPython name (`get_ipython`, `display`, `In`,
  `Out`, `_`) → H003. Reads inside function bodies are not checked against cell
  order (they happen at call time); the fixtures only read globals in functions
  that are already defined above the `def`.
- **H004** non-idempotent cell: a name whose value on entry comes from *another*
  cell (read before any fresh binding in this cell) is rebound or mutated from its
  own value in a way that changes again on a second run: `df = df.drop(...)`,
  `df = pd.get_dummies(df, ...)`, `df = df.merge(...)`, `x = x + 1`, `x += 1`,
  `df["a"] *= 2`, `df["a"] = df["a"] * 2`, `rows.append(...)` (and other in-place
  mutators), `df.drop(..., inplace=True)`. Idempotent self-rebinding is **not**
  flagged: row filters `df = df[df["x"] > 0]` / `df[~df["flag"]]`, `dropna`,
  `fillna`, `sort_values`, `reset_index(drop=True)`, `astype`, `str.lower()`...
  (`housing_prices_messy` cell 7 and `sales_forecast_messy` cell 5 rely on this).
  An idempotent self-rebinding does not make the name local to the cell: in
  `customer_ltv` cell 5, `orders = orders[...]` twice and then
  `orders = orders.merge(...)` is H004 (at the merge).
  Adding a column computed from other columns, `df["new"] = f(df["other"])`, or
  `d["k"] = value`, is not self-referential and not H004 (`customer_ltv`,
  `demand_params`, `loan_default`, `sensor_anomalies` rely on this). One finding
  per (cell, name); every fixture cell has at most one such name.
- **H005**: a code cell with non-blank source and a null execution count, when
  some code cell *below* it has a count. Blank cells never run under
  nbclient/papermill, so they are not H005. A trailing never-run cell is not H005.
- **H101**: (a) numpy legacy global-RNG calls (`np.random.rand/randn/normal/choice/...`)
  with no `np.random.seed(...)` before them; (b) `np.random.default_rng()` without a
  seed; (c) stdlib `random.*` draws with no `random.seed(...)` before them; (d)
  scikit-learn callables that use randomness called without `random_state=` (or with
  `random_state=None`): `train_test_split`, forests, boosting, trees, `KMeans`, ...
  `LogisticRegression` only counts with a random solver (`sag`, `saga`,
  `liblinear`), `KFold` only with `shuffle=True`. The fixtures that mean H101 on a
  `LogisticRegression` use `solver="liblinear"`, and every other call that has a
  `random_state` parameter passes one, so the findings are the same under the
  stricter reading "any callable with a `random_state` parameter". One finding per
  call; no fixture cell has two.
- **H102**: a string literal in code that is an absolute filesystem path
  (`/home/...`, `/Users/...`, `C:\\...`, `~/...`). Comments and outputs are not checked.
- **H103**: a string literal URL with a remote scheme (`http(s)://`, `s3://`, `gs://`, ...)
  in code; each fixture has it directly as the first argument of `pd.read_csv`.
- **H104**: `%pip install`, `!pip install`, `%conda install`, `!conda install`. Such a line
  is H104 only, not also H105.
- **H105**: any other IPython-only syntax: line magics (`%time`, `%matplotlib inline`
  — the latter at info severity), `!shell` lines, `x?`. One magic per fixture cell.
- **H106**: `os.chdir(...)` (or `%cd`) anywhere in code, whether or not the branch runs.
- **H107**: a call to `input(...)` (or `getpass`) anywhere in code.
- **H202**: an import statement at the top level of any code cell after the first code
  cell that contains an import. (In every fixture the first code cell has imports.)
- **H203**: an imported name never read anywhere in the notebook. Wildcard imports are
  H201, never H203; a notebook with a wildcard import may read names it provides
  (`housing_prices_messy` uses `sqrt` from `from math import *`), which are not H003.
- **H204**: a name bound at a cell's top level by assignment, `for` target or
  `with ... as` that is never read afterwards (later in the same cell, in any later
  cell, inside a function defined later, or in a line-magic argument such as
  `%time f(x)`). The bare last expression of a cell is a read. `def`, `class` and
  imports are not H204; names starting with `_` are exempt. Each unused name in the
  fixtures is bound exactly once.
- **H205**: more than 60 lines of code in a cell (the fixture has ~70 code lines, so
  it is long whether or not blank and comment lines count; every other cell is < 30 lines).
- **H206**: a code cell whose source is blank or only comments.
- **H207**: `warnings.filterwarnings("ignore")` / `warnings.simplefilter("ignore")`.
  In `churn_messy` it sits in the config cell *after* the literal assignments, so
  the literals still lead the notebook (H403).
- **H208**: reported at each cell that re-defines a function already defined by an
  earlier cell.
- **H209**: a cell that CPython does not compile after IPython syntax is transformed.
  Its names are unknown; the fixture's broken cell is the last cell, so nothing
  depends on it.
- **H301**: well-known credential formats in code literals (AWS access key id
  `AKIA...`, GitHub `ghp_...`, ...); the only one in the fixtures is AWS's documented
  example key `AKIAIOSFODNN7EXAMPLE`. **H302**: the same formats in stored outputs
  (a fake `ghp_` token in `sentiment_messy` cell 3; it was read from the environment
  at build time, the source has no literal).
- **H401**: a scaler / vectorizer / imputer / encoder `fit` or `fit_transform` on the
  full data in a cell that comes before the notebook's `train_test_split`, whose
  result (or the data it was fitted on) then goes into that split.
  **H402**: `fit`/`fit_transform`/`partial_fit` whose first argument is the test
  split (`X_test`, a name from the test position of `train_test_split`).
- **H403** (info, notebook-level, cell `null`): no cell tagged `parameters`, and the
  notebook *starts* with literal assignments that look like configuration
  (`UPPER_CASE` names, path-like strings, names such as `seed`, `test_size`):
  after skipping imports and magics, the first statements are `NAME = literal`.
  Any other statement first (a call such as `warnings.filterwarnings(...)` or
  `df = pd.read_csv(...)`) means there are no leading literals: `model_selection_loop`
  assigns `scores = []` only after `housing = pd.read_csv(...)`, `sensor_anomalies`
  assigns `window = 12` after its first read, `customer_ltv` assigns
  `monthly_margin = 0.32` mid-notebook; none of them trips H403.
- **H501**: the stored outputs of one cell exceed 1 MB (the fixture holds ~1.1 MB of
  printed text, over 1 MiB whether measured raw or as JSON).
- **H502**: no markdown heading (`#`..`######`) anywhere: both the notebook with
  prose-only markdown and the one with no markdown at all.
- **H503**: kernel language other than Python. The R fixture is designed to trip no
  other rule (it has a title, no outputs, all counts null).
"""


# ==========================================================================
# verify: run every notebook with papermill and compare with "runs"
# ==========================================================================


def verify(specs: list[Spec]) -> int:
    import tempfile

    import papermill as pm

    failures = 0
    for s in specs:
        if s.language != "python":
            continue
        path = EXAMPLES / s.name
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / s.name
            try:
                pm.execute_notebook(
                    str(path),
                    str(out),
                    kernel_name="python3",
                    cwd=str(EXAMPLES),
                    progress_bar=False,
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],
                )
                ok = True
                why = ""
            except pm.PapermillExecutionError as exc:
                ok = False
                why = f"{type(exc).__name__}: {getattr(exc, 'ename', '')} {getattr(exc, 'evalue', '')}".strip()
        after = hashlib.sha256(path.read_bytes()).hexdigest()
        status = "ok" if ok == s.runs and before == after else "MISMATCH"
        failures += status != "ok"
        print(
            f"  {s.name:<30} runs={ok!s:<5} expected={s.runs!s:<5} input unchanged={before == after} {status} {why}"
        )
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", nargs="*", help="notebook names (with or without .ipynb)"
    )
    parser.add_argument("--data-only", action="store_true")
    parser.add_argument("--docs-only", action="store_true")
    parser.add_argument(
        "--verify", action="store_true", help="only run the papermill check"
    )
    args = parser.parse_args(argv)

    wanted = SPECS
    if args.only:
        names = {n if n.endswith(".ipynb") else n + ".ipynb" for n in args.only}
        wanted = [s for s in SPECS if s.name in names]
        unknown = names - {s.name for s in wanted}
        if unknown:
            parser.error(f"unknown notebooks: {sorted(unknown)}")
    if args.verify:
        return 1 if verify(wanted) else 0
    if not args.docs_only:
        print("data:")
        write_data()
        if args.data_only:
            return 0
        print("notebooks:")
        for s in wanted:
            build(s)
    write_expected()
    write_readme()
    print("wrote README.md and expected_findings.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
