"""The part of summary.html that staff use rather than read: every opinion listed under its theme, with its response
type, confidence and review flag, and a search box and filters that work in the browser alone.

The page must work when it is e-mailed or copied on its own: no server, no network, no file beside it. So the
filtering is a few lines of plain JavaScript inside the page, and the rows are plain HTML (a page without scripts
still lists every opinion).
"""
from __future__ import annotations

import html

import pandas as pd

MAX_ROWS = 20000  # per consultation: beyond this a browser slows down; report.xlsx lists every row
GUESS_LABEL = "回答前の予測"

STYLE = """.filters{position:sticky;top:0;background:#fff;padding:.6em 0;border-bottom:1px solid #ccc;display:flex;
flex-wrap:wrap;gap:.6em;align-items:center;z-index:1}.filters input[type=search]{flex:1 1 18em;font-size:1em;padding:.35em .5em}
.filters select{font-size:.95em;padding:.3em}.shown{color:#555;white-space:nowrap}details.theme{margin:.8em 0}
details.theme>summary{cursor:pointer;font-weight:bold;font-size:1.05em;padding:.3em 0}.theme .count{color:#555;
font-weight:normal;margin-left:.5em}table.ops{width:100%}table.ops td.op{min-width:24em}.guess{color:#8a5a00}
.flag{color:#b5545c;font-weight:bold}tr.review td{background:#fff6ef}table.ops th,table.ops td:not(.op){white-space:nowrap}
.reply{color:#555;font-size:.92em;margin-top:.3em;border-left:3px solid #d8dee6;padding-left:.6em}"""

# Rows carry their theme, type, basis and review flag as data attributes; a row shows when it matches every control.
# The text is compared after NFKC and lower-casing, as the pipeline normalises Japanese (全角 / 半角 alike).
SCRIPT = """(function(){
var q=document.getElementById('q'),ft=document.getElementById('f-theme'),fy=document.getElementById('f-type'),
fr=document.getElementById('f-review'),shown=document.getElementById('shown-count');
function norm(s){return (s||'').normalize('NFKC').toLowerCase();}
var rows=Array.prototype.slice.call(document.querySelectorAll('tr.op-row'));
rows.forEach(function(r){r._text=norm(r.textContent);});
function typeMatches(r,want){
  if(!want)return true;
  if(want==='guess')return r.dataset.basis==='opinion';
  return r.dataset.basis!=='opinion'&&r.dataset.type===want;}
function apply(){
  var words=norm(q.value).split(/\\s+/).filter(Boolean),n=0;
  rows.forEach(function(r){
    var ok=(!ft.value||r.dataset.theme===ft.value)&&typeMatches(r,fy.value)&&(!fr.checked||r.dataset.review==='1')
      &&words.every(function(w){return r._text.indexOf(w)>=0;});
    r.hidden=!ok;if(ok)n++;});
  document.querySelectorAll('details.theme').forEach(function(d){
    var k=d.querySelectorAll('tr.op-row:not([hidden])').length;
    d.hidden=k===0;d.querySelector('.count').textContent=k+'件';});
  document.querySelectorAll('div.consultation').forEach(function(c){
    c.hidden=!c.querySelector('tr.op-row:not([hidden])');});
  shown.textContent=n;}
[q,ft,fy,fr].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
apply();})();"""


def _options(pairs, everything: str) -> str:
    return f'<option value="">{html.escape(everything)}</option>' + "".join(
        f'<option value="{html.escape(value)}">{html.escape(label)}</option>' for value, label in pairs)


def _controls(themes: list[tuple[str, str]], types: list[tuple[str, str]], total: int) -> str:
    return ('<div class="filters" role="search">'
            '<input type="search" id="q" placeholder="意見・回答を検索（例: 窓口　高齢）" aria-label="検索">'
            f'<select id="f-theme" aria-label="テーマ">{_options(themes, "すべてのテーマ")}</select>'
            f'<select id="f-type" aria-label="対応区分">{_options(types, "すべての対応区分")}</select>'
            '<label><input type="checkbox" id="f-review"> 要確認のみ</label>'
            f'<span class="shown">表示 <b id="shown-count">{total}</b> / {total} 件</span></div>')


