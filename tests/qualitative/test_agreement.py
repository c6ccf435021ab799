"""Coding and agreement: coders code blind until the comparison opens; agreement per code
and overall on the stated unit, checked against a published worked example, and never
inflated by text nobody coded; adjudication merges into one agreed coding."""

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from medmentor.programs.models import Enrollment, Role
from medmentor.qualitative import selectors, services
from medmentor.qualitative.models import Highlight
from medmentor.stats import krippendorff_alpha
from tests.conftest import make_person
from tests.qualitative.conftest import codable

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _answers(program, researcher, count, title="Open answers"):
    lines = "\n".join(f"P{n + 1}: Answer number {n + 1} about the program." for n in range(count))
    document = services.document_import(
        program=program,
        by=researcher,
        file_name="answers.txt",
        content=lines.encode(),
        title=title,
        kind="open_answers",
    )
    return codable(document, researcher)


def _code_turn(document, coder, index, codes):
    turn = document.turns.get(index=index)
    return services.highlight_create(
        document=document, coder=coder, start=turn.start, end=turn.end, codes=codes
    )


def _codes(program, researcher, *names):
    return [services.code_create(program=program, by=researcher, name=name) for name in names]


def test_kappa_matches_the_textbook_grant_proposal_example(program, researcher, second_coder):
    # Wikipedia "Cohen's kappa", worked example: two readers, 50 grant proposals, yes/yes
    # 20, yes/no 5, no/yes 10, no/no 15 -> kappa 0.40. Here each proposal is a speaker
    # turn and each reader applies the code "yes" or the code "no" to every turn.
    document = _answers(program, researcher, 50)
    yes, no = _codes(program, researcher, "yes", "no")
    plan = ["yy"] * 20 + ["yn"] * 5 + ["ny"] * 10 + ["nn"] * 15
    for index, (first, second) in enumerate(plan):
        _code_turn(document, researcher, index, [yes if first == "y" else no])
        _code_turn(document, second_coder, index, [yes if second == "y" else no])
    services.comparison_open(document=document, by=researcher)
    page = selectors.agreement_for(program=program, viewer=researcher)
    rows = {row.code: row for row in page.result.rows}
    assert page.unit_label == "Speaker turns"
    assert page.result.n_units == 50 and page.result.n_uncoded == 0
    assert rows["yes"].kappa == pytest.approx(0.40)
    assert rows["yes"].percent_agreement == pytest.approx(0.70)
    assert rows["no"].kappa == pytest.approx(0.40)


def test_text_nobody_coded_counts_unless_the_reader_chooses_to_leave_it_out(
    program, researcher, second_coder
):
    document = _answers(program, researcher, 10)
    (support,) = _codes(program, researcher, "support")
    _code_turn(document, researcher, 0, [support])
    _code_turn(document, second_coder, 1, [support])
    services.comparison_open(document=document, by=researcher)
    result = selectors.agreement_for(program=program, viewer=researcher).result
    pooled = result.rows[-1]
    assert result.n_uncoded == 8 and result.n_left_out == 0
    assert pooled.percent_agreement == pytest.approx(0.8)  # 8 turns neither coded: agreed
    assert "All units count, including 8 units no coder coded" in pooled.method
    chosen = selectors.agreement_for(
        program=program, viewer=researcher, leave_out_uncoded=True
    ).result
    assert chosen.n_left_out == 8
    assert chosen.rows[-1].percent_agreement == 0.0
    assert "As chosen, 8 units that no coder coded were left out" in chosen.rows[-1].method


