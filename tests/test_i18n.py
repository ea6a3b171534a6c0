"""Japanese by default for people, English on request: the gettext catalogue, the CLI's help, errors and notes."""
from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline import i18n

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "pipeline" / "locale" / "ja" / "LC_MESSAGES" / "pubcom.po"


@lru_cache(maxsize=None)  # read once: the walk below asks for it once per raise
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
    ("no models yet (pubcom train)", "モデルはまだありません（pubcom train で作成できます）"),
    ("a worker process of --jobs 2 stopped unexpectedly (killed, or out of memory?); no output file was written: "
     "run again, with fewer --jobs", "--jobs 2 の作業プロセスが予期せず止まりました（強制終了またはメモリ不足）。"
     "出力ファイルは書いていません。--jobs を減らしてやり直してください"),
    ("models/x: cannot save the model (No space left on device)", "models/x: モデルを保存できません（ディスクの空き容量がありません）"),
    ("evaluate (loo, n=40): theme macro-F1 0.90 [0.78-0.97], accuracy 0.88; response type (reply) macro-F1 0.94 "
     "[0.82-1.00], accuracy 0.95; response type (opinion only) macro-F1 0.24 [0.20-0.28], accuracy 0.57",
     "評価（loo、n=40）: テーマ macro-F1 0.90 [0.78-0.97]、正解率 0.88。対応区分（回答から） macro-F1 0.94 [0.82-1.00]、"
     "正解率 0.95。対応区分（意見だけから） macro-F1 0.24 [0.20-0.28]、正解率 0.57"),
    ("evaluate (held-out h.csv, n=144): theme macro-F1 0.92 [0.87-0.96], accuracy 0.92",
     "評価（独立検証 h.csv、n=144）: テーマ macro-F1 0.92 [0.87-0.96]、正解率 0.92"),
    ("1 lines outside the table are listed in out/a.meta.json", "表の外の 1 行は out/a.meta.json に記録しました"),
    ("warning: a.pdf: category 'A' (3 rows) has no response type; map it with --categories FILE",
     "警告: a.pdf: 区分 'A'（3 行）に対応区分がありません。--categories FILE で対応を指定してください"),
    ("a.csv: no opinion column among headings [No, 備考]; pass --text-column",
     "a.csv: 見出し [No, 備考] に意見の列がありません。--text-column で見出しを指定してください"),
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


# ---------------------------------------------------------------- every error a user can trigger has a translation
def _error_classes() -> set[str]:
    from pipeline import errors

    return {name for name, value in vars(errors).items()
            if isinstance(value, type) and issubclass(value, errors.PubcomError)}


def _sample(node, module) -> str | None:
    """The message an f-string would build: module constants (REVIEWED, CARD_FILE) by their value, any other field
    by a token v1, v2...; None when the message is not written at the raise (a variable)."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    out = []
    for number, part in enumerate(node.values, start=1):
        if isinstance(part, ast.Constant):
            out.append(part.value)
            continue
        value = _constant(part.value.id, module) if isinstance(part.value, ast.Name) else None
        spec = ast.literal_eval(part.format_spec.values[0]) if part.format_spec else ""
        out.append(f"v{number}" if value is None else format(value, spec))
    return "".join(out)


def _constant(name: str, module):
    """A module constant's value: from the raising module, or the package module it imports it from in a function."""
    if not name.isupper():
        return None
    modules = [module] + [m for key, m in sorted(sys.modules.items()) if key.startswith("pipeline.")]
    return next((getattr(m, name) for m in modules if isinstance(getattr(m, name, None), (str, int))), None)


def _messages(wanted) -> list[tuple[str, str | None]]:
    """(where, sample message) for every call `wanted(node)` picks in the package, its message the first argument."""
    import ast
    import importlib

    found = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        if path.name == "__main__.py":  # runs the CLI when imported
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = wanted(node)
            if call is not None and call.args:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", _sample(call.args[0], module)))
    return found


