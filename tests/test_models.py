"""The estimator contract, learning from the taxonomy, and a joblib round trip of the whole fitted model."""
from __future__ import annotations

import io

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from pipeline.models import TaxonomyClassifier, softmax
from pipeline.taxonomy import load_taxonomy
from pipeline.train import train

TEXTS = ["高齢者向けのスマホ教室を増やしてほしい", "電子申請で手続を完結させてほしい", "職員のテレワークを進めてほしい",
         "窓口に行かずに申請したい", "スマホが使えない母が心配", "在宅勤務の環境を整えるべき"]
LABELS = ["digital_divide", "online_procedures", "workstyle", "online_procedures", "digital_divide", "workstyle"]


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def test_init_stores_params_only_and_get_params_round_trips(taxonomy):
    est = TaxonomyClassifier(taxonomy=taxonomy, C=3.0, keyword_weight=2.0)
    params = est.get_params()
    assert params["C"] == 3.0 and params["keyword_weight"] == 2.0
    assert TaxonomyClassifier(**params).get_params() == params
    assert not hasattr(est, "classifier_")
    with pytest.raises(NotFittedError):
        est.predict(["テスト"])


def test_fit_returns_self_and_clone_is_unfitted(taxonomy):
    est = TaxonomyClassifier(taxonomy=taxonomy)
    assert est.fit(TEXTS, LABELS) is est
    assert not hasattr(clone(est), "classifier_")


def test_every_theme_is_predictable_from_the_taxonomy_alone(taxonomy):
    """With no examples at all, the keywords and descriptions still cover every theme, `other` included."""
    est = TaxonomyClassifier(taxonomy=taxonomy).fit([], [])
    assert list(est.classes_) == sorted(taxonomy.theme_ids)
    assert est.predict(["マイナンバーカードの暗証番号"])[0] == "mynumber_auth"
    assert est.predict(["オープンデータのカタログを公開してほしい"])[0] == "gis_opendata"


def test_labels_outside_the_taxonomy_are_refused(taxonomy):
    from pipeline.errors import TaxonomyError

    with pytest.raises(TaxonomyError, match="'weather'"):
        TaxonomyClassifier(taxonomy=taxonomy).fit(["雪"], ["weather"])


def test_plain_baseline_needs_two_labels():
    with pytest.raises(ValueError, match="at least two"):
        TaxonomyClassifier(use_taxonomy=False).fit(["a", "b"], ["x", "x"])


def test_probabilities_and_temperature(taxonomy):
    est = TaxonomyClassifier(taxonomy=taxonomy).fit(TEXTS, LABELS)
    p = est.predict_proba(TEXTS)
    assert p.shape == (len(TEXTS), len(taxonomy.theme_ids)) and np.allclose(p.sum(axis=1), 1)
    hot = est.set_params(temperature=4.0).predict_proba(TEXTS)
    assert (hot.max(axis=1) < p.max(axis=1)).all()  # a higher temperature is less sure, same winner
    assert (hot.argmax(axis=1) == p.argmax(axis=1)).all()


def test_softmax_is_stable():
    assert np.allclose(softmax(np.array([[1000.0, 0.0]])), [[1.0, 0.0]])


def test_evidence_is_japanese_words(taxonomy):
    est = TaxonomyClassifier(taxonomy=taxonomy).fit(TEXTS, LABELS)
    words = est.evidence("一人暮らしの高齢者はスマホの使い方がわからない", "digital_divide", k=5)
    assert 1 <= len(words) <= 5 and any("高齢" in w for w in words)


def test_whole_model_joblib_round_trip():
    model = train()
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    texts = ["窓口での本人確認が不安です", "ハザードマップをスマホで見たい"]
    assert loaded.score(texts).equals(model.score(texts))


def test_texts_with_no_word_to_learn_from_are_one_clear_error():
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="no word to learn response_type from"):
        TaxonomyClassifier(target="response_type", use_taxonomy=False).fit(["検討します", "対応します"],
                                                                           ["future", "kept"])


@pytest.mark.parametrize("classifier", ["logistic", "svm"])
def test_either_classifier_scores_from_arrays_as_scikit_learn_does(taxonomy, classifier):
    est = TaxonomyClassifier(taxonomy=taxonomy, classifier=classifier).fit(TEXTS, LABELS)
    texts = ["スマホ教室に行きたい", "テレワークの日を増やして"]
    matrix = est.features(texts)
    assert np.allclose(est.decision_function(texts), est.classifier_.decision_function(matrix))
    assert list(est.predict(texts)) == ["digital_divide", "workstyle"]


def test_an_unknown_classifier_is_refused(taxonomy):
    with pytest.raises(ValueError, match="classifier must be 'logistic' or 'svm', got 'tree'"):
        TaxonomyClassifier(taxonomy=taxonomy, classifier="tree").fit(TEXTS, LABELS)


def test_a_model_pickled_before_the_classifier_option_reads_as_logistic(taxonomy):
    est = TaxonomyClassifier(taxonomy=taxonomy).fit(TEXTS, LABELS)
    state = est.__getstate__()
    del state["classifier"]
    old = TaxonomyClassifier.__new__(TaxonomyClassifier)
    old.__setstate__(state)
    assert old.get_params()["classifier"] == "logistic" and list(old.predict(TEXTS)) == list(est.predict(TEXTS))


@pytest.mark.parametrize("label, words", [
    ("保護者負担・費用", ("保護者負担", "費用")),
    ("窓口・手続/相談", ("窓口", "手続", "相談")),
    ("その他", ("その他",)),
    ("A・B", ()),  # one-character parts say nothing on their own
])
def test_label_words(label, words):
    from pipeline.models import label_words

    assert label_words(label) == words


def test_label_keywords_match_label_parts_for_themes_without_keywords():
    from pipeline.taxonomy import taxonomy_from_dict

    bare = taxonomy_from_dict({"taxonomy": {"id": "t", "version": "1"}, "themes": [
        {"id": "bus", "label_ja": "スクールバス・送迎"}, {"id": "club", "label_ja": "部活動", "keywords": ["吹奏楽"]}]})
    est = TaxonomyClassifier(taxonomy=bare, label_keywords=True, char_ngrams=False).fit(
        ["送迎の時間を変えて", "吹奏楽部を残して"], ["bus", "club"])
    # a theme without keywords matches its label's parts; one with keywords keeps its own
    assert dict(zip(est.matcher_.labels_, est.matcher_.keywords_)) == {"bus": ("スクールバス", "送迎"),
                                                                        "club": ("吹奏楽",)}
    assert est.evidence("朝の送迎バスが遅い", "bus")[0] == "送迎"  # a matched label word comes first
    plain = TaxonomyClassifier(taxonomy=bare, char_ngrams=False).fit(["送迎の時間を変えて", "吹奏楽部を残して"],
                                                                      ["bus", "club"])
    assert "送迎" not in [w for group in plain.matcher_.keywords_ for w in group]
