"""Hostile input, measured (issue #13; prints a table, never a pass/fail test).

Times `pubcom score` as a whole process on one line of N characters with no space or punctuation (ASCII letters,
katakana, digits) beside one line of ordinary sentences of the same length, with the peak RSS of each; and the
peak RSS of refusing zip bombs (an XLSX and a DOCX whose main part unpacks to --bomb-mb), a web page over the size
limit and a huge card.json.

    python benchmarks/hostile.py                    # 5,000,000 characters, 2 GB bombs, a 200 MB page (minutes)
    python benchmarks/hostile.py --chars 200000 --bomb-mb 256 --page-mb 30   # quicker
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "マイナンバーカードの手続をオンラインでできるようにしてください。"
_ROW = b'<row><c t="inlineStr"><is><t>' + b"A" * 200 + b"</t></is></c></row>"


# a parent of its own for each run, whose children's peak RSS is that one process's
_WRAPPER = ("import resource, subprocess, sys, time; start = time.perf_counter(); "
            "code = subprocess.run(sys.argv[1:], capture_output=True).returncode; "
            "print(code, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def run(args: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MiB, exit code) of one `pubcom` process."""
    done = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "pipeline", *args],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    code, seconds, rss_kib = done.stdout.split()
    return float(seconds), int(rss_kib) / 1024, int(code)


def bomb(path: Path, folder: str, part: str, megabytes: int) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/workbook.xml", "<x/>")
        with archive.open(part, "w", force_zip64=True) as member:
            block = _ROW * ((1 << 20) // len(_ROW))
            for _ in range(megabytes * (1 << 20) // len(block)):
                member.write(block)
    return path


def cases(folder: Path, chars: int, bomb_mb: int, page_mb: int, model: list[str]):
    texts = {"ordinary sentences": (SENTENCE * (chars // len(SENTENCE) + 1))[:chars], "'a' with no break": "a" * chars,
             "'ア' with no break": "ア" * chars, "'1' with no break": "1" * chars}
    for name, text in texts.items():
        source = folder / f"{len(name)}.txt"
        source.write_text(text, encoding="utf-8")
        yield f"score one line of {chars:,} characters: {name}", ["score", str(source), *model, "--out", str(folder / "o.csv")]
    yield f"XLSX unpacking to {bomb_mb:,} MB", ["ingest", str(bomb(folder / "b.xlsx", "xl", "xl/worksheets/sheet1.xml", bomb_mb)),
                                                "--out", str(folder / "o")]
    yield f"DOCX unpacking to {bomb_mb:,} MB", ["ingest", str(bomb(folder / "b.docx", "word", "word/document.xml", bomb_mb)),
                                                "--out", str(folder / "o")]
    page = folder / "page.html"
    with open(page, "w", encoding="utf-8") as handle:
        row = "<tr><td>1</td><td>窓口を残してほしい</td><td>検討します</td></tr>\n"
        handle.write("<html><body><table><tr><th>No</th><th>意見</th><th>市の考え方</th></tr>\n")
        handle.write(row * (page_mb * (1 << 20) // len(row.encode("utf-8")) + 1))
    yield f"web page of {page.stat().st_size >> 20:,} MB", ["ingest", str(page), "--out", str(folder / "o")]
    card = folder / "models" / "m" / "card.json"
    card.parent.mkdir(parents=True)
    with open(card, "wb") as handle:
        handle.truncate(bomb_mb << 20)
    yield f"card.json of {bomb_mb:,} MB", ["score", str(folder / "0.txt"), "--model", str(card.parent), "--out", "-"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=5_000_000)
    parser.add_argument("--bomb-mb", type=int, default=2048, help="what each zip bomb unpacks to, and the card's size")
    parser.add_argument("--page-mb", type=int, default=200, help="the web page's size")
    parser.add_argument("--model", default=None, help="model folder (default: models/latest)")
    args = parser.parse_args(argv)
    model = ["--model", args.model] if args.model else []
    lines = ["| case | exit | seconds | peak RSS (MiB) |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "0.txt").write_text(SENTENCE, encoding="utf-8")
        for name, command in cases(Path(tmp), args.chars, args.bomb_mb, args.page_mb, model):
            seconds, rss, code = run(command)
            lines.append(f"| {name} | {code} | {seconds:.1f} | {rss:,.0f} |")
            print(lines[-1], flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
