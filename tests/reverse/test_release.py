"""Privacy rule 3, attacked: the pooled feedback reaches the consultant and their
mentor only from at least 3 fellows, released after review, de-identified and in an
order that says nothing of its authors; nobody else reads one fellow's feedback."""

import pytest
from django.urls import reverse

from medmentor.reverse import selectors, services
from medmentor.reverse.models import DomainAnswer, Release
from medmentor.reverse.services import ReverseError
from tests.conftest import sign_in
from tests.privacy_matrix.support import content
from tests.reverse.world import answers, give_all, review_and_release


def _pooled_page(client, world, viewer, consultant=None):
    consultant = consultant or world.consultant
    sign_in(client, viewer)
    return client.get(
        reverse(
            "reverse-pooled",
            kwargs={"slug": world.program.slug, "consultant_id": consultant.pk},
        )
    )


def test_a_release_below_the_threshold_is_refused_and_nothing_written(world):
    give_all(world, fellows=world.fellows[:2])
    with pytest.raises(ReverseError, match="comes from 2 fellows: .* at least 3 fellows"):
        services.feedback_release(
            program=world.program, consultant=world.consultant, by=world.facilitator
        )
    assert not Release.objects.exists()


def test_a_release_waits_for_the_review_of_flagged_texts(world):
    give_all(world, fellows=world.fellows[:2])
    services.feedback_give(
        program=world.program,
        consultant=world.consultant,
        answers=answers("Ben Lowry says hello."),
        by=world.fellows[2],
    )
    with pytest.raises(ReverseError, match="1 text on Dr Hugh Morton waits for the facilitator"):
        services.feedback_release(
            program=world.program, consultant=world.consultant, by=world.facilitator
        )
    assert not Release.objects.exists()


def test_a_release_without_consent_is_refused(world):
    give_all(world)
    services.consent_withdraw(program=world.program, by=world.consultant)
    with pytest.raises(ReverseError, match="has not consented"):
        review_and_release(world)
    assert not Release.objects.exists()


def test_the_consultant_and_their_mentor_read_the_pooled_feedback_sorted_by_its_words(
    client, world
):
    give_all(world, text="{n} words")
    services.feedback_give(
        program=world.program,
        consultant=world.consultant,
        answers=answers("zebra words"),
        by=world.fellows[0],
    )
    review_and_release(world)
    pooled = selectors.released_feedback(
        program=world.program, consultant=world.consultant, viewer=world.consultant
    )
    approachability = next(d for d in pooled.domains if d.label == "Approachability")
    assert approachability.texts == ["1 words", "2 words", "3 words", "zebra words"]
    assert pooled.n_fellows == 4
    for viewer in (world.consultant, world.mentor):
        page = _pooled_page(client, world, viewer)
        assert page.status_code == 200
        assert "zebra words" in page.content.decode()


def test_the_pooled_page_shows_no_time_of_any_feedback(client, world):
    give_all(world)
    review_and_release(world)
    body = _pooled_page(client, world, world.consultant).content.decode()
    assert "2026" not in body and "2027" not in body


def test_nothing_is_shown_before_the_release(client, world):
    give_all(world)
    body = _pooled_page(client, world, world.consultant).content.decode()
    assert "Approachable on the ward" not in body
    assert "Nothing to read yet" in body


def test_below_the_threshold_nothing_reaches_the_consultant_nor_their_mentor(client, world):
    give_all(world, fellows=world.fellows[:2], consultant=world.other_consultant)
    for viewer in (world.other_consultant, world.fellows[1]):
        body = _pooled_page(client, world, viewer, world.other_consultant).content.decode()
        assert "Approachable on the ward" not in body


def test_a_fourth_fellow_withdrawing_after_release_takes_their_words_out(world):
    give_all(world, text="words of fellow {n}")
    review_and_release(world)
    services.feedback_withdraw(
        program=world.program, consultant=world.consultant, by=world.fellows[3]
    )
    pooled = selectors.released_feedback(
        program=world.program, consultant=world.consultant, viewer=world.consultant
    )
    texts = next(d for d in pooled.domains if d.label == "Approachability").texts
    assert pooled.n_fellows == 3 and "words of fellow 3" not in texts


