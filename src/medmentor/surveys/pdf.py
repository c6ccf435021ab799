"""The survey report as a PDF: the report page's own template, laid out by WeasyPrint
(medmentor.pdf_render), so the page and the PDF show the same figures with the same
rounding; tables break between rows and repeat their header; the text is searchable."""

from django.template.loader import render_to_string

from medmentor.pdf_render import html_to_pdf


def report_html(*, request, program, report) -> str:
    """The report page's HTML as printed: the same template, without links and forms.
    `request` may be None (the survey-export command): nothing printed depends on it."""
    return render_to_string(
        "surveys/report.html",
        {"program": program, "report": report, "current": "surveys", "printing": True},
        request=request,
    )


def report_pdf(*, request, program, report) -> bytes:
    """The report as an A4 PDF; the same answers give the same bytes."""
    return html_to_pdf(
        report_html(request=request, program=program, report=report),
        title=f"{program.name}: {report.instrument.title} report",
    )
