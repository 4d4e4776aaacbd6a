# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example: {kind: extract, summary: 'Per-store demand model driven by a papermill `parameters`
#       cell (store, horizon_days, n_estimators, seed); stored run uses the defaults. Re-run
#       with e.g. `papermill demand_params.ipynb out.ipynb -p store south -p horizon_days 21`.',
#     notes: 'Key result: `metrics` (dict, last cell; its `store` and `horizon_days` echo the
#       parameters); `model` (fitted RandomForestRegressor).', runs: true}
# ---

# %% [markdown]
# # Store demand forecast
#
# One-day-ahead unit demand for one store from calendar, promotion and lagged
# demand features. Parameterised for papermill: run it once per store.

# %% key="imports"
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error

# %% [markdown]
# ## Parameters

# %% key="parameters" tags=["parameters"]
store = "north"
horizon_days = 28
n_estimators = 200
seed = 0

# %% [markdown]
# ## Data

# %% key="data"
sales = pd.read_csv("sales.csv", parse_dates=["date"])
store_sales = sales[sales["store"] == store]
daily = store_sales.groupby("date", as_index=False).agg(units=("units", "sum"), promo=("promo", "max"))
print(f"{store}: {len(daily)} days, {daily['units'].sum():,} units")

# %% [markdown]
# ## Features

# %% key="features"
daily["dow"] = daily["date"].dt.day_of_week
for lag in (1, 7, 14):
    daily[f"lag_{lag}"] = daily["units"].shift(lag)
daily["rolling_7"] = daily["units"].shift(1).rolling(7).mean()
model_frame = daily.dropna().reset_index(drop=True)
feature_cols = ["dow", "promo", "lag_1", "lag_7", "lag_14", "rolling_7"]
model_frame.tail()

# %% [markdown]
# ## Train and evaluate

# %% key="train"
cutoff = model_frame["date"].max() - pd.Timedelta(days=horizon_days)
train = model_frame[model_frame["date"] <= cutoff]
test = model_frame[model_frame["date"] > cutoff]
model = RandomForestRegressor(n_estimators=n_estimators, min_samples_leaf=2, random_state=seed)
model.fit(train[feature_cols], train["units"])
forecast = model.predict(test[feature_cols])

# %% [markdown]
# ## Results

# %% key="results"
metrics = {
    "store": store,
    "horizon_days": horizon_days,
    "mae": round(mean_absolute_error(test["units"], forecast), 2),
    "naive_mae": round(mean_absolute_error(test["units"], test["lag_7"]), 2),
    "mean_units": round(float(np.mean(test["units"])), 2),
}
metrics
