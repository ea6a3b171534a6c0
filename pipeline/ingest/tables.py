"""Plain tables of comments (labelled or not): CSV / TSV in any Japanese encoding, XLSX, one-comment-per-line text,
and the records files that `pubcom ingest` writes. Column names are found by heading when not given."""
from __future__ import annotations

import difflib
import io
import logging
import re
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .columns import ROLES, head_role, normalise_heading
from .encoding import decode, read_bytes

_log = logging.getLogger(__name__)  # notes for the user (a sheet or heading chosen for them); the CLI prints them


class Headings(tuple):
    """Column names for one kind of column, in order of preference, matched exactly (NFKC, case and spaces folded);
    `role`: the columns.ROLES entry whose keywords then find it inside a longer heading (ご意見の内容), as the
    document readers do."""

    def __new__(cls, names, role: str | None = None):
        headings = super().__new__(cls, names)
        headings.role = role
        return headings


# The headings the document readers recognise (columns.ROLES), after the plain names a spreadsheet or an export uses.
TEXT_COLUMNS = Headings(("opinion", "text", "comment", "comments", *ROLES["opinion"], "コメント", "内容"), "opinion")
RESPONSE_COLUMNS = Headings(("response", "reply", *ROLES["response"], "市の考え方等"), "response")
ID_COLUMNS = Headings(("id", "row_no", *ROLES["number"]), "number")
THEME_COLUMNS = ("theme", "テーマ", "分類")
RESPONSE_TYPE_COLUMNS = ("response_type", "対応区分", "反映区分", "区分")


def find_column(frame: pd.DataFrame, given: str | None, candidates, *, what: str, source: str, option: str,
                required: bool = True) -> str | None:
    """The column named `given`, else the first heading that matches a candidate; a clear error otherwise."""
    columns = list(frame.columns)
    if given:
        if given in columns:
            return given
        listed = ", ".join(map(str, columns))
        close = difflib.get_close_matches(str(given), list(map(str, columns)), n=1, cutoff=0.5)  # a typo's fix
        if close:
            raise InputError(f"column {given!r} not found in {source} (columns: {listed}); did you mean {close[0]!r}?")
        raise InputError(f"column {given!r} not found in {source} (columns: {listed})")
    keys = {normalise_heading(c): c for c in columns}
    for candidate in candidates:
        if normalise_heading(candidate) in keys:
            return keys[normalise_heading(candidate)]
    role = getattr(candidates, "role", None)
    for column in columns if role else ():  # else a heading whose head word is the role's (ご意見の内容)
        if head_role(column) == role:
            if what:
                # said once per column, though each chunk (and the file's first check) finds it again
                _log.info("%s: column %r taken as the %s (guessed from its heading%s)", source, column, what,
                          f"; name another with {option}" if option else "", extra={"once": ("guess", column, what)})
            return column
    if required:
        raise InputError(f"no {what} column found in {source} (columns: {', '.join(map(str, columns))}); pass {option}")
    return None


def check_sheet(path: Path | str, sheet: str | None) -> None:
    """--sheet names a worksheet: given with anything but a workbook it would be ignored, so it is an error."""
    if sheet is not None and Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(f"--sheet {sheet!r} applies to an XLSX workbook; {path} is not one")


def read_table(path: Path | str, *, sheet: str | None = None) -> pd.DataFrame:
    """A table as strings, every row kept (blank rows too: the caller decides what an unusable row is)."""
    check_sheet(path, sheet)
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; name a file")
    suffix = path.suffix.lower()
    data = read_bytes(path)
    if suffix in (".xlsx", ".xlsm"):
        if not data:
            raise InputError(f"{path}: the file is empty (expected an XLSX workbook)")
        return _read_xlsx(path, sheet)
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    text, _ = decode(data, source=str(path))
    if suffix in (".csv", ".tsv"):
        sep = "\t" if suffix == ".tsv" else ","
        try:
            frame = pd.read_csv(io.StringIO(text), **csv_options(sep))
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from exc
        return finish_csv(frame, path)
    # plain text: one comment per line
    lines = text.splitlines()
    return pd.DataFrame({"text": lines})


def csv_options(sep: str = ",") -> dict:
    """How every table reader of the pipeline reads a CSV: strings as written, and blank lines kept as rows (an
    empty opinion is flagged by scoring, never dropped unseen)."""
    return dict(sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False)


def finish_csv(frame: pd.DataFrame, source) -> pd.DataFrame:
    """A table just read from a CSV: the formula escapes of `pipeline.cells` removed, and repeated headings (which
    pandas renames `opinion.1`) reported once on stderr."""
    from ..cells import unescape_frame

    _report_repeated(frame, source)
    return unescape_frame(frame)


def _report_repeated(frame: pd.DataFrame, source) -> pd.DataFrame:
    """Say which headings pandas renamed because they were repeated (`opinion`, `opinion` -> `opinion.1`)."""
    renamed = [c for c in frame.columns if isinstance(c, str) and _RENAMED.match(c) and _RENAMED.match(c)[1] in frame.columns]
    if renamed:
        import sys

        from ..i18n import localize  # English unless the CLI chose another language

        print(localize(f"warning: {source}: repeated column heading(s) renamed: {', '.join(renamed)}"), file=sys.stderr)
    return frame


_RENAMED = re.compile(r"^(.*)\.[0-9]+$")


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    """The named sheet; else the first sheet with an opinion column (as `pubcom ingest` looks at every sheet),
    named in a note when it is not the first; else the first sheet."""
    from .limits import check_archive

    check_archive(path, "XLSX workbook", streamed=True)
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from exc
    except Exception as exc:  # openpyxl raises zipfile / KeyError / XML errors on broken files
        raise InputError(f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {str(exc)[:120]})") from exc
    names = list(sheets)
    if sheet is not None:
        if sheet not in sheets:
            raise InputError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(names)})")
        return _report_repeated(sheets[sheet], path)
    # a cover sheet whose title (…への意見) reads as a heading has no rows under it: not the table
    found = [n for n in names if len(sheets[n])
             and find_column(sheets[n], None, TEXT_COLUMNS, what="", source="", option="", required=False)]
    if found and found[0] != names[0]:
        _log.warning("%s: no opinion column on the first sheet %r; read sheet %r (choose another with --sheet; sheets: %s)",
                     path, names[0], found[0], ", ".join(names))
        return _report_repeated(sheets[found[0]], path)
    return _report_repeated(sheets[names[0]], path) if names else pd.DataFrame()
