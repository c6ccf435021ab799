import pytest

from medmentor.conferences import services
from medmentor.conferences.models import ConferenceSession
from medmentor.conferences.selectors import conference_report
from medmentor.conferences.tasks import conference_work_due
from medmentor.surveys.models import Anonymity, Instrument, Invitation, Response
from medmentor.surveys.services import response_record
from tests.conferences.conftest import after


def test_the_feedback_form_is_one_anonymous_wave_for_everyone_invited(session, people):
    wave = services.feedback_open(session=session, by=people["senior"], now=after(session))
    assert wave.instrument.anonymity == Anonymity.ANONYMOUS
    assert wave.instrument.waves.count() == 1
    invited = set(Invitation.objects.filter(wave=wave).values_list("person_id", flat=True))
    assert invited == set(session.meeting.participants.values_list("pk", flat=True))


def test_the_feedback_form_is_sent_automatically_once(session):
    conference_work_due(now=after(session))
    conference_work_due(now=after(session))
    session.refresh_from_db()
    assert session.feedback_wave is not None
    assert Instrument.objects.count() == 1


def test_feedback_to_a_cancelled_session_is_refused_and_nothing_is_written(session, people):
    services.session_cancel(session=session, by=people["senior"])
    with pytest.raises(services.ConferenceError) as refusal:
        services.feedback_open(session=session, by=people["senior"], now=after(session))
    assert "was cancelled: there is no feedback to ask for" in str(refusal.value)
    assert not Instrument.objects.exists()
    conference_work_due(now=after(session))
    assert not Instrument.objects.exists()


def test_feedback_waits_until_the_session_is_over(session, people):
    with pytest.raises(services.ConferenceError, match="goes out once it is over"):
        services.feedback_open(session=session, by=people["senior"])
    assert not Instrument.objects.exists()


def test_the_responses_point_at_nobody(session, people):
    wave = services.feedback_open(session=session, by=people["senior"], now=after(session))
    response_record(wave=wave, answers={"fb_worth": "5"})
    assert Response.objects.get().person_id is None


def _answers(wave, values):
    for value in values:
        response_record(
            wave=wave, answers={"fb_worth": str(value), "fb_connected": "4", "fb_normal": "5"}
        )


def test_the_report_pools_the_feedback_only_over_five_answers(session, people, program):
    wave = services.feedback_open(session=session, by=people["senior"], now=after(session))
    _answers(wave, [5, 4, 4, 3])
    report = conference_report(program=program, viewer=people["director"])
    assert report.pooled[0].mean is None
    _answers(wave, [4])
    report = conference_report(program=program, viewer=people["director"])
    assert report.pooled[0].mean == 4.0
    assert report.sessions[0].responses == 5
    assert report.sessions[0].invited == 5


def test_the_report_is_not_for_residents(program, people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        conference_report(program=program, viewer=people["junior"])
    assert ConferenceSession.objects.count() == 0
