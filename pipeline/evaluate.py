"""Honest evaluation: cross-validation that refits the whole pipeline in every fold, on real rows only (authored
examples train but are never test cases), with bootstrap intervals and three baselines side by side."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, LeaveOneOut, StratifiedKFold

from . import config
from ._progress import progress
from .errors import InputError
from .linear import softmax
from .models import TaxonomyClassifier
from .targets import ESTIMATORS
from .taxonomy import Taxonomy
from .tokenizer import JapaneseTokenizer
from .calibrate import applied, reliability, review_threshold
from .train import REVIEW_MARGIN, estimator_for, training_data


def classification_metrics(y_true, y_pred, *, n_boot: int = 1000, seed: int = config.RANDOM_STATE) -> dict:
    """accuracy, macro-F1 (over the labels in truth or prediction, as sklearn) with a bootstrap 95% interval,
    per-class precision / recall / F1 / support, and the confusion matrix."""
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    labels = sorted(set(y_true) | set(y_pred))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y_true), len(y_true))
        boots.append(f1_score(y_true[idx], y_pred[idx], average="macro", zero_division=0))
    return {
        "n": int(len(y_true)),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 4),
        "macro_f1_ci95": [round(float(np.percentile(boots, 2.5)), 4), round(float(np.percentile(boots, 97.5)), 4)],
        "per_class": {
            lab: {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4), "support": int(s)}
            for lab, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
        "confusion": {"labels": labels, "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()},
    }


def _splits(frame: pd.DataFrame, labels: pd.Series, cv, group_column: str | None):
    if group_column:
        if group_column not in frame.columns:
            raise InputError(f"--group-column {group_column!r} is not a column of the labelled data "
                             f"(columns: {', '.join(map(str, frame.columns))})")
        groups = frame[group_column].astype(str).to_numpy()
        k = min(int(cv) if str(cv).isdigit() else len(set(groups)), len(set(groups)))
        return GroupKFold(n_splits=k).split(frame, labels, groups)
    if str(cv) == "loo":
        return LeaveOneOut().split(frame)
    k = min(int(cv), len(frame))  # a target with fewer labels than folds (response types on a few rows): one a fold
    smallest = labels.value_counts().min()
    if smallest < k:  # stratification needs k members per class; fall back to plain shuffled folds
        from sklearn.model_selection import KFold

        return KFold(n_splits=k, shuffle=True, random_state=config.RANDOM_STATE).split(frame)
    return StratifiedKFold(n_splits=k, shuffle=True, random_state=config.RANDOM_STATE).split(frame, labels)


def plain_estimator(key: str, taxonomy: Taxonomy, tokenizer=None) -> TaxonomyClassifier:
    """The honest baseline (`no_taxonomy` in the metrics): TF-IDF over the tokenizer's lemmas + logistic regression
    (C=10, balanced classes), nothing from the taxonomy, no character n-grams; fitted on the real rows only."""
    return TaxonomyClassifier(taxonomy=taxonomy, target=ESTIMATORS[key][0], tokenizer=tokenizer, use_taxonomy=False,
                              C=10.0, char_ngrams=False)


def _estimator(kind: str, key: str, taxonomy: Taxonomy, tokenizer):
    if kind == "model":
        return estimator_for(key, taxonomy, tokenizer)
    if kind == "no_taxonomy":
        return plain_estimator(key, taxonomy, tokenizer)
    return TaxonomyClassifier(taxonomy=taxonomy, target=ESTIMATORS[key][0], tokenizer=tokenizer)  # keywords_only


def _fold_predictions(real, authored, key, taxonomy, cv, group_column, tokenizer):
    label_col, text_col, _ = ESTIMATORS[key]
    rows = real[(real[label_col] != "") & (real[text_col] != "")].reset_index(drop=True)
    extra = authored[(authored[label_col] != "") & (authored[text_col] != "")]
    if len(rows) < 2 or rows[label_col].nunique() < 2:
        return rows, None
    preds = {name: np.empty(len(rows), dtype=object) for name in ("model", "majority", "keywords_only", "no_taxonomy")}
    scores = np.zeros((len(rows), len(_label_set(taxonomy, key))))
    splits = list(_splits(rows, rows[label_col], cv, group_column))
    # the taxonomy-alone baseline learns no rows: one fit serves every fold
    learns_taxonomy = ESTIMATORS[key][2]
    taxonomy_alone = _estimator("keywords_only", key, taxonomy, tokenizer).fit([], []) if learns_taxonomy else None
    for train_idx, test_idx in progress(splits, desc=f"cross-validating {key}", unit="folds"):
        train = rows.iloc[train_idx]
        test_texts = rows.iloc[test_idx][text_col].tolist()
        if learns_taxonomy:  # the authored examples teach what the taxonomy means
            fit_rows = pd.concat([train, extra], ignore_index=True)
        else:
            fit_rows = train
        texts, labels, weights = training_data(key, fit_rows, taxonomy)
        model = _estimator("model", key, taxonomy, tokenizer).fit(texts, labels, sample_weight=weights)
        d = model.decision_function(test_texts)
        preds["model"][test_idx] = model.classes_[d.argmax(axis=1)]
        columns = [_label_set(taxonomy, key).index(c) for c in model.classes_]
        scores[np.ix_(test_idx, columns)] = d
        scores[np.ix_(test_idx, [i for i in range(scores.shape[1]) if i not in columns])] = -1e9
        preds["majority"][test_idx] = train[label_col].value_counts().idxmax()
        if taxonomy_alone is not None:
            preds["keywords_only"][test_idx] = taxonomy_alone.predict(test_texts)
        if train[label_col].nunique() >= 2:
            plain = _estimator("no_taxonomy", key, taxonomy, tokenizer).fit(train[text_col].tolist(), train[label_col].tolist())
            preds["no_taxonomy"][test_idx] = plain.predict(test_texts)
        else:
            preds["no_taxonomy"][test_idx] = train[label_col].iloc[0]
    rows = rows.assign(pred=preds["model"])
    rows.attrs["scores"], rows.attrs["labels"] = scores, _label_set(taxonomy, key)
    return rows, preds


def _label_set(taxonomy, key) -> list[str]:
    return sorted(taxonomy.theme_ids if ESTIMATORS[key][0] == "theme" else taxonomy.response_type_ids)


def fit_temperature(scores, truth, labels) -> float:
    """The softmax temperature that minimises the log-loss of out-of-fold scores (a one-parameter calibration
    that never changes which class wins)."""
    index = np.array([labels.index(t) for t in truth])
    best_t, best_loss = 1.0, np.inf
    # the grid's step is a 32nd of a factor of 32 in log space; it reaches down to 0.02 since a linear SVM's margins
    # (about 1) need sharpening where logistic regression's scores (about 5) do not, and keeps the old points
    for t in np.exp(np.log(0.25) + np.log(32.0) / 48 * np.arange(-36, 49)):
        p = softmax(scores, t)
        loss = -np.mean(np.log(np.clip(p[np.arange(len(index)), index], 1e-12, None)))
        if loss < best_loss:
            best_t, best_loss = float(t), loss
    return round(best_t, 4)


def cross_validate(frame: pd.DataFrame, taxonomy: Taxonomy, authored: pd.DataFrame, *, cv="loo",
                   group_column: str | None = None, n_boot: int = 1000) -> dict:
    """Metrics for theme, response type from the reply, and response type from the opinion alone."""
    real = frame[frame["source"] != "authored"].reset_index(drop=True)
    tokenizer = JapaneseTokenizer(normalized=True, cache_size=200_000)
    out: dict = {"n": int(len(real)), "cv": str(cv) if not group_column else f"group:{group_column}",
                 "authored_examples_in_training": int(len(authored))}
    for key in ESTIMATORS:
        rows, preds = _fold_predictions(real, authored, key, taxonomy, cv, group_column, tokenizer)
        if preds is None:
            continue
        truth = rows[ESTIMATORS[key][0]]
        metrics = classification_metrics(truth, preds["model"], n_boot=n_boot)
        metrics["basis"] = "reply" if ESTIMATORS[key][1] == "response" else "opinion"
        metrics["baselines"] = {
            name: {"macro_f1": round(float(f1_score(truth, p, average="macro", zero_division=0)), 4),
                   "accuracy": round(float(accuracy_score(truth, p)), 4)}
            for name, p in preds.items() if name != "model" and not (name == "keywords_only" and not ESTIMATORS[key][2])
        }
        metrics["calibration"], rule = _calibrate(rows, truth, authored, key, taxonomy, tokenizer)
        if key == "theme":
            out["needs_review"] = rule
        if "consultation_id" in rows and rows["consultation_id"].nunique() > 1:
            metrics["per_consultation"] = {
                cid: {"n": int(len(g)), "accuracy": round(float((g["pred"] == g[ESTIMATORS[key][0]]).mean()), 4),
                      "macro_f1": round(float(f1_score(g[ESTIMATORS[key][0]], g["pred"], average="macro", zero_division=0)), 4)}
                for cid, g in rows.groupby("consultation_id")
            }
        out[key] = metrics
    return out


def _calibrate(rows, truth, authored, key, taxonomy, tokenizer) -> tuple[dict, dict]:
    """The temperature and review rule, chosen on the out-of-fold scores of the real rows and, when the taxonomy
    has authored examples, on theirs too (folds of the examples, each fitted on the real rows and the other
    examples): forty rows of one town alone made the scores too sharp for other towns' text. The calibration is
    then reported on the real rows alone, with its reliability bins."""
    labels, scores = rows.attrs["labels"], rows.attrs["scores"]
    pooled, pooled_truth = scores, list(truth)
    extra = _authored_scores(rows, authored, key, taxonomy, tokenizer, labels)
    if extra is not None:
        pooled, pooled_truth = np.vstack([scores, extra[0]]), pooled_truth + extra[1]
    temperature = fit_temperature(pooled, pooled_truth, labels)
    def top2(s):
        p = np.sort(softmax(s, temperature), axis=1)
        return p[:, -1], p[:, -2] if p.shape[1] > 1 else np.zeros(len(p))
    pooled_correct = np.array(labels, dtype=object)[pooled.argmax(axis=1)] == np.asarray(pooled_truth, dtype=object)
    rule = review_threshold(pooled_correct, *top2(pooled), margin=REVIEW_MARGIN)
    correct = rows["pred"].to_numpy() == truth.to_numpy()
    top, second = top2(scores)
    block = {"temperature": temperature, **reliability(correct, top),
             "uncalibrated": calibration(correct, softmax(scores).max(axis=1)),
             "review_rule_on_these_rows": applied(correct, top, second, rule),
             "calibrated_on": {"real_rows": int(len(rows)), "authored_rows": 0 if extra is None else len(extra[1])}}
    return block, rule


def _authored_scores(rows, authored, key, taxonomy, tokenizer, labels, folds: int = 5):
    """Out-of-fold decision scores of the authored examples (None when there are too few to fold)."""
    label_col, text_col, learns_taxonomy = ESTIMATORS[key]
    extra = authored[(authored[label_col] != "") & (authored[text_col] != "")].reset_index(drop=True)
    if not learns_taxonomy or len(extra) < 5 * folds or extra[label_col].value_counts().min() < folds:
        return None
    scores = np.full((len(extra), len(labels)), -1e9)
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=config.RANDOM_STATE).split(
            extra, extra[label_col]):
        fit_rows = pd.concat([rows.drop(columns="pred"), extra.iloc[train_idx]], ignore_index=True)
        texts, y, weights = training_data(key, fit_rows, taxonomy)
        model = _estimator("model", key, taxonomy, tokenizer).fit(texts, y, sample_weight=weights)
        columns = [labels.index(c) for c in model.classes_]
        scores[np.ix_(test_idx, columns)] = model.decision_function(extra[text_col].iloc[test_idx].tolist())
    return scores, extra[label_col].tolist()


def calibration(correct, score, bins: int = 5) -> dict:
    """Expected calibration error and Brier score of the top-class confidence."""
    correct, score = np.asarray(correct, dtype=float), np.asarray(score, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (score >= lo) & (score < hi if hi < 1 else score <= hi)
        if inside.any():
            ece += inside.mean() * abs(correct[inside].mean() - score[inside].mean())
    return {"ece": round(float(ece), 4), "brier": round(float(np.mean((score - correct) ** 2)), 4),
            "mean_confidence": round(float(score.mean()), 4), "accuracy": round(float(correct.mean()), 4)}


def evaluate_model(model, frame: pd.DataFrame, *, n_boot: int = 1000) -> dict:
    """A fitted model tested on labelled rows it has not seen (no refitting)."""
    real = frame[frame["source"] != "authored"].reset_index(drop=True)
    out: dict = {"n": int(len(real)), "cv": "none (fitted model)", "model": str(getattr(model, "path", "") or "")}
    for key, (label_col, text_col, _) in ESTIMATORS.items():
        estimator = getattr(model, key)
        rows = real[(real[label_col] != "") & (real[text_col] != "")]
        if estimator is None or not len(rows):
            continue
        metrics = classification_metrics(rows[label_col], estimator.predict(rows[text_col].tolist()), n_boot=n_boot)
        metrics["basis"] = "reply" if key == "response_type" else "opinion"
        out[key] = metrics
    return out


def evaluate(frame: pd.DataFrame | None = None, *, taxonomy=None, examples=None, cv="loo", model=None,
             group_column: str | None = None, n_boot: int = 1000) -> dict:
    """Metrics for labelled rows (default: the embedded Otaru data): cross-validation, or a fitted `model`'s test."""
    from .taxonomy import Taxonomy, load_taxonomy
    from .train import default_examples, embedded_labelled, label_ids

    frame = embedded_labelled() if frame is None else frame
    if model is not None:
        return evaluate_model(model, label_ids(frame, model.taxonomy), n_boot=n_boot)
    taxonomy = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    frame = label_ids(frame, taxonomy)
    authored = examples if isinstance(examples, pd.DataFrame) else default_examples(taxonomy, examples)
    if str(cv) != "loo" and not (str(cv).isdigit() and int(cv) >= 2):
        raise InputError(f"--cv must be 'loo' or a number of folds >= 2, got {cv!r}")
    real = frame[frame["source"] != "authored"]
    labelled = int(((real["theme"] != "") | (real["response_type"] != "")).sum())
    if str(cv).isdigit() and int(cv) > labelled:
        raise InputError(f"--cv {cv} needs at least {cv} labelled rows; there are {labelled} (use a smaller --cv "
                         "or --cv loo)")
    out = cross_validate(frame, taxonomy, authored, cv=cv, group_column=group_column, n_boot=n_boot)
    if real["consultation_id"].astype(str).nunique() >= 2:
        # the use: a model trained on past rounds meets a new consultation; each round is held out in turn
        held_out = cross_validate(frame, taxonomy, authored, cv="loo", group_column="consultation_id", n_boot=n_boot)
        out["leave_one_consultation_out"] = {k: v for k, v in held_out.items() if k != "needs_review"}
    return out


