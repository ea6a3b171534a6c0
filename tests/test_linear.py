"""Scoring from a model folder's scorer.joblib: the same predictions as the whole model, without scikit-learn."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import registry
from pipeline.train import train

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ["高齢者にはスマホの使い方を教える講座が必要です。", "マイナンバーカードの暗証番号を忘れたら窓口へ行くしかないのか。",
         "申請書の紙をなくしてオンラインで出せるようにしてほしい。", "", "hello"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return registry.save_model(train(), tmp_path_factory.mktemp("linear") / "models")


def test_scorer_scores_like_the_whole_model(saved):
    whole, scorer = registry.load_model(saved), registry.load_scorer(saved)
    assert type(scorer).__name__ == "ScoringModel" and scorer.card == whole.card
    pd.testing.assert_frame_equal(scorer.score(TEXTS), whole.score(TEXTS))


def test_scoring_a_saved_model_never_imports_sklearn(saved):
    code = ("import sys; from pipeline.registry import load_scorer; "
            f"out = load_scorer({str(saved)!r}).score({TEXTS!r}); "
            "print(out['pred_theme'].tolist()[0]); print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    theme, modules = done.stdout.splitlines()
    assert theme == registry.load_model(saved).score(TEXTS[:1])["pred_theme"][0]
    assert modules == "[]"


def test_a_folder_saved_before_scorer_joblib_scores_with_the_whole_model(saved, tmp_path):
    old = tmp_path / saved.name
    old.mkdir()
    for name in (registry.MODEL_FILE, registry.CARD_FILE):
        (old / name).write_bytes((saved / name).read_bytes())
    card = json.loads((old / registry.CARD_FILE).read_text(encoding="utf-8"))
    del card["files"][registry.SCORER_FILE]
    (old / registry.CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    model = registry.load_scorer(old)
    assert type(model).__name__ == "PubcomModel"
    pd.testing.assert_frame_equal(model.score(TEXTS), registry.load_scorer(saved).score(TEXTS))


def test_character_fragments_are_never_evidence():
    from pipeline.models import TaxonomyClassifier

    texts = ["スクールバスを増やして", "バスの停留所が遠い", "通学路が危ない", "通学路に信号を", "部活動が減る", "部活の顧問"]
    labels = ["bus", "bus", "road", "road", "club", "club"]
    estimator = TaxonomyClassifier(char_ngrams=True).fit(texts, labels)
    scorer = estimator.scorer()
    assert any(name.startswith("ch:") for name in scorer.names)
    evidence = scorer.evidence_many(scorer.features(texts), texts, labels, k=5)
    assert all(evidence) and not any(word.startswith("ch:") for words in evidence for word in words)


@pytest.mark.parametrize("ngram_range, min_df", [((1, 2), 1), ((1, 3), 2), ((2, 2), 1)])
def test_char_ngrams_transform_like_the_fitted_vectorizer(ngram_range, min_df):
    from pipeline.features import char_vectorizer
    from pipeline.tokens import CharNgrams

    fitted = ["スクールバスを増やして", "バスの停留所が遠い  通学路", "通学路が危ない", "a", ""]
    vectorizer = char_vectorizer(ngram_range=ngram_range, min_df=min_df).fit(fitted)
    texts = fitted + ["バス\\t\\n停留所", "未知の文字だけ", "通学路通学路"]
    ours, theirs = CharNgrams.from_vectorizer(vectorizer).transform(texts), vectorizer.transform(texts)
    assert np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)



def test_a_model_with_another_tokenizer_scores_through_the_same_arrays():
    from pipeline.models import TaxonomyClassifier

    texts = ["bus stop far", "bus late again", "road unsafe", "road needs lights"]
    model = TaxonomyClassifier(tokenizer=str.split, use_taxonomy=False).fit(texts, ["bus", "bus", "road", "road"])
    scorer = model.scorer()
    batch = scorer.tokens(["bus road road", "nothing known"])
    assert batch.lists() == [["bus", "road", "road"], ["nothing", "known"]]
    assert model.predict(["the bus stop", "road lights"]).tolist() == ["bus", "road"]
