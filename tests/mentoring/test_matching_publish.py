"""Publishing a draft: mentorships, and exactly one email per matched person, sent."""

import pytest

from medmentor.mentoring.models import MatchingRunStatus, Mentorship
from medmentor.mentoring.services import (
    MatchingError,
    matching_pair_lock,
    matching_run_create,
    matching_run_publish,
)
from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.services import outbox_deliver_due
from medmentor.programs.models import Role
from tests.mentoring.matching_cohort import one_to_one_program

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def cohort(institution, director):
    return one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])


def test_publishing_makes_mentorships_and_sends_one_email_per_person(cohort, director, smtp_server):
    run = matching_run_create(program=cohort.program, objective="stable", by=director)

    matching_run_publish(run=run, by=director)
    stats = outbox_deliver_due(worker_name="test")

    current = {
        (m.mentee.full_name, m.mentor.full_name)
        for m in Mentorship.objects.filter(program=cohort.program, ended_on__isnull=True)
    }
    assert current == {
        ("Ana Mentee", "Mara Mentor"),
        ("Ben Mentee", "Nate Mentor"),
        ("Cy Mentee", "Mara Mentor"),
    }
    run.refresh_from_db()
    assert run.status == MatchingRunStatus.PUBLISHED
    # Ana, Ben, Cy, Mara (two mentees, one email) and Nate; Olu has no mentee
    assert stats.sent == 5
    received = {message["To"].addresses[0].addr_spec: message for message in smtp_server.messages}
    assert sorted(received) == sorted(
        f"{name}@near-peer.test" for name in ("ana", "ben", "cy", "mara", "nate")
    )
    mara = received["mara@near-peer.test"]
    assert mara["Subject"] == "Your mentees in Near-peer mentoring"
    text = mara.get_body(("plain",)).get_content()
    assert "Ana Mentee <ana@near-peer.test>" in text
    assert "Cy Mentee <cy@near-peer.test>" in text
    assert "/sign-in/" in text
    ana = received["ana@near-peer.test"].get_body(("plain",)).get_content()
    assert "Your mentor in Near-peer mentoring is Mara Mentor <mara@near-peer.test>." in ana


def test_a_run_publishes_once_and_sends_nothing_twice(cohort, director):
    run = matching_run_create(program=cohort.program, objective="stable", by=director)
    matching_run_publish(run=run, by=director)

    with pytest.raises(MatchingError, match="only a draft can be changed"):
        matching_run_publish(run=run, by=director)

    assert OutboxMessage.objects.count() == 5


def test_rematching_keeps_published_mentorships_and_ends_unlocked_ones(cohort, director):
    first = matching_run_create(program=cohort.program, objective="stable", by=director)
    matching_run_publish(run=first, by=director)
    draft = matching_run_create(program=cohort.program, objective="stable", by=director)
    assert all(pair.kept and pair.locked for pair in draft.pairs.all())
    matching_pair_lock(pair=draft.pairs.get(mentee=cohort.cy), locked=False, by=director)

    again = matching_run_create(program=cohort.program, objective="stable", by=director)
    matching_run_publish(run=again, by=director)

    assert again.pairs.get(mentee=cohort.ana).kept
    assert not again.pairs.get(mentee=cohort.cy).kept
    assert "Cy Mentee and Mara Mentor: pair released (unlocked by the director)." in again.warnings
    # the same pairs again, so nothing ended; one mentorship per mentee in force
    assert Mentorship.objects.filter(program=cohort.program, ended_on__isnull=True).count() == 3
