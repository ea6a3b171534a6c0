"""Hostile files (issue #13): zip bombs, huge pages and cards are refused in one line before they are parsed; a bad
card never hides the other models; two trainings in one second both keep their model."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.cli import main
from pipeline.errors import InputError, ModelError
from pipeline.ingest import limits, read_document
from pipeline.ingest.tables import read_table


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _bomb(path: Path, folder: str, size: int = 4 * limits.MiB) -> Path:
    """A zip-based document whose main part is `size` bytes of one repeated character (packs ~1000 to 1)."""
    part = {"xl": "xl/worksheets/sheet1.xml", "word": "word/document.xml"}[folder]
    return _zip(path, {"[Content_Types].xml": b"<Types/>", f"{folder}/workbook.xml": b"<workbook/>",
                       part: b"<x>" + b" " * size + b"</x>"})


@pytest.mark.parametrize("name, folder", [("bomb.xlsx", "xl"), ("bomb.docx", "word")])
def test_ingest_refuses_a_zip_bomb_before_parsing(tmp_path, capsys, name, folder):
    source = _bomb(tmp_path / name, folder)
    assert main(["ingest", str(source), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "refused" in err and "× its packed size" in err
    assert not (tmp_path / "out").exists()


def test_score_refuses_an_xlsx_bomb(tmp_path, model_dir, capsys):
    source = _bomb(tmp_path / "bomb.xlsx", "xl")
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(tmp_path / "x.csv")]) == 2
    assert "refused" in capsys.readouterr().err


def test_a_member_too_large_even_when_it_packs_poorly_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_MEMBER_BYTES", 1000)
    source = _zip(tmp_path / "t.xlsx", {"xl/worksheets/sheet1.xml": bytes(range(256)) * 8})
    with pytest.raises(InputError, match=r"unpacks to .* the limits are"):
        read_table(source)


def test_an_ordinary_workbook_passes_the_check(tmp_path):
    import pandas as pd

    source = tmp_path / "ok.xlsx"
    pd.DataFrame({"opinion": ["紙の申請書も残してほしい"] * 2000}).to_excel(source, index=False)
    limits.check_archive(source, "XLSX workbook")
    assert len(read_table(source)) == 2000


def test_a_huge_web_page_is_refused_before_parsing(tmp_path):
    source = tmp_path / "page.html"
    with open(source, "w", encoding="utf-8") as handle:
        handle.write("<html><body><table>")
        handle.write("<tr><td>x</td></tr>" * (limits.MAX_HTML_BYTES // 18 + 1))
    with pytest.raises(InputError, match=r"refused: .* MB is beyond the 20 MB a web page may have"):
        read_document(source)


def _copy_model(model_dir: Path, models: Path, name: str) -> Path:
    target = models / name
    shutil.copytree(model_dir, target)
    return target


@pytest.mark.parametrize("card, message", [
    ("[1, 2, 3]", "a JSON list, expected an object"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"tokenizer": [1]}', "tokenizer is a JSON list"),
    ('{"metrics": {"theme": "good"}}', "metrics.theme is a JSON str"),
    ('{"reply_tokenizer": "v1"}', "reply_tokenizer is a JSON str"),  # #14a's and #16's sections, read with .get
    ('{"label_ja": "x"}', "label_ja is a JSON str"),
    ('{"label_ja": {"theme": ["a"]}}', "label_ja.theme is a JSON list"),
    ("{", "unreadable card"),
])
def test_a_bad_card_is_one_line_and_the_other_models_are_listed(tmp_path, model_dir, capsys, monkeypatch, card, message):
    models = tmp_path / "models"
    _copy_model(model_dir, models, "good-20260101-000000")
    bad = _copy_model(model_dir, models, "bad-20260101-000000")
    (bad / registry.CARD_FILE).write_text(card, encoding="utf-8")
    assert main(["score", "-", "--model", str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    monkeypatch.setattr(registry.config, "MODELS_DIR", models)
    assert main(["models"]) == 0
    out, err = capsys.readouterr()
    assert "good-20260101-000000" in out and "bad-20260101-000000" not in out
    assert f"warning: bad-20260101-000000: cannot be read: " in err and message in err


def test_a_huge_card_is_refused_without_reading_it(tmp_path, model_dir, monkeypatch):
    bad = _copy_model(model_dir, tmp_path, "m")
    monkeypatch.setattr(registry, "MAX_CARD_BYTES", 1000)
    with pytest.raises(ModelError, match=r"is not a model card \(at most 1,000\)"):
        registry.read_card(bad)


def test_two_trainings_in_the_same_second_both_keep_their_model(tmp_path, model, monkeypatch):
    first = registry.save_model(model, tmp_path, name="same", point_latest=False)
    # the race: the name looked free to the second training, but the first renamed its folder there meanwhile
    monkeypatch.setattr(Path, "exists", lambda self: False)
    second = registry.save_model(model, tmp_path, name="same", point_latest=False)
    monkeypatch.undo()
    assert (first.name, second.name) == ("same", "same-2")
    for folder in (first, second):
        card = registry.read_card(folder)
        assert card["name"] == folder.name
        registry.verify(folder, card)
    assert json.loads((second / registry.CARD_FILE).read_text(encoding="utf-8"))["name"] == "same-2"
