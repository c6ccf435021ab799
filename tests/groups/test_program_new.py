"""A director creates a peer-group program from the "new program" page, which asks the
kind's own rules (groups.apps registers them with programs.kinds): the group size limit
(8 by default), whether a member may be in two groups, and the groups' cadence."""

import datetime

import pytest
from django.urls import reverse

from medmentor.groups.models import GroupSettings
from medmentor.programs import kinds
from medmentor.programs.models import Enrollment, Program, ProgramKind, Role
from tests.conftest import sign_in

NEW = reverse("program-new")


def _monday() -> datetime.date:
    today = datetime.date.today()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=2)


def _data(institution, **fields):
    return {
        "kind": ProgramKind.PEER_GROUP,
        "name": "Every other Thursday 2027",
        "slug": "",
        "institution": institution.pk,
        "starts_on": _monday().isoformat(),
        "time_zone": "America/Denver",
        "group_size_limit": "8",
        "one_group_per_member": "on",
        "meeting_interval_weeks": "2",
        **fields,
    }


def test_the_page_asks_the_group_rules_with_their_defaults(client, program, director):
    sign_in(client, director)

    response = client.get(NEW, {"kind": ProgramKind.PEER_GROUP})

    form = response.context["form"]
    assert {"group_size_limit", "one_group_per_member", "meeting_interval_weeks"} <= set(
        form.fields
    )
    assert form.initial["group_size_limit"] == 8
    assert form.initial["one_group_per_member"] is True
    assert form.initial["meeting_interval_weeks"] == 2
    page = response.content.decode()
    assert "Most members in a group" in page and "Groups meet every how many weeks" in page


def test_a_director_creates_a_peer_group_program_with_its_rules(
    client, program, director, institution
):
    sign_in(client, director)

    response = client.post(
        NEW,
        _data(
            institution,
            group_size_limit="6",
            one_group_per_member="",
            meeting_interval_weeks="3",
        ),
    )

    created = Program.objects.get(name="Every other Thursday 2027")
    assert response.status_code == 302
    assert response.url == reverse("program-detail", kwargs={"slug": created.slug})
    assert created.kind == ProgramKind.PEER_GROUP
    assert Enrollment.objects.filter(program=created, person=director, role=Role.DIRECTOR).exists()
    rules = GroupSettings.objects.get(program=created)
    assert (rules.group_size_limit, rules.one_group_per_member, rules.meeting_interval_weeks) == (
        6,
        False,
        3,
    )


def test_the_defaults_make_groups_of_eight_meeting_every_other_week(
    client, program, director, institution
):
    sign_in(client, director)

    client.post(NEW, _data(institution))

    rules = GroupSettings.objects.get(program__name="Every other Thursday 2027")
    assert (rules.group_size_limit, rules.one_group_per_member, rules.meeting_interval_weeks) == (
        8,
        True,
        2,
    )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("group_size_limit", "60", "Most members in a group: Ensure this value is less than"),
        ("group_size_limit", "", "Give the most members a group may have"),
        ("meeting_interval_weeks", "0", "Groups meet every how many weeks: Ensure this value"),
    ],
)
def test_a_bad_rule_is_refused_in_words_and_nothing_is_created(
    client, program, director, institution, field, value, words
):
    sign_in(client, director)

    response = client.post(NEW, _data(institution, **{field: value}))

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Program.objects.filter(name="Every other Thursday 2027").exists()
    assert GroupSettings.objects.count() == 0


def test_the_kind_cannot_ask_a_setting_named_like_a_field_of_every_program():
    with pytest.raises(ValueError, match="cannot be named “name”"):
        kinds.register_creation(
            kind=ProgramKind.CHECK_IN, questions={"name": lambda: None}, after_create=print
        )