def test_character_agreement_over_the_whole_document_matches_nvivos_formula(
    program, researcher, second_coder
):
    """NVivo 10 Help, "Run a Coding Comparison query" (QSR International,
    http://help-nv10.qsrinternational.com/desktop/procedures/run_a_coding_comparison_query.htm):
    percentage agreement and kappa over every character of the source, expected
    agreement EF1 + EF2 from both coders' coded and uncoded characters. Here a turn of
    40 characters of words: one coder codes 10, the other the same 10 and one more;
    39 of 40 agree, kappa = (39 - 24.5) / (40 - 24.5)."""
    document = services.document_import(
        program=program,
        by=researcher,
        file_name="a.txt",
        content=b"P1: " + b"abcdefghij" * 4,
    )
    document = codable(document, researcher)
    (code,) = _codes(program, researcher, "thing")
    turn = document.turns.get(index=0)
    assert turn.end - turn.start == 40
    services.highlight_create(
        document=document, coder=researcher, start=turn.start, end=turn.start + 10, codes=[code]
    )
    services.highlight_create(
        document=document, coder=second_coder, start=turn.start, end=turn.start + 11, codes=[code]
    )
    services.comparison_open(document=document, by=researcher)
    services.qualitative_settings_update(program=program, by=researcher, agreement_unit="character")
    row = selectors.agreement_for(program=program, viewer=researcher).result.rows[0]
    assert row.n_units == 40
    assert row.percent_agreement == pytest.approx(39 / 40)
    assert row.kappa == pytest.approx(14.5 / 15.5)
    assert -1 <= row.kappa_ci_low <= row.kappa <= row.kappa_ci_high <= 1


def test_sentence_and_character_units_are_stated_and_used(program, researcher, second_coder):
    document = services.document_import(
        program=program,
        by=researcher,
        file_name="a.txt",
        content=b"P1: One thing. Another thing! A third?",
    )
    document = codable(document, researcher)
    (code,) = _codes(program, researcher, "thing")
    text = document.text
    first = text.index("One thing.")
    services.highlight_create(
        document=document, coder=researcher, start=first, end=first + 10, codes=[code]
    )
    services.highlight_create(
        document=document, coder=second_coder, start=first, end=first + 3, codes=[code]
    )
    services.comparison_open(document=document, by=researcher)
    services.qualitative_settings_update(program=program, by=researcher, agreement_unit="sentence")
    page = selectors.agreement_for(program=program, viewer=researcher)
    assert page.unit_label == "Sentences"
    assert page.result.n_units == 3 and page.result.n_uncoded == 2
    assert page.result.rows[0].percent_agreement == 1.0  # both coded sentence 1 only
    services.qualitative_settings_update(program=program, by=researcher, agreement_unit="character")
    page = selectors.agreement_for(program=program, viewer=researcher)
    assert page.unit_label == "Characters"
    # 10 characters coded by someone, of which the coders share 3; the other characters
    # of the turn neither coded, which counts as agreement.
    n = page.result.n_units
    assert n - page.result.n_uncoded == 10
    assert page.result.rows[0].percent_agreement == pytest.approx((n - 7) / n)


def test_three_coders_get_krippendorffs_alpha_from_the_stats_package(
    program, researcher, second_coder, institution
):
    third = make_person("coder3@lakeside.test", "Tali Third", "other", institution)
    Enrollment.objects.create(program=program, person=third, role=Role.RESEARCHER)
    document = _answers(program, researcher, 6)
    (code,) = _codes(program, researcher, "belonging")
    applied = {researcher: [0, 1, 2, 3], second_coder: [0, 1, 2], third: [0, 1, 4]}
    for coder, turns in applied.items():
        for index in turns:
            _code_turn(document, coder, index, [code])
    services.comparison_open(document=document, by=researcher)
    result = selectors.agreement_for(program=program, viewer=researcher).result
    expected = krippendorff_alpha(
        [[1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 1, 0]], level="nominal"
    ).alpha  # turn 6 (index 5) nobody coded: agreement that the code does not apply
    assert result.rows[0].kappa is None
    assert result.rows[0].alpha == pytest.approx(expected)
    assert result.n_uncoded == 1


