# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example: {kind: extract, summary: 'Customer lifetime value: `orders` and `rfm` rebound
#       in several sections, a column added to `orders` in a later section, helper functions
#       defined mid-notebook (one calling another) that read notebook globals (`snapshot_date`,
#       `monthly_margin`, `lifetime_months`).', notes: 'Key result: `segment_summary` (DataFrame,
#       last cell); also `rfm` with an `ltv` column.', runs: true}
# ---

# %% [markdown]
# # Customer lifetime value
#
# Estimate a simple lifetime value per customer from the order history and
# summarise it by value segment and acquisition channel.

# %% key="imports"
import numpy as np
import pandas as pd

# %% [markdown]
# ## Load

# %% key="load"
orders = pd.read_csv("orders.csv", parse_dates=["order_date"])
customers = pd.read_csv("customers.csv", parse_dates=["signup_date"])
print(orders.shape, customers.shape)

# %% [markdown]
# ## Clean orders
#
# Drop zero-amount internal test orders and returned orders, and attach the
# customer's region and acquisition channel.

# %% key="clean" expect=["H004"]
orders = orders[orders["amount"] > 0]
orders = orders[~orders["returned"]]
orders = orders.merge(customers[["customer_id", "region", "channel"]], on="customer_id", how="left")
orders.head()

# %% [markdown]
# ## Helpers

# %% key="helpers"
snapshot_date = orders["order_date"].max() + pd.Timedelta(days=1)


def recency_days(frame):
    """Days between each customer's last order and the snapshot date."""
    return (snapshot_date - frame.groupby("customer_id")["order_date"].max()).dt.days

# %% [markdown]
# ## Monthly revenue

# %% key="monthly"
orders["month"] = orders["order_date"].dt.to_period("M").dt.to_timestamp()
monthly = orders.groupby(["month", "region"], as_index=False)["amount"].sum()
monthly.pivot(index="month", columns="region", values="amount").tail()

# %% key="plot"
ax = monthly.pivot(index="month", columns="region", values="amount").plot(figsize=(8, 4), marker="o")
ax.set_ylabel("revenue")
ax.set_title("Monthly revenue by region");

# %% [markdown]
# ## Customer features

# %% key="features"
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

# %% [markdown]
# ## Lifetime value
#
# Monthly spend since the first order, times the gross margin and an expected
# lifetime, discounted by how long the customer has been silent.

# %% key="ltv"
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

# %% [markdown]
# ## Segments

# %% key="segments" expect=["H004"]
rfm = rfm.join(customers.set_index("customer_id")[["region", "channel"]])
rfm["segment"] = pd.qcut(rfm["ltv"], q=[0, 0.5, 0.8, 1.0], labels=["low", "mid", "high"])
segment_summary = (
    rfm.groupby(["segment", "channel"], observed=True)
    .agg(customers=("ltv", "size"), mean_ltv=("ltv", "mean"), total_ltv=("ltv", "sum"))
    .round(2)
    .reset_index()
)
segment_summary
