"""The people page: who may open it, search and filters, adding one person, a person's
roles, ending an enrollment and sending a sign-in link (through the outbox, minted at
delivery, never shown to staff)."""

import re

import pytest
from django.urls import reverse

from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.services import outbox_deliver
from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, Role
from tests.conftest import received_text, sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def everyone(director, coordinator, faculty, researcher, senior, junior, other_junior, outsider):
    return {
        "director": director,
        "coordinator": coordinator,
        "faculty": faculty,
        "researcher": researcher,
        "senior": senior,
        "junior": junior,
        "other_junior": other_junior,
        "outsider": outsider,
    }


def _people(client, program, **query):
    return client.get(reverse("program-people", args=[program.slug]), query)


def _names(response) -> list[str]:
    return [row.person.full_name for row in response.context["people"]]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("coordinator", 200),
        ("faculty", 403),
        ("researcher", 403),
        ("senior", 403),
        ("junior", 403),
        ("outsider", 403),
    ],
)
def test_only_those_who_run_the_program_see_its_people(client, program, everyone, who, status):
    sign_in(client, everyone[who])
    assert _people(client, program).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, program):
    response = _people(client, program)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_the_page_lists_everyone_enrolled_now_by_name(client, program, everyone):
    sign_in(client, everyone["director"])
    response = _people(client, program)
    assert _names(response) == sorted(
        person.full_name for name, person in everyone.items() if name != "outsider"
    )
    # The import is one click away.
    assert reverse("roster-import", args=[program.slug]) in response.content.decode()


def test_search_finds_a_word_of_the_name_or_the_email(client, program, everyone):
    sign_in(client, everyone["director"])
    junior = everyone["junior"]
    assert _names(_people(client, program, q=junior.full_name.split()[0].lower())) == [
        junior.full_name
    ]
    assert _names(_people(client, program, q=junior.email)) == [junior.full_name]


def test_filters_by_role_and_by_level(client, program, everyone):
    sign_in(client, everyone["director"])
    juniors = _names(_people(client, program, role="junior"))
    assert juniors == sorted([everyone["junior"].full_name, everyone["other_junior"].full_name])
    level = everyone["faculty"].training_level
    expected = sorted(
        person.full_name
        for name, person in everyone.items()
        if person.training_level == level and name != "outsider"
    )
    assert _names(_people(client, program, level=level)) == expected


def test_people_who_left_are_found_under_their_own_filter(client, program, everyone):
    director, junior = everyone["director"], everyone["junior"]
    sign_in(client, director)
    client.post(reverse("program-person-end", args=[program.slug, junior.pk]), {"when": "now"})

    assert junior.full_name not in _names(_people(client, program))
    assert _names(_people(client, program, status="ended")) == [junior.full_name]
    assert junior.full_name in _names(_people(client, program, status="all"))


