"""Scoring a file of any size: read in chunks, score each chunk (in this process or in worker processes), write
each chunk as it comes, so that memory stays bounded and the output is the same as scoring the whole file at once.

CSV / TSV / one-comment-per-line text and stdin stream; XLSX and published documents (PDF, DOCX, HTML) are read
whole (their formats cannot be read in pieces). CSV, JSONL and stdout output stream; XLSX output is kept until the
end. The output file is written to a temporary name and renamed when complete.
"""
from __future__ import annotations

import codecs
from itertools import chain, islice
from pathlib import Path
from typing import Iterator

from ._progress import progress
from .errors import InputError
from .ingest._common import reply_cuts
from .ingest.encoding import bom_encoding, legacy_encodings, looks_binary
from .output import Rendered, check_output, open_output, text_format

CHUNK_ROWS = 20_000
_WHOLE_SUFFIXES = (".xlsx", ".xlsm", ".pdf", ".docx", ".html", ".htm")
_BLOCK = 1 << 20


def file_encoding(path: Path) -> str | None:
    """The encoding `pipeline.ingest.encoding.decode` would choose, checked over the whole file block by block
    (bounded memory); None when none decodes it (the caller falls back to the whole-file reader and its detector)."""
    with open(path, "rb") as handle:
        head = handle.read(_BLOCK)
    marked = bom_encoding(head)
    for encoding in [marked] if marked else ("utf-8-sig", *legacy_encodings(head)):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(_BLOCK), b""):
                    decoder.decode(block)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return None


