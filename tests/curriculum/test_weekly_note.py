"""The simple weekly email editor: the week's note and reminders in the fixed parts."""

import datetime

import pytest
from django.urls import reverse

from medmentor.curriculum import weekly_email
from medmentor.curriculum.models import WeeklyNote
from medmentor.programs.models import EmailTemplate, ProgramWeek
from medmentor.programs.services import WeekFinishedError
from tests.conftest import sign_in
from tests.curriculum import test_weekly_email_pages as email_pages
from tests.curriculum.test_weekly_email_pages import _holiday_week_with_only

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

# Everyone of the case week on service this week (the email pages' fixture).
on_service = email_pages.on_service


def _url(program, **query) -> str:
    url = reverse("email-note", kwargs={"slug": program.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_note_and_reminders_go_into_every_email_of_the_week(
    client, program, director, junior, on_service
):
    sign_in(client, director)
    response = client.post(
        _url(program),
        {
            "week": on_service.week.id,
            "note": "Welcome back after the holidays.",
            "reminders": "Journal club on Thursday\n\nBring your badge",
        },
    )
    assert response.status_code == 302
    email = weekly_email.weekly_email_render(program=program, week=on_service.week, person=junior)
    assert "Welcome back after the holidays." in email.text_body
    assert "- Journal club on Thursday\n- Bring your badge" in email.text_body
    assert "<li>Bring your badge</li>" in email.html_body
    page = client.get(response["Location"]).content.decode()
    assert "Welcome back after the holidays." in page  # the preview below the form


def test_the_preview_works_for_a_holiday_week(
    client, program, service, director, other_senior, on_service
):
    holiday = _holiday_week_with_only(program, service, other_senior, on_service.week)
    sign_in(client, director)
    response = client.get(_url(program, week=holiday.id))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{holiday.id}" selected>' in page
    assert f"Hello {other_senior.full_name.split()[0]}" in page


def test_the_preview_works_for_a_week_with_no_one_on_service(client, program, director, on_service):
    empty = ProgramWeek.objects.create(
        program=program, starts_on=on_service.week.starts_on + datetime.timedelta(weeks=3)
    )
    sign_in(client, director)
    response = client.get(_url(program, week=empty.id))
    assert response.status_code == 200
    assert "As " in response.content.decode()


def test_too_many_reminders_are_refused_by_name_and_nothing_is_written(
    client, program, director, on_service
):
    sign_in(client, director)
    response = client.post(
        _url(program),
        {"week": on_service.week.id, "note": "Hi", "reminders": "\n".join(["x"] * 11)},
    )
    assert response.status_code == 400
    assert "Reminders: 11 lines; keep it to 10, one a line." in response.content.decode()
    assert not WeeklyNote.objects.exists()


def test_a_finished_weeks_note_is_not_changed(program, director, on_service):
    past = ProgramWeek.objects.create(
        program=program, starts_on=on_service.week.starts_on - datetime.timedelta(weeks=1)
    )
    with pytest.raises(WeekFinishedError):
        weekly_email.weekly_note_save(week=past, by=director, note="Late", reminders="")
    assert not WeeklyNote.objects.exists()


def test_a_finished_week_shows_its_note_read_only(client, program, director, on_service):
    past = ProgramWeek.objects.create(
        program=program, starts_on=on_service.week.starts_on - datetime.timedelta(weeks=1)
    )
    WeeklyNote.objects.create(program_week=past, note="As it was")
    sign_in(client, director)
    page = client.get(_url(program, week=past.id)).content.decode()
    assert "is over" in page
    assert 'id="note-form"' not in page
    assert "As it was" in page


def test_a_template_that_does_not_show_the_note_is_pointed_out(
    client, program, director, on_service
):
    EmailTemplate.objects.create(
        program=program, key="weekly", subject="Hi", text_body="Hello", html_body=""
    )
    sign_in(client, director)
    assert 'id="note-not-shown"' in client.get(_url(program)).content.decode()


@pytest.mark.parametrize("person", ["junior", "senior", "faculty", "researcher"])
def test_only_staff_write_the_note(client, request, program, person, on_service):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(_url(program)).status_code == 403
    response = client.post(_url(program), {"week": on_service.week.id, "note": "x"})
    assert response.status_code == 403
    assert not WeeklyNote.objects.exists()


def test_a_weeks_closures_are_flagged_beside_its_note(client, program, director, on_service):
    from medmentor.curriculum.services import closure_add

    thursday = on_service.week.starts_on + datetime.timedelta(days=3)
    closure_add(program=program, by=director, name="Thanksgiving", starts_on=thursday)
    sign_in(client, director)
    page = client.get(_url(program, week=on_service.week.id)).content.decode()
    assert "4 of 5 service days open" in page
    assert f"{thursday:%a %-d %b} (Thanksgiving)" in page
