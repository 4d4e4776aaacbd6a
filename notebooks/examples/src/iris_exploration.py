# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example:
#     kind: lint
#     summary: Exploration of the iris measurements with k-means; prose markdown but no heading,
#       unseeded numpy jitter, unseeded KMeans, random.shuffle, and a trailing empty cell.
#     runs: true
#     runs_note: the jitter plot, the cluster labels and the shuffled ARI change between runs
#     expect: [H502]
# ---

# %% [markdown]
# Quick look at the iris measurements before the clustering demo next week.
# Data: `iris.csv` (150 flowers, 3 species, 4 measurements in cm).

# %% key="imports" expect=["H105"]
# %matplotlib inline
import random
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

# %% key="load"
iris = pd.read_csv("iris.csv")
iris.describe()

# %% key="means"
iris.groupby("species").mean().round(2)

# %% [markdown]
# Petal measurements separate setosa completely; jitter the points so overlaps are visible.

# %% key="jitter" expect=["H101"]
jitter = np.random.normal(0, 0.05, size=len(iris))
colors = iris["species"].map({"setosa": "tab:blue", "versicolor": "tab:orange", "virginica": "tab:green"})
plt.scatter(iris["petal_length"] + jitter, iris["petal_width"], c=colors, s=12)
plt.xlabel("petal length (cm, jittered)")
plt.ylabel("petal width (cm)")

# %% key="kmeans" expect=["H101"]
measurements = iris[["sepal_length", "sepal_width", "petal_length", "petal_width"]]
km = KMeans(n_clusters=3, n_init=10)
clusters = km.fit_predict(measurements)
print("ARI vs species:", round(adjusted_rand_score(iris["species"], clusters), 3))

# %% key="shuffle" expect=["H101"]
# sanity check: shuffled labels should give an ARI close to 0
labels = list(iris["species"])
random.shuffle(labels)
print("ARI vs shuffled species:", round(adjusted_rand_score(labels, clusters), 3))

# %% key="crosstab"
pd.crosstab(iris["species"], clusters, rownames=["species"], colnames=["cluster"])

# %% key="empty" expect=["H206"]
