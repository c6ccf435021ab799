"""Handing a series to another organizer: one of its participants, by the program's
staff or the system; the meetings to come follow and everyone gets the update."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from medmentor.meetings import services
from medmentor.programs.access import SYSTEM
from tests.meetings.conftest import attached_calendars

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def series(program, senior, junior):
    today = timezone.now().astimezone(program.zone).date()
    return services.series_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior],
        title="Every other Thursday",
        weekday=3,
        local_time=datetime.time(18, 0),
        starts_on=today + datetime.timedelta(days=1),
        interval_weeks=2,
        count=4,
    )


def test_the_new_organizer_organizes_the_meetings_to_come(series, junior, director):
    services.series_organizer_change(series=series, organizer=junior, by=director)

    series.refresh_from_db()
    assert series.organizer_id == junior.pk and series.sequence == 1
    assert set(series.meetings.values_list("organizer", flat=True)) == {junior.pk}
    update = attached_calendars(person=junior)[-1]
    (event,) = update.walk("VEVENT")
    assert update["METHOD"] == "REQUEST" and event["SEQUENCE"] == 1
    assert str(event["ORGANIZER"]) == "mailto:junior@lakeside.test"
    # They may now change the series themselves.
    services.series_date_skip(series=series, by=junior, on=series.meetings.first().occurrence_on)


def test_someone_not_invited_cannot_organize_it(series, other_junior):
    with pytest.raises(services.MeetingError, match="is not invited"):
        services.series_organizer_change(series=series, organizer=other_junior, by=SYSTEM)
    series.refresh_from_db()
    assert series.sequence == 0


def test_a_participant_cannot_take_the_series_over(series, junior):
    with pytest.raises(PermissionDenied):
        services.series_organizer_change(series=series, organizer=junior, by=junior)
    series.refresh_from_db()
    assert series.organizer_id != junior.pk
