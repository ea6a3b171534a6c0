"""The command line: help for every command, one-line errors with exit 2, and `pubcom run` end to end."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from pipeline import config
from pipeline.cli import build_parser, main

COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


def test_commands_exist():
    assert {"ingest", "train", "evaluate", "score", "run", "models", "report"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage: pubcom " + command in capsys.readouterr().out


def test_every_command_has_one_line_help():
    sub = build_parser()._subparsers._group_actions[0]
    helps = {action.dest: action.help for action in sub._choices_actions}
    assert all(helps[c] and "\n" not in helps[c] for c in COMMANDS)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["ingest", "no/such/file.txt"], "no such file"),
        (["ingest", "data"], "is a folder"),
        (["ingest", "pyproject.toml", "--format", "nonsense"], "invalid choice|unknown format"),
        (["score", "no/such.csv", "--model", "no/such/model"], "no such model folder|no such file"),
        (["evaluate", "--cv", "one"], "--cv must be 'loo' or a number"),
        (["train", "--taxonomy", "no/such.toml"], "cannot read taxonomy"),
        (["ingest", "README.md", "./README.md"], "would both be written as readme.records.csv"),
        (["ingest", "data/raw/otaru-dx-policy-comments.txt", "--sheet", "x"], "--sheet does not apply to the text format"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(argv, message, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors exit 2 too
        code = exc.code
    err = capsys.readouterr().err.strip()
    assert code == 2
    import re

    assert re.search(message, err), err
    assert "Traceback" not in err


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "usage: pubcom" in capsys.readouterr().out


@pytest.fixture()
def project(tmp_path):
    """A temporary copy of the project's inputs: what a user has after cloning."""
    shutil.copytree(config.RAW_DIR, tmp_path / "data" / "raw")
    return tmp_path


def test_run_end_to_end_in_a_temporary_copy(project):
    env = {**os.environ, "PUBCOM_HOME": str(project), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", "--cv", "5"], capture_output=True, text=True,
                            env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "40 rows, 42 opinions" in result.stdout
    assert "theme macro-F1" in result.stdout
    records = project / "data" / "processed" / "otaru-dx-policy-comments.records.csv"
    assert records.exists()
    latest = project / "models" / "latest"
    card = json.loads((latest / "card.json").read_text(encoding="utf-8"))
    assert card["training_data"]["rows"] == 40 and card["taxonomy"]["id"] == "dx-ja"
    metrics = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["n"] == 40 and 0 <= metrics["theme"]["macro_f1"] <= 1
    assert (project / "reports" / "otaru.scored.csv").exists() and (project / "reports" / "unseen.scored.csv").exists()
    # nothing written into data/raw
    assert sorted(p.name for p in (project / "data" / "raw").iterdir()) == sorted(p.name for p in config.RAW_DIR.iterdir())


# ---------------------------------------------------------------- a workbook's sheets, a guessed heading
def _two_sheets(path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "表紙"
    book.active.append(["市DX推進計画（案）への意見"])
    table = book.create_sheet("意見一覧")
    table.append(["番号", "ご意見の内容"])
    table.append(["1", "窓口の手続をオンラインでできるようにしてほしい。"])
    book.save(path)
    return path


def test_opinions_on_a_later_sheet_are_found_and_the_sheet_named(tmp_path, caplog):
    import logging

    from pipeline.ingest.tables import TEXT_COLUMNS, find_column, read_table

    with caplog.at_level(logging.INFO, logger="pipeline"):
        frame = read_table(_two_sheets(tmp_path / "book.xlsx"))
        column = find_column(frame, None, TEXT_COLUMNS, what="opinion text", source="book.xlsx", option="--text-column")
    assert column == "ご意見の内容" and len(frame) == 1
    notes = [r.getMessage() for r in caplog.records]
    assert any("no opinion column on the first sheet '表紙'; read sheet '意見一覧'" in n for n in notes)
    assert any("column 'ご意見の内容' taken as the opinion text (guessed from its heading" in n for n in notes)


def test_a_wrong_sheet_lists_the_sheets(tmp_path):
    from pipeline.errors import InputError
    from pipeline.ingest.tables import read_table

    with pytest.raises(InputError, match=r"no sheet 'Sheet9' \(sheets: 表紙, 意見一覧\)"):
        read_table(_two_sheets(tmp_path / "book.xlsx"), sheet="Sheet9")


@pytest.mark.parametrize("run", [1, 2])  # the second run in this process says its note again
def test_the_cli_says_which_sheet_it_read_once(tmp_path, capsys, run):
    from pipeline.registry import save_model
    from pipeline.train import train

    model = save_model(train(), tmp_path / "models")
    book = _two_sheets(tmp_path / "book.xlsx")
    assert main(["score", str(book), "--model", str(model), "--out", str(tmp_path / "out.csv")]) == 0
    err = capsys.readouterr().err
    assert err.count("note: ") == 2 and err.count("read sheet '意見一覧'") == 1
