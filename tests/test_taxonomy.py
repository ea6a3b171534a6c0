"""The taxonomy file: the default loads; every schema error names the file, the entry and the problem."""
from __future__ import annotations

import pytest

from pipeline.errors import TaxonomyError
from pipeline.taxonomy import load_taxonomy
from pipeline.train import load_examples

THEMES = ["plan_governance", "digital_divide", "online_procedures", "mynumber_auth", "standardization", "paperless",
          "gis_opendata", "information", "ai_rpa", "workstyle", "security", "other"]


def test_default_taxonomy():
    taxonomy = load_taxonomy()
    assert taxonomy.id == "dx-ja" and taxonomy.version
    assert taxonomy.theme_ids == THEMES
    assert taxonomy.response_type_ids == ["adopted", "future", "kept"]
    assert all(len(t.keywords) >= 30 for t in taxonomy.themes)
    assert len(taxonomy.sha256) == 64


def test_no_keyword_in_two_themes():
    seen = {}
    for theme in load_taxonomy().themes:
        for word in theme.keywords:
            assert seen.setdefault(word, theme.id) == theme.id, word


def test_authored_examples():
    examples = load_examples()
    counts = examples["theme"].value_counts()
    assert set(counts.index) == set(THEMES) and counts.min() >= 15
    assert (examples["source"] == "authored").all()
    assert set(examples["response_type"]) == {"adopted", "future", "kept"}


HEAD = '[taxonomy]\nid = "t"\nversion = "1"\n'
THEME = '[[themes]]\nid = "a"\nlabel_ja = "A"\n'


@pytest.mark.parametrize(
    "text, message",
    [
        ("not toml [", "not valid TOML"),
        (THEME, r"missing \[taxonomy\] table"),
        ('[taxonomy]\nid = "t"\n' + THEME, "needs a non-empty 'version'"),
        (HEAD, r"at least one \[\[themes\]\]"),
        (HEAD + THEME + THEME, "duplicate id 'a'"),
        (HEAD + '[[themes]]\nid = "Bad Id"\nlabel_ja = "x"\n', "id 'Bad Id' must be lower-case"),
        (HEAD + '[[themes]]\nid = "a"\n', r"\[\[themes\]\] #1 \(a\): needs label_ja"),
        (HEAD + THEME + "keywords = [1]\n", "keywords must be a list of non-empty strings"),
        (HEAD + THEME + 'colour = "red"\n', r"unknown keys \['colour'\]"),
        (HEAD + THEME + '[response_categories]\n"反映" = "maybe"\n', "maps to unknown response type 'maybe'"),
    ],
)
def test_schema_errors(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message) as info:
        load_taxonomy(path)
    assert "bad.toml" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read taxonomy"):
        load_taxonomy(tmp_path / "none.toml")


def test_label_outside_taxonomy_names_label_row_and_file():
    taxonomy = load_taxonomy()
    with pytest.raises(TaxonomyError, match=r"theme label 'weather' \(row 7\) is not in taxonomy dx-ja .*dx-ja.toml"):
        taxonomy.check_labels(["other", "weather"], kind="theme", rows=[3, 7])


@pytest.mark.parametrize("text, message", [
    ('[taxonomy]\nid = "t"\nverison = "1"\n[[themes]]\nid = "a"\nlabel_ja = "a"\n', "unknown \\[taxonomy\\] key 'verison'"),
    ('[taxonomy]\nid = "t"\nversion = "1"\n[[themes]]\nid = "a"\nlable_ja = "a"\n', r"unknown keys \['lable_ja'\]"),
])
def test_a_misspelt_required_key_is_named_not_reported_missing(tmp_path, text, message):
    from pipeline.errors import TaxonomyError
    from pipeline.taxonomy import load_taxonomy

    (tmp_path / "t.toml").write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(tmp_path / "t.toml")
