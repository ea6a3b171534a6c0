"""Evaluation: the metrics shape, baselines, intervals, calibration and the review threshold."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.evaluate import calibration, classification_metrics, evaluate, fit_temperature, review_threshold


@pytest.fixture(scope="module")
def metrics():
    return evaluate(cv=4, n_boot=50)


def test_shape(metrics):
    assert metrics["n"] == 40 and metrics["cv"] == "4"
    for key, basis in (("theme", "opinion"), ("response_type", "reply"), ("response_type_from_opinion", "opinion")):
        block = metrics[key]
        assert block["basis"] == basis
        assert {"accuracy", "macro_f1", "macro_f1_ci95", "per_class", "confusion", "baselines", "calibration"} <= set(block)
        lo, hi = block["macro_f1_ci95"]
        assert 0 <= lo <= hi <= 1
        assert sum(c["support"] for c in block["per_class"].values()) == 40
        assert np.array(block["confusion"]["matrix"]).sum() == 40
    assert set(metrics["theme"]["baselines"]) == {"majority", "keywords_only", "no_taxonomy"}
    assert 0 < metrics["needs_review"]["threshold"] <= 1


def test_taxonomy_beats_plain_tfidf(metrics):
    theme = metrics["theme"]
    assert theme["macro_f1"] > theme["baselines"]["no_taxonomy"]["macro_f1"]
    assert theme["macro_f1"] > theme["baselines"]["majority"]["macro_f1"]


def test_every_adopted_reply_found(metrics):
    assert metrics["response_type"]["per_class"]["adopted"]["recall"] == 1.0


@pytest.mark.parametrize(
    "truth, pred, accuracy, macro_f1",
    [(["a", "b", "a"], ["a", "b", "a"], 1.0, 1.0), (["a", "a", "b", "b"], ["a", "b", "b", "b"], 0.75, 0.7333)],
)
def test_classification_metrics(truth, pred, accuracy, macro_f1):
    m = classification_metrics(truth, pred, n_boot=20)
    assert m["accuracy"] == accuracy and m["macro_f1"] == macro_f1


def test_review_threshold_separates_wrong_from_right():
    chosen = review_threshold([True, True, True, False, False], [0.9, 0.8, 0.95, 0.3, 0.4])
    assert 0.4 < chosen["threshold"] <= 0.8 and chosen["flag_rate_wrong"] == 1.0 and chosen["flag_rate_right"] == 0.0


def test_temperature_never_changes_the_winner_and_cools_overconfidence():
    scores = np.array([[5.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5.0, 0.0]])
    t = fit_temperature(scores, ["a", "b", "b", "a"], ["a", "b"])  # one confident mistake
    assert t > 1


def test_calibration_perfect():
    assert calibration([1, 1, 0, 0], [1.0, 1.0, 0.0, 0.0])["ece"] == 0.0