def _raised_messages() -> list[tuple[str, str | None]]:
    """Every `raise <a PubcomError>(...)` in the package."""
    import ast

    classes = _error_classes()
    return _messages(lambda node: node.exc if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                     and isinstance(node.exc.func, ast.Name) and node.exc.func.id in classes else None)


def _said_lines() -> list[tuple[str, str]]:
    """Every line the commands print through say / tell (`run` takes tell as its say) or localize, as written."""
    import ast

    said = _messages(lambda node: node if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                     and node.func.id in ("say", "_say", "tell", "localize") else None)
    return [(where, message) for where, message in said if message is not None]  # a variable: built and tested elsewhere


# raised messages whose text is not written at the raise; each is checked otherwise
_BUILT_ELSEWHERE = {
    ("pipeline/taxonomy.py", "v1 v3 (allowed: v5)"),  # _reject_unknown(message=...): test_taxonomy_errors_in_japanese
    ("pipeline/ingest/tables.py", "v1: v3"),  # pandas' own words after the file name: the last resort localizes it
    ("pipeline/commands/modelling.py", "latest: v2 (v4)"),  # now X / unchanged: test_localize_messages_built_with_fields
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_the_walk_finds_the_raises_and_the_said_lines():
    found = _raised_messages()
    assert len(found) > 100 and all(message is not None for _, message in found)
    assert len(_said_lines()) > 30


@pytest.mark.parametrize("where, message", _raised_messages() + _said_lines())
def test_every_raised_error_and_said_line_has_a_japanese_template(where, message):
    if (where.split(":")[0], message) in _BUILT_ELSEWHERE:
        pytest.skip("built from parts elsewhere")
    catalogue = _po()
    template = next((t for t, pattern in i18n._patterns() if pattern.fullmatch(message)), None)
    assert message in catalogue or (template and template != "{where}: {message}" and template in catalogue), \
        f"{where}: no template in pipeline/message_templates.py for {message!r}"
    i18n.activate("ja")
    try:
        japanese = i18n.localize(message)
    finally:
        i18n.activate("en")
    assert JAPANESE.search(japanese) and japanese != message
    assert all(token in japanese for token in re.findall(r"\bv\d+\b", message))  # every field is kept


# ---------------------------------------------------------------- the CLI's lines, Japanese by default, English on request
TAXONOMY = '[taxonomy]\nid = "mini"\nversion = "1"\n\n[[themes]]\nid = "counter"\nlabel_ja = "窓口"\nkeywords = ["窓口"]\n'


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A folder with a few small inputs, the models folder empty; the language put back to English afterwards."""
    from pipeline import config

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config, "MODELS_DIR", tmp_path / "models")
    (tmp_path / "dup.csv").write_text("ご意見,回答,ご意見\n山田太郎です。窓口を残してほしい,検討します,x\n", encoding="utf-8")
    (tmp_path / "mini.toml").write_text(TAXONOMY, encoding="utf-8")
    (tmp_path / "typo.toml").write_text(TAXONOMY.replace('version = "1"', 'verison = "1"\nversion = "1"'),
                                        encoding="utf-8")
    (tmp_path / "broken.toml").write_text("a\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "listcard").mkdir()
    (tmp_path / "listcard" / "card.json").write_text("[]", encoding="utf-8")
    yield tmp_path
    i18n.activate("en")


# (arguments, exit code, the line in Japanese, the same line in English); each names the file it is about
CLI_LINES = [
    (["taxonomy", "check", "mini.toml"], 0,
     "mini.toml: 問題ありません: mini 第1版、テーマ 1 件（counter）、キーワード 1 語、対応区分 3 件（adopted, future, kept）、定型句",
     "mini.toml: ok: mini v1, 1 themes (counter), 1 keywords, 3 response types (adopted, future, kept),"),
    (["taxonomy", "check", "broken.toml"], 2, "pubcom taxonomy: エラー: broken.toml: 正しい TOML ではありません（",
     "pubcom taxonomy: error: broken.toml: not valid TOML ("),
    (["taxonomy", "check", "typo.toml"], 2,
     "pubcom taxonomy: エラー: typo.toml: [taxonomy] のキー 'verison' は使えません（使えるキー: ",
     "pubcom taxonomy: error: typo.toml: unknown [taxonomy] key 'verison' (allowed: "),
    (["models"], 0, "モデルはまだありません（pubcom train で作成できます）", "no models yet (pubcom train)"),
    (["redact", "dup.csv", "--out", "red.csv"], 0, "警告: dup.csv: 重複していた列の見出しの名前を変えました: ご意見.1",
     "warning: dup.csv: repeated column heading(s) renamed: ご意見.1"),
    (["redact", "dup.csv", "--out", "red.csv"], 0, "1 行のうち 1 行で個人情報を伏せました（氏名 1）-> red.csv",
     "redacted 1 of 1 rows, masked: 氏名 1 -> red.csv"),
    (["ingest", "empty.txt"], 2, "pubcom ingest: エラー: empty.txt: ファイルが空です", "pubcom ingest: error: empty.txt: the file is empty"),
    (["ingest", "dup.csv", "mini.toml", "--id", "x"], 2,
     "pubcom ingest: エラー: --id は1つの意見募集を指します。SOURCE は1つだけ指定してください",
     "pubcom ingest: error: --id names one consultation; give one SOURCE with it"),
    (["score", "dup.csv", "--model", "listcard"], 2,
     "pubcom score: エラー: {home}/listcard/card.json: モデルカードではありません（JSON の list です。オブジェクトが必要です）",
     "pubcom score: error: {home}/listcard/card.json: not a model card (a JSON list, expected an object)"),
    (["redact", "mini.toml", "--out", "mini.toml/red.csv"], 2,
     "pubcom redact: エラー: mini.toml: フォルダではなくファイルです。その中に red.csv は書き込めません",
     "pubcom redact: error: mini.toml: is a file, not a folder: red.csv cannot be written in it"),
]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("args, code, japanese, english", CLI_LINES)
def test_the_cli_speaks_the_readers_language(workdir, capsys, args, code, japanese, english, lang):
    from pipeline.cli import main

    assert main(["--lang", lang, *args]) == code
    out, err = capsys.readouterr()
    lines = (out + err).splitlines()
    expected, other = (japanese, english) if lang == "ja" else (english, japanese)
    expected, other = expected.format(home=workdir), other.format(home=workdir)
    assert any(line.startswith(expected) for line in lines), lines
    assert not any(line.startswith(other) for line in lines)
    if code:  # a mistake is one line
        assert len(err.splitlines()) == 1 and not out


def test_japanese_is_the_default_without_lang(workdir, capsys, monkeypatch):
    from pipeline.cli import main

    for variable in ("PUBCOM_LANG", "LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    assert main(["taxonomy", "check", "broken.toml"]) == 2
    assert capsys.readouterr().err.startswith("pubcom taxonomy: エラー: broken.toml: 正しい TOML ではありません")


@pytest.mark.parametrize("message, expected", [
    ("evaluate (none (fitted model), n=12):", "評価（なし（学習済みモデル）、n=12）:"),
    ("  theme: macro-F1 model 0.80 vs plain TF-IDF + LR 0.50 (same folds)",
     "  テーマ: macro-F1 モデル 0.80、比較対象 plain TF-IDF + LR 0.50（同じ分割）"),
    ("ingest: 40 rows, 42 opinions (declared 42) -> a.records.csv", "取り込み: 40 行、意見 42 件（文書の記載 42 件）-> a.records.csv"),
    ("warning: a.txt: the document declares 42 opinions but 40 were counted (38 rows)",
     "警告: a.txt: 資料には意見 42 件とありますが、数えると 40 件でした（38 行）"),
    ("suggesting replies from 40 answered opinions (39 distinct replies) in 1 file(s); 2 rows without a reply not used",
     "回答案: 1 ファイルの回答済みの意見 40 件（異なる回答 39 件）から作ります。回答のない 2 行は使いません"),
    ("pubcom score: error: out.csv: No space left on device", "pubcom score: エラー: out.csv: ディスクの空き容量がありません"),
    ("pubcom train: error: models: Permission denied", "pubcom train: エラー: models: アクセス権がありません"),
    ("warning: m1 was trained with scikit-learn 1.0; this is 1.5. Predictions may differ: retrain when you can.",
     "警告: m1 は scikit-learn 1.0 で学習されています（この環境は 1.5）。予測が変わることがあるので、できるときに学習し直してください。"),
    ("x.toml: [[themes]] #2 (abc): needs label_ja", "x.toml: [[themes]] #2（abc）: label_ja が必要です"),
])
def test_lines_built_from_parts(message, expected):
    i18n.activate("ja")
    try:
        assert i18n.localize(message) == expected
    finally:
        i18n.activate("en")


@pytest.mark.parametrize("lang, desc, unit, expected", [
    ("ja", "scoring", "rows", ["予測: 100%", "3/3", "行/s"]),
    ("ja", "cross-validating theme", "folds", ["交差検証（テーマ）: 100%", "分割/s"]),
    ("en", "scoring", "rows", ["scoring: 100%", "3/3", "rows/s"]),
])
def test_the_progress_bar_speaks_the_readers_language(lang, desc, unit, expected):
    import io

    from pipeline._progress import progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    i18n.activate(lang)
    try:
        assert list(progress([1, 2, 3], desc=desc, unit=unit, stream=stream)) == [1, 2, 3]
    finally:
        i18n.activate("en")
    assert all(word in stream.getvalue() for word in expected), stream.getvalue()


def test_a_library_warning_is_one_line_in_the_readers_language(workdir, capsys, model_dir):
    """A model trained with another scikit-learn: one line, not Python's `file:line: UserWarning:` form."""
    import json
    import shutil

    from pipeline.cli import main

    model = shutil.copytree(model_dir, workdir / "older")
    card = json.loads((model / "card.json").read_text(encoding="utf-8"))
    card["versions"]["scikit-learn"] = "0.1"
    (model / "card.json").write_text(json.dumps(card), encoding="utf-8")
    (workdir / "a.csv").write_text("ご意見\n窓口を残してほしい\n", encoding="utf-8")
    assert main(["--lang", "ja", "score", "a.csv", "--model", str(model), "--out", "a.scored.csv"]) == 0
    err = capsys.readouterr().err
    assert "警告: older は scikit-learn 0.1 で学習されています" in err and "UserWarning" not in err


def test_the_calibration_line_of_evaluate_is_japanese_by_default():
    """#14b's calibration line is built in a function, out of the walk's sight: it printed in English between the
    Japanese lines of `pubcom evaluate`."""
    from pipeline.commands.modelling import _calibration_line

    block = {"ece": 0.1144, "temperature": 0.5532, "review_rule_on_these_rows": {"auto_accepted": 0.5,
             "accepted_accuracy": 1.0}, "bins": [{"from": 0.4, "to": 0.5, "n": 5, "mean_confidence": 0.46,
                                                  "accuracy": 0.6}]}
    line = _calibration_line(block, {"threshold": 0.948})
    i18n.activate("ja")
    try:
        japanese = i18n.localize(line)
    finally:
        i18n.activate("en")
    assert japanese == ("  テーマの確信度の較正（交差検証の予測、実データの行）: ECE 0.114、温度 0.5532。自動で受け入れる行 50%"
                        "（その正解率 1.00、しきい値 0.948）。確信度の区間ごとの件数・平均確信度/正解率 "
                        "[0.4-0.5] n=5 0.46/0.60")
