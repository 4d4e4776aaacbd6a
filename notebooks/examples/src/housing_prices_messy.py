# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example:
#     kind: lint
#     summary: 'House-price regression with environment problems: an absolute path on the author''s
#       machine, a remote URL, %pip install, shell escapes, os.chdir, a wildcard import, a 70-line
#       feature cell, and the scaler fitted on all rows before the split.'
#     runs: true
#     runs_note: the /home/alice path and the https URL sit in branches that are not taken;
#       %pip install --no-index succeeds offline because scikit-learn is installed
#     expect: [H403]
# ---

# %% [markdown]
# # House price model
#
# Hedonic regression on the listings export: log sale price against size, age,
# condition and neighbourhood.

# %% key="imports" expect=["H201"]
import os
import pandas as pd
import numpy as np
import matplotlib.pyplot as plt
from math import *
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error, r2_score

# %% key="config" expect=["H102"]
LOCAL_COPY = "/home/alice/projects/housing/data/housing.csv"
USE_REMOTE = False
TEST_SIZE = 0.2

# %% key="pip" expect=["H104"]
# needed on the shared analysis server
# %pip install --no-index --quiet scikit-learn

# %% key="chdir" expect=["H106"]
# run from the project folder so the relative paths below work
if os.path.exists(os.path.dirname(LOCAL_COPY)):
    os.chdir(os.path.dirname(LOCAL_COPY))

# %% key="load" expect=["H103"]
if USE_REMOTE:
    housing = pd.read_csv("https://data.example.com/exports/housing_2023.csv")
elif os.path.exists(LOCAL_COPY):
    housing = pd.read_csv(LOCAL_COPY)
else:
    housing = pd.read_csv("housing.csv")
housing.shape

# %% key="head" expect=["H105"]
# !head -n 3 housing.csv

# %% key="clean"
housing = housing[housing["sqft"] > 300]
housing = housing.dropna(subset=["sale_price"])
housing["lot_sqft"] = housing["lot_sqft"].fillna(housing["lot_sqft"].median())
housing["garage_spaces"] = housing["garage_spaces"].fillna(0)
housing.describe()

# %% key="features" expect=["H205"]
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

# %% key="scale" expect=["H401"]
scaler = StandardScaler()
X_scaled = scaler.fit_transform(feats)
y = np.log(housing["sale_price"])

# %% key="split"
X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, test_size=TEST_SIZE, random_state=1)
print(f"train rows: {len(X_train)}, test rows: {len(X_test)}, mean log price: {y_train.mean():.3f}")

# %% key="fit" expect=["H105"]
model = Ridge(alpha=3.0, random_state=0)
# %time model.fit(X_train, y_train)

# %% key="metrics"
pred = model.predict(X_test)
rmse = sqrt(mean_squared_error(y_test, pred))
print(f"RMSE (log price): {rmse:.4f}")
print(f"R^2: {r2_score(y_test, pred):.3f}")

# %% key="plot"
plt.figure(figsize=(5, 5))
plt.scatter(np.exp(y_test), np.exp(pred), s=8, alpha=0.5)
plt.plot([1e5, 1.2e6], [1e5, 1.2e6], color="black", lw=1)
plt.xlabel("actual price")
plt.ylabel("predicted price")
plt.title("Ridge: predicted vs actual (test)")

# %% key="coefs"
coefs = pd.Series(model.coef_, index=feats.columns).sort_values()
coefs
