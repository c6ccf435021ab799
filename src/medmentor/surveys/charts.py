"""Charts of survey answers (matplotlib, one chart code for web and print): a function
draws the Figure, the page takes it as inline SVG and the PDF report as a page."""

import io
import re
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

# Colour-blind-safe diverging palette (ColorBrewer RdBu), disagree to agree.
PALETTE = {
    5: ["#ca0020", "#f4a582", "#d9d9d9", "#92c5de", "#0571b0"],
    7: ["#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9", "#d1e5f0", "#67a9cf", "#2166ac"],
}


def likert_diverging_figure(
    *, rows: list[tuple[str, list[int]]], labels: list[str], title: str
) -> Figure:
    """A diverging stacked bar per row (e.g. a wave): disagreeing answers to the left of
    zero, agreeing to the right, the middle point split across it. Percentages of the
    row's answers; an empty row draws nothing."""
    points = len(labels)
    colours = PALETTE.get(points) or [
        colormaps["RdBu"](i / max(points - 1, 1)) for i in range(points)
    ]
    counts = np.array([row_counts for _, row_counts in rows], dtype=float).reshape(-1, points)
    shares = 100 * counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    left = -shares[:, : points // 2].sum(axis=1)
    if points % 2:
        left -= shares[:, points // 2] / 2
    # A Figure of its own, not pyplot: no global state shared between the web server's
    # threads, and no figure manager to close.
    height = 1.9 + 0.4 * len(rows)
    figure = Figure(figsize=(7, height))
    axes = figure.add_subplot()
    positions = np.arange(len(rows))
    # One bar call per answer level across all rows: a tenth of the artists' set-up time
    # of one call per bar, which counts when a report draws forty of these.
    for level in range(points):
        axes.barh(
            positions,
            shares[:, level],
            left=left,
            color=colours[level],
            edgecolor="white",
            height=0.6,
            label=labels[level],
        )
        left = left + shares[:, level]
    axes.axvline(0, color="#333333", linewidth=0.8)
    axes.set_yticks(positions, [name for name, _ in rows])
    axes.set_xlim(-100, 100)
    axes.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
    axes.set_xlabel("% of answers (disagree ← → agree)")
    axes.invert_yaxis()
    axes.set_title(title, fontsize=10, loc="left")
    figure.legend(
        ncol=min(points, 4),
        fontsize=7,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        frameon=False,
    )
    # Fixed margins (room for the wave names and the legend below) instead of
    # tight_layout, which measured a third of the drawing time.
    figure.subplots_adjust(left=0.13, right=0.98, top=1 - 0.35 / height, bottom=1.2 / height)
    return figure


def scale_change_figure(
    *, title: str, score_range: tuple[float, float], rows: Sequence[tuple[str, object]]
) -> Figure:
    """A scale's scores per wave over the paired respondents: the interquartile range as a
    bar, the median as a dot and the mean as a diamond, one row per wave (`rows`: label
    and a stats.WaveSummary), on the scale's declared range."""
    height = 1.3 + 0.45 * len(rows)
    figure = Figure(figsize=(7, height))
    axes = figure.add_subplot()
    colours = ["#4d4d4d", "#0571b0", "#4d4d4d", "#7b3294"]
    for y, (_, summary) in enumerate(rows):
        colour = colours[y % len(colours)]
        axes.plot([summary.q1, summary.q3], [y, y], color=colour, linewidth=7, alpha=0.35)
        axes.plot([summary.median], [y], "o", color=colour, markersize=8)
        axes.plot([summary.mean], [y], "D", markerfacecolor="white", color=colour, markersize=6)
    low, high = score_range
    pad = (high - low) * 0.03 or 1
    axes.set_xlim(low - pad, high + pad)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_yticks(range(len(rows)), [label for label, _ in rows])
    axes.set_xlabel("score: ● median, ◇ mean, bar = interquartile range")
    axes.set_title(title, fontsize=10, loc="left")
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    figure.subplots_adjust(left=0.25, right=0.97, top=1 - 0.35 / height, bottom=0.75 / height)
    return figure


def figure_svg(figure: Figure, *, title: str) -> str:
    """The figure as inline SVG with a text alternative."""
    buffer = io.StringIO()
    # Same answers, same bytes: fixed element ids and no creation date, so a page can be
    # compared (privacy matrix) and cached. Text stays text (not glyph outlines): half
    # the bytes and the drawing time, and screen readers and search can read it.
    with matplotlib.rc_context({"svg.hashsalt": "medmentor", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    # Drop the XML prolog so the SVG can sit inline in HTML.
    svg = svg[svg.index("<svg") :]
    # And its one <style> element: the Content Security Policy refuses inline style
    # elements, so that rule lives in site.css (svg.chart-svg *) instead.
    svg = _SVG_STYLE.sub("", svg, count=1)
    return svg.replace(
        "<svg ", f'<svg role="img" aria-label="{_attr(title)}" class="chart-svg" ', 1
    )


_SVG_STYLE = re.compile(r"<style[^>]*>[^<]*</style>")


def likert_diverging_svg(
    *, rows: list[tuple[str, list[int]]], labels: list[str], title: str
) -> str:
    return figure_svg(likert_diverging_figure(rows=rows, labels=labels, title=title), title=title)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
