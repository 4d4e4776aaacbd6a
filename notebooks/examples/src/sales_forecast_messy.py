# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example:
#     kind: lint
#     summary: 'Daily unit-sales forecast with hidden state: a cell that reads a name defined
#       below it (run out of order), a name whose defining cell was deleted, a cell never run,
#       a 1 MB printed table, a hard-coded AWS key id, and a half-typed last cell that does
#       not parse.'
#     runs: false
#     runs_note: 'NameError in cell 4 (`holidays`: its cell was deleted after it ran); cell
#       7 also reads `cutoff` before cell 8 defines it, and the last cell is a SyntaxError'
#     expect: [H403]
#     plan: [imports, config, load, holidays, calendar, lags, show, cutoff, split, todo, model,
#       plot]
# ---

# %% [markdown]
# # Daily sales forecast
#
# Gradient boosting on lagged units per store and category; the last four
# weeks are held out.

# %% key="imports"
import pandas as pd
import numpy as np
import matplotlib.pyplot as plt
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error

# %% key="config" expect=["H301"]
FROM_S3 = False
AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
HORIZON_DAYS = 28

# %% key="load" expect=["H103"]
if FROM_S3:
    sales = pd.read_csv(
        "s3://acme-analytics/sales/daily_sales.csv",
        parse_dates=["date"],
        storage_options={"key": AWS_ACCESS_KEY_ID},
    )
else:
    sales = pd.read_csv("sales.csv", parse_dates=["date"])
sales.tail()

# %% key="holidays" deleted=true
holidays = pd.to_datetime(['2023-01-01', '2023-01-16', '2023-02-20', '2023-05-29', '2023-07-04', '2023-08-28'])

# %% key="calendar" expect=["H003"]
features = sales.assign(
    revenue=sales["units"] * sales["unit_price"],
    dow=sales["date"].dt.dayofweek,
    is_holiday=sales["date"].isin(holidays).astype(int),
)
features.groupby("is_holiday")["units"].mean()

# %% key="lags"
features = features.sort_values(["store", "category", "date"])
for lag in range(1, 27):
    features[f"units_lag_{lag}"] = features.groupby(["store", "category"])["units"].shift(lag)
    features[f"revenue_lag_{lag}"] = features.groupby(["store", "category"])["revenue"].shift(lag)
features = features.dropna().reset_index(drop=True)

# %% key="show" expect=["H501"]
# check the lags line up before modelling
print(features.to_string())

# %% key="split" expect=["H002"]
in_train = features["date"] < cutoff
train, test = features[in_train], features[~in_train]
print(len(train), len(test))

# %% key="cutoff" expect=["H001"]
cutoff = features["date"].max() - pd.Timedelta(days=HORIZON_DAYS)
cutoff

# %% key="todo" expect=["H206"]
# TODO: promo calendar features (ask Dana for the 2024 calendar)

# %% key="model"
feature_cols = [c for c in features.columns if "_lag_" in c] + ["dow", "is_holiday", "promo", "unit_price"]
gbr = GradientBoostingRegressor(n_estimators=300, max_depth=3, learning_rate=0.05, random_state=7)
gbr.fit(train[feature_cols], train["units"])
mae = mean_absolute_error(test["units"], gbr.predict(test[feature_cols]))
print(f"MAE: {mae:.2f} units ({mae / np.mean(test['units']):.1%} of the mean)")

# %% key="describe" expect=["H005"]
test.groupby(["store", "category"])["units"].describe()

# %% key="plot"
fig, ax = plt.subplots(figsize=(7, 2.5))
for store, part in test[test["category"] == "grocery"].groupby("store"):
    ax.plot(part["date"], part["units"], label=f"{store} actual")
    ax.plot(part["date"], gbr.predict(part[feature_cols]), "--", label=f"{store} forecast")
ax.legend()
fig.autofmt_xdate()

# %% key="summary" expect=["H209"]
summary = pd.DataFrame({"model": ["gbr"], "mae": [mae]
summary