def _type_cell(row, type_labels: dict) -> str:
    label = type_labels.get(row.response_type, row.response_type) or "—"
    if row.guess:
        return f'<span class="guess" title="意見の文面だけからの推定">{html.escape(label)}（{GUESS_LABEL}）</span>'
    return html.escape(label)


def _row(row, type_labels: dict) -> str:
    score = "—" if row.score != row.score else f"{row.score:.2f}"  # NaN: an unscorable row
    flag = '<span class="flag" title="{}">要確認</span>'.format(html.escape(row.reason)) if row.needs_review else ""
    attrs = (f'class="op-row{" review" if row.needs_review else ""}" data-theme="{html.escape(row.theme)}" '
             f'data-type="{html.escape(row.response_type)}" data-basis="{"opinion" if row.guess else ""}" '
             f'data-review="{int(row.needs_review)}"')
    reply = f'<div class="reply">回答: {html.escape(row.reply)}</div>' if row.reply else ""
    return (f"<tr {attrs}><td class=n>{html.escape(str(row.row))}</td><td class=op>{html.escape(row.text)}{reply}</td>"
            f"<td>{_type_cell(row, type_labels)}</td><td class=n>{score}</td><td>{flag}</td></tr>")


def _theme_sections(frame: pd.DataFrame, order: list[str], labels: dict, type_labels: dict) -> list[str]:
    out = []
    head = "<thead><tr><th>行</th><th>意見</th><th>対応区分</th><th title='テーマの予測の確信度'>テーマ確信度</th><th>要確認</th></tr></thead>"
    for theme in order:
        rows = frame[frame["theme"] == theme]
        if rows.empty:
            continue
        body = "".join(_row(r, type_labels) for r in rows.itertuples(index=False))
        out.append(f'<details class="theme" open data-theme="{html.escape(theme)}"><summary>'
                   f'{html.escape(labels.get(theme, theme))}<span class="count">{len(rows)}件</span></summary>'
                   f'<table class="ops">{head}<tbody>{body}</tbody></table></details>')
    return out


def opinion_list(report, taxonomy=None) -> str:
    """The 「意見一覧」 section: one filter bar for every consultation of the report, then each consultation's
    opinions grouped by theme (taxonomy order), in the order of the file within a theme."""
    from .report import _labels, _theme_order

    labels = _labels(taxonomy)  # the report's own names, 未分類 and 意見なし included
    type_labels = dict(taxonomy.response_labels()) if taxonomy is not None else {}
    frames = [c.frame for c in report.consultations]
    order = _theme_order(taxonomy, *frames)
    types = list(type_labels) + sorted({t for f in frames for t in f["response_type"] if t and t not in type_labels})
    shown_types = [(t, type_labels.get(t, t)) for t in types]
    if any(f["guess"].any() for f in frames):
        shown_types.append(("guess", f"{GUESS_LABEL}（回答なし）"))
    sections, total = [], 0
    for c in report.consultations:
        frame = c.frame.head(MAX_ROWS)
        total += len(frame)
        cut = f"（先頭 {MAX_ROWS}件のみ表示。全件は report.xlsx）" if len(c.frame) > MAX_ROWS else ""
        heading = f"<h3>{html.escape(c.name)}{cut}</h3>" if len(report.consultations) > 1 or cut else ""
        sections.append(f'<div class="consultation">{heading}'
                        + "".join(_theme_sections(frame, order, labels, type_labels)) + "</div>")
    themes = [(t, labels.get(t, t)) for t in order if any((f["theme"] == t).any() for f in frames)]
    return ('<section id="opinions"><h2>意見一覧</h2>'
            "<p>検索語（空白で区切ると全てを含む意見）やテーマ・対応区分・要確認で絞り込めます。"
            "このファイルだけで動き、インターネット接続は不要です。</p>"
            + _controls(themes, shown_types, total) + "\n".join(sections) + "</section>")
