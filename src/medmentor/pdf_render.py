"""Reports as PDF: the report page's own HTML, laid out by WeasyPrint.

A report's PDF is rendered from the same template as its page (with `printing` in the
context, which leaves out links and forms), so the page and the PDF cannot differ in a
figure; WeasyPrint paginates long tables (the header row repeats on each page), keeps
words whole and writes real text, so the PDF can be searched and copied.

WeasyPrint needs Pango, HarfBuzz and fonts from the system (Debian: libpango-1.0-0,
libpangoft2-1.0-0, libharfbuzz0b, libharfbuzz-subset0, fonts-dejavu-core); `.ci/run`
and `./dev` install them.

It fetches nothing from the network: the only resources a report may load are the site's
own static files (its stylesheet) and inline data; anything else is refused, so text a
person typed cannot make the server fetch a URL while printing.
"""

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# Without HarfBuzz's subsetter (Debian's libharfbuzz-subset0) WeasyPrint subsets fonts
# with fontTools, which stamps each embedded font with the time of writing unless
# SOURCE_DATE_EPOCH is set (the reproducible-builds convention): a fixed stamp keeps a
# re-rendered report byte for byte the same file on any machine.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

BASE_URL = "https://print.medmentor.invalid/"

# Paper rules on top of the site's stylesheet: A4, page numbers, no navigation, tables
# as wide as the page and broken between rows, never inside a word.
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  font-size: 8pt; color: #555; } }
html { font-size: 9pt; }
body { max-width: none; margin: 0; padding: 0; }
.skip-link, .site-header, nav, form, .actions, .messages, button { display: none !important; }
main { max-width: none; padding: 0; margin: 0; }
.table-wrap { overflow: visible; }
table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
thead { display: table-header-group; }
tr, figure, blockquote { break-inside: avoid; }
th, td { overflow-wrap: normal; word-break: normal; hyphens: manual; vertical-align: top; }
h1, h2, h3 { break-after: avoid; }
.card { box-shadow: none; break-inside: auto; }
figure svg { max-width: 100%; max-height: 7.5cm; width: auto; height: auto; }
a { color: inherit; text-decoration: none; }
"""


def _fetcher():
    """WeasyPrint's fetcher, narrowed to the site's static files and inline data."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ReportFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            with open(path, "rb") as file:
                return URLFetcherResponse(url, file.read(), {"Content-Type": _mime(path)})

    return ReportFetcher(allowed_protocols=("data", "https"), fail_on_errors=False)


def _static_path(url: str) -> str:
    """The file behind one of the site's static URLs; anything else is refused."""
    parts = urlsplit(url)
    static = settings.STATIC_URL
    if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and parts.path.startswith(static):
        path = finders.find(parts.path[len(static) :])
        if path:
            return str(path)
    raise ValueError(f"A report may not load {url[:80]!r}: only the site's own files.")


def _mime(path: str) -> str:
    if path.endswith(".css"):
        return "text/css"
    if path.endswith(".svg"):
        return "image/svg+xml"
    return "application/octet-stream"


def _render(html: str):
    # WeasyPrint loads Pango through cffi on import: only when a PDF is asked for.
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).render(
        stylesheets=[CSS(string=PRINT_CSS)]
    )


def html_to_pdf(html: str, *, title: str) -> bytes:
    """A4 PDF of a report page's HTML; the same HTML gives the same bytes.

    `title` goes into the PDF's metadata; no creation date is written, so a report
    re-rendered from unchanged data is byte for byte the same file.
    """
    document = _render(html)
    document.metadata.title = title
    document.metadata.created = None
    document.metadata.modified = None
    return document.write_pdf()


def pdf_lines(html: str) -> list[list[str]]:
    """The lines of text as WeasyPrint lays them out, page by page: what the PDF's text
    layer holds, for tests (a word split across two lines shows here)."""
    document = _render(html)
    pages = []
    for page in document.pages:
        lines: list[str] = []
        _collect(page._page_box, lines)
        pages.append(lines)
    return pages


def _collect(box, lines: list[str]) -> None:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.LineBox):
        text = "".join(
            child.text for child in box.descendants() if isinstance(child, boxes.TextBox)
        )
        if text.strip():
            lines.append(" ".join(text.split()))
        return
    for child in getattr(box, "children", []):
        _collect(child, lines)