def heldout_baselines(train_frame: pd.DataFrame, test_frame: pd.DataFrame, taxonomy: Taxonomy,
                      authored: pd.DataFrame | None = None) -> dict:
    """Theme macro-F1 on a held-out set of: the taxonomy alone; plain TF-IDF trained on the real rows of
    `train_frame`; and, given `authored`, plain TF-IDF trained on the real rows plus the authored examples (what
    the examples bring without the keywords)."""
    real = train_frame[(train_frame["theme"] != "") & (train_frame["source"] != "authored")]
    test_rows = test_frame[test_frame["theme"] != ""]
    texts, truth = test_rows["opinion"].tolist(), test_rows["theme"]
    tokenizer = JapaneseTokenizer(normalized=True, cache_size=50_000)
    fitted = {"keywords_only": _estimator("keywords_only", "theme", taxonomy, tokenizer).fit([], []),
              "no_taxonomy": _estimator("no_taxonomy", "theme", taxonomy, tokenizer).fit(real["opinion"].tolist(),
                                                                                         real["theme"].tolist())}
    if authored is not None and len(authored):
        both = pd.concat([real, authored[authored["theme"] != ""]], ignore_index=True)
        fitted["no_taxonomy_with_examples"] = _estimator("no_taxonomy", "theme", taxonomy, tokenizer).fit(
            both["opinion"].tolist(), both["theme"].tolist())
    return {name: {"macro_f1": round(float(f1_score(truth, est.predict(texts), average="macro", zero_division=0)), 4)}
            for name, est in fitted.items()}


def headline(metrics: dict) -> str:
    """One line: each target's macro-F1 with its 95% interval and accuracy (what run and evaluate print). In English:
    the CLI puts the whole line into the reader's language (`i18n.localize`: the line, then each part in turn)."""
    parts = []
    for key, name in (("theme", "theme"), ("response_type", "response type (reply)"),
                      ("response_type_from_opinion", "response type (opinion only)")):
        if key in metrics:
            m = metrics[key]
            lo, hi = m["macro_f1_ci95"]
            parts.append(f"{name} macro-F1 {m['macro_f1']:.2f} [{lo:.2f}-{hi:.2f}], accuracy {m['accuracy']:.2f}")
    return f"evaluate ({metrics['cv']}, n={metrics['n']}): " + "; ".join(parts)
