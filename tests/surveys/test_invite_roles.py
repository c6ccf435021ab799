"""The director chooses which roles of the program a wave invites; the worker then
emails each chosen person once, over a real SMTP server."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from medmentor.programs.models import Enrollment, Role
from medmentor.surveys.models import Invitation
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _url(survey, wave) -> str:
    return reverse(
        "survey-invite",
        kwargs={"slug": survey.program.slug, "instrument_id": survey.pk, "wave_id": wave.pk},
    )


@pytest.fixture
def everyone(director, coordinator, faculty, researcher, senior, other_senior, junior):
    return None


def test_the_invite_page_offers_the_roles_present_with_counts_learners_checked(
    client, survey, director, everyone
):
    wave = survey.waves.get(kind="pre")
    sign_in(client, director)
    page = client.get(_url(survey, wave)).content.decode()
    assert "Junior (mentee): 1 person" in page
    assert "Senior (mentor): 2 people" in page
    assert "Faculty: 1 person" in page and "Researcher: 1 person" in page
    assert 'value="junior" id="role-junior" checked' in page
    assert 'value="senior" id="role-senior" checked' in page
    assert 'value="faculty" id="role-faculty">' in page  # not checked
    # Counts only: nobody's name or address.
    assert "Sam Senior" not in page and "junior@lakeside.test" not in page


def test_the_chosen_roles_get_exactly_one_email_each(
    client, settings, smtp_server, survey, director, everyone, senior
):
    # The senior is also a researcher here: two of the chosen roles, one invitation.
    Enrollment.objects.create(program=survey.program, person=senior, role=Role.RESEARCHER)
    wave = survey.waves.get(kind="pre")
    sign_in(client, director)
    response = client.post(_url(survey, wave), {"roles": ["senior", "researcher"]})
    assert response.status_code == 302
    call_command("worker", "--once", "--hook", "survey-emails")
    recipients = sorted(message["To"].addresses[0].addr_spec for message in smtp_server.messages)
    assert recipients == [
        "researcher@lakeside.test",
        "senior2@lakeside.test",
        "senior@lakeside.test",
    ]
    # Inviting the juniors later adds only them; nobody gets a second invitation.
    client.post(_url(survey, wave), {"roles": ["junior", "senior"]})
    call_command("worker", "--once", "--hook", "survey-emails")
    recipients = sorted(message["To"].addresses[0].addr_spec for message in smtp_server.messages)
    assert recipients == [
        "junior@lakeside.test",
        "researcher@lakeside.test",
        "senior2@lakeside.test",
        "senior@lakeside.test",
    ]


def test_the_page_counts_who_is_already_invited(client, survey, director, everyone):
    wave = survey.waves.get(kind="pre")
    sign_in(client, director)
    client.post(_url(survey, wave), {"roles": ["senior"]})
    page = client.get(_url(survey, wave)).content.decode()
    assert "Senior (mentor): 2 people, 2 already invited" in page
    assert "Junior (mentee): 1 person<" in page.replace("</label>", "<")


def test_no_role_chosen_is_refused_with_a_message_and_invites_nobody(
    client, survey, director, everyone
):
    wave = survey.waves.get(kind="pre")
    sign_in(client, director)
    response = client.post(_url(survey, wave), {})
    assert response.status_code == 422
    assert "Choose at least one role to invite." in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_unknown_role_is_named_and_invites_nobody(client, survey, director, everyone):
    wave = survey.waves.get(kind="pre")
    sign_in(client, director)
    response = client.post(_url(survey, wave), {"roles": ["junior", "janitor"]})
    assert response.status_code == 422
    assert "“janitor” is not a role in a program." in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("person", ["faculty", "researcher", "junior", "outsider"])
def test_only_directors_and_coordinators_may_invite(client, survey, everyone, person, request):
    wave = survey.waves.get(kind="pre")
    sign_in(client, request.getfixturevalue(person))
    assert client.get(_url(survey, wave)).status_code == 403
    assert client.post(_url(survey, wave), {"roles": ["junior"]}).status_code == 403
    assert not Invitation.objects.exists()
