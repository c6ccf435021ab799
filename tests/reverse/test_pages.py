"""The reverse mentoring kind in the site: the home page's items and links, the
program menu, and the shared pages of a reverse mentoring program."""

import pytest
from django.urls import reverse

from medmentor.programs import kinds
from tests.conftest import sign_in
from tests.reverse.world import give_all, review_and_release


def test_the_kind_registers_its_landing_page_and_evaluation(world):
    menu = [entry.url_name for entry in kinds.program_menu(world.program)]
    assert menu[0] == "reverse-home" and "reverse-report" in menu
    assert kinds.learner_landing(world.program) == "reverse-home"


@pytest.mark.parametrize("who", ["director", "facilitator", "mentor", "consultant"])
def test_the_home_page_opens_for_each_role(client, world, who):
    sign_in(client, getattr(world, who))
    assert client.get(reverse("home")).status_code == 200


def test_a_fellow_is_told_on_the_home_page_which_feedback_waits(client, world):
    sign_in(client, world.fellows[2])
    body = client.get(reverse("home")).content.decode()
    assert "Feedback to give on 1 consultant you work with." in body


def test_a_consultant_without_consent_is_asked_for_it(client, world_without_consent):
    world = world_without_consent
    sign_in(client, world.consultant)
    assert (
        "Reverse mentoring asks for your consent." in client.get(reverse("home")).content.decode()
    )
    page = client.get(reverse("reverse-home", kwargs={"slug": world.program.slug}))
    assert "I consent to take part" in page.content.decode()
    client.post(reverse("reverse-consent", kwargs={"slug": world.program.slug}))
    page = client.get(reverse("reverse-home", kwargs={"slug": world.program.slug}))
    assert "You consented" in page.content.decode()


def test_a_consultant_is_told_when_their_pooled_feedback_is_ready(client, world):
    give_all(world)
    review_and_release(world)
    sign_in(client, world.consultant)
    assert (
        "Your pooled feedback from the fellows is ready."
        in client.get(reverse("home")).content.decode()
    )


@pytest.mark.parametrize("name", ["program-detail", "meetings", "survey-list", "roster-import"])
def test_the_shared_pages_open_for_the_director(client, world, name):
    sign_in(client, world.director)
    assert client.get(reverse(name, kwargs={"slug": world.program.slug})).status_code == 200


def test_the_labels_are_the_kinds_own(client, world):
    sign_in(client, world.mentor)
    body = client.get(reverse("reverse-home", kwargs={"slug": world.program.slug})).content
    assert "Fellow (mentor)" in body.decode()
    sign_in(client, world.director)
    body = client.get(reverse("reverse-home", kwargs={"slug": world.program.slug})).content
    assert "Consultant (mentee)" in body.decode()


def test_a_reverse_page_is_not_found_in_another_kind_of_program(client, world):
    sign_in(client, world.outsider)
    url = reverse("reverse-home", kwargs={"slug": "other"})
    assert client.get(url).status_code == 404


def test_the_director_sets_who_works_with_whom(client, world):
    from medmentor.reverse.models import WorkingRelationship

    sign_in(client, world.director)
    url = reverse("reverse-setup", kwargs={"slug": world.program.slug})
    assert "Dr Ruth Ellis" in client.get(url).content.decode()
    page = client.post(
        url,
        {
            "action": "relationship",
            "fellow": world.fellows[3].pk,
            "consultant": world.other_consultant.pk,
            "supervises": "1",
        },
        follow=True,
    )
    assert "Dev Patel works with Dr Ruth Ellis." in page.content.decode()
    assert WorkingRelationship.objects.get(
        fellow=world.fellows[3], consultant=world.other_consultant
    ).consultant_supervises


def test_the_setup_refuses_a_consultant_as_fellow_and_writes_nothing(client, world):
    from medmentor.reverse.models import WorkingRelationship

    count = WorkingRelationship.objects.count()
    sign_in(client, world.director)
    url = reverse("reverse-setup", kwargs={"slug": world.program.slug})
    page = client.post(
        url,
        {"fellow": world.consultant.pk, "consultant": world.other_consultant.pk},
        follow=True,
    )
    assert "Choose a person of this program from the lists." in page.content.decode()
    assert WorkingRelationship.objects.count() == count


def test_a_second_mentor_for_a_consultant_is_refused(client, world):
    sign_in(client, world.director)
    url = reverse("reverse-setup", kwargs={"slug": world.program.slug})
    page = client.post(
        url,
        {"fellow": world.fellows[2].pk, "consultant": world.consultant.pk, "mentor": "1"},
        follow=True,
    )
    assert "Dr Hugh Morton already has a reverse mentor." in page.content.decode()


def test_the_coordinator_cannot_name_the_facilitator(client, world):
    sign_in(client, world.coordinator)
    url = reverse("reverse-setup", kwargs={"slug": world.program.slug})
    page = client.post(url, {"action": "facilitator", "person": world.researcher.pk}, follow=True)
    assert "Only the program&#x27;s director names its facilitator." in page.content.decode()
