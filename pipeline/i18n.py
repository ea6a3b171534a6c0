"""Japanese by default for what people read at the command line, English on request, through gettext.

The catalogue is ``pipeline/locale/<lang>/LC_MESSAGES/pubcom.po``, compiled to ``pubcom.mo`` beside it (both ship in
the package; `make locale` recompiles, a test checks the two agree). Its msgids are the English texts.

The language: ``--lang ja|en``, else ``PUBCOM_LANG``, else the POSIX locale variables (LC_ALL, LC_MESSAGES,
LANG: English when they name an English locale), else Japanese.

Library code raises and logs in English (programs and tests match those words); the CLI puts a finished message
into the reader's language at the boundary with `localize`: an exact msgid, or one of `TEMPLATES`, messages with
``{fields}`` whose values are cut out of the English and localized in turn (a file name stays as it is). A message
the catalogue does not know is shown in English rather than not at all.
"""
from __future__ import annotations

import argparse
import gettext
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from .message_templates import TEMPLATES as MESSAGE_TEMPLATES

DOMAIN = "pubcom"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("ja", "en")
DEFAULT = "ja"

# Messages built with f-strings in the library, as templates; each has a msgstr with the same {fields}. Two fields
# never touch (a literal between them says where one ends).
TEMPLATES = [
    "{path}: no such file", "{path}: is a folder; name a file", "{path}: the file is empty",
    "{path}: the file is empty (expected an XLSX workbook)", "{path}: not a readable CSV ({detail})",
    "{path}: not a readable XLSX workbook ({detail})", "{path}: no sheet {sheet} (sheets: {sheets})",
    "--sheet {sheet} applies to an XLSX workbook; {path} is not one",
    "no {what} column found in {source} (columns: {columns}); pass {option}",
    "column {column} not found in {source} (columns: {columns})",
    "column {column} not found in {source} (columns: {columns}); did you mean {close}?",
    "{path}: no opinion column on the first sheet {first}; read sheet {found} (choose another with --sheet; "
    "sheets: {sheets})",
    "{source}: column {column} taken as the {what} (guessed from its heading; name another with {option})",
    "{source}: column {column} taken as the {what} (guessed from its heading)",
    "--jobs must be 1 or more, got {jobs}", "{path}: no such model folder",
    "no model at {path}; train one first (pubcom train) or pass --model DIR",
    "{path}: not a model folder (no card.json)",
    "{path}: the review sheet is an Excel workbook; name it .xlsx",
    "{source}: no row is marked 確認済み (済 / ✓ / TRUE / 1 / はい); the other values are the model's own "
    "predictions, so mark the rows you have checked before training on the sheet",
    "{source}: holds the model's predictions (pred_theme) and no 確認済み column; write a review sheet with "
    "`pubcom review-sheet`, mark the rows you checked, then train on it",
    "{folder} already holds the report of {what}; pass --replace to replace it, or --out for another folder",
    "{source}: no theme column (theme or pred_theme; columns: {columns}); score it first with pubcom score",
    "pubcom {command}: error: {message}", "note: {message}",
    "scored {rows} of {read} rows, {flagged} flagged for review -> {out}", "masked: {what}",
    "report on {count} file(s){drift}: {files} and {charts} charts in {out}", ", drift against {model}",
    "the previous report in {out} was replaced",
    "{rows} rows ({flagged} to review first) -> {out}; correct テーマ / 対応区分, mark the rows you checked 済 in "
    "確認済み, save, then `pubcom train {again}` (only those rows are learnt)",
    "{source}: {used} of {total} rows marked 確認済み are used; the other {left} are left out",
    "{source}: {rows} rows, {opinions} opinions -> {files}", "report: {path}", "written:{files}",
    "score: {rows} rows, {flagged} flagged for review -> {path}", "train: model {name} -> {path} (models/latest)",
    "read {read} rows: trained on {used} (+{examples} authored examples); cross-validated theme macro-F1 {f1} -> "
    "{path}",
    "read {read} rows: trained on {used}, {unlabelled} without a theme or response type (not used) (+{examples} "
    "authored examples); cross-validated theme macro-F1 {f1} -> {path}",
    "latest: now {name} ({reason})", "latest: unchanged ({reason})",
    "{metric} macro-F1 on these {rows} rows: new {new} (cross-validated) vs latest {old} (fitted model tested on "
    "them){caveat}: {verdict}",
    "; latest was trained on {rounds}, so its score here is optimistic",
    "{source}: no opinion column among headings {headings}; pass --text-column",
    "{kind} label {label} (row {row}) is not in taxonomy {taxonomy} ({path}); allowed: {allowed} (another taxonomy: "
    "pass --taxonomy)",
    "{source}: themes not in taxonomy {taxonomy} of models/latest: {themes}; pass --model with the model that "
    "scored it",
    "suggesting replies from {answered} answered opinions ({replies} distinct replies) in {files} file(s)",
    "suggesting replies from {answered} answered opinions ({replies} distinct replies) in {files} file(s); "
    "{skipped} rows without a reply not used",
    "ingest: {rows} rows, {opinions} opinions (declared {declared}) -> {path}",
    "redacted {rows} of {total} rows, masked: {what} -> {path}", "warning: {message}",
    "{count} lines outside the table are listed in {path}",
    # evaluate.headline: the scope, then one to three results joined by "; " (the tail is localized in turn)
    "evaluate ({scope}, n={n}): {results}", "held-out {name}",
    "{target} macro-F1 {f1} [{low}-{high}], accuracy {accuracy}; {more}",
    "{target} macro-F1 {f1} [{low}-{high}], accuracy {accuracy}",
    "{path}: unknown output format {suffix} (use .csv, .xlsx, .jsonl or -)",
    "stdin: the first line is a table's headings ({headings}); stdin is read as one comment per line, so save the "
    "table to a file and score the file",
    "stdin: not UTF-8 text ({reason} at byte {byte} of a block); save it to a file instead, whose encoding "
    "(CP932 / Shift_JIS, EUC-JP) is detected",
    "{path}: ok: {taxonomy} v{version}, {themes} themes ({theme_ids}), {keywords} keywords, {types} response "
    "types ({type_ids}), {phrases} phrases",
] + MESSAGE_TEMPLATES  # the library's errors and the CLI's other lines


