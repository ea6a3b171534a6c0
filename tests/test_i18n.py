"""Japanese by default for people, English on request: the gettext catalogue, the CLI's help, errors and notes."""
from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest

from pipeline import i18n

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "pipeline" / "locale" / "ja" / "LC_MESSAGES" / "pubcom.po"


def _po() -> dict[str, str]:
    from babel.messages.pofile import read_po

    with open(PO, "rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def test_the_compiled_catalogue_matches_its_source():
    compiled = i18n.translation("ja")
    assert isinstance(compiled, gettext.GNUTranslations)
    stale = [msgid for msgid, msgstr in _po().items() if compiled.gettext(msgid) != msgstr]
    assert not stale, f"pubcom.mo is older than pubcom.po (run `make locale`): {stale[:3]}"


def test_every_template_and_help_text_has_a_translation_with_the_same_fields():
    from pipeline.cli import build_parser

    catalogue = _po()
    fields = lambda text: sorted(re.findall(r"\{(\w+)\}", text))  # noqa: E731
    for template in i18n.TEMPLATES:
        assert template in catalogue, template
        assert not re.search(r"\}\{", template), template  # touching fields: where one ends is a guess
        assert fields(catalogue[template]) == fields(template), template
    helps = []

    def walk(parser):
        helps.extend(h for h in [parser.description] + [a.help for a in parser._actions] if h)
        for action in parser._actions:
            for choice in getattr(action, "_choices_actions", []):
                helps.append(choice.help)
            for sub in (action.choices or {}).values() if isinstance(action.choices, dict) else ():
                walk(sub)

    walk(build_parser("en"))
    assert len(helps) > 60 and [h for h in dict.fromkeys(helps) if h not in catalogue] == []


def test_the_package_data_ships_the_catalogues():
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]["pipeline"]
    for path in (ROOT / "pipeline" / "locale").rglob("pubcom.*"):
        relative = path.relative_to(ROOT / "pipeline").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative


