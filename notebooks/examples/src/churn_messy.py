# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example:
#     kind: lint
#     summary: 'The same churn task written in a hurry: silenced warnings, unseeded split and
#       forest, scaler re-fitted on the test split, a function redefined, an error output left
#       behind by a cell that was fixed but not re-run.'
#     runs: true
#     runs_note: the stored KeyError came from an earlier version of cell 6; the current source
#       runs
#     expect: [H403]
# ---

# %% [markdown]
# # Churn analysis - Q3 retention deck

# %% key="imports" expect=["H105", "H203"]
# %matplotlib inline
import pandas as pd
import numpy as np
import matplotlib.pyplot as plt
import os
import warnings
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, roc_auc_score, f1_score

# %% key="config" expect=["H207"]
DATA = "churn.csv"
TARGET = "churned"
TEST_SIZE = 0.3
warnings.filterwarnings("ignore")  # sklearn spam

# %% key="load"
df = pd.read_csv(DATA)
df.head()

# %% key="drop" expect=["H004"]
df = df.drop(columns=["customer_id"])
df["total_charges"] = df["total_charges"].fillna(0)
df[TARGET] = (df[TARGET] == "Yes").astype(int)
df.shape

# %% key="eda"
df.groupby("contract")[TARGET].mean().plot(kind="bar")
plt.ylabel("churn rate")
plt.title("Churn by contract")

# %% key="corr" expect=["H006"] exec_source="df[[\"tenure\", \"monthly_charges\", \"support_calls\", TARGET]].corr()" expect_error=true
df[["tenure_months", "monthly_charges", "support_calls", TARGET]].corr()

# %% key="dummies" expect=["H004"]
df["avg_charge"] = df["total_charges"] / df["tenure_months"]
df = pd.get_dummies(df, columns=["contract", "internet_service", "payment_method"], drop_first=True)
X = df.drop(columns=[TARGET])
y = df[TARGET]

# %% key="split" expect=["H101"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE)

# %% key="scale" expect=["H402"]
scaler = StandardScaler()
X_train_s = scaler.fit_transform(X_train)
X_test_s = scaler.fit_transform(X_test)

# %% key="forest" expect=["H101"]
rf = RandomForestClassifier(n_estimators=200)
rf.fit(X_train_s, y_train)

# %% key="evaluate1"
def evaluate(model):
    preds = model.predict(X_test_s)
    print("accuracy", accuracy_score(y_test, preds))
    print("f1", f1_score(y_test, preds))

evaluate(rf)

# %% key="importances" expect=["H204"]
importances = pd.Series(rf.feature_importances_, index=X.columns).sort_values(ascending=False)
top10 = importances.head(10)
importances.head(10).plot(kind="barh")

# %% [markdown]
# ## try logistic regression

# %% key="logreg" expect=["H101", "H202"]
from sklearn.linear_model import LogisticRegression
lr = LogisticRegression(solver="liblinear")
lr.fit(X_train_s, y_train)

# %% key="evaluate2" expect=["H208"]
def evaluate(model):
    preds = model.predict(X_test_s)
    proba = model.predict_proba(X_test_s)[:, 1]
    print("accuracy", round(accuracy_score(y_test, preds), 3))
    print("auc", round(roc_auc_score(y_test, proba), 3))

evaluate(lr)
evaluate(rf)

# %% key="rate"
print("churn rate in test set:", np.round(y_test.mean(), 3))
