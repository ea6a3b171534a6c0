"""Grouping a table or a file (`pubcom group`, `pubcom score --group`): every row and column in order, plus
group_id, group_size and group_representative (`pipeline.grouping` finds the groups)."""
from __future__ import annotations

from pathlib import Path

from .grouping import GROUP_COLUMNS, THRESHOLD, Grouper


def _with_groups(chunk, grouper: Grouper, start: int, labels=None):
    out = chunk.drop(columns=[c for c in GROUP_COLUMNS if c in chunk.columns])
    for name, values in grouper.columns(start, start + len(chunk), labels).items():
        out[name] = values
    return out


def group_frame(frame, *, text_column: str | None = None, threshold: float = THRESHOLD, source: str = "input"):
    """`frame` with group_id, group_size and group_representative added (replaced when it has them)."""
    from .ingest.tables import TEXT_COLUMNS, find_column

    frame = frame.reset_index(drop=True)
    column = find_column(frame, text_column, TEXT_COLUMNS, what="opinion text", source=source, option="--text-column")
    grouper = Grouper(threshold=threshold)
    grouper.add(frame[column].tolist())
    return _with_groups(frame, grouper, 0)


def _chunks(source, *, sheet=None, chunk_rows: int, stdin=None):
    """The input's rows in chunks: JSON lines (`pubcom score --out x.jsonl`) as records, the rest as `score` reads."""
    import pandas as pd

    from .stream import iter_input

    if str(source) == "-" or str(source).lower()[-6:] != ".jsonl":
        yield from iter_input(source, sheet=sheet, chunk_rows=chunk_rows, stdin=stdin)
        return
    from .errors import InputError

    if not Path(source).is_file():
        raise InputError(f"{source}: no such file")
    try:
        with pd.read_json(source, lines=True, dtype=False, chunksize=chunk_rows) as reader:
            yield from reader
    except ValueError as exc:
        raise InputError(f"{source}: not readable JSON lines ({str(exc).splitlines()[0]})") from exc


def group_file(source, out, *, text_column: str | None = None, threshold: float = THRESHOLD, sheet: str | None = None,
               chunk_rows: int | None = None, stdin=None, stdout=None) -> dict:
    """Group the rows of `source` (a path or '-') into `out` (.csv / .jsonl / .xlsx / '-'): every row and column in
    order, plus the group columns. Read twice in chunks (the sizes are known only at the end), so memory holds the
    groups, not the rows; standard input, which cannot be read twice, is held in memory. `out` may be `source`
    (the output is written to a temporary file and renamed). Returns `Grouper.summary()`."""
    from ._progress import progress
    from .ingest.tables import TEXT_COLUMNS, find_column
    from .output import check_output, open_output
    from .stream import CHUNK_ROWS

    check_output(out)
    if not 0.0 < threshold <= 1.0:
        from .errors import InputError

        raise InputError(f"--threshold must be above 0 and at most 1 (a Jaccard similarity), got {threshold}")
    options = dict(sheet=sheet, chunk_rows=chunk_rows or CHUNK_ROWS)
    kept = [] if str(source) == "-" else None
    grouper, column = Grouper(threshold=threshold), None
    for chunk in progress(_chunks(source, stdin=stdin, **options), desc="grouping rows", size=len):
        if column is None:
            column = find_column(chunk, text_column, TEXT_COLUMNS, what="opinion text", source=str(source),
                                 option="--text-column")
        grouper.add(chunk[column].tolist())
        if kept is not None:
            kept.append(chunk)
    start, labels = 0, grouper.labels()
    with open_output(out, stdout=stdout) as write:
        for chunk in kept if kept is not None else _chunks(source, **options):
            if start + len(chunk) > len(grouper.ids):
                break
            write(_with_groups(chunk, grouper, start, labels))
            start += len(chunk)
        if start != len(grouper.ids):  # the file changed between the two readings: nothing is written
            from .errors import InputError

            raise InputError(f"{source}: the rows changed between the two readings ({len(grouper.ids)} rows read "
                             "first); was the file being written?")
    return grouper.summary()
