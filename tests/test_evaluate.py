"""Evaluation: the metrics shape, baselines, intervals, calibration and the review threshold."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.calibrate import accepted, lower_bound, reliability, review_threshold, unsure
from pipeline.evaluate import calibration, classification_metrics, evaluate, fit_temperature


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


@pytest.mark.parametrize("correct, top, threshold, share", [
    # 20 right from 0.8 up, wrong at 0.6 and 0.5: one wrong in 21 still keeps 0.95, two in 22 do not
    ([True] * 20 + [False] * 2, [0.8 + 0.005 * i for i in range(20)] + [0.5, 0.6], 0.6, 21 / 22),
    # the 11th most confident is wrong: accepted rows stop above it, lower right rows are not reached
    ([True] * 10 + [False] + [True] * 11, [0.99 - 0.01 * i for i in range(22)], 0.90, 10 / 22),
])
def test_review_threshold_is_the_lowest_confidence_that_keeps_the_target_accuracy(correct, top, threshold, share):
    rule = review_threshold(correct, top, target=0.95, z=0)  # accuracy read as measured
    assert rule["threshold"] == pytest.approx(threshold) and rule["auto_accepted"] == pytest.approx(share, abs=1e-4)
    assert rule["accepted_accuracy"] >= 0.95


def test_review_threshold_counts_close_calls_as_reviewed():
    correct = [True] * 18 + [False]
    top = [0.6] * 18 + [0.2]
    second = [0.35] * 12 + [0.55] * 6 + [0.15]  # six right rows and the wrong one are close calls (margin 0.1)
    rule = review_threshold(correct, top, second, margin=0.1, z=0)
    assert rule["threshold"] == pytest.approx(0.2) and rule["auto_accepted"] == pytest.approx(12 / 19, abs=1e-4)


def test_review_threshold_reviews_everything_when_no_cut_is_accurate_enough():
    rule = review_threshold([True, False] * 10, np.linspace(0.5, 0.99, 20))
    assert rule["threshold"] == 1.0 and rule["auto_accepted"] == 0.0


def test_review_threshold_reads_the_accuracy_one_standard_error_low():
    # 40 right from 0.9 up, then one wrong at 0.85, then 40 right: 40/41 measured 0.976, its Wilson bound below 0.95
    correct = [True] * 40 + [False] + [True] * 40
    top = [0.99 - 0.002 * i for i in range(40)] + [0.85] + [0.8 - 0.002 * i for i in range(40)]
    assert review_threshold(correct, top, z=0)["threshold"] == pytest.approx(0.722)  # 80/81 = 0.988 as measured
    strict = review_threshold(correct, top, z=1.0)  # 40/40 passes (bound 0.976); 40/41 does not: stop above 0.85
    assert strict["threshold"] == pytest.approx(0.912) and strict["accepted_accuracy"] == 1.0


@pytest.mark.parametrize("right, n, z, expected", [(10, 10, 0.0, 1.0), (0, 0, 1.0, 0.0), (95, 100, 1.0, 0.9234)])
def test_lower_bound(right, n, z, expected):
    assert lower_bound(right, n, z) == pytest.approx(expected, abs=1e-4)


def test_reliability_bins_add_up_and_give_the_ece():
    table = reliability([1, 1, 0, 1], [0.95, 0.91, 0.55, 0.45], bins=10)
    assert [b["n"] for b in table["bins"]] == [1, 1, 2] and sum(b["n"] for b in table["bins"]) == 4
    # bins: 0.4-0.5 conf 0.45 acc 1; 0.5-0.6 conf 0.55 acc 0; 0.9-1.0 conf 0.93 acc 1
    assert table["ece"] == pytest.approx((0.55 + 0.55 + 2 * 0.07) / 4, abs=1e-4)


def test_temperature_never_changes_the_winner_and_cools_overconfidence():
    scores = np.array([[5.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5.0, 0.0]])
    t = fit_temperature(scores, ["a", "b", "b", "a"], ["a", "b"])  # one confident mistake
    assert t > 1


def test_calibration_perfect():
    assert calibration([1, 1, 0, 0], [1.0, 1.0, 0.0, 0.0])["ece"] == 0.0


def test_when_everything_is_reviewed_a_confidence_of_exactly_one_is_reviewed_too():
    rule = review_threshold([True, False] * 10, np.linspace(0.5, 1.0, 20))  # a low temperature reaches 1.0
    assert unsure(1.0, rule["threshold"]) and not accepted([1.0], [0.0], rule["threshold"], 0.0).any()
