"""Issue 9, attacks 4 and 5, replayed through the real stack: pages with the test
client, the API with a Bearer token, the console through call_command, the admin.

4. A coordinator of one program changed people of another program through a roster
   import (names and training levels of another program's junior and director),
   replaced the director's roles with "junior" (the director then got 403), and made
   themself director.
5. The admin was a back door: the demo director was a superuser, set a junior's
   password at /admin/people/person/<id>/password/, signed in as her and saw her
   private choices; the admin person page showed each learner's last sign-in.

Each test is named after the attack it stops; staff act between two renders, and the
test proves the act is refused and that what others see did not change.
"""

import datetime
import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from medmentor.messaging.models import OutboxMessage
from medmentor.people.models import Person
from medmentor.people.services import api_token_create
from medmentor.programs.models import Enrollment, Program, ProgramKind, Role
from tests.conftest import make_person
from tests.programs.files import roster

pytestmark = pytest.mark.usefixtures("fast_passwords")

ATTACKER_PASSWORD = "i-am-the-junior-now"  # noqa: S105 - what the attacker tries to set


@pytest.fixture
def other_program(institution):
    return Program.objects.create(
        name="Radiology near-peer",
        slug="radiology",
        kind=ProgramKind.CASE_REVIEW,
        institution=institution,
        starts_on=datetime.date(2026, 11, 2),
    )


@pytest.fixture
def other_director(other_program, institution):
    person = make_person("rad.director@lakeside.test", "Rita Radiology", "faculty", institution)
    Enrollment.objects.create(program=other_program, person=person, role=Role.DIRECTOR)
    return person


@pytest.fixture
def other_junior(other_program, institution):
    person = make_person("rad.junior@lakeside.test", "Remy Resident", "R1", institution)
    Enrollment.objects.create(program=other_program, person=person, role=Role.JUNIOR)
    return person


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("roster.csv", content, content_type="text/csv")


def _page_preview(client, program, content: bytes):
    url = reverse("roster-import", args=[program.slug])
    return client.post(url, {"action": "preview", "file": _upload(content)})


def _api_import(client, person, program, content: bytes, *, apply: bool):
    token = api_token_create(person=person, name="script")
    return client.post(
        f"/api/programs/{program.slug}/roster",
        {"file": _upload(content), "apply": "true" if apply else "false"},
        headers={"Authorization": f"Bearer {token}"},
    )


