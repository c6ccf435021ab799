"""The qualitative report as a PDF: the report page's own template (with the competency
matrix, which has a page of its own on the site), laid out by WeasyPrint
(medmentor.pdf_render): tables break between rows, words stay whole ("Professionalism"
is never split), and the text is searchable."""

from django.template.loader import render_to_string

from medmentor.pdf_render import html_to_pdf


def report_html(*, request, program, report, matrix) -> str:
    """The report page's HTML as printed: the same template, without links and forms."""
    return render_to_string(
        "qualitative/report.html",
        {
            "program": program,
            "report": report,
            "matrix": matrix,
            "current": "report",
            "printing": True,
        },
        request=request,
    )


def report_pdf(*, request, program, report, matrix) -> bytes:
    """The report as an A4 PDF; the same coding gives the same bytes."""
    return html_to_pdf(
        report_html(request=request, program=program, report=report, matrix=matrix),
        title=f"{program.name}: qualitative report",
    )
