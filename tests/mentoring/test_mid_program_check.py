"""The private mid-program check: each side asked separately (email with a sign-in
link, and their page); answers stay theirs; staff see only that a pair asked for
help; the daily worker hook sends it on its day, once, and reminds both sides."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from medmentor.mentoring import selectors
from medmentor.mentoring.models import MentoringSettings, PairCheck
from medmentor.mentoring.services import (
    HealthError,
    mentoring_health_enqueue_due,
    mentoring_settings_update,
    mid_check_send,
    pair_check_answer,
)
from medmentor.messaging.models import OutboxMessage
from tests.conftest import sign_in
from tests.mentoring.health_world import published_world

pytestmark = pytest.mark.usefixtures("fast_passwords")

SUBJECT = "A private question about your pairing in Near-peer mentoring"


@pytest.fixture
def world(institution, director, coordinator, researcher, faculty):
    return published_world(
        institution,
        director=director,
        coordinator=coordinator,
        researcher=researcher,
        faculty=faculty,
    )


def _check(world, first_name: str, side: str) -> PairCheck:
    mentorship = world.pairs[first_name]
    person = mentorship.mentee if side == "mentee" else mentorship.mentor
    return PairCheck.objects.get(mentorship=mentorship, person=person)


def test_the_check_asks_each_side_of_each_pair_separately(world):
    checks = mid_check_send(program=world.program, by=world.director)

    pairs = len(world.pairs)
    assert len(checks) == 2 * pairs
    assert OutboxMessage.objects.filter(subject=SUBJECT).count() == 2 * pairs
    again = mid_check_send(program=world.program, by=world.director)
    assert len(again) == 2 * pairs
    assert OutboxMessage.objects.filter(subject=SUBJECT).count() == 2 * pairs


def test_answering_someone_elses_check_is_refused(world):
    mid_check_send(program=world.program, by=world.director)
    mentee_check = _check(world, "ana", "mentee")

    with pytest.raises(HealthError, match="asked of someone else"):
        pair_check_answer(check=mentee_check, by=world.pairs["ana"].mentor, answer="works")
    mentee_check.refresh_from_db()
    assert mentee_check.answer == ""


def test_an_answer_that_is_not_one_of_the_three_is_refused(world):
    mid_check_send(program=world.program, by=world.director)
    check = _check(world, "ana", "mentee")

    with pytest.raises(HealthError, match="not an answer"):
        pair_check_answer(check=check, by=check.person, answer="great")


def test_staff_see_which_pair_asked_for_help_never_who_or_what(world):
    mid_check_send(program=world.program, by=world.director)
    check = _check(world, "ben", "mentor")
    pair_check_answer(check=check, by=check.person, answer="help", note="We never click.")
    other = _check(world, "ana", "mentee")
    pair_check_answer(check=other, by=other.person, answer="concerns")

    asking = selectors.pairs_asking_for_help(program=world.program, viewer=world.director)
    health = selectors.health_overview(program=world.program, viewer=world.director)

    assert asking == [world.pairs["ben"]]
    assert [m.pk for m in health.asking_for_help] == [world.pairs["ben"].pk]
    items = selectors.attention_items(person=world.director, program=world.program)
    assert any(item.text == "1 pair asked for help." for item in items)


def test_the_check_page_saves_an_answer_and_lets_it_change(client, world):
    mid_check_send(program=world.program, by=world.director)
    mentee = world.pairs["ana"].mentee
    check = _check(world, "ana", "mentee")
    sign_in(client, mentee)
    url = reverse("mentoring-check", kwargs={"slug": world.program.slug})

    page = client.get(url)
    client.post(url, {"check": check.pk, "answer": "concerns", "note": "Busy weeks."})
    client.post(url, {"check": check.pk, "answer": "works", "note": ""})

    assert "Your pairing with Mara Mentor" in page.content.decode()
    check.refresh_from_db()
    assert (check.answer, check.note) == ("works", "")


def test_the_learners_home_page_says_a_question_waits_until_answered(world):
    mid_check_send(program=world.program, by=world.director)
    mentee = world.pairs["ana"].mentee

    before = selectors.attention_items(person=mentee, program=world.program)
    check = _check(world, "ana", "mentee")
    pair_check_answer(check=check, by=mentee, answer="works")
    after = selectors.attention_items(person=mentee, program=world.program)

    waiting = "A private question about your pairing waits for your answer."
    assert waiting in [item.text for item in before]
    assert waiting not in [item.text for item in after]
    # Nothing else moved: the pair's own items (e.g. plan a first meeting) stay as they were.
    assert [item for item in before if item.text != waiting] == after


def test_the_worker_hook_sends_the_check_on_its_day_once(world, smtp_server):
    today = datetime.date.today()
    mentoring_settings_update(
        program=world.program,
        by=world.director,
        check_in_days=21,
        mid_check_on=today + datetime.timedelta(days=3),
    )
    OutboxMessage.objects.all().delete()

    call_command("worker", "--once", "--hook", "mentoring-health")
    assert smtp_server.messages == []

    MentoringSettings.objects.filter(program=world.program).update(mid_check_on=today)
    call_command("worker", "--once", "--hook", "mentoring-health")
    call_command("worker", "--once", "--hook", "mentoring-health")

    asked = [m for m in smtp_server.messages if m["Subject"] == SUBJECT]
    assert len(asked) == 2 * len(world.pairs)
    ana = next(m for m in asked if m["To"].addresses[0].addr_spec == "ana@near-peer.test")
    text = ana.get_body(("plain",)).get_content()
    assert "is your pairing with Mara Mentor working for you?" in text
    assert "/sign-in/" in text
    assert "/personal-link/" not in text


def test_reminders_go_to_both_sides_when_either_has_not_answered(world):
    mid_check_send(program=world.program, by=world.director)
    PairCheck.objects.update(asked_on=datetime.date.today() - datetime.timedelta(days=8))
    for first_name in world.pairs:
        for side in ("mentee", "mentor"):
            check = _check(world, first_name, side)
            if not (first_name == "ben" and side == "mentor"):
                pair_check_answer(check=check, by=check.person, answer="works")

    queued = mentoring_health_enqueue_due()
    again = mentoring_health_enqueue_due()

    ben = world.pairs["ben"]
    reminded = set(
        OutboxMessage.objects.filter(key__startswith="mentoring-check-reminder:").values_list(
            "person_id", flat=True
        )
    )
    assert (queued, again) == (2, 0)
    assert reminded == {ben.mentee_id, ben.mentor_id}
