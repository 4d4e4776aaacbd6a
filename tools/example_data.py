"""The data files of the example notebooks: synthetic CSVs from fixed seeds.

Used by ``tools/build_examples.py`` (``--data-only`` writes just these).
Every generator takes its own seeded ``numpy`` generator, so each CSV is the
same on every run; iris comes from scikit-learn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MAX_CSV_BYTES = 60_000


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
    bathrooms = np.clip(np.round((bedrooms * 0.6 + rng.normal(0.4, 0.5, n)) * 2) / 2, 1, 4.5)
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
    return pd.concat(rows).sort_values(["date", "store", "category"]).reset_index(drop=True)


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
            phrases.insert(int(rng.integers(0, len(phrases) + 1)), str(rng.choice(neutral)))
        product = str(rng.choice(products))
        text = f"The {product}: " + ", ".join(phrases) + ("!" if rng.random() < 0.3 else ".")
        rows.append({"review_id": 5000 + i, "product": product, "rating": rating, "text": text})
    return pd.DataFrame(rows)


def _customers_orders(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_cust = 250
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 540, n_cust), unit="D")
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{1001 + i}" for i in range(n_cust)],
            "signup_date": signup.strftime("%Y-%m-%d"),
            "region": rng.choice(["east", "west", "central"], n_cust, p=[0.4, 0.35, 0.25]),
            "channel": rng.choice(
                ["organic", "paid_search", "referral"], n_cust, p=[0.5, 0.3, 0.2]
            ),
        }
    )
    end = pd.Timestamp("2023-12-31")
    rows = []
    oid = 100001
    for cid, start, channel in zip(customers["customer_id"], signup, customers["channel"]):
        rate = {"organic": 0.9, "paid_search": 0.6, "referral": 1.1}[channel] * rng.gamma(2.0, 0.5)
        life_days = int(rng.exponential(300))
        last = min(end, start + pd.Timedelta(days=life_days))
        months = max((last - start).days / 30.4, 0.3)
        n_orders = max(1, int(rng.poisson(rate * months)))
        spend = rng.gamma(4.0, 14.0)
        for _ in range(min(n_orders, 12)):
            day = start + pd.Timedelta(days=int(rng.integers(0, max((last - start).days, 1) + 1)))
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
    for k, (temp0, vib0) in enumerate([(68.0, 0.40), (72.5, 0.35), (65.0, 0.55), (70.0, 0.45)]):
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
    employment = rng.choice(["salaried", "self_employed", "unemployed"], n, p=[0.72, 0.22, 0.06])
    income = np.round(
        np.exp(rng.normal(10.9, 0.45, n)) * np.select([employment == "unemployed"], [0.35], 1.0),
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


def write_data(dest: Path, verbose: bool = True) -> None:
    """Write every CSV into ``dest``; fails when one is over ``MAX_CSV_BYTES``."""
    dest.mkdir(parents=True, exist_ok=True)
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
        path = dest / name
        frame.to_csv(path, index=False, lineterminator="\n")
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise SystemExit(f"{name} is {size} bytes (> {MAX_CSV_BYTES})")
        if verbose:
            print(f"  {name:<14} {len(frame):>5} rows {size:>7} bytes")
