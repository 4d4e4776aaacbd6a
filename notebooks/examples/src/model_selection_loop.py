# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example: {kind: extract, summary: 'Model selection on housing.csv: the `scores` list
#       and `pipelines` dict are built up across three sections by loops (each section appends),
#       then a leaderboard and a refit of the best.', notes: 'Key results: `leaderboard` (DataFrame),
#       `summary` (dict, last cell), `final_model` (fitted Pipeline).', runs: true}
# ---

# %% [markdown]
# # Choosing a price model
#
# Compare a few regressors with 5-fold cross-validation on the training split.
# Every section appends its candidates to the same `scores` list.

# %% key="imports"
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

# %% [markdown]
# ## Data

# %% key="data"
housing = pd.read_csv("housing.csv").dropna(subset=["sale_price"])
housing = housing[housing["sqft"] > 300]
X = pd.get_dummies(housing.drop(columns=["sale_price", "listing_id"]), columns=["neighborhood"], dtype=float)
y = housing["sale_price"] / 1000
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
cv = KFold(n_splits=5, shuffle=True, random_state=0)
scores = []
pipelines = {}
X_train.shape

# %% [markdown]
# ## Linear baseline

# %% key="ridge" expect=["H004"]
for alpha in [0.1, 1.0, 10.0]:
    name = f"ridge(alpha={alpha})"
    pipelines[name] = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), Ridge(alpha=alpha, random_state=0))
    mae = -cross_val_score(pipelines[name], X_train, y_train, cv=cv, scoring="neg_mean_absolute_error").mean()
    scores.append({"model": name, "cv_mae": round(mae, 2)})

# %% [markdown]
# ## Random forest

# %% key="forest" expect=["H004"]
for depth in [4, 8, 16]:
    name = f"forest(max_depth={depth})"
    pipelines[name] = make_pipeline(
        SimpleImputer(strategy="median"),
        RandomForestRegressor(n_estimators=100, max_depth=depth, random_state=0),
    )
    mae = -cross_val_score(pipelines[name], X_train, y_train, cv=cv, scoring="neg_mean_absolute_error").mean()
    scores.append({"model": name, "cv_mae": round(mae, 2)})

# %% [markdown]
# ## Gradient boosting

# %% key="boosting" expect=["H004"]
for rate in [0.03, 0.1]:
    name = f"boosting(learning_rate={rate})"
    pipelines[name] = make_pipeline(
        SimpleImputer(strategy="median"),
        GradientBoostingRegressor(learning_rate=rate, n_estimators=200, random_state=0),
    )
    mae = -cross_val_score(pipelines[name], X_train, y_train, cv=cv, scoring="neg_mean_absolute_error").mean()
    scores.append({"model": name, "cv_mae": round(mae, 2)})

# %% [markdown]
# ## Pick the best and refit

# %% key="leaderboard"
leaderboard = pd.DataFrame(scores).sort_values("cv_mae").reset_index(drop=True)
leaderboard

# %% key="refit"
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
