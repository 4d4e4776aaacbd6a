# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example:
#     kind: extract
#     summary: Loan default model configured by leading literal assignments (no parameters cell),
#       a class defined mid-notebook, `loans` rebound across sections, a `report` dict filled
#       in by several sections, and a function whose default argument reads a global.
#     notes: 'Key results: `report` (dict, last cell), `model` (fitted LogisticRegression),
#       `approvals` (DataFrame).'
#     runs: true
#     expect: [H403]
# ---

# %% [markdown]
# # Loan default model
#
# Probability of default for personal-loan applicants, and the approval table
# at the current decline threshold.

# %% key="imports"
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

# %% key="config"
DATA_FILE = "loans.csv"
TEST_FRACTION = 0.25
SEED = 11
THRESHOLD = 0.35

# %% [markdown]
# ## Load

# %% key="load"
loans = pd.read_csv(DATA_FILE)
report = {"n_loans": len(loans), "default_rate": round(float(loans["defaulted"].mean()), 4)}
loans.head()

# %% [markdown]
# ## Features

# %% key="features" expect=["H004"]
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

# %% [markdown]
# ## Split and scale

# %% key="split"
X = loans.drop(columns=["applicant_id", "defaulted"])
y = loans["defaulted"]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=TEST_FRACTION, random_state=SEED, stratify=y
)
scaler = StandardScaler().fit(X_train)
X_train = scaler.transform(X_train)
X_test = scaler.transform(X_test)

# %% [markdown]
# ## Model

# %% key="model"
model = LogisticRegression(C=0.5, max_iter=2000, random_state=SEED)
model.fit(X_train, y_train)
scores = model.predict_proba(X_test)[:, 1]
report["test_auc"] = round(float(roc_auc_score(y_test, scores)), 4)
report["brier"] = round(float(brier_score_loss(y_test, scores)), 4)

# %% [markdown]
# ## Decision threshold

# %% key="threshold"
def approval_table(probabilities, threshold=THRESHOLD):
    decision = np.where(probabilities >= threshold, "decline", "approve")
    return pd.crosstab(pd.Series(decision, name="decision"), pd.Series(y_test.to_numpy(), name="defaulted"))


approvals = approval_table(scores)
report["decline_rate"] = round(float((scores >= THRESHOLD).mean()), 4)
approvals

# %% [markdown]
# ## Results

# %% key="results"
report