def test_an_unknown_filter_value_is_a_400_that_says_so(client, program, director):
    sign_in(client, director)
    response = _people(client, program, role="overlord")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_director_adds_one_person_and_lands_on_their_page(client, program, director):
    sign_in(client, director)
    response = client.post(
        reverse("program-person-add", args=[program.slug]),
        {
            "email": "ana@lakeside.test",
            "full_name": "Ana Alvarez",
            "training_level": "R1",
            "roles": ["junior"],
        },
    )
    ana = Person.objects.get(email="ana@lakeside.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("program-person", args=[program.slug, ana.pk])
    assert Enrollment.objects.get(program=program, person=ana).role == Role.JUNIOR
    # Nobody is emailed until the director sends a sign-in link.
    assert not OutboxMessage.objects.exists()


def test_a_bad_add_names_the_field_and_writes_nothing(client, program, director):
    sign_in(client, director)
    response = client.post(
        reverse("program-person-add", args=[program.slug]),
        {"email": "not-an-email", "full_name": "Ana", "training_level": "R1"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Email address: The email address is not one" in page
    assert "Roles in this program: Choose at least one role" in page
    assert not Person.objects.filter(full_name="Ana").exists()


def test_a_coordinator_is_offered_only_the_roles_they_may_give(client, program, coordinator):
    sign_in(client, coordinator)
    form = client.get(reverse("program-person-add", args=[program.slug])).context["form"]
    offered = [value for value, _ in form.fields["roles"].choices]
    assert offered == [Role.FACULTY, Role.SENIOR, Role.JUNIOR, Role.RESEARCHER]


def test_changing_a_role_on_the_persons_page(client, program, director, junior):
    sign_in(client, director)
    response = client.post(
        reverse("program-person-roles", args=[program.slug, junior.pk]), {"roles": ["senior"]}
    )
    assert response.status_code == 302
    assert set(
        Enrollment.objects.filter(program=program, person=junior, left_on__isnull=True).values_list(
            "role", flat=True
        )
    ) == {Role.SENIOR}
    page = client.get(response["Location"]).content.decode()
    assert "Junior (mentee)" in page and "last day" in page  # the ended role, as history


def test_a_refused_role_change_says_why_and_changes_nothing(client, program, coordinator, director):
    sign_in(client, coordinator)
    response = client.post(
        reverse("program-person-roles", args=[program.slug, director.pk]), {"roles": ["faculty"]}
    )
    assert response.status_code == 400
    assert "cannot take away the role director" in response.content.decode()
    assert Enrollment.objects.get(program=program, person=director).left_on is None


def test_your_own_page_offers_no_change_to_your_roles(client, program, director):
    sign_in(client, director)
    page = client.get(reverse("program-person", args=[program.slug, director.pk]))
    assert "This is you" in page.content.decode()
    assert not page.context["may_change"]


def test_a_person_never_enrolled_here_is_not_found(client, program, director, outsider):
    sign_in(client, director)
    assert (
        client.get(reverse("program-person", args=[program.slug, outsider.pk])).status_code == 404
    )


def test_ending_later_needs_the_last_day(client, program, director, junior):
    sign_in(client, director)
    response = client.post(
        reverse("program-person-end", args=[program.slug, junior.pk]), {"when": "later"}
    )
    assert response.status_code == 400
    assert "Last day in the program: Give their last day" in response.content.decode()
    assert Enrollment.objects.get(program=program, person=junior).left_on is None


def test_a_sign_in_link_goes_to_the_person_alone_through_the_outbox(
    client, program, director, junior, smtp_server
):
    sign_in(client, director)
    response = client.post(
        reverse("program-person-sign-in-link", args=[program.slug, junior.pk]), follow=True
    )
    assert f"A new sign-in link is on its way to {junior.email}" in response.content.decode()
    message = OutboxMessage.objects.get(person=junior)
    # The staff's pages and the outbox hold no link: it is minted at delivery.
    assert "/sign-in/link/" not in message.text_body + message.html_body
    assert "/sign-in/link/" not in response.content.decode()

    outbox_deliver(worker_name="test")

    (received,) = smtp_server.messages
    assert junior.email in received["To"]
    assert re.search(r"https?://\S+/sign-in/link/\S+/", received_text(received))


def test_faculty_cannot_send_sign_in_links(client, program, faculty, junior):
    sign_in(client, faculty)
    response = client.post(reverse("program-person-sign-in-link", args=[program.slug, junior.pk]))
    assert response.status_code == 403
    assert not OutboxMessage.objects.exists()


def test_no_link_goes_to_someone_who_left(client, program, director, junior):
    sign_in(client, director)
    client.post(reverse("program-person-end", args=[program.slug, junior.pk]), {"when": "now"})
    response = client.post(
        reverse("program-person-sign-in-link", args=[program.slug, junior.pk]), follow=True
    )
    assert "is not enrolled in" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_links_to_one_inbox_are_limited(client, program, director, junior, settings):
    settings.SIGN_IN_LINK_REQUESTS_PER_EMAIL = 2
    sign_in(client, director)
    url = reverse("program-person-sign-in-link", args=[program.slug, junior.pk])
    for _ in range(3):
        response = client.post(url, follow=True)
    assert "No link was sent: several sign-in links went to" in response.content.decode()
    assert OutboxMessage.objects.filter(person=junior).count() == 2


def test_the_menu_opens_the_people_page(client, program, director):
    sign_in(client, director)
    page = client.get(reverse("program-people", args=[program.slug])).content.decode()
    nav = re.search(r'<nav aria-label="Program".*?</nav>', page, re.S).group(0)
    assert f'href="{reverse("program-people", args=[program.slug])}" aria-current="page"' in nav


def test_the_page_asks_the_same_queries_for_ten_people_as_for_forty(
    client, program, director, institution
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_person

    def enrol(count, start):
        for number in range(start, start + count):
            person = make_person(f"p{number}@lakeside.test", f"Person {number}", "R1", institution)
            Enrollment.objects.create(program=program, person=person, role=Role.JUNIOR)

    sign_in(client, director)
    enrol(10, 0)
    with CaptureQueriesContext(connection) as ten:
        assert _people(client, program).status_code == 200
    enrol(30, 10)
    with CaptureQueriesContext(connection) as forty:
        assert len(_people(client, program).context["people"]) == 41
    assert len(forty) == len(ten)
