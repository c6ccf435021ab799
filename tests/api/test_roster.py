"""POST /api/programs/{slug}/roster: the roster import, with the page's rules."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from medmentor.people.models import Person
from medmentor.programs import forms
from medmentor.programs.models import Enrollment, Role
from medmentor.programs.services import import_column_mapping_save
from tests.programs.files import csv_bytes, roster
from tests.programs.test_roster_column_mapping import US_GME_HEADER, US_GME_ROWS

pytestmark = pytest.mark.usefixtures("fast_passwords")

URL = "/api/programs/nm-must-see/roster"
GOOD = roster(["ana@lakeside.test", "Ana Alvarez", "R1", "junior"])


def _send(call, who, content=GOOD, *, apply=False, url=URL):
    upload = SimpleUploadedFile("roster.csv", content, content_type="text/csv")
    return call(who, "post", url, data={"file": upload, "apply": "true" if apply else "false"})


def test_a_director_previews_then_imports_with_a_token(call, program, director):
    preview = _send(call, ("token", director))
    assert preview.status_code == 200
    assert preview.json()["applied"] is False
    assert preview.json()["rows"] == [{"row": 2, "action": "create", "changes": []}]
    assert not Person.objects.filter(email="ana@lakeside.test").exists()

    done = _send(call, ("token", director), apply=True)
    assert done.status_code == 200 and done.json()["applied"] is True
    assert Enrollment.objects.filter(
        program=program, person__email="ana@lakeside.test", role=Role.JUNIOR
    ).exists()


def test_problems_come_back_row_by_row_with_400_and_nothing_is_written(call, director):
    content = roster(["ana@lakeside.test", "Ana", "R1", "junior"], ["bad", "Bo", "R9", "junior"])
    answer = _send(call, ("token", director), content, apply=True)
    assert answer.status_code == 400
    body = answer.json()
    assert body["applied"] is False
    assert [(p["row"], p["column"]) for p in body["problems"]] == [
        (3, "email"),
        (3, "training_level"),
    ]
    assert body["problems"][0]["message"].startswith("Row 3, column email:")
    assert not Person.objects.filter(email="ana@lakeside.test").exists()


@pytest.mark.parametrize("who", ["faculty", "researcher", "senior", "junior"])
def test_people_who_do_not_run_the_program_get_403(call, people, who):
    answer = _send(call, ("token", people[who]), apply=True)
    assert answer.status_code == 403
    assert "directors and coordinators" in answer.json()["detail"]
    assert not Person.objects.filter(email="ana@lakeside.test").exists()


def test_a_program_one_is_not_in_is_404_and_anonymous_is_401(call, outsider):
    assert _send(call, ("token", outsider), apply=True).status_code == 404
    assert _send(call, None, apply=True).status_code == 401


def test_a_file_over_the_limit_is_refused_in_words(call, director, monkeypatch):
    monkeypatch.setattr(forms, "MAX_IMPORT_BYTES", 10)
    monkeypatch.setattr("medmentor.api.routers.roster.MAX_IMPORT_BYTES", 10)
    answer = _send(call, ("token", director), apply=True)
    assert answer.status_code == 422
    assert "the limit is" in answer.json()["detail"]


def test_a_coordinator_cannot_grant_director_over_the_api(call, coordinator):
    content = roster(["pal@lakeside.test", "Pal", "other", "director"])
    answer = _send(call, ("token", coordinator), content, apply=True)
    assert answer.status_code == 400
    assert answer.json()["problems"][0]["reason"].startswith(
        "as a coordinator you cannot give the role director"
    )


def test_the_programs_column_step_holds_for_the_api_too(call, program, director):
    content = csv_bytes([US_GME_HEADER, *US_GME_ROWS])
    refused = _send(call, ("token", director), content, apply=True)
    assert refused.status_code == 400
    assert [p["column"] for p in refused.json()["problems"]] == ["role"]

    import_column_mapping_save(
        program=program,
        kind="roster",
        choices={"mentorship_role": "role", "npi": ""},
        headings={},
        slash_dates="month-first",
        by=director,
    )
    done = _send(call, ("token", director), content, apply=True)

    assert done.status_code == 200 and done.json()["applied"] is True
    assert Enrollment.objects.filter(
        program=program, person__email="thu.nguyen@lakeside.test", role=Role.SENIOR
    ).exists()
