"""The competency map (themes × the six ACGME competencies, counts and one exemplar quote
per cell, as in seed 004) and the reports (frequencies, co-occurrence, exemplars)."""

import pytest

from medmentor.qualitative import selectors, services
from medmentor.qualitative.models import Competency

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def coded(program, researcher, second_coder, focus_group):
    safety = services.code_create(
        program=program, by=researcher, name="safe space", color="#2ca02c"
    )
    teaching = services.code_create(program=program, by=researcher, name="learning by teaching")
    belonging = services.theme_save(
        program=program, by=researcher, name="Belonging", codes=[safety]
    )
    growth = services.theme_save(program=program, by=researcher, name="Growth", codes=[teaching])
    services.competencies_set(
        program=program, by=researcher, code=safety, competencies=["professionalism"]
    )
    services.competencies_set(
        program=program,
        by=researcher,
        theme=growth,
        competencies=["medical_knowledge", "practice_based_learning"],
    )
    turns = list(focus_group.turns.order_by("index"))
    for coder in (researcher, second_coder):
        services.highlight_create(
            document=focus_group,
            coder=coder,
            start=turns[1].start,
            end=turns[1].end,
            codes=[safety],
        )
    services.highlight_create(
        document=focus_group,
        coder=researcher,
        start=turns[2].start,
        end=turns[2].end,
        codes=[teaching, safety],
    )
    return {
        "safety": safety,
        "teaching": teaching,
        "belonging": belonging,
        "growth": growth,
        "turns": turns,
    }


def _cell(matrix, theme_name, competency):
    index = [value for value, _ in matrix.competencies].index(competency)
    return next(row for theme, row in matrix.rows if theme.name == theme_name)[index]


def test_matrix_has_the_six_competencies_counts_and_an_exemplar(
    program, researcher, focus_group, coded
):
    services.comparison_open(document=focus_group, by=researcher)
    matrix = selectors.competency_matrix(program=program, viewer=researcher)
    assert [label for _, label in matrix.competencies] == [label for _, label in Competency.choices]
    assert len(matrix.competencies) == 6
    belonging = _cell(matrix, "Belonging", "professionalism")
    # Two coders' identical segments count once; the third turn is a second segment.
    assert belonging.count == 2
    assert belonging.quote in {focus_group.text[t.start : t.end] for t in coded["turns"]}
    assert _cell(matrix, "Growth", "medical_knowledge").count == 1
    assert _cell(matrix, "Growth", "patient_care").count == 0
    assert _cell(matrix, "Growth", "patient_care").quote == ""


def test_blind_matrix_counts_only_the_viewers_own_coding(
    program, researcher, second_coder, focus_group, coded
):
    mine = selectors.competency_matrix(program=program, viewer=researcher)
    theirs = selectors.competency_matrix(program=program, viewer=second_coder)
    assert _cell(mine, "Growth", "medical_knowledge").count == 1
    assert _cell(theirs, "Growth", "medical_knowledge").count == 0


def test_after_adjudication_the_agreed_coding_counts(program, researcher, focus_group, coded):
    services.comparison_open(document=focus_group, by=researcher)
    turn = coded["turns"][1]
    services.adjudication_save(
        document=focus_group, by=researcher, agreed=[(turn.start, turn.end, [coded["safety"]])]
    )
    matrix = selectors.competency_matrix(program=program, viewer=researcher)
    assert _cell(matrix, "Belonging", "professionalism").count == 1
    assert _cell(matrix, "Growth", "medical_knowledge").count == 0


def test_report_frequencies_by_document_and_attribute_and_cooccurrence(
    program, researcher, focus_group, coded
):
    services.comparison_open(document=focus_group, by=researcher)
    report = selectors.report_for(program=program, viewer=researcher, attribute="role")
    names = [code.name for code in report.codes]
    assert names == ["safe space", "learning by teaching"]
    assert report.by_document == [(focus_group, [2, 1])]
    assert report.attributes == ["role", "wave"]
    assert report.by_attribute == [("R1", [2, 1])]
    # Co-occurrence within speaker turns: both codes meet in one turn.
    assert report.cooccurrence[0][1] == [2, 1]
    assert report.cooccurrence[1][1] == [1, 1]
    (belonging, quotes), _growth = report.exemplars
    assert belonging.name == "Belonging" and len(quotes) == 2


def test_a_code_cannot_nest_inside_itself(program, researcher):
    from django.core.exceptions import ValidationError

    parent = services.code_create(program=program, by=researcher, name="Relationships")
    child = services.code_create(program=program, by=researcher, name="Trust", parent=parent)
    with pytest.raises(ValidationError, match="cannot nest in itself"):
        services.code_update(code=parent, by=researcher, name="Relationships", parent=child)
    with pytest.raises(ValidationError, match="already has a code named"):
        services.code_create(program=program, by=researcher, name="Trust")
    with pytest.raises(ValidationError, match="#RRGGBB"):
        services.code_create(program=program, by=researcher, name="Red", color="red")
    assert [(c.name, c.depth) for c in selectors.codes_of(program=program)] == [
        ("Relationships", 0),
        ("Trust", 1),
    ]


def test_the_report_pdf_is_the_report_page_with_whole_words_and_searchable_text(
    client, program, researcher, coded
):
    from django.test import RequestFactory
    from django.urls import reverse

    from medmentor.pdf_render import pdf_lines
    from medmentor.qualitative import pdf
    from tests.conftest import sign_in

    sign_in(client, researcher)
    response = client.get(reverse("qualitative-report-pdf", kwargs={"slug": program.slug}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    request = RequestFactory().get("/")
    request.user = researcher
    html = pdf.report_html(
        request=request,
        program=program,
        report=selectors.report_for(program=program, viewer=researcher),
        matrix=selectors.competency_matrix(program=program, viewer=researcher),
    )
    lines = [line for page in pdf_lines(html) for line in page]
    words = {word for line in lines for word in line.split()}
    text = " ".join(lines)
    # The competency headers stay whole words ("Professionalis" / "m" was the old PDF).
    assert "Professionalism" in words
    assert not any(
        word.startswith("Professionalis") and word != "Professionalism" for word in words
    )
    assert "Themes and the ACGME core competencies" in text
    assert "Exemplar quotes per theme" in text and "Belonging" in text
    assert "safe space" in text
    # No navigation, forms or links to other pages on paper.
    assert "Download the report as PDF" not in text and "By attribute" not in text
