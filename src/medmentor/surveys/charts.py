"""Charts of survey answers (matplotlib, one chart code for web and print): a function
draws the Figure, the page takes it as inline SVG and the PDF report as a page."""

import io
import re
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar, cast

import matplotlib
import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Transform

from medmentor.stats import WaveSummary

_Chart = TypeVar("_Chart")

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
    row's answers; an empty row draws nothing. A Figure of its own, for a caller that
    keeps or changes it; likert_diverging_svg draws on a reused one instead."""
    chart = _LikertChart(row_names=tuple(name for name, _ in rows), labels=tuple(labels))
    chart.show(counts=[row_counts for _, row_counts in rows], title=title)
    return chart.figure


class _LikertChart:
    """A diverging Likert chart's Figure, built once for its wave names and answer
    labels and then redrawn for item after item: building the Figure, its axes, ticks
    and legend was 40 % of the time of a chart, and between two items only the bars'
    extents and the title change. show() sets every one of those, so a chart owes
    nothing to the item drawn before it."""

    def __init__(self, *, row_names: tuple[str, ...], labels: tuple[str, ...]) -> None:
        points = len(labels)
        colours: list[Any] = PALETTE.get(points) or [
            colormaps["RdBu"](i / max(points - 1, 1)) for i in range(points)
        ]
        # A Figure of its own, not pyplot: no global state shared between the web
        # server's threads, and no figure manager to close.
        height = 1.9 + 0.4 * len(row_names)
        figure = Figure(figsize=(7, height))
        axes = figure.add_subplot()
        positions = np.arange(len(row_names))
        zeros = np.zeros(len(row_names))
        # One bar call per answer level across all rows: a tenth of the artists'
        # set-up time of one call per bar.
        self.bars = [
            axes.barh(
                positions,
                zeros,
                left=zeros,
                color=colours[level],
                edgecolor="white",
                height=0.6,
                label=labels[level],
            )
            for level in range(points)
        ]
        axes.axvline(0, color="#333333", linewidth=0.8)
        axes.set_yticks(positions, list(row_names))
        axes.set_xlim(-100, 100)
        axes.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
        axes.set_xlabel("% of answers (disagree ← → agree)")
        axes.invert_yaxis()
        # The limits stay those of the rows, whatever widths the bars get later.
        axes.set_autoscale_on(False)
        # y given: nothing sits above the axes, so the title stays at the top (where
        # matplotlib would place it anyway) without a search of each drawing for
        # decorations to move it clear of.
        self.title = axes.set_title("", fontsize=10, loc="left", y=1.0)
        self.legend = figure.legend(
            ncol=min(points, 4),
            fontsize=7,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            frameon=False,
        )
        # Fixed margins (room for the wave names and the legend below) instead of
        # tight_layout, which measured a third of the drawing time.
        figure.subplots_adjust(left=0.13, right=0.98, top=1 - 0.35 / height, bottom=1.2 / height)
        _plain_text(figure)
        self.figure = figure
        self.points = points

    def fix_layout_for_svg(self) -> None:
        """Draw the chart once as SVG and keep where matplotlib laid out the axis labels
        and the legend, for the SVGs drawn on this Figure from then on: those places
        hang on the wave names and answer labels only, which the Figure keeps, and
        working them out again was half the time of each later drawing (the legend's
        nested boxes alone a third). The legend's own patches and texts stay, at the
        places it gave them, as the figure's; the Figure is then for SVG only (the
        places are in the SVG's points)."""
        figure_svg(self.figure, title="")
        axes = self.figure.axes[0]
        for axis in (axes.xaxis, axes.yaxis):
            x, y = axis.label.get_position()
            axis.set_label_coords(x, y, transform=axis.label.get_transform())
        self.figure.add_artist(_LaidOutLegend(self.legend))
        self.legend.remove()

    def show(self, *, counts: Sequence[Sequence[int]], title: str) -> None:
        """Set the bars to these answer counts (a row per wave name) and the title."""
        counts_array = np.array(counts, dtype=float).reshape(-1, self.points)
        shares = 100 * counts_array / np.maximum(counts_array.sum(axis=1, keepdims=True), 1)
        left = -shares[:, : self.points // 2].sum(axis=1)
        if self.points % 2:
            left -= shares[:, self.points // 2] / 2
        for level, container in enumerate(self.bars):
            for row, bar in enumerate(container.patches):
                bar.set_x(left[row])
                bar.set_width(shares[row, level])
            left = left + shares[:, level]
        self.title.set_text(title)


class _LaidOutLegend(Artist):
    """A drawn legend's patches and texts, drawn again where it laid them out (in the
    points of the renderer that drew it) and in its SVG group, without laying out its
    nested boxes again: the same SVG as the legend's, for a third of a chart's time."""

    def __init__(self, legend: Legend) -> None:
        super().__init__()
        self.entries: list[Artist] = []
        for handle, text in zip(legend.legend_handles, legend.texts, strict=True):
            for artist in (handle, text):
                if artist is None:
                    continue
                # A patch's get_transform() adds its own shape's transform, which
                # set_transform must not be given again.
                transform = (
                    artist.get_data_transform()
                    if isinstance(artist, Patch)
                    else artist.get_transform()
                )
                artist.set_transform(cast(Transform, transform.frozen()))
                self.entries.append(artist)
        self.set_zorder(legend.get_zorder())  # drawn last, as the legend was

    def draw(self, renderer: RendererBase) -> None:
        if not self.get_visible():
            return
        renderer.open_group("legend", gid=self.get_gid())
        for artist in self.entries:
            artist.draw(renderer)
        renderer.close_group("legend")
        self.stale = False


def scale_change_figure(
    *, title: str, score_range: tuple[float, float], rows: Sequence[tuple[str, WaveSummary]]
) -> Figure:
    """A scale's scores per wave over the paired respondents: the interquartile range as a
    bar, the median as a dot and the mean as a diamond, one row per wave (`rows`: label
    and a WaveSummary), on the scale's declared range. A Figure of its own;
    scale_change_svg draws on a reused one instead."""
    chart = _ScaleChart(row_count=len(rows))
    chart.show(title=title, score_range=score_range, rows=rows)
    return chart.figure


class _ScaleChart:
    """A scale's chart Figure for a number of waves, redrawn scale after scale: show()
    sets the title, range, wave labels and every marker, so nothing of the scale drawn
    before stays."""

    def __init__(self, *, row_count: int) -> None:
        height = 1.3 + 0.45 * row_count
        figure = Figure(figsize=(7, height))
        axes = figure.add_subplot()
        colours = ["#4d4d4d", "#0571b0", "#4d4d4d", "#7b3294"]
        self.lines = []
        for y in range(row_count):
            colour = colours[y % len(colours)]
            (spread,) = axes.plot([0, 0], [y, y], color=colour, linewidth=7, alpha=0.35)
            (median,) = axes.plot([0], [y], "o", color=colour, markersize=8)
            (mean,) = axes.plot([0], [y], "D", markerfacecolor="white", color=colour, markersize=6)
            self.lines.append((spread, median, mean))
        axes.set_ylim(row_count - 0.5, -0.5)
        axes.set_xlabel("score: ● median, ◇ mean, bar = interquartile range")
        self.title = axes.set_title("", fontsize=10, loc="left", y=1.0)  # as above
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        figure.subplots_adjust(left=0.25, right=0.97, top=1 - 0.35 / height, bottom=0.75 / height)
        _plain_text(figure)
        self.figure = figure
        self.axes = axes

    def show(
        self,
        *,
        title: str,
        score_range: tuple[float, float],
        rows: Sequence[tuple[str, WaveSummary]],
    ) -> None:
        """Draw these waves (label and WaveSummary) on this range, with this title."""
        for y, (_, summary) in enumerate(rows):
            spread, median, mean = self.lines[y]
            spread.set_xdata([summary.q1, summary.q3])
            median.set_xdata([summary.median])
            mean.set_xdata([summary.mean])
        low, high = score_range
        pad = (high - low) * 0.03 or 1
        self.axes.set_xlim(low - pad, high + pad)
        self.axes.set_yticks(range(len(rows)), [label for label, _ in rows])
        self.title.set_text(title)


def figure_svg(figure: Figure, *, title: str) -> str:
    """The figure as inline SVG with a text alternative."""
    buffer = io.StringIO()
    # Same answers, same bytes: fixed element ids and no creation date, so a page can be
    # compared (privacy matrix) and cached. Text stays text (not glyph outlines): half
    # the bytes and the drawing time, and screen readers and search can read it.
    # rc_context sets matplotlib's settings for the whole process and puts them back
    # after: one SVG at a time, or a thread ending its context would put back the
    # random ids and glyph outlines while another's drawing (seen in the thread test).
    with _SVG_SETTINGS_LOCK, matplotlib.rc_context(_SVG_SETTINGS):
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


_SVG_SETTINGS = {"svg.hashsalt": "medmentor", "svg.fonttype": "none", "text.parse_math": False}
_SVG_SETTINGS_LOCK = threading.Lock()
_SVG_STYLE = re.compile(r"<style[^>]*>[^<]*</style>")


def likert_diverging_svg(
    *, rows: list[tuple[str, list[int]]], labels: list[str], title: str
) -> str:
    """likert_diverging_figure as inline SVG, drawn on this thread's Figure for these
    wave names and answer labels (a report draws forty items on one)."""
    key = (tuple(name for name, _ in rows), tuple(labels))
    chart = _kept("likert", key, lambda: _likert_chart_for_svg(*key))
    chart.show(counts=[row_counts for _, row_counts in rows], title=title)
    return figure_svg(chart.figure, title=title)


def _likert_chart_for_svg(row_names: tuple[str, ...], labels: tuple[str, ...]) -> _LikertChart:
    chart = _LikertChart(row_names=row_names, labels=labels)
    chart.fix_layout_for_svg()
    return chart


def scale_change_svg(
    *,
    title: str,
    score_range: tuple[float, float],
    rows: Sequence[tuple[str, WaveSummary]],
    text: str,
) -> str:
    """scale_change_figure as inline SVG with `text` as its text alternative, drawn on
    this thread's Figure for that many waves."""
    chart = _kept("scale", len(rows), lambda: _ScaleChart(row_count=len(rows)))
    chart.show(title=title, score_range=score_range, rows=rows)
    return figure_svg(chart.figure, title=text)


# The Figures kept for reuse, per thread: a matplotlib Figure is not thread-safe, and
# the web server may draw two reports at once. A few (the wave names, answer scales and
# numbers of waves in use are few); the least recently used goes when another is needed.
_KEPT_FIGURES = 16
_kept_figures = threading.local()


def _kept(kind: str, key: Hashable, build: Callable[[], _Chart]) -> _Chart:
    charts: dict[tuple[str, Hashable], Any] = _kept_figures.__dict__.setdefault("charts", {})
    chart = charts.pop((kind, key), None)
    if chart is None:
        chart = build()
        if len(charts) >= _KEPT_FIGURES:
            del charts[next(iter(charts))]
    charts[(kind, key)] = chart  # the dict's order is that of last use
    return chart


def _plain_text(figure: Figure) -> None:
    """Titles and answer labels are people's words: "$5 to $10" is money, not a
    formula for matplotlib's mathtext (which would set it in italics, or refuse a
    malformed one and fail the whole report)."""
    for text in figure.findobj(Text):
        text.set_parse_math(False)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
