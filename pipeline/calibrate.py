"""How far a reviewer can trust a score: the review rule chosen on out-of-fold predictions, and the reliability
table (calibration bins, ECE) that `pubcom evaluate` reports.

The rule accepts a prediction without review when its calibrated confidence reaches the threshold and it is not a
close call (top two within the margin). The threshold is the lowest confidence at which the accepted predictions of
cross-validation are right at least `target` of the time (and stay so at every higher threshold), so that the
reviewer reads as few rows as the accuracy allows, instead of the cut that best separates wrong from right, which
sent 84% of real rows to review.
"""
from __future__ import annotations

import numpy as np

# accepted rows should be right this often; and a rule is only chosen over this many rows
TARGET_ACCURACY = 0.95
MIN_ACCEPTED = 10
# The accuracy of the accepted rows is an estimate from the same rows the threshold is chosen on, so it is read
# one standard error low (Wilson's lower bound, z = 1) before it is compared with the target: chosen on a fifth of
# the out-of-fold rows less, the plain estimate let through rows that were 0.946 right on the real ministry data.
Z_SAFETY = 1.0


def lower_bound(right: int, n: int, z: float = Z_SAFETY) -> float:
    """Wilson's lower confidence bound of a proportion `right` / `n` (z standard errors)."""
    if n == 0:
        return 0.0
    p = right / n
    centre = p + z * z / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float((centre - spread) / (1 + z * z / n))


def accepted(top, second, threshold: float, margin: float) -> np.ndarray:
    """True for the predictions the review rule lets through (what `pipeline.score` does with the card's rule)."""
    top, second = np.asarray(top, dtype=float), np.asarray(second, dtype=float)
    return ~unsure(top, threshold) & (top - second >= margin)


def unsure(top, threshold: float):
    """Below the review threshold. A threshold of 1.0 means "review every row": a confidence of exactly 1.0 (a low
    temperature makes the softmax reach it) is then unsure too."""
    return (np.asarray(top, dtype=float) < threshold) | (threshold >= 1.0)


def review_threshold(correct, top, second=None, *, margin: float = 0.0, target: float = TARGET_ACCURACY,
                     z: float = Z_SAFETY) -> dict:
    """The review rule's threshold chosen on out-of-fold predictions (see the module docstring); `z`: how many
    standard errors below its estimate the accepted rows' accuracy is read (0: as measured).

    correct : whether each out-of-fold prediction was right.
    top, second : its calibrated top and second probabilities (second None: no close-call rule).
    Returns the card's ``needs_review`` block: threshold, margin, how it was chosen, and the share of rows accepted
    and their accuracy in cross-validation.
    """
    correct, top = np.asarray(correct, dtype=bool), np.asarray(top, dtype=float)
    second = np.zeros_like(top) if second is None else np.asarray(second, dtype=float)
    if correct.all() or (~correct).all():
        return {"threshold": 0.5, "margin": margin, "chosen_by": "default (cross-validation had no errors to separate)"}
    candidates = np.unique(np.round(top, 3))
    chosen = None
    # from the strictest down: once the accepted rows reach the target, stop at the first threshold where they
    # fall short (above that, too few rows may fail only because their bound is wide)
    for t in candidates[::-1]:
        taken = accepted(top, second, t, margin)
        if taken.sum() < MIN_ACCEPTED:
            continue
        if lower_bound(int(correct[taken].sum()), int(taken.sum()), z) >= target:
            chosen = float(t)
        elif chosen is not None:
            break
    if chosen is None:  # no threshold reaches the target: review everything the model is not sure of at all
        return {"threshold": 1.0, "margin": margin, "target_accuracy": target, "auto_accepted": 0.0,
                "chosen_by": f"cross-validation (no threshold reached {target:.2f} accuracy: every row is reviewed)"}
    taken = accepted(top, second, chosen, margin)
    return {"threshold": round(chosen, 3), "margin": margin, "target_accuracy": target,
            "chosen_by": "cross-validation (lowest confidence whose accepted rows reach the target accuracy)",
            "n": int(len(top)), "auto_accepted": round(float(taken.mean()), 4),
            "accepted_accuracy": round(float(correct[taken].mean()), 4)}


def reliability(correct, score, bins: int = 10) -> dict:
    """The reliability diagram's data: per confidence bin, its rows, mean confidence and accuracy; and the expected
    calibration error (the row-weighted gap between the two), the Brier score and the overall figures."""
    correct, score = np.asarray(correct, dtype=float), np.asarray(score, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    table, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (score >= lo) & (score < hi if hi < 1 else score <= hi)
        if not inside.any():
            continue
        confidence, accuracy = float(score[inside].mean()), float(correct[inside].mean())
        ece += inside.mean() * abs(accuracy - confidence)
        table.append({"from": round(float(lo), 2), "to": round(float(hi), 2), "n": int(inside.sum()),
                      "mean_confidence": round(confidence, 4), "accuracy": round(accuracy, 4)})
    return {"ece": round(float(ece), 4), "brier": round(float(np.mean((score - correct) ** 2)), 4),
            "mean_confidence": round(float(score.mean()), 4), "accuracy": round(float(correct.mean()), 4),
            "bins": table}


def applied(correct, top, second, rule: dict) -> dict:
    """What a review rule does to labelled out-of-fold predictions: the share accepted and their accuracy."""
    correct = np.asarray(correct, dtype=bool)
    taken = accepted(top, second, rule["threshold"], rule.get("margin", 0.0))
    return {"n": int(len(correct)), "auto_accepted": round(float(taken.mean()), 4) if len(correct) else 0.0,
            "accepted_accuracy": round(float(correct[taken].mean()), 4) if taken.any() else None}