def test_below_the_threshold_after_a_withdrawal_the_release_shows_nothing(client, world):
    give_all(world, fellows=world.fellows[:3])
    review_and_release(world)
    services.feedback_withdraw(
        program=world.program, consultant=world.consultant, by=world.fellows[2]
    )
    assert (
        selectors.released_feedback(
            program=world.program, consultant=world.consultant, viewer=world.consultant
        )
        is None
    )
    assert (
        "Approachable on the ward"
        not in _pooled_page(client, world, world.consultant).content.decode()
    )


def test_an_edit_before_release_leaves_the_consultants_pages_as_they_were(client, world):
    give_all(world)
    before = content(_pooled_page(client, world, world.consultant))
    services.feedback_give(
        program=world.program,
        consultant=world.consultant,
        answers=answers("Changed my mind entirely.", rating=1),
        by=world.fellows[2],
    )
    assert content(_pooled_page(client, world, world.consultant)) == before


def test_an_edit_after_release_that_needs_review_waits_for_the_facilitator(world):
    give_all(world)
    review_and_release(world)
    services.feedback_give(
        program=world.program,
        consultant=world.consultant,
        answers=answers("Ask Dev Patel about it."),
        by=world.fellows[2],
    )
    pooled = selectors.released_feedback(
        program=world.program, consultant=world.consultant, viewer=world.consultant
    )
    texts = next(d for d in pooled.domains if d.label == "Approachability").texts
    assert "Ask [name] about it." not in texts and "Dev Patel" not in str(texts)
    answer = DomainAnswer.objects.get(needs_review=True, reviewed_at__isnull=True)
    services.answer_review(answer=answer, shown_text="Ask a colleague.", by=world.facilitator)
    pooled = selectors.released_feedback(
        program=world.program, consultant=world.consultant, viewer=world.consultant
    )
    assert (
        "Ask a colleague." in next(d for d in pooled.domains if d.label == "Approachability").texts
    )


@pytest.mark.parametrize("who", ["director", "coordinator", "researcher", "facilitator"])
def test_staff_cannot_open_a_consultants_pooled_feedback(client, world, who):
    give_all(world)
    review_and_release(world)
    assert _pooled_page(client, world, getattr(world, who)).status_code == 403


def test_a_supervising_consultant_cannot_read_another_consultants_pooled_feedback(client, world):
    """Dr Ruth Ellis supervises fellows[0] and [1]: their words on Dr Hugh Morton stay away."""
    give_all(world)
    review_and_release(world)
    assert _pooled_page(client, world, world.other_consultant).status_code == 403


def test_a_fellow_who_is_not_the_mentor_cannot_read_the_pooled_feedback(client, world):
    give_all(world)
    review_and_release(world)
    assert _pooled_page(client, world, world.fellows[2]).status_code == 403


def test_the_director_sees_counts_never_words_or_ratings(client, world):
    give_all(world, text="secret words {n}")
    review_and_release(world)
    sign_in(client, world.director)
    body = client.get(reverse("reverse-home", kwargs={"slug": world.program.slug})).content.decode()
    assert "secret words" not in body
    rows = {
        r.consultant.pk: r
        for r in selectors.director_counts(program=world.program, viewer=world.director)
    }
    assert (rows[world.consultant.pk].n_fellows, rows[world.consultant.pk].shown) == (4, True)


def test_the_facilitator_reviews_without_knowing_the_author(client, world):
    services.feedback_give(
        program=world.program,
        consultant=world.consultant,
        answers=answers("Ask Ben Lowry."),
        by=world.fellows[3],
    )
    sign_in(client, world.facilitator)
    body = client.get(
        reverse("reverse-review", kwargs={"slug": world.program.slug})
    ).content.decode()
    assert "Ask [name]." in body
    assert "Dev Patel" not in body and "Ben Lowry" not in body


def test_a_consultants_withdrawn_consent_hides_the_released_feedback(world):
    give_all(world)
    review_and_release(world)
    services.consent_withdraw(program=world.program, by=world.consultant)
    assert (
        selectors.released_feedback(
            program=world.program, consultant=world.consultant, viewer=world.mentor
        )
        is None
    )
