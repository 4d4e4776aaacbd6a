"""How ``--check`` compares a notebook's value with the module's, and how it reports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harden.extractor.check import CheckResult, ValueCheck, _result
from harden.extractor.values import NotComparable, compare


def test_frames_series_and_arrays() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    assert compare(frame, frame.copy()) is None
    changed = frame.copy()
    changed.loc[1, "a"] = 2.5
    assert "a" in compare(frame, changed, path="df")
    assert compare(frame["a"], frame["a"] + 1e-12) is None
    assert compare(np.arange(3.0), np.arange(3.0) * (1 + 1e-9)) is None
    message = compare(np.arange(3.0), np.array([0.0, 1.0, 5.0]), path="arr")
    assert message.startswith("arr: ") and "Mismatched elements: 1 / 3" in message
    assert "shape" in compare(np.zeros((2, 2)), np.zeros((2, 3)))
    assert compare(np.array(["a", "b"]), np.array(["a", "b"])) is None


def test_scalars_containers_and_types() -> None:
    assert compare(0.1 + 0.2, 0.3) is None
    assert compare(float("nan"), float("nan")) is None
    assert compare({"a": [1, (2, 3)]}, {"a": [1, (2, 3)]}) is None
    assert "report['auc']" in compare({"auc": 0.81}, {"auc": 0.79}, path="report")
    assert "keys differ" in compare({"a": 1}, {"b": 1})
    assert "items" in compare([1, 2], [1])
    assert "type" in compare(1, "1")
    assert compare(np.float64(1.5), np.float64(1.5)) is None


class Thing:
    def __init__(self, value: int) -> None:
        self.value = value


def test_plain_objects_by_their_attributes() -> None:
    assert compare(Thing(1), Thing(1)) is None
    assert "__dict__" in compare(Thing(1), Thing(2), path="thing")


def test_estimators_by_predictions_on_the_notebooks_data() -> None:
    from sklearn.linear_model import LinearRegression

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
    y = [0.0, 1.0, 2.0, 3.5]
    left, right = LinearRegression().fit(X, y), LinearRegression().fit(X, y)
    assert compare(left, right, data=[X]) is None
    other = LinearRegression().fit(X, [0.0, 1.0, 2.0, 9.0])
    message = compare(left, other, data=[np.zeros((2, 5)), X], path="model")
    assert message.startswith("model.predict(notebook data (4, 2))")
    assert "fit_intercept" in compare(left, LinearRegression(fit_intercept=False).fit(X, y))
    assert compare(left, right) is None  # no data: fitted attributes


def test_figures_are_not_compared() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure()
    with pytest.raises(NotComparable):
        compare(figure, figure)
    # a 3-D axes comes from mpl_toolkits: compared by its attributes, two runs differed
    axes = figure.add_subplot(projection="3d")
    assert type(axes).__module__.startswith("mpl_toolkits")
    with pytest.raises(NotComparable):
        compare(axes, axes)
    plt.close(figure)


def test_check_results_render_the_first_difference_and_failures() -> None:
    agree = _result(
        {
            "status": "ok",
            "values": [
                {"step": "load", "name": "df", "outcome": "equal"},
                {
                    "step": None,
                    "name": "fig",
                    "outcome": "skipped",
                    "detail": "not compared: a figure",
                },
            ],
            "seconds": 1.0,
        },
        2.0,
    )
    assert agree.agree and "agree (1 values compared" in agree.render()
    assert "not compared: run() result `fig`" in agree.render()
    differ = _result(
        {
            "status": "ok",
            "values": [
                {"step": "load", "name": "df", "outcome": "equal"},
                {
                    "step": "fit",
                    "name": "model",
                    "outcome": "differ",
                    "detail": "model.predict: ...",
                },
            ],
        },
        1.0,
    )
    assert not differ.agree
    assert differ.render().splitlines()[0] == (
        "check: DIFFER: 1 of 2 values; first at step `fit` returns `model`"
    )
    failed = _result(
        {
            "status": "error",
            "step": "fit",
            "values": [],
            "error": {"type": "KeyError", "message": "'price'"},
        },
        1.0,
    )
    assert not failed.agree and failed.failed_step == "fit"
    assert failed.render() == "check: DIFFER: the module failed in step `fit`: KeyError: 'price'"
    assert isinstance(failed, CheckResult) and ValueCheck("a", "b", "equal").where == (
        "step `a` returns `b`"
    )
