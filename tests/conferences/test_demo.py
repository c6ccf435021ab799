import datetime

from medmentor.conferences.demo import conference_demo_load
from medmentor.conferences.models import ConferenceSession, PartKind, PartStatus
from medmentor.conferences.selectors import conference_report
from medmentor.people.models import Person


def _load():
    return conference_demo_load(
        institution_name="Demo University Hospital",
        time_zone="America/Denver",
        password="demo-password-123",
        today=datetime.date.today(),
    )


def test_the_demo_has_two_past_sessions_with_attendance_and_feedback_and_one_ahead(db):
    program = _load().program
    sessions = list(ConferenceSession.objects.filter(program=program))
    past, ahead = sessions[:2], sessions[2]
    director = Person.objects.get(email="director@demo.medmentor.test")
    report = conference_report(program=program, viewer=director)
    assert [row.attended for row in report.sessions[:2]] == [9, 11]
    assert [row.responses for row in report.sessions[:2]] == [6, 7]
    assert report.pooled[0].mean is not None
    assert all(s.feedback_wave_id for s in past)
    storytellers = ahead.parts.filter(kind=PartKind.STORYTELLER, status=PartStatus.ACCEPTED)
    assert storytellers.count() == 3
    assert ahead.segments.count() == 5


def test_loading_the_demo_twice_changes_nothing(db):
    _load()
    assert "already loaded" in _load().lines[0]
    assert ConferenceSession.objects.count() == 3