def _check_text_file(path: Path) -> None:
    """The whole-file reader's checks (missing, folder, empty, binary), without reading the whole file."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; name a file")
    with open(path, "rb") as handle:
        head = handle.read(_BLOCK)
        if looks_binary(head):
            raise InputError(f"{path}: looks like a binary file, not text (control bytes are common)")
        block = head
        while block and not block.strip():
            block = handle.read(_BLOCK)
        if not block.strip():
            raise InputError(f"{path}: the file is empty")


def iter_input(path: str | Path, *, sheet: str | None = None, chunk_rows: int = CHUNK_ROWS,
               stdin=None) -> Iterator:
    """DataFrames of at most `chunk_rows` rows (whole for XLSX and documents) that, put together, are exactly what
    `pipeline.score.read_input(path)` returns."""
    import pandas as pd

    from .ingest.tables import check_sheet
    from .score import read_input, stdin_lines

    if str(path) == "-":
        empty = True
        for lines in _batches(stdin_lines(stdin), chunk_rows):
            empty = False
            yield pd.DataFrame({"text": lines})
        if empty:
            yield pd.DataFrame({"text": []})
        return
    path = Path(path)
    check_sheet(path, sheet)
    encoding = None
    if path.suffix.lower() not in _WHOLE_SUFFIXES:
        _check_text_file(path)
        encoding = file_encoding(path)
    if encoding is None:
        yield read_input(path, sheet=sheet)
    elif path.suffix.lower() in (".csv", ".tsv"):
        yield from _csv_chunks(path, encoding, "\t" if path.suffix.lower() == ".tsv" else ",", chunk_rows)
    else:  # one comment per line; str.splitlines on each batch splits exactly where it splits the whole text
        with open(path, encoding=encoding, newline=None) as handle:
            for lines in _batches(handle, chunk_rows):
                yield pd.DataFrame({"text": "".join(lines).splitlines()})


def _batches(lines, size: int):
    iterator = iter(lines)
    while batch := list(islice(iterator, size)):
        yield batch


def _csv_chunks(path: Path, encoding: str, sep: str, chunk_rows: int):
    import pandas as pd

    from .cells import unescape_frame
    from .ingest.tables import csv_options, finish_csv

    options = dict(csv_options(sep), encoding=encoding)
    try:
        with pd.read_csv(path, chunksize=chunk_rows, **options) as reader:
            empty = True
            for chunk in reader:  # the first chunk as the whole-file reader finishes it (headings reported once)
                chunk = finish_csv(chunk, path) if empty else unescape_frame(chunk)
                empty = False
                yield chunk.reset_index(drop=True)
        if empty:  # a header and no rows: the whole-file reader gives an empty table with those columns
            yield finish_csv(pd.read_csv(path, nrows=0, **options), path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from exc


def score_chunks(model, chunks, *, jobs: int = 1, options: dict | None = None, render: str | None = None) -> Iterator:
    """`score_frame(model, chunk, **options)` of each chunk, in order; with jobs > 1 in `jobs` processes: this one
    and jobs - 1 workers (`pipeline.parallel`), each with its own tagger. Rows are scored independently, so the
    result is the same for any chunking and any `jobs`. `options` is read as each chunk is scored (`score_file`
    settles it on the first chunk). `render` ("csv" / "jsonl"): with jobs > 1 the workers also write each piece as that text
    (`Rendered`), so that writing the output is not left to this one process."""
    from .score import score_frame

    options = {} if options is None else options
    if jobs == 1:
        for chunk in chunks:
            yield score_frame(model, chunk, **options)
        return
    from .parallel import score_parallel

    yield from score_parallel(model, _pieces(chunks, max(1, CHUNK_ROWS // (4 * jobs))), jobs - 1, options, render)


def _pieces(chunks, size: int):
    """The chunks cut into pieces of about `size` rows, the last chunk's into quarter-size pieces: the processes
    then finish together (at the end, each waits at most for a small piece). One chunk is read ahead to know."""
    chunks = iter(chunks)
    chunk = next(chunks, None)
    while chunk is not None:
        following = next(chunks, None)
        yield from _split(chunk, size if following is not None else max(1, size // 4))
        chunk = following


def _split(frame, size: int):
    """Pieces of about `size` rows; a row and the row whose reply it shares stay in one piece."""
    if len(frame) <= size:
        yield frame
        return
    import numpy as np

    cuts, start = reply_cuts(frame), 0  # cuts ends with len(frame)
    while start < len(frame):
        end = int(cuts[np.searchsorted(cuts, start + size)]) if start + size < len(frame) else len(frame)
        yield frame.iloc[start:end].reset_index(drop=True)
        start = end


def _shared_replies_together(chunks):
    """The chunks, cut again where needed so that no row is parted from the row whose reply it shares (an
    ingested records file: response_shared_with); other tables pass unchanged."""
    import pandas as pd

    pending = None
    for chunk in chunks:
        if pending is None or not {"response_shared_with", "row_no"} <= set(chunk.columns):
            if pending is not None:
                yield pending
            pending = chunk
            continue
        both = pd.concat([pending, chunk], ignore_index=True)
        cuts = reply_cuts(both)
        cut = int(cuts[cuts.searchsorted(len(pending))])
        yield both.iloc[:cut].reset_index(drop=True)
        pending = both.iloc[cut:].reset_index(drop=True)
    if pending is not None:
        yield pending


def score_file(model, source, out, *, jobs: int = 1, sheet: str | None = None, chunk_rows: int = CHUNK_ROWS,
               text_column: str | None = None, response_column: str | None = None, id_column: str | None = None,
               redact: bool = False, stdin=None, stdout=None, suggest_from=None, group: bool = False) -> dict:
    """Score `source` (a path or '-') into `out` (.csv / .jsonl / .xlsx / '-') chunk by chunk; returns counts
    {"read", "rows", "flagged", "masked", "text_column"} (the opinion column's name in `out`). `model`: a model,
    or a model folder (loaded, verified). The response column defaults to 'response' when the input has one.
    `redact`: mask personal data in every text column but the id column as each piece is scored, in whichever
    process scores it (so nothing unmasked is written).
    `suggest_from`: a fitted `pipeline.suggest.ReplySuggester` (the suggested_* columns). `group`: the caller groups
    `out` next (its own group columns are kept as input_group_id...)."""
    check_output(out)
    if jobs < 1:
        raise InputError(f"--jobs must be 1 or more, got {jobs}")
    if isinstance(model, (str, Path)):
        from .registry import load_scorer

        model = load_scorer(model)
    options = {"text_column": text_column, "response_column": response_column, "redact": redact}
    if suggest_from is not None:
        options["suggest_from"] = suggest_from
    if group:
        options["group"] = True
    counts = {"read": 0, "rows": 0, "flagged": 0, "masked": {} if redact else None, "text_column": None}
    with open_output(out, stdout=stdout) as write:
        chunks = _checked(iter_input(source, sheet=sheet, chunk_rows=chunk_rows, stdin=stdin), id_column, options,
                          source=str(source), counts=counts)
        # the first chunk is read and checked here, before any worker starts: a file that cannot be read at all is
        # reported from this process, not from inside a pool being torn down
        chunks = chain([next(chunks)], chunks)
        scored_chunks = score_chunks(model, _shared_replies_together(chunks), jobs=jobs, options=options,
                                     render=text_format(out))
        for scored in progress(scored_chunks, desc="scoring", unit="rows", size=len,
                               total=lambda: estimate_rows(source, sheet)):
            write(scored)
            counts["rows"] += len(scored)
            counts["flagged"] += scored.flagged if isinstance(scored, Rendered) else int(scored["needs_review"].sum())
            for kind, n in (scored.masked if isinstance(scored, Rendered) else scored.attrs.get("masked", {})).items():
                counts["masked"][kind] = counts["masked"].get(kind, 0) + n
    return counts


def estimate_rows(source, sheet=None) -> int | None:
    """The number of rows of a CSV / TSV / text file, from its line breaks (a reply cell holding a line break
    makes it an overestimate), for the progress bar; None for stdin and for files read whole."""
    if str(source) == "-" or sheet is not None:
        return None
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in _WHOLE_SUFFIXES or not path.is_file():
        return None
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lines, last = lines + block.count(b"\n"), block[-1:]
    lines += last != b"\n"  # a last line without a line break
    return max(0, lines - (suffix in (".csv", ".tsv")))  # the header is not a row


def _checked(chunks, id_column, options: dict, *, source: str, counts: dict):
    """The chunks, once the first has been checked: the opinion and id columns exist (an error names the file);
    'response' is the reply column and the id column is found (set in `options` before any chunk is scored);
    counts["read"] counts the rows read."""
    from .ingest.tables import TEXT_COLUMNS, find_column
    from .score import id_column as check_id_column

    from .score import keep_input_columns

    first = next(chunks)
    text = find_column(first, options["text_column"], TEXT_COLUMNS, what="opinion text", source=source,
                       option="--text-column")
    # its name in the output (input_<name> when an output column takes it), for a step that reads the output
    counts["text_column"] = keep_input_columns(first.head(0), text, group=options.get("group", False))[1]
    options["id_column"] = check_id_column(first, id_column)
    if options["response_column"] is None and "response" in first.columns:
        options["response_column"] = "response"
    for chunk in chain([first], chunks):
        counts["read"] += len(chunk)
        yield chunk
