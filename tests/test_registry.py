"""Model folders: every file hashed, tampering refused before unpickling, temp folders never taken for models."""
from __future__ import annotations

import json
import os
import pickle
import time

import pytest

from pipeline import registry
from pipeline.errors import ModelError
from pipeline.train import train


@pytest.fixture(scope="module")
def model():
    return train()


@pytest.fixture
def saved(model, tmp_path):
    return registry.save_model(model, tmp_path / "models")


def _card(folder):
    return json.loads((folder / registry.CARD_FILE).read_text(encoding="utf-8"))


def _write_card(folder, card):
    (folder / registry.CARD_FILE).write_text(json.dumps(card), encoding="utf-8")


class _Marker:
    """Unpickling this runs a command that creates a marker file: what a malicious model.joblib would do."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.system, (f"touch '{self.path}'",))


def test_card_lists_a_hash_for_every_file(saved):
    files = {p.name for p in saved.iterdir()} - {registry.CARD_FILE}
    assert set(_card(saved)["files"]) == files == {registry.MODEL_FILE, registry.SCORER_FILE}
    assert registry.load_model(saved).card["name"] == saved.name


def test_a_flipped_byte_in_the_model_is_refused(saved):
    path = saved / registry.MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match the SHA-256"):
        registry.load_model(saved)


@pytest.mark.parametrize("file_name, load", [(registry.MODEL_FILE, registry.load_model),
                                              (registry.SCORER_FILE, registry.load_scorer)])
def test_a_malicious_pickle_with_a_wrong_hash_never_runs(saved, tmp_path, file_name, load):
    marker = tmp_path / "marker"
    (saved / file_name).write_bytes(pickle.dumps(_Marker(marker)))
    with pytest.raises(ModelError, match="tampered or swapped"):
        load(saved)
    assert not marker.exists()


def test_a_file_not_listed_on_the_card_is_refused(saved, tmp_path):
    marker = tmp_path / "marker"
    (saved / "extra.pkl").write_bytes(pickle.dumps(_Marker(marker)))
    with pytest.raises(ModelError, match="extra.pkl not listed in card.json"):
        registry.load_model(saved)
    assert not marker.exists()


def test_a_card_listing_a_path_outside_the_folder_is_refused(saved):
    card = _card(saved)
    card["files"]["../model.joblib"] = card["files"][registry.MODEL_FILE]
    _write_card(saved, card)
    with pytest.raises(ModelError, match="not a file name in the folder"):
        registry.load_model(saved)


@pytest.mark.parametrize("edit, message", [
    ({"format_version": 99}, "model format 99 is not readable"),
    ({"tokenizer": {"name": "ja-unidic-lemma", "version": 99}}, "tokenizer ja-unidic-lemma v99 is not"),
    ({"tokenizer": {"name": "other-tokenizer", "version": 1}}, "tokenizer other-tokenizer v1 is not"),
    ({"reply_tokenizer": {"name": "ja-unidic-construction", "version": 99}}, "reply tokenizer ja-unidic-construction v99"),
    ({"files": {}}, "lists no hash for model.joblib"),
])
def test_a_card_this_code_cannot_read_is_refused(saved, edit, message):
    _write_card(saved, {**_card(saved), **edit})
    with pytest.raises(ModelError, match=message):
        registry.load_model(saved)


def test_a_card_edited_to_match_a_malicious_file_is_not_a_signature(saved, tmp_path):
    """Documented limit (docs/security.md): whoever can rewrite both files can run code. The hash only catches
    accidental or partial tampering; this test pins that the limit is what the docs say, not worse."""
    marker = tmp_path / "marker"
    (saved / registry.MODEL_FILE).write_bytes(pickle.dumps(_Marker(marker)))
    card = _card(saved)
    card["files"][registry.MODEL_FILE] = registry.file_sha256(saved / registry.MODEL_FILE)
    _write_card(saved, card)
    with pytest.raises(Exception):  # the "model" loads as os.system's return value, not a PubcomModel
        registry.load_model(saved).score(["テスト"])
    assert marker.exists()


def test_temporary_folders_are_not_models(saved, monkeypatch):
    models = saved.parent
    monkeypatch.setattr(registry.config, "MODELS_DIR", models)
    half = models / f".{saved.name}-2.abc123"
    half.mkdir()
    (half / registry.CARD_FILE).write_text(json.dumps(_card(saved)), encoding="utf-8")
    names = [row["name"] for row in registry.list_models(models)]
    assert names == [saved.name]  # neither the hidden folder nor the `latest` link
    with pytest.raises(ModelError, match="temporary folder of an unfinished save"):
        registry.resolve(half.name)


def test_stale_temporaries_are_cleaned_on_the_next_save_young_ones_kept(model, saved):
    models = saved.parent
    old_dir, old_file, young = models / ".dx-ja-old.x1", models / ".latest.4242", models / ".dx-ja-young.x2"
    old_dir.mkdir()
    (old_dir / "model.joblib").write_bytes(b"half")
    old_file.write_text("x")
    young.mkdir()
    keep = models / ".gitkeep"
    keep.write_text("")
    hour_ago = time.time() - 2 * 3600
    for path in (old_dir, old_file, keep):
        os.utime(path, (hour_ago, hour_ago))
    registry.save_model(model, models)
    assert not old_dir.exists() and not old_file.exists()
    assert young.exists() and keep.exists()


def test_save_never_overwrites_and_points_latest(model, saved):
    second = registry.save_model(model, saved.parent, name=saved.name)
    assert second != saved and second.exists() and saved.exists()
    assert (saved.parent / "latest").resolve() == second.resolve()
