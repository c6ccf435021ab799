"""The survey report as a PDF (matplotlib's PdfPages; one chart code for web and print),
with the content of the report page: the anonymity mode, the response rate per wave, the
code match counts, pre vs post (and pre vs follow-up) per scale as in seed 002, one
diverging stacked chart per Likert item, and the open-ended answers.

Text and tables flow down A4 pages and continue on the next page; the same report gives
the same bytes (no creation date in the file)."""

import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display: files only
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from medmentor import stats  # noqa: E402
from medmentor.surveys import charts  # noqa: E402

A4 = (8.27, 11.69)  # inches
MARGIN = 0.6
WIDTH = A4[0] - 2 * MARGIN
LINE = 0.15  # inches per line of 7.5-point text
SIZE = 7.5
CHAR = 0.0575  # inches per character of 7.5-point DejaVu Sans, on average, for wrapping

# Letters as letters: matplotlib 3.11 shapes text into ligatures ("fi" as one glyph),
# which a PDF reader's search and copy cannot turn back into the two letters.
LETTERS = {"fontfeatures": ["-liga"]} if hasattr(Text, "set_fontfeatures") else {}

SCALE_COLUMNS = [
    ("Scale (range)", 1.3),
    ("n pairs", 0.5),
    ("Pre median (mean)", 0.8),
    ("Post median (mean)", 0.8),
    ("Test", 1.35),
    ("p", 0.45),
    ("Effect size [95% CI]", 1.22),
    ("Cronbach's α", 0.65),
]
SCALE_COLUMNS_FOLLOW_UP = [
    *SCALE_COLUMNS[:3],
    ("Follow-up median (mean)", 0.8),
    *SCALE_COLUMNS[4:],
]


