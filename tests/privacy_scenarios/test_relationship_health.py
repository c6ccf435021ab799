"""Attacks on relationship health and mentor reflections (issue 11 items 5, 6).

The private mid-program check: the director may learn that a pair asked for help,
never which of the two asked nor what either said (nor any note); the other side of
the pair learns nothing of the answer. A mentor's reflection reaches the researchers
only with its author's consent, de-identified, and never the director.

Each scenario renders what a non-owner can see with one person's private fact one
way, then (rolled back) the other way, and proves both renders identical; or proves
the act refused.
"""

import re

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import reverse

from medmentor.mentoring.models import PairCheck, Reflection
from medmentor.mentoring.services import (
    mentoring_health_enqueue_due,
    mentorship_repair,
    mid_check_send,
    pair_check_answer,
    reflection_consent_set,
    reflection_write,
    reflections_export,
)
from medmentor.messaging.models import OutboxMessage
from medmentor.qualitative.models import Document
from tests.conftest import sign_in
from tests.mentoring.health_world import published_world

pytestmark = pytest.mark.usefixtures("fast_passwords")

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.fixture
def world(institution, director, coordinator, researcher, faculty):
    world = published_world(
        institution,
        director=director,
        coordinator=coordinator,
        researcher=researcher,
        faculty=faculty,
    )
    mid_check_send(program=world.program, by=world.director)
    world.ben = world.pairs["ben"]
    world.mentee_check = PairCheck.objects.get(mentorship=world.ben, person=world.ben.mentee)
    world.mentor_check = PairCheck.objects.get(mentorship=world.ben, person=world.ben.mentor)
    return world


def _asks_for_help(world, side: str) -> None:
    asking, fine = (
        (world.mentee_check, world.mentor_check)
        if side == "mentee"
        else (world.mentor_check, world.mentee_check)
    )
    pair_check_answer(check=asking, by=asking.person, answer="help", note=f"Secret of {side}.")
    pair_check_answer(check=fine, by=fine.person, answer="works", note="")


def _seen(client, person, urls) -> dict:
    sign_in(client, person)
    return {
        url: (r.status_code, _CSRF.sub(r"\1…", r.content.decode()))
        for url in urls
        for r in [client.get(url)]
    }


def _rolled_back(act, look):
    """What `look()` returns after `act()`, with `act` undone afterwards."""
    with transaction.atomic():
        act()
        seen = look()
        transaction.set_rollback(True)
    return seen


def _staff_urls(world) -> list[str]:
    slug = world.program.slug
    return [
        reverse("mentoring-health", kwargs={"slug": slug}),
        reverse("home"),
        reverse("outbox", kwargs={"slug": slug}),
        reverse("matching", kwargs={"slug": slug}),
        f"/api/programs/{slug}/matching/runs/{world.run.pk}",
    ]


def test_a_director_cannot_learn_which_side_asked_for_help_or_what_was_said(client, world):
    urls = _staff_urls(world)

    def look():
        return {
            role: _seen(client, person, urls)
            for role, person in (("director", world.director), ("coordinator", world.coordinator))
        }

    by_mentee = _rolled_back(lambda: _asks_for_help(world, "mentee"), look)
    by_mentor = _rolled_back(lambda: _asks_for_help(world, "mentor"), look)

    assert by_mentee == by_mentor
    health = by_mentee["director"][urls[0]][1]
    assert "1 pair asked for help." in health
    assert "Secret of" not in health


def test_the_other_side_never_sees_the_answer_or_the_note(client, world):
    slug = world.program.slug
    urls = [reverse("mentoring-check", kwargs={"slug": slug}), reverse("home")]

    def mentor_answers(answer, note):
        return lambda: pair_check_answer(
            check=world.mentor_check, by=world.ben.mentor, answer=answer, note=note
        )

    def look():
        return _seen(client, world.ben.mentee, urls)

    helped = _rolled_back(mentor_answers("help", "My mentee never shows up."), look)
    works = _rolled_back(mentor_answers("works", ""), look)

    assert helped == works
    assert "never shows up" not in helped[urls[0]][1]


