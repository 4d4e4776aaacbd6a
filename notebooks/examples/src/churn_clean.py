# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example: {kind: lint, summary: 'Tidy churn model: parameters cell, relative path,
#       seeded split and model, preprocessing inside a Pipeline fitted on the training split
#       only. Must lint clean.', runs: true}
# ---

# %% [markdown]
# # Customer churn model
#
# Predict which subscribers cancel from their account and usage data
# (`churn.csv`, one row per customer). The model is a logistic regression
# inside a scikit-learn `Pipeline`, so imputation, scaling and encoding are
# fitted on the training split only.

# %% key="imports"
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

# %% [markdown]
# ## Parameters

# %% key="parameters" tags=["parameters"]
data_path = "churn.csv"
test_size = 0.25
regularization = 1.0
seed = 42

# %% [markdown]
# ## Load and clean
#
# `total_charges` is blank for a few customers in their first months; it is
# rebuilt from `monthly_charges × tenure_months`. The target becomes 0/1.

# %% key="load"
raw = pd.read_csv(data_path)
print(f"{len(raw)} customers, {raw['churned'].eq('Yes').mean():.1%} churned")
raw.head()

# %% key="clean"
customers = raw.assign(
    total_charges=raw["total_charges"].fillna(raw["monthly_charges"] * raw["tenure_months"]),
    churned=raw["churned"].eq("Yes").astype(int),
).drop(columns=["customer_id"])
customers.describe()

# %% [markdown]
# ## Features
#
# Support calls per year of tenure, and the average monthly amount actually
# billed (differs from the current plan price after plan changes).

# %% key="features"
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

# %% [markdown]
# ## Train / test split

# %% key="split"
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=test_size, stratify=y, random_state=seed
)
print(f"train: {len(X_train)} rows, test: {len(X_test)} rows")

# %% [markdown]
# ## Model
#
# Median imputation and scaling for numeric columns, one-hot encoding for
# categorical ones, then an L2-regularised logistic regression.

# %% key="model"
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

# %% [markdown]
# ## Evaluation

# %% key="evaluate"
churn_probability = model.predict_proba(X_test)[:, 1]
test_auc = roc_auc_score(y_test, churn_probability)
print(f"test ROC AUC: {test_auc:.3f}")
print(classification_report(y_test, model.predict(X_test), digits=3))

# %% key="plot"
fig, ax = plt.subplots(figsize=(6, 4))
ax.hist(churn_probability[y_test.to_numpy() == 0], bins=20, alpha=0.6, label="stayed")
ax.hist(churn_probability[y_test.to_numpy() == 1], bins=20, alpha=0.6, label="churned")
ax.set_xlabel("predicted churn probability")
ax.set_ylabel("customers in test set")
ax.legend()
fig.tight_layout()

# %% [markdown]
# ## Results

# %% key="coefficients"
coefficients = pd.Series(
    model.named_steps["classifier"].coef_[0],
    index=model.named_steps["preprocess"].get_feature_names_out(),
).sort_values()
coefficients

# %% key="results"
results = {"test_auc": round(test_auc, 4), "n_train": len(X_train), "n_test": len(X_test)}
results
