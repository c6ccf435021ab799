"""Phase 1: a fellow's seven-domain feedback, de-identified on saving; bad input is
refused in words and writes nothing."""

import pytest
from django.urls import reverse

from medmentor.reverse import services
from medmentor.reverse.models import DomainAnswer, Feedback, FeedbackContributor
from medmentor.reverse.services import ReverseError
from tests.conftest import sign_in
from tests.reverse.world import ANSWERS, answers


def _nothing_written():
    return (Feedback.objects.count(), DomainAnswer.objects.count()) == (0, 0)


def test_a_fellow_gives_feedback_in_the_seven_domains_with_ratings_and_words(world):
    feedback = services.feedback_give(
        program=world.program, consultant=world.consultant, answers=ANSWERS, by=world.fellows[1]
    )
    rows = {a.domain: (a.rating, a.text) for a in feedback.answers.all()}
    assert rows == ANSWERS
    assert list(FeedbackContributor.objects.values_list("fellow", flat=True)) == [
        world.fellows[1].pk
    ]


def test_giving_again_changes_the_fellows_one_feedback(world):
    for text in ("First words.", "Second words."):
        services.feedback_give(
            program=world.program,
            consultant=world.consultant,
            answers=answers(text),
            by=world.fellows[1],
        )
    assert Feedback.objects.count() == 1
    assert DomainAnswer.objects.get(domain="approachability").text == "Second words."


def test_names_are_replaced_and_the_text_flagged_for_review(world):
    services.feedback_give(
        program=world.program,
        consultant=world.consultant,
        answers=answers("Kind to Ben Lowry and to cara.vance@example.org."),
        by=world.fellows[2],
    )
    answer = DomainAnswer.objects.get(domain="approachability")
    assert answer.shown_text == "Kind to [name] and to [email]."
    assert answer.needs_review and answer.reviewed_at is None


def test_a_phrase_that_may_point_at_its_author_is_flagged_but_kept(world):
    services.feedback_give(
        program=world.program,
        consultant=world.consultant,
        answers=answers("He was short with me on the night shift."),
        by=world.fellows[2],
    )
    answer = DomainAnswer.objects.get(domain="approachability")
    assert answer.shown_text == "He was short with me on the night shift."
    assert answer.needs_review


def test_plain_words_need_no_review(world):
    services.feedback_give(
        program=world.program,
        consultant=world.consultant,
        answers=answers("Approachable on the ward."),
        by=world.fellows[2],
    )
    assert not DomainAnswer.objects.get(domain="approachability").needs_review


def test_feedback_on_a_consultant_the_fellow_does_not_work_with_is_refused(world):
    with pytest.raises(ReverseError, match="does not work with Dr Ruth Ellis"):
        services.feedback_give(
            program=world.program,
            consultant=world.other_consultant,
            answers=ANSWERS,
            by=world.fellows[3],
        )
    assert _nothing_written()


def test_feedback_on_a_consultant_without_consent_is_refused(world_without_consent):
    world = world_without_consent
    with pytest.raises(ReverseError, match="has not consented .* no feedback is collected"):
        services.feedback_give(
            program=world.program, consultant=world.consultant, answers=ANSWERS, by=world.mentor
        )
    assert _nothing_written()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"approachability": (6, "")}, "Approachability: the rating 6 is refused: 1 to 5"),
        ({"approachability": (0, "")}, "the rating 0 is refused"),
        ({"approachability": ("many", "")}, "the rating “many” is not a number"),
        ({"strengths": (4, "Kind.")}, "Strengths takes words, not a rating"),
        ({"approachability": ("", "x" * 2001)}, "2,001 characters long; at most 2,000"),
        ({"approachability": ("", "  ")}, "The feedback is empty"),
        ({"charisma": (3, "")}, "“charisma” is not one of the seven domains"),
    ],
)
def test_bad_answers_are_refused_by_name_and_nothing_is_written(world, given, message):
    with pytest.raises(ReverseError, match=message):
        services.feedback_give(
            program=world.program, consultant=world.consultant, answers=given, by=world.mentor
        )
    assert _nothing_written()


def test_a_consultant_cannot_give_feedback(world):
    with pytest.raises(ReverseError, match="not a fellow"):
        services.feedback_give(
            program=world.program,
            consultant=world.consultant,
            answers=ANSWERS,
            by=world.other_consultant,
        )
    assert _nothing_written()


def test_the_feedback_page_saves_a_fellows_feedback(client, world):
    sign_in(client, world.fellows[2])
    url = reverse(
        "reverse-feedback",
        kwargs={"slug": world.program.slug, "consultant_id": world.consultant.pk},
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "Use of technology" in page.content.decode()
    response = client.post(url, {"rating-approachability": "4", "text-approachability": "Kind."})
    assert response.status_code == 302
    assert DomainAnswer.objects.get().rating == 4


def test_the_feedback_page_explains_a_refusal_and_keeps_what_was_typed(client, world):
    sign_in(client, world.fellows[2])
    url = reverse(
        "reverse-feedback",
        kwargs={"slug": world.program.slug, "consultant_id": world.consultant.pk},
    )
    response = client.post(
        url, {"rating-approachability": "9", "text-approachability": "Kept words."}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Approachability: the rating 9 is refused" in body and "Kept words." in body
    assert _nothing_written()


def test_the_feedback_page_of_a_consultant_one_does_not_work_with_is_not_found(client, world):
    sign_in(client, world.fellows[3])
    url = reverse(
        "reverse-feedback",
        kwargs={"slug": world.program.slug, "consultant_id": world.other_consultant.pk},
    )
    assert client.get(url).status_code == 404
    assert client.post(url, {"text-approachability": "x"}).status_code == 404
    assert _nothing_written()


def test_the_facilitator_records_a_group_sessions_feedback_counting_each_fellow(world):
    services.group_feedback_record(
        program=world.program,
        consultant=world.consultant,
        fellows=world.fellows[:3],
        answers=ANSWERS,
        by=world.facilitator,
    )
    assert services.contributors_count(program=world.program, consultant=world.consultant) == 3


def test_only_the_facilitator_records_a_group_session(world):
    with pytest.raises(ReverseError, match="facilitator"):
        services.group_feedback_record(
            program=world.program,
            consultant=world.consultant,
            fellows=world.fellows[:3],
            answers=ANSWERS,
            by=world.director,
        )
    assert _nothing_written()


def test_a_group_session_with_a_fellow_who_does_not_work_with_the_consultant_is_refused(world):
    with pytest.raises(ReverseError, match="Cara Vance does not work with Dr Ruth Ellis"):
        services.group_feedback_record(
            program=world.program,
            consultant=world.other_consultant,
            fellows=world.fellows[:3],
            answers=ANSWERS,
            by=world.facilitator,
        )
    assert _nothing_written()


def test_a_consultant_or_the_director_cannot_be_the_facilitator(world):
    from medmentor.programs import access

    for person in (world.consultant, world.director):
        with pytest.raises(ReverseError, match="cannot facilitate"):
            services.facilitator_add(program=world.program, person=person, by=access.SYSTEM)
