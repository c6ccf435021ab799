"""The qualitative report as a PDF (matplotlib's PdfPages; one chart code for web and
print): code frequencies by document, the co-occurrence matrix, the competency matrix
with counts, and the exemplar quotes per theme."""

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

A4 = (8.27, 11.69)


def _heatmap(pdf, title: str, rows: list[str], columns: list[str], values: list[list[int]]):
    figure, axes = plt.subplots(figsize=A4)
    if rows and columns:
        image = axes.imshow(values, cmap="Blues", aspect="auto")
        axes.set_xticks(range(len(columns)), labels=[textwrap.fill(c, 14) for c in columns])
        axes.set_yticks(range(len(rows)), labels=[textwrap.shorten(r, 40) for r in rows])
        plt.setp(axes.get_xticklabels(), rotation=45, ha="right", fontsize=7)
        plt.setp(axes.get_yticklabels(), fontsize=7)
        peak = max((max(row) for row in values if row), default=0)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                colour = "white" if peak and value > peak / 2 else "black"
                axes.text(j, i, str(value), ha="center", va="center", fontsize=7, color=colour)
        figure.colorbar(image, ax=axes, shrink=0.5)
    else:
        axes.axis("off")
        axes.text(0.5, 0.5, "Nothing coded yet.", ha="center")
    axes.set_title(title)
    figure.tight_layout()
    pdf.savefig(figure)
    plt.close(figure)


def _text_pages(pdf, title: str, lines: list[str]):
    per_page = 55
    wrapped = [part for line in lines for part in (textwrap.wrap(line, 95) or [""])]
    for start in range(0, max(len(wrapped), 1), per_page):
        figure = plt.figure(figsize=A4)
        figure.text(0.07, 0.95, title, fontsize=13, weight="bold")
        figure.text(0.07, 0.92, "\n".join(wrapped[start : start + per_page]), fontsize=8, va="top")
        pdf.savefig(figure)
        plt.close(figure)


def report_pdf(*, program_name: str, report, matrix) -> bytes:
    buffer = io.BytesIO()
    # No creation date: the same coding gives the same bytes (tests compare them).
    metadata = {"Title": f"{program_name}: qualitative report", "CreationDate": None}
    with PdfPages(buffer, metadata=metadata) as pdf:
        names = [code.name for code in report.codes]
        _heatmap(
            pdf,
            "Coded segments per code and document",
            [document.title for document, _ in report.by_document],
            names,
            [counts for _, counts in report.by_document],
        )
        _heatmap(
            pdf,
            "Co-occurrence of codes within speaker turns",
            names,
            names,
            [counts for _, counts in report.cooccurrence],
        )
        _heatmap(
            pdf,
            "Themes × ACGME core competencies (coded segments)",
            [theme.name for theme, _ in matrix.rows],
            [label for _, label in matrix.competencies],
            [[cell.count for cell in cells] for _, cells in matrix.rows],
        )
        lines = []
        for theme, quotes in report.exemplars:
            lines.append(f"{theme.name}")
            lines += [f"  “{quote}” ({title})" for quote, title in quotes] or ["  (none yet)"]
            lines.append("")
        _text_pages(pdf, "Exemplar quotes per theme", lines)
    return buffer.getvalue()
