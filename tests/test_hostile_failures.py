"""Failures while writing or scoring (issue #13): one line that names the file the user named, no traceback, no
temporary file in the message, nothing printed after the error line."""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import pipeline.parallel as parallel
from pipeline.cli import main

_PARENT = os.getpid()
_score_piece = parallel._score_piece


def _die_in_worker(*args, **kwargs):
    """What a worker does when the kernel kills it (out of memory): it is gone, without a word."""
    if os.getpid() != _PARENT:
        os._exit(9)
    return _score_piece(*args, **kwargs)


@pytest.mark.skipif(sys.platform == "win32", reason="forked workers inherit the patched function")
def test_a_killed_worker_is_one_line(tmp_path, model_dir, capsys, monkeypatch):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"opinion": ["窓口を残してほしい"] * 400}).to_csv(source, index=False)
    monkeypatch.setattr(parallel, "_score_piece", _die_in_worker)
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(out), "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert "a worker process of --jobs 2 stopped unexpectedly" in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.glob(".out.csv.*"))


def _full_disk(limit: int):
    def apply():  # writing beyond `limit` bytes fails as a full disk does (EFBIG instead of ENOSPC)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.fixture(scope="module")
def scored(tmp_path_factory, model_dir) -> Path:
    folder = tmp_path_factory.mktemp("full")
    source, out = folder / "in.csv", folder / "in.scored.csv"
    pd.DataFrame({"opinion": ["紙の申請書も窓口で受け付けてほしいと思います。" * 4] * 3000}).to_csv(source, index=False)
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("command, target", [
    (["score", "{scored}", "--model", "{model}", "--out", "{out}/x.csv"], "x.csv"),
    (["score", "{scored}", "--model", "{model}", "--out", "{out}/x.xlsx"], "x.xlsx"),
    (["score", "{scored}", "--model", "{model}", "--out", "{out}/x.jsonl"], "x.jsonl"),
    (["review-sheet", "{scored}", "--out", "{out}/review.xlsx"], "review.xlsx"),
])
def test_a_full_disk_is_one_line_naming_the_file(tmp_path, scored, model_dir, command, target):
    args = [part.format(scored=scored, model=model_dir, out=tmp_path) for part in command]
    if command[0] == "review-sheet":
        args += ["--taxonomy", str(Path(__file__).resolve().parents[1] / "pipeline" / "taxonomies" / "dx-ja.toml")]
    result = subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                            preexec_fn=_full_disk(60_000))
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert lines[-1].startswith(f"pubcom {command[0]}: error: {tmp_path / target}: "), result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr and ".tmp" not in result.stderr
    assert not (tmp_path / target).exists() and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("make, message", [
    (lambda p: (p / "x.csv").mkdir(), "x.csv: is a folder; name a file"),
    (lambda p: (p / "afile").write_text(""), "afile: is a file, not a folder: x.csv cannot be written in it"),
])
def test_a_target_that_cannot_be_written_names_the_users_file(tmp_path, model_dir, capsys, make, message):
    make(tmp_path)
    out = tmp_path / ("afile/x.csv" if "afile" in message else "x.csv")
    source = tmp_path / "in.csv"
    source.write_text("opinion\n窓口を残してほしい\n", encoding="utf-8")
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path / message}" in err and ".tmp" not in err


def test_a_read_only_folder_names_the_users_file(tmp_path, model_dir, capsys, monkeypatch):
    import tempfile

    def refused(prefix, suffix, dir):  # what the kernel says to anyone but root in a read-only folder
        raise PermissionError(13, "Permission denied", os.path.join(dir, f"{prefix}k2j3.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    source = tmp_path / "in.csv"
    source.write_text("opinion\n窓口を残してほしい\n", encoding="utf-8")
    assert main(["score", str(source), "--model", str(model_dir), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err == f"pubcom score: error: {tmp_path / 'x.csv'}: Permission denied\n"


def test_a_full_disk_while_saving_a_model_names_the_model_folder(tmp_path, model, monkeypatch):
    import errno

    import joblib

    from pipeline import registry

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(joblib, "dump", full)
    with pytest.raises(OSError, match="cannot save the model") as caught:
        registry.save_model(model, tmp_path, name="m", point_latest=False)
    assert caught.value.filename == str(tmp_path / "m") and list(tmp_path.iterdir()) == []
