"""Re-pairing a pair that asked for help: the matcher's rematch, every other pair kept,
the old pair ended, the new one(s) started, everyone told kindly."""

import pytest

from medmentor.mentoring.models import Mentorship, PairCheck
from medmentor.mentoring.services import (
    HealthError,
    mentorship_repair,
    mid_check_send,
    pair_check_answer,
)
from medmentor.messaging.services import outbox_deliver_due
from tests.mentoring.health_world import published_world

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def world(institution, director, coordinator, researcher, faculty):
    return published_world(
        institution,
        director=director,
        coordinator=coordinator,
        researcher=researcher,
        faculty=faculty,
    )


def _ask_for_help(world, first_name: str, side: str = "mentee") -> None:
    mid_check_send(program=world.program, by=world.director)
    mentorship = world.pairs[first_name]
    person = mentorship.mentee if side == "mentee" else mentorship.mentor
    check = PairCheck.objects.get(mentorship=mentorship, person=person)
    pair_check_answer(check=check, by=person, answer="help", note="It isn't working.")


def _current(world) -> set[tuple[str, str]]:
    return {
        (m.mentee.full_name, m.mentor.full_name)
        for m in Mentorship.objects.filter(program=world.program, ended_on__isnull=True)
    }


def test_repairing_ends_the_pair_and_keeps_every_other_pair(world):
    before = _current(world)
    asking = world.pairs["ben"]
    _ask_for_help(world, "ben")

    started = mentorship_repair(mentorship=asking, by=world.director)

    after = _current(world)
    old = (asking.mentee.full_name, asking.mentor.full_name)
    assert old not in after
    assert before - {old} <= after
    assert started, "someone free was there to pair with"
    assert all(
        asking.mentee_id in (m.mentee_id, m.mentor_id)
        or asking.mentor_id in (m.mentee_id, m.mentor_id)
        for m in started
    )
    asking.refresh_from_db()
    assert asking.ended_on is not None


def test_both_sides_are_told_kindly_without_the_answer(world, smtp_server):
    asking = world.pairs["ben"]
    _ask_for_help(world, "ben", side="mentor")
    outbox_deliver_due(worker_name="test")
    smtp_server.messages.clear()

    mentorship_repair(mentorship=asking, by=world.director)
    outbox_deliver_due(worker_name="test")

    told = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    assert {asking.mentee.email, asking.mentor.email} <= set(told)
    for email in (asking.mentee.email, asking.mentor.email):
        text = told[email].get_body(("plain",)).get_content().lower()
        assert "pairings sometimes change" in text
        assert "thank you for the time" in text
        for word in ("help", "concern", "asked", "answer", "isn't working", "check"):
            assert word not in text
    assert told[asking.mentee.email]["Subject"] == told[asking.mentor.email]["Subject"]


def test_repairing_a_pair_that_did_not_ask_for_help_is_refused(world):
    with pytest.raises(HealthError, match="did not ask for help"):
        mentorship_repair(mentorship=world.pairs["ana"], by=world.director)
    assert world.pairs["ana"].pk in Mentorship.objects.filter(ended_on__isnull=True).values_list(
        "pk", flat=True
    )


def test_repairing_a_pair_that_ended_is_refused_in_words(world):
    asking = world.pairs["ben"]
    _ask_for_help(world, "ben")
    mentorship_repair(mentorship=asking, by=world.director)

    with pytest.raises(HealthError, match="pairing ended on .* no pair to re-pair"):
        mentorship_repair(mentorship=asking, by=world.director)


def test_a_repaired_pair_no_longer_shows_as_asking_for_help(world):
    from medmentor.mentoring import selectors

    _ask_for_help(world, "ben")
    mentorship_repair(mentorship=world.pairs["ben"], by=world.director)

    assert selectors.pairs_asking_for_help(program=world.program, viewer=world.director) == []


def test_the_health_page_re_pairs_with_one_click_and_says_what_was_made(client, world):
    from django.urls import reverse

    from tests.conftest import sign_in

    _ask_for_help(world, "ben")
    sign_in(client, world.director)
    health = client.get(reverse("mentoring-health", kwargs={"slug": world.program.slug}))

    response = client.post(
        reverse(
            "mentoring-repair",
            kwargs={"slug": world.program.slug, "mentorship_id": world.pairs["ben"].pk},
        ),
        follow=True,
    )

    assert "1 pair asked for help." in health.content.decode()
    assert "Re-pair them" in health.content.decode()
    assert "Ben Mentee and Nate Mentor are re-paired" in response.content.decode()
    assert "Both were told kindly." in response.content.decode()
