"""Holidays and closures: entered or imported (CSV, .ics), skipped or flagged when
weeks are planned."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.curriculum import closures, services
from medmentor.curriculum.models import Closure, WeekPlan
from medmentor.programs.models import ProgramWeek
from tests.conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _weeks_after(program, first: datetime.date, count: int) -> list[ProgramWeek]:
    return [
        ProgramWeek.objects.create(program=program, starts_on=first + datetime.timedelta(weeks=n))
        for n in range(1, count + 1)
    ]


def test_a_week_closed_on_every_service_day_is_skipped_and_the_turn_moves_on(
    program, director, case_week
):
    coming, closed, after = _weeks_after(program, case_week.week.starts_on, 3)
    services.closure_add(
        program=program,
        by=director,
        name="Winter break",
        starts_on=closed.starts_on,
        ends_on=closed.starts_on + datetime.timedelta(days=4),
    )
    services.week_plans_assign(program=program)
    plans = {plan.program_week_id: plan.curriculum_week.number for plan in WeekPlan.objects.all()}
    # This week teaches week 1, the next week 2; the closed week nothing; the one after
    # it week 1 again (two curriculum weeks), as the closed week would have.
    assert plans[coming.id] == 2
    assert closed.id not in plans
    assert plans[after.id] == 1


def test_a_partly_closed_week_is_planned_and_flagged(client, program, director, case_week):
    (coming,) = _weeks_after(program, case_week.week.starts_on, 1)
    thursday = coming.starts_on + datetime.timedelta(days=3)
    services.closure_add(program=program, by=director, name="Thanksgiving", starts_on=thursday)
    services.week_plans_assign(program=program)
    assert WeekPlan.objects.filter(program_week=coming).exists()
    sign_in(client, director)
    page = client.get(reverse("program-calendar", kwargs={"slug": program.slug})).content.decode()
    assert "4 of 5 service days open" in page
    assert f"{thursday:%a %-d %b} (Thanksgiving)" in page


def test_a_last_day_before_the_first_is_refused_by_name(client, program, director, case_week):
    sign_in(client, director)
    response = client.post(
        reverse("program-calendar", kwargs={"slug": program.slug}),
        {"name": "Oops", "starts_on": "2026-12-24", "ends_on": "2026-12-20"},
    )
    assert response.status_code == 400
    assert "Last day: 20 December 2026 is before the first, 24 December 2026." in (
        response.content.decode()
    )
    assert not Closure.objects.exists()


def test_a_csv_is_previewed_then_added_all_or_none(client, program, director, case_week):
    sign_in(client, director)
    url = reverse("program-calendar", kwargs={"slug": program.slug})
    bad = b"name,date,ends_on\nChristmas,2026-12-25,\nNew Year,31/12/2026,\n"
    response = client.post(
        url, {"action": "preview", "file": SimpleUploadedFile("holidays.csv", bad)}
    )
    assert response.status_code == 400
    assert "Row 3, date:" in response.content.decode()
    assert "dates with slashes are read month/day/year (US)" in response.content.decode()
    assert not Closure.objects.exists()
    good = b"name,date,ends_on\nChristmas,2026-12-24,12/25/2026\nNew Year,2027-01-01,\n"
    preview = client.post(
        url, {"action": "preview", "file": SimpleUploadedFile("holidays.csv", good)}
    )
    assert "2 dates to add" in preview.content.decode()
    assert not Closure.objects.exists()
    confirmed = client.post(
        url,
        {
            "action": "confirm",
            "row_name": ["Christmas", "New Year"],
            "row_starts_on": ["2026-12-24", "2027-01-01"],
            "row_ends_on": ["2026-12-25", "2027-01-01"],
        },
    )
    assert confirmed.status_code == 302
    assert list(Closure.objects.values_list("name", "starts_on", "ends_on")) == [
        ("Christmas", datetime.date(2026, 12, 24), datetime.date(2026, 12, 25)),
        ("New Year", datetime.date(2027, 1, 1), datetime.date(2027, 1, 1)),
    ]


def test_a_bad_row_in_a_confirmed_import_writes_nothing(program, director, case_week):
    rows = [
        ("Christmas", datetime.date(2026, 12, 25), datetime.date(2026, 12, 25)),
        ("", datetime.date(2026, 12, 31), datetime.date(2026, 12, 31)),
    ]
    with pytest.raises(ValidationError, match="Row 2: Name"):
        services.closures_import(program=program, by=director, rows=rows)
    assert not Closure.objects.exists()


def test_an_ics_all_day_event_ends_the_day_before_its_dtend():
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:1@test\r\nSUMMARY:Winter break\r\nDTSTART;VALUE=DATE:20261224\r\n"
        b"DTEND;VALUE=DATE:20261228\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:2@test\r\nSUMMARY:Founders day\r\nDTSTART;VALUE=DATE:20270115\r\n"
        b"RRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    read = closures.closures_read(content=ics, file_name="holidays.ics")
    assert read.rows == [
        ("Winter break", datetime.date(2026, 12, 24), datetime.date(2026, 12, 27)),
        ("Founders day", datetime.date(2027, 1, 15), datetime.date(2027, 1, 15)),
    ]
    assert "repeats" in read.notes[0]


@pytest.mark.parametrize("person", ["junior", "senior", "faculty", "researcher"])
def test_only_staff_set_the_calendar(client, request, program, person, case_week):
    sign_in(client, request.getfixturevalue(person))
    url = reverse("program-calendar", kwargs={"slug": program.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x", "starts_on": "2026-12-25"}).status_code == 403
    assert not Closure.objects.exists()
