# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example:
#     kind: lint
#     summary: 'Review sentiment with TF-IDF + logistic regression: the vectorizer is fitted
#       on all reviews before the split, a printed config shows a GitHub token read from the
#       environment, an input() prompt behind a flag, an unseeded classifier.'
#     runs: true
#     runs_note: the input() call is behind INTERACTIVE = False; re-runs print an empty token
#     expect: [H403]
#     env: {GITHUB_TOKEN: ghp_HardenExampleFakeToken00000000000000}
# ---

# %% [markdown]
# # Review sentiment classifier
#
# Labels: reviews rated 4 or 5 stars are positive. Baseline for the labelling
# project (labels will come from the `review-labels` repo later).

# %% key="imports"
import os
import re
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.metrics import classification_report

# %% key="config"
LABEL_REPO = "acme/review-labels"
MIN_RATING_POSITIVE = 4
INTERACTIVE = False

# %% key="show_config" expect=["H302"]
config = {
    "repo": LABEL_REPO,
    "token": os.environ.get("GITHUB_TOKEN", ""),
    "min_rating_positive": MIN_RATING_POSITIVE,
}
print(config)

# %% key="load"
reviews = pd.read_csv("reviews.csv")
reviews["label"] = (reviews["rating"] >= config["min_rating_positive"]).astype(int)
reviews["clean_text"] = reviews["text"].str.lower().map(lambda s: re.sub(r"[^a-z' ]+", " ", s))
reviews[["clean_text", "label"]].head()

# %% key="vectorize" expect=["H401"]
vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, stop_words="english")
X = vectorizer.fit_transform(reviews["clean_text"])
y = reviews["label"]
X.shape

# %% key="model" expect=["H101"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
clf = LogisticRegression(C=4.0, solver="liblinear")
clf.fit(X_train, y_train)
print(classification_report(y_test, clf.predict(X_test), digits=3))

# %% key="vocab"
vocab = vectorizer.get_feature_names_out()
order = clf.coef_[0].argsort()
print("most negative:", ", ".join(vocab[order[:10]]))
print("most positive:", ", ".join(vocab[order[-10:]]))

# %% key="interactive" expect=["H107"]
if INTERACTIVE:
    review = input("Type a review: ")
    print(clf.predict_proba(vectorizer.transform([review.lower()]))[0, 1])

# %% key="errors" expect=["H204"]
test_predictions = pd.DataFrame(
    {"text": reviews.loc[y_test.index, "text"], "label": y_test, "predicted": clf.predict(X_test)}
)
errors = test_predictions[test_predictions["label"] != test_predictions["predicted"]]
n_errors = len(errors)
errors.head(10)
