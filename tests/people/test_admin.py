"""The admin: staff only, every program table reachable, people keyed by email."""

import datetime
import html

import pytest
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs.models import EmailTemplate, Enrollment, Pair, ServiceBlock
from medmentor.programs.services import pairs_derive, program_weeks_ensure
from tests.conftest import make_person

MODELS = [
    "people_institution",
    "people_service",
    "people_person",
    "programs_program",
    "programs_enrollment",
    "programs_serviceblock",
    "programs_programweek",
    "programs_pair",
    "programs_emailtemplate",
]


@pytest.fixture
def admin_person(operations):
    return operations


@pytest.fixture
def program_data(program, junior, senior):
    for person in (junior, senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=program.service,
            starts_on=datetime.date(2026, 11, 2),
            ends_on=datetime.date(2026, 11, 6),
        )
    week = program_weeks_ensure(program=program, until=datetime.date(2026, 11, 2))[0]
    pairs_derive(program=program, week=week, today=week.starts_on)  # its history
    EmailTemplate.objects.create(
        program=program, key="weekly", subject="Welcome", text_body="Hi", html_body="<p>Hi</p>"
    )
    return program


@pytest.mark.parametrize("model", MODELS)
def test_staff_see_every_program_table_list_and_search(client, admin_person, program_data, model):
    client.force_login(admin_person)
    url = reverse(f"admin:{model}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "junior"}).status_code == 200


def test_staff_open_a_person_and_a_pair(client, admin_person, program_data, junior):
    client.force_login(admin_person)
    page = client.get(reverse("admin:people_person_change", args=[junior.pk]))
    assert page.status_code == 200
    assert junior.password.split("$")[-1] not in page.content.decode()  # the hash stays hidden
    pair = Pair.objects.get()
    assert client.get(reverse("admin:programs_pair_change", args=[pair.pk])).status_code == 200


def test_people_who_are_not_staff_are_sent_to_the_admin_sign_in(client, director):
    client.force_login(director)  # directs a program, but is not staff
    response = client.get(reverse("admin:programs_pair_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_people_are_sent_to_the_admin_sign_in(client, db):
    response = client.get(reverse("admin:people_person_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permissions_cannot_open_program_tables(client, program, institution):
    clerk = make_person("clerk@lakeside.test", "Cal Clerk", "other", institution)
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    assert client.get(reverse("admin:programs_pair_changelist")).status_code == 403


def test_the_person_page_has_no_password_link_email_field_or_last_sign_in(
    client, admin_person, junior
):
    client.force_login(admin_person)
    page = client.get(reverse("admin:people_person_change", args=[junior.pk])).content.decode()
    assert "/password/" not in page
    assert 'name="email"' not in page and junior.email in page  # shown, not editable
    assert "last_login" not in page and "Last login" not in page


def test_setting_a_password_is_refused_in_words_even_for_an_account_without_enrollment(
    client, admin_person, institution
):
    clerk = make_person("clerk@lakeside.test", "Cal Clerk", "other", institution)
    client.force_login(admin_person)
    response = client.get(f"/admin/people/person/{clerk.pk}/password/")
    assert response.status_code == 403
    assert "does not let anyone set another person's password" in html.unescape(
        response.content.decode()
    )


def test_operations_change_their_own_password_on_the_admins_own_page(client, admin_person):
    client.force_login(admin_person)
    assert client.get(reverse("admin:password_change")).status_code == 200


def test_enrolled_people_cannot_be_made_staff_but_an_operations_account_can(
    client, admin_person, junior, institution
):
    clerk = make_person("clerk@lakeside.test", "Cal Clerk", "other", institution)
    client.force_login(admin_person)
    for person, allowed in ((junior, False), (clerk, True)):
        client.post(
            reverse("admin:people_person_change", args=[person.pk]),
            {
                "full_name": person.full_name,
                "training_level": person.training_level,
                "is_active": "on",
                "is_staff": "on",
            },
        )
        person.refresh_from_db()
        assert person.is_staff is allowed


def test_a_person_who_is_not_the_last_director_is_deleted_with_their_enrollments(
    client, admin_person, program, director, junior
):
    client.force_login(admin_person)
    response = client.post(reverse("admin:people_person_delete", args=[junior.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=junior.pk).exists()
    # A whole program goes with its enrollments, directors included.
    response = client.post(
        reverse("admin:programs_program_delete", args=[program.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Enrollment.objects.filter(program_id=program.pk).exists()


def test_enrollments_are_shown_but_not_changed_in_the_admin(client, admin_person, junior):
    client.force_login(admin_person)
    enrollment = Enrollment.objects.get(person=junior)
    assert client.get(reverse("admin:programs_enrollment_changelist")).status_code == 200
    page = client.get(reverse("admin:programs_enrollment_change", args=[enrollment.pk]))
    assert page.status_code == 200 and b'name="role"' not in page.content
    assert client.get(reverse("admin:programs_enrollment_add")).status_code == 403
    posted = client.post(
        reverse("admin:programs_enrollment_change", args=[enrollment.pk]), {"role": "director"}
    )
    assert posted.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.role == "junior"
