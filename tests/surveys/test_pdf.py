"""The survey report as a PDF: the report page's content on A4 pages, the same bytes for
the same answers, and the report page's permissions."""

import datetime
import re
import zlib

import pytest
from django.urls import reverse

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
    return len(re.findall(rb"/Type /Page\b(?!s)", content))


def pdf_text(content: bytes) -> str:
    """The text drawn on the PDF's pages: the literal strings of every text-showing
    operator (Tj, TJ) in the compressed content streams, in order, joined by single
    spaces (matplotlib writes a line of text as one operator, with kerning between
    letters; letters outside Latin-1, such as "–", are in another font and left out)."""
    lines = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            data = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        for shown in re.finditer(rb"\[(.*?)\]\s*TJ|(\((?:\\.|[^\\)])*\))\s*Tj", data, re.S):
            strings = re.findall(rb"\(((?:\\.|[^\\)])*)\)", shown.group(0))
            text = b"".join(re.sub(rb"\\(.)", rb"\1", s) for s in strings)
            lines.append(text.decode("latin-1"))
    return " ".join(" ".join(lines).split())


def test_the_report_pdf_has_the_scales_p_values_counts_and_open_answers(
    client, demo_survey, researcher
):
    sign_in(client, researcher)
    response = client.get(_url(demo_survey))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    # Title page with the tables, the scale's chart, one page per Likert item (two), the
    # open answers.
    assert pdf_pages(content) == 5
    text = pdf_text(content)
    assert "Scales: scores per wave" in text
    assert "Pre (6 pairs): median 21 (quartiles" in text
    assert "Confidence giving feedback to seniors (0" in text
    assert "0.031" in text  # the exact Wilcoxon p of the seed-002 style demo, 2/64
    assert "Wilcoxon signed-rank" in text
    assert "Exact: 5 " in text and "tolerant (one element differs): 1 " in text
    assert "A different perspective from the norm" in text
    assert "Response rate per wave" in text


def test_a_follow_up_wave_gets_its_own_table_in_the_pdf(client, demo_survey, director):
    pre = demo_survey.waves.get(kind="pre")
    follow_up = Wave.objects.create(
        instrument=demo_survey,
        kind="follow_up",
        opens_at=pre.opens_at + datetime.timedelta(weeks=20),
        closes_at=pre.opens_at + datetime.timedelta(weeks=23),
    )
    for code, total in zip(CODES[:4], (30, 29, 33, 27), strict=True):
        response_record(wave=follow_up, code=code, answers=_items_for(total))
    sign_in(client, director)
    text = pdf_text(client.get(_url(demo_survey)).content)
    assert "Pre vs follow-up per scale" in text
    assert "Follow-up median" in text


def test_the_same_answers_give_the_same_bytes(client, demo_survey, coordinator):
    sign_in(client, coordinator)
    first = client.get(_url(demo_survey)).content
    assert client.get(_url(demo_survey)).content == first
    response_record(wave=demo_survey.waves.get(kind="post"), answers=_items_for(20))
    assert client.get(_url(demo_survey)).content != first


def test_long_open_answers_flow_over_pages(client, demo_survey, director):
    post = demo_survey.waves.get(kind="post")
    sign_in(client, director)
    before = pdf_pages(client.get(_url(demo_survey)).content)
    for n in range(70):
        response_record(
            wave=post, answers={"thoughts": f"Answer number {n}: " + "a longer thought " * 12}
        )
    content = client.get(_url(demo_survey)).content
    assert pdf_pages(content) >= before + 2
    text = pdf_text(content)
    assert "Answer number 0:" in text and "Answer number 69:" in text


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