def choose(lang: str | None = None, environ=None) -> str:
    """The language to speak: `lang` (--lang), else PUBCOM_LANG, else the locale variables, else Japanese."""
    environ = os.environ if environ is None else environ
    for given in (lang, environ.get("PUBCOM_LANG")):
        if given:
            return given if given in LANGUAGES else DEFAULT
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):  # the first one set decides, as in POSIX
        value = environ.get(variable)
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT
    return DEFAULT


@lru_cache(maxsize=None)
def translation(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`; English is the msgids themselves. A missing Japanese catalogue is an error (a
    broken install), not a silent fall back to English."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang])


_active: gettext.NullTranslations = gettext.NullTranslations()


def activate(lang: str) -> None:
    global _active
    _active = translation(lang)


def _(message: str) -> str:
    """gettext with the active language."""
    return _active.gettext(message)


@lru_cache(maxsize=None)
def _patterns() -> list[tuple[str, re.Pattern]]:
    """Every template as a regular expression; the first that matches wins, so a template comes before any more
    general one that would match its messages too (the last resort, `{where}: {message}`, is the last)."""
    out = []
    for template in TEMPLATES:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)" for i, p in enumerate(parts))
        out.append((template, re.compile(regex, re.DOTALL)))
    return out


def localize(message: str, depth: int = 0) -> str:
    """A finished English message in the active language (see the module docstring)."""
    if not message or not isinstance(_active, gettext.GNUTranslations):  # English: the message as it is
        return message
    exact = _active.gettext(message)
    if exact != message or depth > 3:
        return exact
    for template, pattern in _patterns():
        match = pattern.fullmatch(message)
        if match:
            fields = {k: localize(v, depth + 1) for k, v in match.groupdict().items()}
            return _active.gettext(template).format(**fields)
    return message


def translate_parser(parser: argparse.ArgumentParser) -> None:
    """Every description and help text of `parser` and its sub-commands in the active language."""
    parser.description = parser.description and _(parser.description)
    for group in parser._action_groups:  # "positional arguments", "options": titled when the parser was made
        group.title = group.title and _(group.title)
    for action in parser._actions:  # argparse keeps no public list of them
        if action.help and action.help != argparse.SUPPRESS:
            action.help = _(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = choice.help and _(choice.help)
            for sub in action.choices.values():
                translate_parser(sub)


@contextmanager
def argparse_speaks():
    """argparse's own words (usage:, options, its errors) from our catalogue while the CLI runs, then as before."""
    saved = argparse._, argparse.ngettext
    argparse._ = lambda message: _active.gettext(message)  # the language active when argparse speaks
    argparse.ngettext = lambda singular, plural, n: _active.ngettext(singular, plural, n)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved
