"""A taxonomy with labels only (no keywords): which path is taken, and that it trains, evaluates and scores."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.errors import TaxonomyError
from pipeline.evaluate import evaluate, plain_estimator
from pipeline.taxonomy import load_taxonomy, taxonomy_from_dict
from pipeline.train import (
    DEFAULT_PARAMS, KEYWORD_FREE_PARAMS, REPLY_WEIGHT, SECONDARY_WEIGHT, estimator_for, keyword_free, label_ids, train,
    training_data,
)

THEMES = [("bus", "スクールバス"), ("commute", "通学路の安全"), ("club", "部活動")]
# (opinion, reply, theme): each theme's opinions share words with each other and with the reply
ROWS = [
    ("スクールバスの本数を増やしてほしい。", "バスの運行本数は利用状況を見て検討します。", "bus"),
    ("スクールバスの停留所が遠くて困る。", "停留所の位置は保護者と相談して決めます。", "bus"),
    ("バスの時刻を部活の後にも合わせてほしい。", "下校便の時刻は検討します。", "bus"),
    ("バスの乗車時間が長すぎる。", "", "bus"),
    ("通学路の歩道が狭くて危ない。", "通学路の安全点検を行います。", "commute"),
    ("通学路に信号を増やしてほしい。", "信号の設置は警察に要望します。", "commute"),
    ("冬の通学路の除雪をしてほしい。", "通学路の除雪は優先して行います。", "commute"),
    ("通学の距離が長くなるのが心配。", "", "commute"),
    ("部活動の種類が減るのが心配です。", "部活動は統合後も維持に努めます。", "club"),
    ("部活の顧問の先生が足りない。", "部活動の指導員を配置します。", "club"),
    ("部活動の大会に出られるか不安。", "合同チームでの参加を検討します。", "club"),
    ("吹奏楽部を残してほしい。", "", "club"),
]


def _taxonomy(**extra):
    themes = [{"id": i, "label_ja": label, **extra.get(i, {})} for i, label in THEMES]
    return taxonomy_from_dict({"taxonomy": {"id": "school", "version": "1"}, "themes": themes})


def _frame():
    frame = pd.DataFrame(ROWS, columns=["opinion", "response", "theme"])
    return frame.assign(consultation_id="school", row_no=range(1, len(frame) + 1), response_type="", source="real")


@pytest.mark.parametrize("taxonomy, expected", [
    (_taxonomy(), True),
    (_taxonomy(bus={"keywords": ["バス"]}), False),  # one keyword anywhere: the keyword path, as before
    (load_taxonomy(), False),
])
def test_keyword_free_is_decided_by_the_theme_keywords(taxonomy, expected):
    assert keyword_free("theme", taxonomy) is expected
    assert keyword_free("response_type_from_opinion", taxonomy) is False  # learns from no taxonomy at all


def test_keyword_free_theme_estimator_weighs_labels_like_examples():
    free = estimator_for("theme", _taxonomy())
    assert free.taxonomy_weight == KEYWORD_FREE_PARAMS["theme"]["taxonomy_weight"]
    packaged = estimator_for("theme", load_taxonomy())
    assert packaged.get_params()["taxonomy_weight"] == DEFAULT_PARAMS["theme"]["taxonomy_weight"]
    # explicit parameters win over the keyword-free defaults
    assert estimator_for("theme", _taxonomy(), params={"theme": {"C": 1.0}}).taxonomy_weight == 0.3


def test_training_data_adds_non_empty_replies_for_keyword_free_themes_only():
    frame = _frame()
    texts, labels, weights = training_data("theme", frame, _taxonomy())
    replied = frame[frame["response"] != ""]
    assert texts == frame["opinion"].tolist() + replied["response"].tolist()
    assert labels == frame["theme"].tolist() + replied["theme"].tolist()
    assert weights == [1.0] * len(frame) + [REPLY_WEIGHT] * len(replied)
    # a taxonomy with keywords fits on the opinions alone, unweighted, as before
    keyed = _taxonomy(bus={"keywords": ["バス"]})
    assert training_data("theme", frame, keyed) == (frame["opinion"].tolist(), frame["theme"].tolist(), None)


@pytest.mark.parametrize("secondary, extra", [
    (["club", "", "bus"], [("スクールバスの本数を増やしてほしい。", "club")]),  # the same theme twice adds nothing
    (["", "", ""], []),
])
def test_training_data_adds_a_labelled_second_theme_at_its_weight(secondary, extra):
    frame = _frame().iloc[:3].assign(response="", theme_secondary=secondary)
    texts, labels, weights = training_data("theme", frame, _taxonomy())
    assert list(zip(texts[3:], labels[3:])) == extra
    assert weights == ([1.0] * 3 + [SECONDARY_WEIGHT] * len(extra) if extra else None)


def test_a_second_theme_outside_the_taxonomy_is_named():
    frame = _frame().assign(theme_secondary="")
    frame.loc[2, "theme_secondary"] = "busses"
    with pytest.raises(TaxonomyError, match="theme label 'busses' \\(row 3\\) is not in taxonomy school"):
        label_ids(frame, _taxonomy())
    frame.loc[2, "theme_secondary"] = "部活動"  # a label_ja is read as its id, as for the theme column
    assert label_ids(frame, _taxonomy())["theme_secondary"].tolist()[2] == "club"


def test_keyword_free_model_trains_on_characters_and_scores_opinions():
    model = train(_frame(), taxonomy=_taxonomy(), examples=pd.DataFrame())
    assert model.theme.chars_ is not None  # character n-grams on: no keywords to match
    assert model.theme.chars_.ngram_range == (1, 2)
    # 吹奏楽 is unseen as a word; 部 inside 部員 (a different lemma) is seen only as a character
    scored = model.score(["スクールバスの停留所を増やして。", "部員が少ない。", "通学路が暗い。"])
    assert scored["pred_theme"].tolist() == ["bus", "club", "commute"]


def test_a_saved_keyword_free_model_scores_without_sklearn(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from pipeline import registry

    folder = registry.save_model(train(_frame(), taxonomy=_taxonomy(), examples=pd.DataFrame()), tmp_path / "models")
    texts = ["スクールバスの停留所を増やして。", "部員が少ない。", "通学路が暗い。"]
    code = ("import sys; from pipeline.registry import load_scorer; "
            f"print(load_scorer({str(folder)!r}).score({texts!r})['pred_theme'].tolist()); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    themes, modules = done.stdout.splitlines()
    assert themes == str(["bus", "club", "commute"]) and modules == "[]"


def test_plain_baseline_is_plain():
    plain = plain_estimator("theme", _taxonomy())
    assert (plain.use_taxonomy, plain.char_ngrams, plain.C) == (False, False, 10.0)
    fitted = plain.fit(_frame()["opinion"].tolist(), _frame()["theme"].tolist())
    assert fitted.chars_ is None and not any(name.startswith(("ch:", "kw:")) for name in fitted.feature_names_())


def test_evaluate_reports_the_plain_baseline_on_the_same_folds(tmp_path, capsys, monkeypatch):
    metrics = evaluate(_frame(), taxonomy=_taxonomy(), cv=2, n_boot=10)
    assert {"no_taxonomy", "majority", "keywords_only"} == set(metrics["theme"]["baselines"])
    labels = tmp_path / "labels.csv"
    _frame()[["row_no", "opinion", "response", "theme"]].to_csv(labels, index=False)
    toml = tmp_path / "school.toml"
    toml.write_text('[taxonomy]\nid = "school"\nversion = "1"\n' + "".join(
        f'[[themes]]\nid = "{i}"\nlabel_ja = "{label}"\n' for i, label in THEMES), encoding="utf-8")
    from pipeline import config

    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path / "reports")
    assert main(["evaluate", str(labels), "--taxonomy", str(toml), "--cv", "2"]) == 0
    out = capsys.readouterr().out
    assert "theme: macro-F1 model" in out and "vs plain TF-IDF + LR" in out
    # the calibration on the real rows: ECE, what the review rule accepts, and the reliability bins
    assert "theme calibration (out-of-fold, real rows): ECE" in out and "reliability (confidence/accuracy) [" in out
    bins = metrics["theme"]["calibration"]["bins"]
    assert sum(b["n"] for b in bins) == len(ROWS) and all(0 <= b["accuracy"] <= 1 for b in bins)
    assert metrics["theme"]["calibration"]["calibrated_on"] == {"real_rows": len(ROWS), "authored_rows": 0}


def test_top_terms_of_a_keyword_free_model_are_words_not_character_fragments():
    model = train(_frame(), taxonomy=_taxonomy(), examples=pd.DataFrame())
    terms = model.theme.top_terms(k=20)
    assert all(terms.values()) and not any(t.startswith(("ch:", "kw:")) or t == "<num>" for ts in terms.values() for t in ts)
