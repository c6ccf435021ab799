import datetime

import pytest

from medmentor.conferences import services
from medmentor.conferences.models import PartKind, PartStatus, SessionPart
from medmentor.conferences.tasks import conference_work_due
from medmentor.messaging.models import OutboxMessage


def _ask(session, people, name="junior", kind=PartKind.STORYTELLER, **kwargs):
    return services.part_ask(
        session=session, by=people["senior"], person=people[name], kind=kind, **kwargs
    )


def test_asking_a_storyteller_queues_the_ask(session, people):
    part = _ask(session, people)
    assert part.status == PartStatus.ASKED
    email = OutboxMessage.objects.get(key=f"conference-ask:{part.pk}")
    assert email.person_id == people["junior"].pk
    assert "tell" in email.text_body or "storyteller" in email.text_body


def test_a_storyteller_asked_twice_is_refused_and_nothing_is_written(session, people):
    _ask(session, people)
    emails = OutboxMessage.objects.count()
    with pytest.raises(services.ConferenceError) as refusal:
        _ask(session, people)
    assert "Jo Junior was already asked to be a storyteller" in str(refusal.value)
    assert "nobody is asked twice" in str(refusal.value)
    assert SessionPart.objects.count() == 1
    assert OutboxMessage.objects.count() == emails


def test_storytellers_are_residents_and_the_supportive_role_is_faculty(session, people):
    with pytest.raises(services.ConferenceError, match="storytellers are residents"):
        _ask(session, people, name="faculty")
    with pytest.raises(services.ConferenceError, match="the supportive role is for its faculty"):
        _ask(session, people, name="junior", kind=PartKind.FACULTY)
    assert _ask(session, people, name="faculty", kind=PartKind.FACULTY).kind == PartKind.FACULTY


def test_accepting_sends_the_short_guide(session, people):
    part = _ask(session, people)
    services.part_answer(part=part, by=people["junior"], accept=True)
    part.refresh_from_db()
    assert part.status == PartStatus.ACCEPTED
    guide = OutboxMessage.objects.get(key=f"conference-guide:{part.pk}")
    assert "short guide" in guide.text_body


def test_declining_sends_nothing(session, people):
    part = _ask(session, people)
    before = OutboxMessage.objects.count()
    services.part_answer(part=part, by=people["junior"], accept=False)
    part.refresh_from_db()
    assert part.status == PartStatus.DECLINED
    assert OutboxMessage.objects.count() == before


def test_only_the_person_asked_answers(session, people):
    part = _ask(session, people)
    with pytest.raises(services.ConferenceError, match="Only the person asked"):
        services.part_answer(part=part, by=people["senior"], accept=True)


def test_an_unanswered_ask_is_reminded_once_after_two_days(session, people):
    part = _ask(session, people, now=session.meeting.starts_at - datetime.timedelta(days=6))
    later = session.meeting.starts_at - datetime.timedelta(days=3)
    assert conference_work_due(now=later) == 1
    assert conference_work_due(now=later) == 0
    reminder = OutboxMessage.objects.get(key=f"conference-reminder:{part.pk}")
    assert reminder.subject.startswith("Reminder:")


def test_an_answered_ask_is_not_reminded(session, people):
    part = _ask(session, people, now=session.meeting.starts_at - datetime.timedelta(days=6))
    services.part_answer(part=part, by=people["junior"], accept=False)
    assert conference_work_due(now=session.meeting.starts_at - datetime.timedelta(days=3)) == 0


def test_nobody_is_asked_for_a_session_that_started(session, people):
    with pytest.raises(services.ConferenceError, match="nothing can be asked for it now"):
        _ask(session, people, now=session.meeting.starts_at + datetime.timedelta(minutes=1))
    assert not SessionPart.objects.exists()


def test_the_home_page_tells_the_person_asked_and_nobody_else(session, people, program):
    from medmentor.conferences.selectors import attention_items

    _ask(session, people)
    assert (
        "asked to take a part" in attention_items(person=people["junior"], program=program)[0].text
    )
    assert attention_items(person=people["other_junior"], program=program) == []
    assert attention_items(person=people["director"], program=program) == []
