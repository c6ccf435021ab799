"""Relationship health: pairs with no meeting for the program's days need a check-in;
one click nudges both, kindly, once a day; a pair that ended is refused."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from medmentor.mentoring import selectors
from medmentor.mentoring.services import HealthError, mentoring_settings_update, pair_nudge
from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.services import outbox_deliver_due
from tests.conftest import sign_in
from tests.mentoring.health_world import met_days_ago, published_world, started_days_ago

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


def _flagged(world):
    found = selectors.pairs_needing_check_in(program=world.program, viewer=world.director)
    return {row.mentorship.mentee.full_name: row for row in found}


def test_a_pair_that_has_not_met_for_21_days_needs_a_check_in(world):
    ana, ben = world.pairs["ana"], world.pairs["ben"]
    started_days_ago(ana, 30)
    started_days_ago(ben, 30)
    met_days_ago(ben, 5)

    flagged = _flagged(world)

    assert "Ana Mentee" in flagged
    assert flagged["Ana Mentee"].last_met is None
    assert flagged["Ana Mentee"].days == 30
    assert "Ben Mentee" not in flagged


def test_a_meeting_without_both_of_the_pair_does_not_count(world):
    ana = world.pairs["ana"]
    started_days_ago(ana, 40)
    met_days_ago(ana, 2, people=[ana.mentor, world.pairs["cy"].mentee])

    assert "Ana Mentee" in _flagged(world)


def test_a_pair_that_last_met_long_ago_is_flagged_with_that_date(world):
    ana = world.pairs["ana"]
    started_days_ago(ana, 60)
    met_days_ago(ana, 25)

    row = _flagged(world)["Ana Mentee"]

    assert row.days == 25
    assert row.last_met is not None


def test_the_check_in_days_are_set_per_program(world):
    ana = world.pairs["ana"]
    started_days_ago(ana, 10)
    assert "Ana Mentee" not in _flagged(world)

    mentoring_settings_update(
        program=world.program, by=world.director, check_in_days=7, mid_check_on=None
    )

    assert "Ana Mentee" in _flagged(world)


def test_check_in_days_outside_1_to_365_are_refused_in_words(world):
    with pytest.raises(HealthError, match="1 to 365 days"):
        mentoring_settings_update(
            program=world.program, by=world.director, check_in_days=0, mid_check_on=None
        )


def test_nudging_emails_both_sides_kindly_once_a_day(world, smtp_server):
    ana = world.pairs["ana"]

    first = pair_nudge(mentorship=ana, by=world.coordinator)
    second = pair_nudge(mentorship=ana, by=world.director)
    outbox_deliver_due(worker_name="test")

    assert (first, second) == (2, 0)
    received = {
        m["To"].addresses[0].addr_spec: m
        for m in smtp_server.messages
        if m["Subject"].startswith("Time to catch up")
    }
    assert sorted(received) == ["ana@near-peer.test", "mara@near-peer.test"]
    assert received["ana@near-peer.test"]["Subject"] == "Time to catch up with Mara Mentor?"
    text = received["ana@near-peer.test"].get_body(("plain",)).get_content()
    assert "since you and Mara Mentor last met" in text
    assert "/sign-in/" in text


def test_nudging_a_pair_that_ended_is_refused_in_words(world):
    ana = world.pairs["ana"]
    ana.ended_on = ana.started_on
    ana.save()

    with pytest.raises(HealthError, match="pairing ended on .* no pair to nudge"):
        pair_nudge(mentorship=ana, by=world.director)
    assert not OutboxMessage.objects.filter(key__startswith="mentoring-nudge:").exists()


def test_only_staff_see_the_pairs_health_or_nudge(world, faculty):
    with pytest.raises(PermissionDenied):
        selectors.pairs_needing_check_in(program=world.program, viewer=faculty)
    with pytest.raises(PermissionDenied):
        pair_nudge(mentorship=world.pairs["ana"], by=world.pairs["ana"].mentor)


def test_the_home_page_flags_pairs_needing_a_check_in_to_staff_only(world):
    started_days_ago(world.pairs["ana"], 30)

    staff = selectors.attention_items(person=world.director, program=world.program)
    mentee = selectors.attention_items(person=world.pairs["ana"].mentee, program=world.program)

    assert any(item.text == "1 pair needs a check-in." for item in staff)
    assert not any("check-in" in item.text for item in mentee)


def test_the_health_page_lists_the_pair_and_its_nudge_button_works(client, world):
    started_days_ago(world.pairs["ana"], 30)
    sign_in(client, world.director)
    url = reverse("mentoring-health", kwargs={"slug": world.program.slug})

    page = client.get(url)
    nudge = client.post(
        reverse(
            "mentoring-nudge",
            kwargs={"slug": world.program.slug, "mentorship_id": world.pairs["ana"].pk},
        ),
        follow=True,
    )

    assert page.status_code == 200
    assert "Ana Mentee" in page.content.decode()
    assert "Nudge both" in page.content.decode()
    assert "each get a kind reminder to meet" in nudge.content.decode()