@pytest.mark.parametrize("lang, environ, expected", [
    (None, {}, "ja"), (None, {"LANG": "ja_JP.UTF-8"}, "ja"), (None, {"LANG": "C.UTF-8"}, "ja"),
    (None, {"LANG": "en_US.UTF-8"}, "en"), (None, {"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja"),
    ("en", {"LANG": "ja_JP.UTF-8"}, "en"), (None, {"PUBCOM_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),
    ("ja", {"PUBCOM_LANG": "en"}, "ja")])
def test_choose_the_language(lang, environ, expected):
    assert i18n.choose(lang, environ) == expected


@pytest.mark.parametrize("message, expected", [
    ("data.csv: no such file", "data.csv: ファイルがありません"),
    ("pubcom score: error: data.csv: no such file", "pubcom score: エラー: data.csv: ファイルがありません"),
    ("no opinion text column found in a.csv (columns: A, B); pass --text-column",
     "a.csv に意見の列が見つかりません（列: A, B）。--text-column で列名を指定してください"),
    ("something the catalogue does not know", "something the catalogue does not know"),
    ("latest: unchanged (theme macro-F1 on these 75 rows: new 0.622 (cross-validated) vs latest 0.812 (fitted model "
     "tested on them); latest was trained on past, so its score here is optimistic: latest kept)",
     "latest: 切り替えていません（この 75 行での テーマ macro-F1: 新しいモデル 0.622（交差検証）、現在の latest 0.812"
     "（学習済みモデルをこの行で評価）。latest は past で学習しているため、その値は甘めです: latest はそのままです）"),
    ("scored 3 of 3 rows, 1 flagged for review -> out.csv", "3 行のうち 3 行を予測し、1 行が要確認です -> out.csv"),
    ("report on 1 file(s), drift against m1: a.html, a.md, a.xlsx and 2 charts in reports/a",
     "1 ファイルのレポート（学習データとの比較: m1）: a.html, a.md, a.xlsx とグラフ 2 枚（フォルダ reports/a）"),
    ("theme label 'x' (row 3) is not in taxonomy dx-ja (dx-ja.toml); allowed: a, b (another taxonomy: pass --taxonomy)",
     "テーマのラベル 'x'（3 行目）は分類 dx-ja（dx-ja.toml）にありません。使えるもの: a, b（別の分類なら --taxonomy で指定）"),
    ("suggesting replies from 5 answered opinions (3 distinct replies) in 1 file(s); 2 rows without a reply not used",
     "回答案: 1 ファイルの回答済みの意見 5 件（異なる回答 3 件）から作ります。回答のない 2 行は使いません"),
    ("ingest: 40 rows, 42 opinions (declared 42) -> r.csv", "取り込み: 40 行、意見 42 件（文書の記載 42 件）-> r.csv"),
    ("t.toml: ok: t v1, 2 themes (a, b), 0 keywords, 3 response types (x, y, z), 0 phrases",
     "t.toml: 問題ありません: t 第1版、テーマ 2 件（a, b）、キーワード 0 語、対応区分 3 件（x, y, z）、定型句 0 件"),
    ("redacted 1 of 2 rows, masked: 氏名 1 -> r.csv", "2 行のうち 1 行で個人情報を伏せました（氏名 1）-> r.csv"),
    ("redacted 0 of 2 rows, masked: nothing -> r.csv", "2 行のうち 0 行で個人情報を伏せました（なし）-> r.csv"),
    ("o.txt: unknown output format '.txt' (use .csv, .xlsx, .jsonl or -)",
     "o.txt: 出力形式 '.txt' には対応していません（.csv、.xlsx、.jsonl か - を指定してください）"),
    ("no models yet (pubcom train)", "モデルはまだありません（pubcom train で学習します）"),
    ("evaluate (loo, n=40): theme macro-F1 0.90 [0.78-0.97], accuracy 0.88; response type (reply) macro-F1 0.94 "
     "[0.82-1.00], accuracy 0.95; response type (opinion only) macro-F1 0.24 [0.20-0.28], accuracy 0.57",
     "評価（loo、n=40）: テーマ macro-F1 0.90 [0.78-0.97]、正解率 0.88。対応区分（回答から） macro-F1 0.94 [0.82-1.00]、"
     "正解率 0.95。対応区分（意見のみから） macro-F1 0.24 [0.20-0.28]、正解率 0.57"),
    ("evaluate (held-out h.csv, n=144): theme macro-F1 0.92 [0.87-0.96], accuracy 0.92",
     "評価（独立検証 h.csv、n=144）: テーマ macro-F1 0.92 [0.87-0.96]、正解率 0.92"),
    ("1 lines outside the table are listed in out/a.meta.json", "表の外の 1 行は out/a.meta.json に記録しました"),
    ("warning: a.pdf: category 'A' (3 rows) has no response type; map it with --categories FILE",
     "注意: a.pdf: category 'A' (3 rows) has no response type; map it with --categories FILE"),
    ("a.csv: no opinion column among headings [No, 備考]; pass --text-column",
     "a.csv: 見出し [No, 備考] に意見の列がありません。--text-column で列を指定してください"),
])
def test_localize_messages_built_with_fields(message, expected):
    i18n.activate("ja")
    try:
        assert i18n.localize(message) == expected
    finally:
        i18n.activate("en")


def pubcom(*args, lang_env: dict, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PUBCOM_LANG", "LANG", "LC_ALL", "LC_MESSAGES")}
    env.update({"PUBCOM_HOME": str(home), **lang_env})
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env,
                          cwd=home, timeout=120)


@pytest.mark.parametrize("lang_env, args, expected", [
    ({"LANG": "ja_JP.UTF-8"}, ["report", "missing.csv"], "pubcom report: エラー: missing.csv: ファイルがありません"),
    ({}, ["report", "missing.csv"], "pubcom report: エラー: missing.csv: ファイルがありません"),  # Japanese by default
    ({"LANG": "ja_JP.UTF-8"}, ["--lang", "en", "report", "missing.csv"], "pubcom report: error: missing.csv: no such file"),
    ({"LANG": "en_US.UTF-8"}, ["report", "missing.csv"], "pubcom report: error: missing.csv: no such file"),
    ({}, ["score", "a.csv"], "pubcom score: エラー: {home}/models/latest にモデルがありません。先に学習する（pubcom train）か、"
                             "--model でフォルダを指定してください"),
    ({}, ["score", "a.csv", "--jobs", "0"], "pubcom score: エラー: --jobs は 1 以上にしてください（指定: 0）"),
])
def test_a_mistake_is_one_line_in_the_readers_language(tmp_path, lang_env, args, expected):
    (tmp_path / "a.csv").write_text("ご意見\n窓口を残してほしい\n", encoding="utf-8")
    result = pubcom(*args, lang_env=lang_env, home=tmp_path)
    expected = expected.format(home=tmp_path)
    assert result.returncode == 2 and result.stderr.strip() == expected


@pytest.mark.parametrize("args, expected, absent", [
    (["--help"], "新しい意見のテーマと対応区分を予測する", "predict theme"),
    (["score", "--help"], "使い方: pubcom score", "usage:"),
    (["--lang", "en", "score", "--help"], "usage: pubcom score", "使い方"),
    (["score", "--help", "--lang", "en"], "model folder (default: models/latest)", "モデルのフォルダ"),
])
def test_help_in_japanese_by_default_and_english_on_request(tmp_path, args, expected, absent):
    result = pubcom(*args, lang_env={"LANG": "ja_JP.UTF-8"}, home=tmp_path)
    assert result.returncode == 0 and expected in result.stdout and absent not in result.stdout


def test_argparse_mistakes_are_japanese_too(tmp_path):
    result = pubcom("score", lang_env={}, home=tmp_path)
    assert result.returncode == 2 and "エラー: 次の引数が必要です: INPUT" in result.stderr
    import argparse

    assert argparse._("usage: ") == "usage: "  # in this process argparse is as it was
