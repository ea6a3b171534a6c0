"""Charts of a report as PNG: theme distribution per consultation, theme x response type heatmap, comparison.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no global backend switch, so a notebook keeps its
own backend) with the IPAex Gothic font that matplotlib-fontja ships: a system font may lack Japanese glyphs
and draw boxes ("tofu") instead.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ._io import atomic_path, safe_name

FONT = "IPAexGothic"
WIDTH = 9.0  # inches; at DPI this is 1350 px, readable on a page and in a slide
DPI = 150
BAR = "#3b6ea5"
GREY = "#9a9a9a"
PALETTE = ["#3b6ea5", "#e07b39", "#5a9e6f", "#b5545c", "#8a6bb0", "#8c7a5b"]


@contextmanager
def _style():
    import matplotlib
    import matplotlib_fontja  # noqa: F401  registers the bundled IPAex fonts with matplotlib's font manager

    with matplotlib.rc_context({"font.family": FONT, "axes.unicode_minus": False, "font.size": 10,
                                "axes.spines.top": False, "axes.spines.right": False}):
        yield


def _figure(height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def theme_chart(distribution, title: str = ""):
    """Horizontal bars of opinions per theme, largest on top, each labelled with its count and share."""
    with _style():
        table = distribution[(distribution["opinions"] > 0) | (distribution["theme"] != "(unscored)")]
        table = table.iloc[::-1]  # barh draws the first row at the bottom
        figure = _figure(0.38 * len(table) + 1.3)
        ax = figure.add_subplot()
        colors = [GREY if t in ("(unscored)", "(no opinion)") else BAR for t in table["theme"]]  # not themes
        bars = ax.barh(table["label"], table["opinions"], color=colors)
        ax.bar_label(bars, labels=[f"{n}件 ({s:.0%})" if n else "" for n, s in zip(table["opinions"], table["share"])],
                     padding=3, fontsize=9)
        ax.set_xlabel("意見数（件）")
        ax.set_xlim(0, max(1, table["opinions"].max()) * 1.22)  # room for the bar labels
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title(title, loc="left", fontsize=12)
        return figure


def heatmap(by_response, title: str = ""):
    """Opinions per theme (rows) and response type (columns), each cell showing its number."""
    from matplotlib.ticker import MaxNLocator

    with _style():
        values = by_response.drop(columns=["theme", "label", "total"])
        data = values.to_numpy(dtype=float)
        figure = _figure(0.42 * len(values) + 1.6)
        ax = figure.add_subplot()
        image = ax.imshow(data, cmap="Blues", aspect="auto", vmin=0, vmax=max(1.0, data.max()))
        ax.set_xticks(range(data.shape[1]), labels=list(values.columns))
        ax.set_yticks(range(data.shape[0]), labels=list(by_response["label"]))
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        dark = data > data.max() * 0.55
        for (i, j), value in np.ndenumerate(data):
            ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=9,
                    color="white" if dark[i, j] else ("#222222" if value else "#aaaaaa"))
        bar = figure.colorbar(image, ax=ax, shrink=0.6, label="意見数（件）")
        bar.locator = MaxNLocator(integer=True)  # counts: no 0.5 ticks
        bar.update_ticks()
        ax.set_title(title, loc="left", fontsize=12, pad=12)
        return figure


def comparison_chart(comparison, names: list[str], title: str = "テーマ別の割合の比較"):
    """Grouped horizontal bars: each theme's share of opinions in each consultation (taxonomy order, top down)."""
    with _style():
        table = comparison[comparison[[f"{n}:opinions" for n in names]].sum(axis=1) > 0].iloc[::-1]
        figure = _figure(0.22 * len(table) * max(2, len(names)) + 1.6)
        ax = figure.add_subplot()
        height = 0.8 / len(names)
        positions = np.arange(len(table))
        for k, name in enumerate(names):
            offset = (len(names) - 1 - k) * height - 0.4 + height / 2  # first consultation on top in each group
            ax.barh(positions + offset, table[f"{name}:share"] * 100, height=height * 0.95,
                    color=PALETTE[k % len(PALETTE)], label=name)
        ax.set_yticks(positions, labels=list(table["label"]))
        ax.set_xlabel("意見に占める割合（%）")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=len(names), frameon=False)  # above the bars
        ax.set_title(title, loc="left", fontsize=12)
        return figure


def slug(name: str) -> str:
    """A file-name-safe form of a consultation name (Japanese kept)."""
    return safe_name(re.sub(r"[^\w.-]+", "-", name))  # bounded in length too


def save_png(figure, path: Path) -> Path:
    with _style(), atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=DPI)
    return path


def write_charts(report, out_dir: Path) -> dict[str, Path]:
    """Every chart of a report as PNG under `out_dir`; keys theme_chart:<name>, heatmap:<name>, comparison_chart."""
    out_dir = Path(out_dir)
    written: dict[str, Path] = {}
    for name, table in report.distributions.items():
        written[f"theme_chart:{name}"] = save_png(theme_chart(table, f"{name}：テーマ別の意見数"),
                                                  out_dir / f"themes-{slug(name)}.png")
        if int(report.by_response[name]["total"].sum()):  # replies only: guesses made before any reply are apart
            written[f"heatmap:{name}"] = save_png(heatmap(report.by_response[name], f"{name}：テーマ × 対応区分"),
                                                  out_dir / f"heatmap-{slug(name)}.png")
    if report.comparison is not None:
        names = list(report.distributions)
        written["comparison_chart"] = save_png(comparison_chart(report.comparison, names), out_dir / "comparison.png")
    return written