def _console_import(program, content: bytes, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    call_command("import_roster", program.slug, str(path))


def _people_as_seen_by(client, person, program) -> bytes:
    """The program's people as its director sees them in the API: names, levels, roles."""
    client.force_login(person)
    answer = client.get(f"/api/programs/{program.slug}/people", {"limit": 200})
    client.logout()
    assert answer.status_code == 200
    return answer.content


def _roles(person, program) -> set[str]:
    return set(
        Enrollment.objects.filter(person=person, program=program).values_list("role", flat=True)
    )


def test_a_coordinator_cannot_rename_or_relevel_another_programs_junior_and_director(
    client, program, coordinator, director, other_program, other_director, other_junior, tmp_path
):
    before = _people_as_seen_by(client, other_director, other_program)
    attack = roster(
        [other_junior.email, "Renamed Junior", "R5", "junior"],
        [other_director.email, "Renamed Director", "MS1", "junior"],
    )

    client.force_login(coordinator)
    page = _page_preview(client, program, attack)
    text = page.content.decode()
    assert page.status_code == 400
    assert "Confirm and import" not in text
    for row, email in ((2, other_junior.email), (3, other_director.email)):
        assert f"Row {row}, column full_name: {email} is also enrolled in another program" in text
    api = _api_import(client, coordinator, program, attack, apply=True)
    assert api.status_code == 400
    assert not api.json()["applied"]
    assert [problem["row"] for problem in api.json()["problems"]] == [2, 3]
    with pytest.raises(CommandError, match="nothing was imported"):
        _console_import(program, attack, tmp_path)  # operations: the rule holds there too

    assert _people_as_seen_by(client, other_director, other_program) == before
    other_junior.refresh_from_db()
    assert (other_junior.full_name, other_junior.training_level) == ("Remy Resident", "R1")
    assert not Enrollment.objects.filter(program=program, person=other_junior).exists()


def test_a_roster_import_leaves_the_roles_of_another_programs_director_unchanged(
    client, program, director, other_program, other_director, tmp_path
):
    before = _people_as_seen_by(client, other_director, other_program)
    # The other program's director, by their name as medmentor has it, as a junior here:
    # allowed, and only their enrollment in this program changes.
    content = roster([other_director.email, other_director.full_name, "faculty", "junior"])

    client.force_login(director)
    answer = _api_import(client, director, program, content, apply=True)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["applied"]

    assert _roles(other_director, program) == {Role.JUNIOR}
    assert _roles(other_director, other_program) == {Role.DIRECTOR}
    assert _people_as_seen_by(client, other_director, other_program) == before
    client.force_login(other_director)
    assert client.get(reverse("program-weeks", args=[other_program.slug])).status_code == 200


def test_a_coordinator_cannot_make_themself_director_by_roster_import(
    client, program, coordinator, director
):
    attack = roster(
        [coordinator.email, coordinator.full_name, "other", "director"],
        [director.email, director.full_name, "faculty", "director"],
    )
    client.force_login(coordinator)
    page = _page_preview(client, program, attack)
    assert page.status_code == 400
    assert (
        f"Row 2, column role: {coordinator.email} is you: nobody changes their own roles by import"
        in page.content.decode()
    )
    # Nor grant director to a new accomplice, by the page or the API.
    accomplice = roster(["friend@lakeside.test", "Fay Friend", "other", "director"])
    page = _page_preview(client, program, accomplice)
    assert "as a coordinator you cannot give the role director" in page.content.decode()
    api = _api_import(client, coordinator, program, accomplice, apply=True)
    assert api.status_code == 400
    assert "only a director of the program grants director" in api.json()["problems"][0]["reason"]

    assert _roles(coordinator, program) == {Role.COORDINATOR}
    assert not Person.objects.filter(email="friend@lakeside.test").exists()
    client.force_login(coordinator)
    assert client.get(reverse("admin:index")).status_code == 302  # not staff either


def test_demoting_the_last_director_to_junior_is_refused_everywhere(
    client, program, coordinator, director, operations, tmp_path
):
    client.force_login(director)
    weeks = reverse("program-weeks", args=[program.slug])
    assert client.get(weeks).status_code == 200
    attack = roster([director.email, director.full_name, "faculty", "junior"])

    client.force_login(coordinator)
    page = _page_preview(client, program, attack)
    assert page.status_code == 400
    assert "as a coordinator you cannot take away the role director" in (page.content.decode())
    api = _api_import(client, coordinator, program, attack, apply=True)
    assert api.status_code == 400
    # Operations at the console may change any role, but not leave the program directorless.
    with pytest.raises(CommandError, match="nothing was imported"):
        _console_import(program, attack, tmp_path)
    # The admin: enrollments are read-only, and the person cannot be deleted.
    client.force_login(operations)
    enrollment = Enrollment.objects.get(program=program, person=director)
    assert (
        client.get(reverse("admin:programs_enrollment_delete", args=[enrollment.pk])).status_code
        == 403
    )
    refused = client.post(
        reverse("admin:people_person_delete", args=[director.pk]), {"post": "yes"}
    )
    assert "would be left without a director" in refused.content.decode()
    assert Person.objects.filter(pk=director.pk).exists()

    assert _roles(director, program) == {Role.DIRECTOR}
    client.force_login(director)
    assert client.get(weeks).status_code == 200


def test_the_operations_superuser_cannot_set_a_learners_password_in_the_admin(
    client, program, junior, operations
):
    stored = Person.objects.get(pk=junior.pk).password
    client.force_login(operations)
    url = f"/admin/people/person/{junior.pk}/password/"

    assert client.get(url).status_code == 403
    attempt = client.post(
        url,
        {"password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD, "usable_password": "true"},
    )
    assert attempt.status_code == 403
    change_page = client.get(reverse("admin:people_person_change", args=[junior.pk])).content
    assert b"/password/" not in change_page

    assert Person.objects.get(pk=junior.pk).password == stored
    client.logout()
    assert not client.login(username=junior.email, password=ATTACKER_PASSWORD)


def test_no_admin_path_yields_a_session_as_a_learner(client, program, junior, operations):
    client.force_login(operations)
    # Pointing the learner's email at the attacker's address (then asking for a sign-in
    # link) would sign the attacker in as her: the email cannot be changed.
    change_url = reverse("admin:people_person_change", args=[junior.pk])
    client.post(
        change_url,
        {
            "email": "attacker@evil.test",
            "full_name": junior.full_name,
            "training_level": junior.training_level,
            "is_active": "on",
            "date_joined_0": "2026-11-02",
            "date_joined_1": "00:00:00",
        },
    )
    assert Person.objects.get(pk=junior.pk).email == junior.email
    # Making the learner staff would let anyone who knows her password into the admin.
    made_staff = client.post(
        change_url,
        {
            "full_name": junior.full_name,
            "training_level": junior.training_level,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    assert "is enrolled in a program, so they cannot be made staff or superuser" in (
        made_staff.content.decode()
    )
    # A new learner added in the admin gets a sign-in link, never a password set for her.
    add_page = client.get(reverse("admin:people_person_add")).content.decode()
    assert "password1" not in add_page and "usable_password" not in add_page
    client.post(
        reverse("admin:people_person_add"),
        {
            "email": "new.junior@lakeside.test",
            "full_name": "Nia New",
            "training_level": "R1",
            "password1": ATTACKER_PASSWORD,
            "password2": ATTACKER_PASSWORD,
            "usable_password": "true",
        },
    )
    newcomer = Person.objects.get(email="new.junior@lakeside.test")
    assert not newcomer.has_usable_password()
    assert OutboxMessage.objects.filter(to_email=newcomer.email).count() == 1

    junior.refresh_from_db()
    assert not (junior.is_staff or junior.is_superuser)
    client.logout()
    assert not client.login(username=newcomer.email, password=ATTACKER_PASSWORD)


_CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+')


def _admin_pages_about(client, person) -> dict[str, tuple[int, bytes]]:
    pages = {}
    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages[f"{opts.label} list"] = reverse(f"{name}_changelist")
    for view in ("change", "history", "delete"):
        pages[f"person {view}"] = reverse(f"admin:people_person_{view}", args=[person.pk])
    pages["person list, searched"] = reverse("admin:people_person_changelist") + "?q=junior"
    answers = {}
    for label, url in pages.items():
        response = client.get(url)
        answers[label] = (response.status_code, _CSRF.sub(rb"\1", response.content))
    return answers


def test_last_sign_in_of_learners_is_not_shown_on_any_admin_page_staff_can_open(
    client, program, director, junior, senior, operations
):
    client.force_login(operations)
    Person.objects.filter(pk=junior.pk).update(last_login=None)
    never = _admin_pages_about(client, junior)

    signed_in = timezone.now() - datetime.timedelta(hours=3)
    Person.objects.filter(pk=junior.pk).update(last_login=signed_in)
    # She also asked for a sign-in link: its email's times would say when.
    anonymous = Client()
    anonymous.post(reverse("sign-in-link-request"), {"email": junior.email})
    assert OutboxMessage.objects.filter(to_email=junior.email).exists()
    after = _admin_pages_about(client, junior)

    assert [label for label in never if never[label] != after[label]] == []
    assert all(status in {200, 403} for status, _ in after.values())
    # Nor can a filter in the address find out, one probe at a time.
    probe = client.get(
        reverse("admin:people_person_changelist"),
        {"last_login__gte": (signed_in - datetime.timedelta(minutes=1)).isoformat()},
    )
    assert probe.status_code == 400


def test_a_director_made_superuser_before_this_rule_is_still_kept_out_of_the_admin(
    client, program, director, junior
):
    # An older demo made its director a superuser; the admin site still refuses them.
    Person.objects.filter(pk=director.pk).update(is_staff=True, is_superuser=True)
    client.force_login(Person.objects.get(pk=director.pk))
    for url in (
        reverse("admin:index"),
        reverse("admin:people_person_change", args=[junior.pk]),
        f"/admin/people/person/{junior.pk}/password/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