def number(value, digits: int, *, trim: bool = False) -> str:
    """A figure as the report page shows it; a missing or undefined one as a dash."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "—"
    text = f"{value:.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class Flow:
    """Lines of text and table rows written down A4 pages; a block that does not fit on
    the page starts the next one."""

    def __init__(self, pdf: PdfPages):
        self.pdf = pdf
        self.figure: Figure | None = None
        self.y = 0.0  # inches from the bottom of the page
        self.pages = 0

    def page_new(self) -> None:
        self.page_close()
        self.figure = Figure(figsize=A4)
        self.y = A4[1] - MARGIN
        self.pages += 1

    def page_close(self) -> None:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
            self.figure = None

    def room(self, height: float) -> None:
        if self.figure is None or self.y - height < MARGIN:
            self.page_new()

    def _text(self, x: float, y: float, text: str, *, size: float = SIZE, **style) -> None:
        self.figure.text(
            x,
            y,
            text,
            transform=self.figure.dpi_scale_trans,
            va="top",
            fontsize=size,
            **LETTERS,
            **style,
        )

    def _rule(self, y: float, colour: str = "#999999") -> None:
        self.figure.add_artist(
            Line2D(
                [MARGIN, A4[0] - MARGIN],
                [y, y],
                transform=self.figure.dpi_scale_trans,
                linewidth=0.5,
                color=colour,
            )
        )

    def heading(self, text: str, *, size: float = 12) -> None:
        # Kept with at least three lines of what follows it.
        self.room(size / 72 * 1.6 + 3 * LINE)
        self._text(MARGIN, self.y, text, weight="bold", size=size)
        self.y -= size / 72 * 1.6

    def paragraph(self, text: str, *, indent: float = 0.0, style: str = "normal") -> None:
        width = int((WIDTH - indent) / CHAR)
        for line in textwrap.wrap(text, width) or [""]:
            self.room(LINE)
            self._text(MARGIN + indent, self.y, line, style=style)
            self.y -= LINE

    def space(self, height: float = LINE) -> None:
        self.y -= height

    def table(self, columns: list[tuple[str, float]], rows: list[list[str] | str]) -> None:
        """Rows of cells under a header repeated on each page; a row that is a plain
        string is a note across the whole width (e.g. the warnings of the row above)."""
        widths = [width for _, width in columns]

        def wrapped(cells: list[str], widths: list[float], char: float = CHAR) -> list[list[str]]:
            return [
                [
                    part
                    for line in str(cell).split("\n")
                    for part in textwrap.wrap(line, int(width / char)) or [""]
                ]
                for cell, width in zip(cells, widths, strict=True)
            ]

        def draw(cells: list[list[str]], widths: list[float], *, weight: str = "normal"):
            x = MARGIN
            for lines, width in zip(cells, widths, strict=True):
                # A text per line: matplotlib drops the font features of multi-line text.
                for number_, line in enumerate(lines):
                    self._text(x + 0.03, self.y - 0.03 - number_ * LINE, line, weight=weight)
                x += width
            self.y -= max(len(lines) for lines in cells) * LINE + 0.08

        header = wrapped([name for name, _ in columns], widths, CHAR * 1.1)  # bold
        header_height = max(len(lines) for lines in header) * LINE + 0.08

        def header_draw():
            self.room(header_height + 2 * LINE)
            self._rule(self.y, "#333333")
            draw(header, widths, weight="bold")
            self._rule(self.y, "#333333")

        header_draw()
        for row in rows:
            cells = wrapped([row], [WIDTH]) if isinstance(row, str) else wrapped(row, widths)
            height = max(len(lines) for lines in cells) * LINE + 0.08
            if self.y - height < MARGIN:
                self.page_new()
                header_draw()
            draw(cells, [WIDTH] if isinstance(row, str) else widths)
            self._rule(self.y, "#cccccc")
        self.space()


def _p_equals(p) -> str:
    text = stats.fmt_p(p)
    return f"< {text[1:]}" if text.startswith("<") else f"= {text}"


def _comparison_cells(label: str, comparison) -> list[str]:
    c = comparison
    return [
        label,
        str(c.n_pairs),
        f"{number(c.pre.median, 1)} ({number(c.pre.mean, 1)})",
        f"{number(c.post.median, 1)} ({number(c.post.mean, 1)})",
        f"Wilcoxon signed-rank\n{c.wilcoxon.method}\npaired t: p {_p_equals(c.t_test.p_value)}",
        stats.fmt_p(c.wilcoxon.p_value),
        (
            f"r = {number(c.rank_biserial.estimate, 2)} "
            f"[{number(c.rank_biserial.ci_low, 2)}, {number(c.rank_biserial.ci_high, 2)}]\n"
            f"d_z = {number(c.cohens_dz.estimate, 2)} "
            f"[{number(c.cohens_dz.ci_low, 2)}, {number(c.cohens_dz.ci_high, 2)}]"
        ),
    ]


def scale_rows(report) -> list[list[str] | str]:
    """The pre vs post table, one row per scale (and a note with its warnings)."""
    rows: list[list[str] | str] = []
    for row in report.scales:
        label = (
            f"{row.scale.name} ({number(row.score_range[0], 1, trim=True)}–"
            f"{number(row.score_range[1], 1, trim=True)})"
        )
        alpha = number(row.alpha.alpha, 2) if row.alpha else "—"
        warnings = list(row.comparison.warnings if row.comparison else row.warnings)
        if row.comparison:
            rows.append([*_comparison_cells(label, row.comparison), alpha])
        elif row.unpaired:
            u = row.unpaired
            rows.append(
                [
                    label,
                    f"— (n {u.n2} pre, {u.n1} post)",
                    "independent groups",
                    "independent groups",
                    f"Mann–Whitney U\n{u.method}",
                    number(u.p_value, 3),
                    "—",
                    alpha,
                ]
            )
            warnings += u.warnings
        else:
            rows.append([label, "Not enough answers to compare.", "", "", "", "", "", alpha])
        if warnings:
            rows.append("Warnings: " + " ".join(warnings))
    return rows


def follow_up_rows(report) -> list[list[str] | str]:
    """Pre vs follow-up, one row per scale that has one."""
    rows: list[list[str] | str] = []
    for row in report.scales:
        if row.follow_up is None:
            continue
        rows.append([*_comparison_cells(row.scale.name, row.follow_up), "—"])
        if row.follow_up.warnings:
            rows.append("Warnings: " + " ".join(row.follow_up.warnings))
    return rows


def rate_rows(report) -> list[list[str]]:
    return [
        [
            row.wave.get_kind_display(),
            str(row.invited),
            str(row.submitted),
            str(row.declined),
            row.rate_text,
        ]
        for row in report.counts
    ]


def _counts_caption(entry) -> str:
    counts = "; ".join(
        f"{wave} {' / '.join(map(str, counts))}" for wave, counts in entry.counts_by_wave
    )
    return f"Answers per point, lowest first: {counts}."


def _chart_page(pdf: PdfPages, entry, *, heading: str = "") -> None:
    """One Likert item's chart (the page's own figure) at the top of an A4 page, its
    counts written below it."""
    figure = charts.likert_diverging_figure(
        rows=entry.counts_by_wave,
        labels=[label for _, label in entry.item.options()],
        title=entry.item.text,
    )
    _figure_page(pdf, figure, caption=_counts_caption(entry), heading=heading)


def _scale_chart_page(pdf: PdfPages, row, *, heading: str = "") -> None:
    """One scale's chart of scores per wave (the page's own figure), in words below it."""
    figure = charts.scale_change_figure(
        title=row.chart_title(), score_range=row.score_range, rows=row.chart_rows()
    )
    _figure_page(pdf, figure, caption=row.chart_text() + ".", heading=heading)


def _figure_page(pdf: PdfPages, figure, *, caption: str, heading: str) -> None:
    """A figure at the top of an A4 page, keeping its size, with a caption below it."""
    width, height = figure.get_size_inches()
    # Placed in the figure's own fractions (below 0 and above 1), which the saving
    # below moves with the figure onto the page.
    for number_, line in enumerate(textwrap.wrap(caption, int(width / CHAR))):
        y = -(0.2 + number_ * LINE) / height
        figure.text(0.1 / width, y, line, va="top", fontsize=SIZE, **LETTERS)
    if heading:
        figure.text(0.1 / width, 1 + 0.2 / height, heading, fontsize=12, weight="bold", **LETTERS)
    # The page is an A4 box around the figure: the chart keeps its size and layout
    # (the same figure the report page shows) and sits at the top of the page.
    page = Bbox.from_bounds(-(A4[0] - width) / 2, height + MARGIN - A4[1], A4[0], A4[1])
    pdf.savefig(figure, bbox_inches=page)


def report_pdf(*, program_name: str, report) -> bytes:
    """The survey report (`selectors.survey_report`, charts not needed) as PDF bytes."""
    instrument = report.instrument
    buffer = io.BytesIO()
    # No creation date: the same answers give the same bytes (tests compare them).
    metadata = {"Title": f"{instrument.title}: survey report", "CreationDate": None}
    with PdfPages(buffer, metadata=metadata) as pdf:
        flow = Flow(pdf)
        flow.heading(f"{instrument.title}: report", size=15)
        flow.paragraph(program_name)
        flow.space()
        flow.paragraph(f"Anonymity: {instrument.anonymity_in_plain_words}")
        flow.paragraph(report.pairing)
        flow.space()

        flow.heading("Response rate per wave")
        flow.table(
            [("Wave", 2.0), ("Invited", 1.2), ("Answered", 1.2), ("Declined", 1.2), ("Rate", 1.47)],
            rate_rows(report),
        )
        if report.match:
            m = report.match
            flow.heading("Pairing by self-generated code")
            flow.paragraph(
                f"Exact: {m.exact} · tolerant (one element differs): {m.tolerant} · "
                f"ambiguous: {m.ambiguous} · unmatched pre: {m.unmatched_pre} · "
                f"unmatched post: {m.unmatched_post}"
            )
            if report.follow_up_match:
                f = report.follow_up_match
                flow.paragraph(
                    f"Pre vs follow-up — exact: {f.exact} · tolerant: {f.tolerant} · "
                    f"ambiguous: {f.ambiguous} · unmatched pre: {f.unmatched_pre} · "
                    f"unmatched follow-up: {f.unmatched_post}"
                )
            flow.space()

        flow.heading("Pre vs post per scale")
        rows = scale_rows(report)
        if rows:
            flow.table(SCALE_COLUMNS, rows)
        else:
            flow.paragraph("No scales.")
        follow_up = follow_up_rows(report)
        if follow_up:
            flow.heading("Pre vs follow-up per scale")
            flow.table(SCALE_COLUMNS_FOLLOW_UP, follow_up)
        flow.page_close()

        charted = [row for row in report.scales if row.chart_rows()]
        for number_, row in enumerate(charted):
            _scale_chart_page(pdf, row, heading="Scales: scores per wave" if number_ == 0 else "")
        for number_, entry in enumerate(report.items):
            _chart_page(pdf, entry, heading="Likert items" if number_ == 0 else "")

        flow.page_new()
        flow.heading("Open-ended answers")
        for item, texts in report.open_answers:
            flow.heading(item.text, size=9)
            for wave, text in texts:
                flow.paragraph(f"[{wave}] {text}", indent=0.15)
            if not texts:
                flow.paragraph("No answers.", indent=0.15, style="italic")
            flow.space()
        if not report.open_answers:
            flow.paragraph("No open-ended items.")
        flow.page_close()
    return buffer.getvalue()
