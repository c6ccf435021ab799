"""The survey report as a PDF: the report page's content on A4 pages, the same bytes for
the same answers, and the report page's permissions."""

import datetime
import html
import re
import zlib

import pytest
from django.test import RequestFactory
from django.urls import reverse

from medmentor.pdf_render import pdf_lines
from medmentor.stats import fmt_figure
from medmentor.surveys import pdf, selectors
from medmentor.surveys.demo import CODES, _items_for, survey_demo_load
from medmentor.surveys.models import Wave
from medmentor.surveys.services import response_record
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def demo_survey(program, junior, senior, other_junior, other_senior):
    return survey_demo_load(program=program, today=datetime.date(2026, 11, 27))


def _url(survey) -> str:
    return reverse(
        "survey-report-pdf", kwargs={"slug": survey.program.slug, "instrument_id": survey.pk}
    )


def pdf_pages(content: bytes) -> int:
    objects = content + b"".join(_streams(content))
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", objects))


def _streams(content: bytes) -> list[bytes]:
    """The PDF's compressed streams, decompressed (object streams hold the fonts)."""
    out = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            out.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return out


def printed(survey, person) -> list[list[str]]:
    """The PDF's lines of text, page by page, as WeasyPrint lays them out."""
    request = RequestFactory().get("/")
    request.user = person
    html = pdf.report_html(
        request=request, program=survey.program, report=selectors.survey_report(instrument=survey)
    )
    return pdf_lines(html)


def joined(pages: list[list[str]]) -> str:
    return " ".join(line for page in pages for line in page)


def test_the_pdf_is_real_searchable_text_laid_out_from_the_report_page(
    client, demo_survey, researcher
):
    sign_in(client, researcher)
    response = client.get(_url(demo_survey))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    # Text, not pictures of text: embedded fonts with a map back to the letters.
    objects = content + b"".join(_streams(content))
    assert b"/ToUnicode" in objects and b"/FontFile" in objects
    pages = printed(demo_survey, researcher)
    assert len(pages) == pdf_pages(content)
    text = joined(pages)
    assert "Response rate per wave" in text
    assert "Pre vs post per scale" in text
    assert "Confidence giving feedback to seniors" in text
    assert "Exact: 5 · tolerant (one element differs): 1" in text
    assert "A different perspective from the norm" in text
    # No navigation, links or forms on paper.
    assert "Download the report as a PDF" not in text and "Sign out" not in text


def test_the_pdf_gives_t_df_mean_difference_and_dz_with_intervals_once_each(
    client, demo_survey, researcher
):
    from scipy import stats as scipy_stats

    expected = scipy_stats.ttest_rel([31, 30, 29, 28, 33, 31], [21, 20, 23, 19, 22, 21])
    low, high = expected.confidence_interval()
    text = joined(printed(demo_survey, researcher))
    assert f"t(5) = {fmt_figure(expected.statistic, 2)}" in text
    assert f"mean difference 9.33 [{fmt_figure(low, 2)}, {fmt_figure(high, 2)}]" in text
    assert "p < 0.001;" in text  # the t-test's p, in words, not 0.000
    assert "0.031" in text  # the exact Wilcoxon p of the seed-002 style demo, 2/64
    assert "dz = 5.33" in text
    # The test is named once, in its method (the old PDF named it twice).
    assert text.count("Wilcoxon signed-rank test,") == 1
    assert "r = 1.00 [interval not computable]" in text
    assert "nan" not in text.lower().split()


def test_the_page_and_the_pdf_show_the_same_figures(client, demo_survey, researcher):
    sign_in(client, researcher)
    page = client.get(
        reverse(
            "survey-report",
            kwargs={"slug": demo_survey.program.slug, "instrument_id": demo_survey.pk},
        )
    ).content.decode()
    text = joined(printed(demo_survey, researcher))
    cells = re.findall(
        r"<td[^>]*>(.*?)</td>", page.split('id="scales"')[1].split("</table>")[0], re.S
    )
    # Cells wrap differently on paper: compared without their spaces.
    figures = ["".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split()) for cell in cells]
    printed_text = "".join(text.split())
    assert any("t(5)=13.06" in figure for figure in figures)
    for figure in figures:
        assert figure in printed_text, figure