def test_the_outbox_reminders_do_not_tell_staff_who_answered(world):
    import datetime

    PairCheck.objects.update(asked_on=datetime.date.today() - datetime.timedelta(days=8))

    def answered_by(check):
        def act():
            pair_check_answer(check=check, by=check.person, answer="help")
            mentoring_health_enqueue_due()

        return act

    def look():
        return sorted(
            (m.person_id, m.subject)
            for m in OutboxMessage.objects.filter(key__startswith="mentoring-check-reminder:")
            if m.person_id in (world.ben.mentee_id, world.ben.mentor_id)
        )

    mentee_answered = _rolled_back(answered_by(world.mentee_check), look)
    mentor_answered = _rolled_back(answered_by(world.mentor_check), look)

    assert mentee_answered == mentor_answered
    assert len(mentee_answered) == 2


def test_re_pairing_emails_read_the_same_whoever_asked_for_help(world):
    def repaired_after(side):
        def act():
            world.ben.refresh_from_db()  # the first run's end was rolled back
            _asks_for_help(world, side)
            mentorship_repair(mentorship=world.ben, by=world.director)

        return act

    def look():
        return sorted(
            (m.person_id, m.subject, m.text_body)
            for m in OutboxMessage.objects.filter(key__startswith="mentoring-repair:")
        )

    assert _rolled_back(repaired_after("mentee"), look) == _rolled_back(
        repaired_after("mentor"), look
    )


def test_the_admin_has_no_page_for_check_answers_or_reflections(client, operations):
    assert not admin.site.is_registered(PairCheck)
    assert not admin.site.is_registered(Reflection)
    client.force_login(operations)
    assert client.get("/admin/mentoring/paircheck/").status_code == 404
    assert client.get("/admin/mentoring/reflection/").status_code == 404


def test_a_reflection_without_consent_never_reaches_a_researcher(client, world):
    mentorship = world.pairs["ana"]
    slug = world.program.slug
    urls = [
        reverse("mentoring-reflections-export", kwargs={"slug": slug}),
        reverse("qualitative", kwargs={"slug": slug}),
    ]

    def written(consent):
        return lambda: reflection_write(
            mentorship=mentorship,
            by=mentorship.mentor,
            text="Ana Mentee cried after the exam.",
            consent=consent,
        )

    def look():
        return _seen(client, world.researcher, urls)

    unshared = _rolled_back(written(False), look)
    assert unshared == _rolled_back(lambda: None, look)
    assert [status for status, _ in unshared.values()] == [200, 200]
    assert "shared 0 reflections" in unshared[urls[0]][1]
    written(False)()
    with pytest.raises(Exception, match="No mentor reflection shared"):
        reflections_export(program=world.program, by=world.researcher)
    assert not Document.objects.exists()


def test_withdrawing_consent_before_the_export_keeps_the_reflection_out(world):
    mentorship = world.pairs["ana"]
    kept = reflection_write(
        mentorship=mentorship, by=mentorship.mentor, text="Kept private.", consent=True
    )
    reflection_write(
        mentorship=mentorship, by=mentorship.mentor, text="Shared thought.", consent=True
    )
    reflection_consent_set(reflection=kept, by=mentorship.mentor, consent=False)

    document = Document.objects.get(
        pk=reflections_export(program=world.program, by=world.researcher)
    )

    assert "Shared thought." in document.text
    assert "Kept private." not in document.text


def test_a_director_never_reads_a_reflection_by_any_page(client, world):
    mentorship = world.pairs["ana"]
    slug = world.program.slug
    urls = [
        *_staff_urls(world),
        reverse("mentoring-reflections", kwargs={"slug": slug}),
        reverse("mentoring-reflections-export", kwargs={"slug": slug}),
    ]

    def written(text):
        return lambda: reflection_write(
            mentorship=mentorship, by=mentorship.mentor, text=text, consent=True
        )

    def look():
        return _seen(client, world.director, urls)

    assert _rolled_back(written("First words."), look) == _rolled_back(
        written("Other words."), look
    )
