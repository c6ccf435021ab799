"""The director's pages: roster and schedule import, weeks and pairs — and who may open them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs import forms
from medmentor.programs.models import Pair, PairOrigin, ServiceBlock
from medmentor.programs.services import pairs_derive, program_weeks_ensure
from tests.conftest import coming_monday
from tests.programs.files import roster, schedule

GOOD_ROSTER = roster(
    ["ana@lakeside.test", "Ana Alvarez", "R1", "junior"],
    ["ben@lakeside.test", "Ben Brown", "R3", "senior"],
)
BAD_ROSTER = roster(
    ["ana@lakeside.test", "Ana Alvarez", "R1", "junior"],
    ["ben@lakeside.test", "Ben Brown", "R9", "senior"],
    ["", "No Email", "R1", "junior"],
)


def upload(content, name="roster.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def preview(client, url, content, name="roster.csv"):
    return client.post(url, {"action": "preview", "file": upload(content, name)})


def confirm(client, url, response):
    return client.post(url, {"action": "apply", "digest": response.context["digest"]})


@pytest.fixture
def everyone(director, coordinator, faculty, researcher, senior, junior, outsider):
    return {
        "director": director,
        "coordinator": coordinator,
        "faculty": faculty,
        "researcher": researcher,
        "senior": senior,
        "junior": junior,
        "outsider": outsider,
    }


@pytest.fixture
def a_pair(program, junior, senior):
    """A pair of next week: one whose pairs the director may still change."""
    monday = coming_monday(program)
    for person in (junior, senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=program.service,
            starts_on=monday,
            ends_on=monday + datetime.timedelta(days=4),
        )
    week = program_weeks_ensure(program=program, until=monday)[-1]
    return pairs_derive(program=program, week=week).pairs[0]


def page_requests(program, pair):
    week_id = pair.week_id
    return [
        ("get", reverse("roster-import", args=[program.slug]), {}),
        ("get", reverse("schedule-import", args=[program.slug]), {}),
        ("get", reverse("program-weeks", args=[program.slug]), {}),
        (
            "post",
            reverse("pair-add", args=[program.slug]),
            {"week": week_id, "junior": pair.junior_id, "senior": pair.senior_id},
        ),
        ("post", reverse("pair-remove", args=[program.slug, pair.id]), {}),
    ]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("director", True),
        ("coordinator", True),
        ("faculty", False),
        ("researcher", False),
        ("senior", False),
        ("junior", False),
        ("outsider", False),
    ],
)
def test_only_directors_and_coordinators_open_the_pages(
    client, program, everyone, a_pair, role, allowed
):
    client.force_login(everyone[role])
    for method, url, data in page_requests(program, a_pair):
        response = getattr(client, method)(url, data)
        if allowed:
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 403, url
    if not allowed:
        a_pair.refresh_from_db()
        assert not a_pair.is_removed


def test_anonymous_people_are_sent_to_sign_in(client, program, a_pair):
    for method, url, data in page_requests(program, a_pair):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("sign-in") + "?next=")
    assert Pair.objects.filter(is_removed=False).count() == 1


def test_unknown_program_is_not_found(client, director):
    client.force_login(director)
    assert client.get(reverse("roster-import", args=["no-such"])).status_code == 404


def test_bad_roster_shows_each_problem_by_row_and_column_and_creates_nobody(
    client, program, director
):
    client.force_login(director)
    url = reverse("roster-import", args=[program.slug])
    people = Person.objects.count()
    response = preview(client, url, BAD_ROSTER)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing will be imported: the file has 2 problems" in page
    assert "Row 3, column training_level: unknown training level “R9”" in page
    assert "Row 4, column email: missing email" in page
    assert 'data-column="training_level"' in page
    assert "Confirm and import" not in page
    assert Person.objects.count() == people


def test_good_roster_is_previewed_then_imported_on_confirm(client, program, director):
    client.force_login(director)
    url = reverse("roster-import", args=[program.slug])
    response = preview(client, url, GOOD_ROSTER)
    assert response.status_code == 200
    assert "2 to create" in response.content.decode()
    assert not Person.objects.filter(email="ana@lakeside.test").exists()

    done = confirm(client, url, response)
    assert done.status_code == 302
    assert Person.objects.filter(email__in=["ana@lakeside.test", "ben@lakeside.test"]).count() == 2
    message = client.get(url).content.decode()
    assert "Imported “roster.csv”: 2 created, 0 updated, 0 unchanged." in message


def test_confirm_applies_the_previewed_file_not_a_new_upload(client, program, director):
    client.force_login(director)
    url = reverse("roster-import", args=[program.slug])
    response = preview(client, url, GOOD_ROSTER)
    other = upload(roster(["zed@lakeside.test", "Zed", "R1", "junior"]))
    client.post(url, {"action": "apply", "digest": response.context["digest"], "file": other})
    assert Person.objects.filter(email="ana@lakeside.test").exists()
    assert not Person.objects.filter(email="zed@lakeside.test").exists()


def test_confirm_with_a_stale_or_forged_digest_imports_nothing(client, program, director):
    client.force_login(director)
    url = reverse("roster-import", args=[program.slug])
    preview(client, url, GOOD_ROSTER)
    response = client.post(url, {"action": "apply", "digest": "0" * 64}, follow=True)
    assert "no longer waiting to be imported" in response.content.decode()
    assert not Person.objects.filter(email="ana@lakeside.test").exists()


def test_confirming_twice_imports_once(client, program, director):
    client.force_login(director)
    url = reverse("roster-import", args=[program.slug])
    response = preview(client, url, GOOD_ROSTER)
    assert confirm(client, url, response).status_code == 302
    again = client.post(url, {"action": "apply", "digest": response.context["digest"]}, follow=True)
    assert "no longer waiting" in again.content.decode()


def test_reimporting_the_same_roster_has_nothing_to_confirm(client, program, director):
    client.force_login(director)
    url = reverse("roster-import", args=[program.slug])
    confirm(client, url, preview(client, url, GOOD_ROSTER))
    response = preview(client, url, GOOD_ROSTER)
    page = response.content.decode()
    assert "2 unchanged" in page
    assert "there is nothing to import" in page


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "roster.xlsx",
            b"PK\x03\x04\x14\x00garbage" * 10,
            "could not be read as an Excel workbook",
        ),
        ("roster.png", b"\x89PNG\r\n\x1a\n", "is not a .csv or .xlsx file"),
        ("roster.csv", b"", "The submitted file is empty"),
        ("roster.csv", b"email,full_name\n", "no rows of data"),
        ("roster.csv", b"name,level\nAna,R1\n", "missing required column “email”"),
    ],
)
def test_unusable_uploads_get_a_clear_message_never_a_server_error(
    client, program, director, name, content, words
):
    client.force_login(director)
    url = reverse("roster-import", args=[program.slug])
    response = preview(client, url, content, name)
    assert response.status_code == 400
    assert words in response.content.decode()


def test_upload_without_a_file_or_too_large_is_refused(client, program, director, monkeypatch):
    client.force_login(director)
    url = reverse("roster-import", args=[program.slug])
    assert client.post(url, {"action": "preview"}).status_code == 400
    monkeypatch.setattr(forms, "MAX_IMPORT_BYTES", 10)
    response = preview(client, url, GOOD_ROSTER)
    assert response.status_code == 400
    assert "Split it into smaller files." in response.content.decode()


def test_schedule_import_page_applies_and_shows_the_weeks(
    client, program, director, junior, senior
):
    client.force_login(director)
    url = reverse("schedule-import", args=[program.slug])
    monday = coming_monday(program)
    content = schedule(
        [junior.email, "", monday.isoformat(), (monday + datetime.timedelta(11)).isoformat()],
        [senior.email, "", monday.isoformat(), (monday + datetime.timedelta(4)).isoformat()],
    )
    response = preview(client, url, content, "schedule.csv")
    assert response.status_code == 200
    done = confirm(client, url, response)
    assert done["Location"] == reverse("program-weeks", args=[program.slug])
    page = client.get(done["Location"]).content.decode()
    assert "Jo Junior with Sam Senior" in page
    assert "Jo Junior has no senior on service this week." in page


def test_schedule_with_unknown_person_is_shown_and_not_imported(client, program, director):
    client.force_login(director)
    url = reverse("schedule-import", args=[program.slug])
    content = schedule(["stranger@x.test", "", "2026-11-02", "2026-11-13"])
    response = preview(client, url, content, "schedule.csv")
    assert response.status_code == 400
    assert "Row 2, column email: unknown person: stranger@x.test" in response.content.decode()
    assert ServiceBlock.objects.count() == 0


def test_director_removes_and_adds_pairs_from_the_weeks_page(
    client, program, director, a_pair, other_senior
):
    client.force_login(director)
    weeks_url = reverse("program-weeks", args=[program.slug])
    response = client.post(reverse("pair-remove", args=[program.slug, a_pair.id]))
    assert response["Location"] == f"{weeks_url}#week-{a_pair.week_id}"
    a_pair.refresh_from_db()
    assert a_pair.is_removed
    assert "Jo Junior has no senior on service this week." in client.get(weeks_url).content.decode()

    client.post(
        reverse("pair-add", args=[program.slug]),
        {"week": a_pair.week_id, "junior": a_pair.junior_id, "senior": other_senior.id},
    )
    added = Pair.objects.get(senior=other_senior)
    assert (added.origin, added.is_removed) == (PairOrigin.DIRECTOR, False)
    page = client.get(weeks_url).content.decode()
    assert "Jo Junior with Sasha Senior" in page
    assert "has no senior" not in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"week": "x", "junior": "y", "senior": "z"},
        {"week": "999999", "junior": "{junior}", "senior": "{senior}"},
        {"week": "{week}", "junior": "{senior}", "senior": "{senior}"},
        {"week": "{week}", "junior": "{outsider}", "senior": "{senior}"},
    ],
)
def test_bad_pair_requests_add_nothing_and_say_why(
    client, program, director, a_pair, outsider, data
):
    client.force_login(director)
    values = {
        "{week}": a_pair.week_id,
        "{junior}": a_pair.junior_id,
        "{senior}": a_pair.senior_id,
        "{outsider}": outsider.id,
    }
    data = {key: values.get(value, value) for key, value in data.items()}
    response = client.post(reverse("pair-add", args=[program.slug]), data, follow=True)
    assert response.status_code == 200
    assert "The pair was not added" in response.content.decode()
    assert Pair.objects.count() == 1


def test_pairs_of_another_program_cannot_be_removed(client, program, director, a_pair, outsider):
    other_program = outsider.enrollments.get().program
    client.force_login(director)
    response = client.post(reverse("pair-remove", args=[other_program.slug, a_pair.id]))
    assert response.status_code == 403
    response = client.post(reverse("pair-remove", args=[program.slug, a_pair.id + 1000]))
    assert response.status_code == 404


def test_pair_pages_refuse_get(client, program, director, a_pair):
    client.force_login(director)
    assert client.get(reverse("pair-add", args=[program.slug])).status_code == 405


def test_cancel_drops_the_waiting_preview(client, program, director):
    client.force_login(director)
    url = reverse("roster-import", args=[program.slug])
    response = preview(client, url, GOOD_ROSTER)
    client.post(url, {"action": "cancel"})
    late = client.post(url, {"action": "apply", "digest": response.context["digest"]}, follow=True)
    assert "no longer waiting" in late.content.decode()
    assert not Person.objects.filter(email="ana@lakeside.test").exists()