def test_coders_see_only_their_own_highlights_until_the_comparison_opens(
    program, researcher, second_coder, focus_group
):
    (code,) = _codes(program, researcher, "safety")
    mine = _code_turn(focus_group, researcher, 1, [code])
    theirs = _code_turn(focus_group, second_coder, 2, [code])
    assert list(selectors.highlights_visible(document=focus_group, viewer=second_coder)) == [theirs]
    page = selectors.agreement_for(program=program, viewer=researcher)
    assert page.result is None and page.blind == [focus_group]
    with pytest.raises(PermissionDenied):
        selectors.comparison_for(document=focus_group, viewer=researcher)
    services.comparison_open(document=focus_group, by=second_coder)
    focus_group.refresh_from_db()
    assert set(selectors.highlights_visible(document=focus_group, viewer=second_coder)) == {
        mine,
        theirs,
    }


def test_the_comparison_shows_where_coders_differ_and_adjudication_merges(
    program, researcher, second_coder, focus_group
):
    safety, growth = _codes(program, researcher, "safety", "growth")
    _code_turn(focus_group, researcher, 1, [safety])
    _code_turn(focus_group, second_coder, 1, [safety])
    _code_turn(focus_group, researcher, 2, [growth])
    _code_turn(focus_group, second_coder, 2, [safety])
    services.comparison_open(document=focus_group, by=researcher)
    coders, rows = selectors.comparison_for(document=focus_group, viewer=researcher)
    assert [c.full_name for c in coders] == ["Casey Coder", "Rae Researcher"]
    assert [(row.index, row.differs) for row in rows] == [(1, False), (2, True)]
    assert rows[0].majority == {safety.pk}
    turn = focus_group.turns.get(index=2)
    services.adjudication_save(
        document=focus_group,
        by=researcher,
        agreed=[(rows[0].start, rows[0].end, [safety]), (turn.start, turn.end, [growth])],
    )
    agreed = Highlight.objects.filter(document=focus_group, is_agreed=True)
    assert sorted((h.start, [c.name for c in h.codes.all()]) for h in agreed) == sorted(
        [(rows[0].start, ["safety"]), (turn.start, ["growth"])]
    )
    # Agreement still compares the coders, not the agreed coding.
    result = selectors.agreement_for(program=program, viewer=researcher).result
    assert result.coders and len(result.coders) == 2


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 5), (10, 10**6)])
def test_an_out_of_range_highlight_is_refused_and_nothing_is_written(
    program, researcher, focus_group, start, end
):
    (code,) = _codes(program, researcher, "safety")
    with pytest.raises(ValidationError, match="outside the document's text"):
        services.highlight_create(
            document=focus_group, coder=researcher, start=start, end=end, codes=[code]
        )
    assert not Highlight.objects.exists()


def test_a_document_under_review_cannot_be_coded(program, researcher, roster):
    from tests.qualitative.conftest import ZOOM_VTT

    document = services.document_import(
        program=program, by=researcher, file_name="a.vtt", content=ZOOM_VTT.encode()
    )
    (code,) = _codes(program, researcher, "safety")
    with pytest.raises(ValidationError, match="under de-identification review"):
        services.highlight_create(document=document, coder=researcher, start=0, end=5, codes=[code])


def test_only_researchers_code_and_another_programs_document_does_not_exist(
    program, researcher, director, outsider, focus_group
):
    (code,) = _codes(program, researcher, "safety")
    with pytest.raises(PermissionDenied):
        services.highlight_create(
            document=focus_group, coder=director, start=0, end=5, codes=[code]
        )
    other_program = outsider.enrollments.get().program
    Enrollment.objects.create(program=other_program, person=researcher, role=Role.RESEARCHER)
    with pytest.raises(ObjectDoesNotExist):
        selectors.document_for(program=other_program, viewer=researcher, document_id=focus_group.pk)
    with pytest.raises(PermissionDenied):
        selectors.document_for(program=program, viewer=director, document_id=focus_group.pk)