def test_the_same_answers_give_the_same_bytes(client, demo_survey, coordinator):
    sign_in(client, coordinator)
    first = client.get(_url(demo_survey)).content
    assert client.get(_url(demo_survey)).content == first
    response_record(wave=demo_survey.waves.get(kind="post"), answers=_items_for(20))
    assert client.get(_url(demo_survey)).content != first


@pytest.mark.parametrize("subsetter", ["HarfBuzz", "fontTools"])
def test_the_same_answers_give_the_same_bytes_a_day_later(
    client, demo_survey, coordinator, monkeypatch, subsetter
):
    """Fonts embedded by fontTools (WeasyPrint's subsetter on a machine without
    HarfBuzz's, libharfbuzz-subset0) carry the time of writing unless it is fixed: the
    report must not."""
    import time

    from weasyprint.pdf import fonts

    if subsetter == "fontTools":
        monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    sign_in(client, coordinator)
    first = client.get(_url(demo_survey)).content
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 86_400)
    assert client.get(_url(demo_survey)).content == first


def test_long_open_answers_flow_over_pages_and_nothing_is_lost(client, demo_survey, director):
    post = demo_survey.waves.get(kind="post")
    sign_in(client, director)
    before = pdf_pages(client.get(_url(demo_survey)).content)
    for n in range(70):
        response_record(
            wave=post, answers={"thoughts": f"Answer number {n}: " + "a longer thought " * 12}
        )
    content = client.get(_url(demo_survey)).content
    assert pdf_pages(content) >= before + 2
    text = joined(printed(demo_survey, director))
    assert "Answer number 0:" in text and "Answer number 69:" in text


def test_a_follow_up_wave_gets_its_own_rows_in_the_pdf(client, demo_survey, director):
    pre = demo_survey.waves.get(kind="pre")
    follow_up = Wave.objects.create(
        instrument=demo_survey,
        kind="follow_up",
        opens_at=pre.opens_at + datetime.timedelta(weeks=20),
        closes_at=pre.opens_at + datetime.timedelta(weeks=23),
    )
    for code, total in zip(CODES[:4], (30, 29, 33, 27), strict=True):
        response_record(wave=follow_up, code=code, answers=_items_for(total))
    text = joined(printed(demo_survey, director))
    assert "Confidence giving feedback to seniors: pre vs follow-up" in text
    assert "Pre vs follow-up — exact: 4" in text


def test_a_report_never_fetches_anything_but_its_own_files():
    from medmentor.pdf_render import html_to_pdf

    html_text = '<p>Hi</p><img src="http://169.254.169.254/latest/meta-data/">'
    assert html_to_pdf(html_text, title="t").startswith(b"%PDF")  # the image is left out
    with pytest.raises(ValueError, match="only the site's own files"):
        from medmentor.pdf_render import _static_path

        _static_path("http://169.254.169.254/latest/meta-data/")


def test_the_report_page_links_to_the_pdf(client, demo_survey, director):
    sign_in(client, director)
    page = client.get(
        reverse(
            "survey-report",
            kwargs={"slug": demo_survey.program.slug, "instrument_id": demo_survey.pk},
        )
    ).content.decode()
    assert _url(demo_survey) in page


@pytest.mark.parametrize("person", ["faculty", "junior", "senior", "outsider"])
def test_faculty_learners_and_outsiders_may_not_download_the_pdf(
    client, demo_survey, person, request
):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(_url(demo_survey)).status_code == 403


def test_an_unknown_survey_is_404(client, demo_survey, director):
    sign_in(client, director)
    url = reverse(
        "survey-report-pdf", kwargs={"slug": demo_survey.program.slug, "instrument_id": 999999}
    )
    assert client.get(url).status_code == 404
