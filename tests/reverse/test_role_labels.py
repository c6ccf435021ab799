"""The people page names reverse mentoring's roles in the kind's words: the fellows
(SENIOR) are "Fellow (mentor)", the consultants (JUNIOR) "Consultant (mentee)"
(programs.kinds.role_labels); other kinds keep the plain role names."""

import pytest
from django.urls import reverse

from medmentor.programs import kinds
from medmentor.programs.models import ProgramKind, Role
from tests.conftest import sign_in


def _people_page(client, world, **query):
    sign_in(client, world.director)
    return client.get(reverse("program-people", args=[world.program.slug]), query)


def test_the_people_page_labels_fellows_and_consultants(client, world):
    response = _people_page(client, world)
    rows = {row.person.pk: row.current_role_labels for row in response.context["people"]}
    assert rows[world.fellows[0].pk] == ["Fellow (mentor)"]
    assert rows[world.consultant.pk] == ["Consultant (mentee)"]
    assert rows[world.facilitator.pk] == ["Faculty"]
    page = response.content.decode()
    assert "Fellow (mentor)" in page and "Consultant (mentee)" in page


def test_the_role_filter_offers_the_kinds_words(client, world):
    form = _people_page(client, world, role=Role.SENIOR).context["form"]
    assert (Role.SENIOR, "Fellow (mentor)") in form.fields["role"].choices
    assert (Role.JUNIOR, "Consultant (mentee)") in form.fields["role"].choices


def test_a_persons_page_and_its_role_boxes_use_the_kinds_words(client, world):
    sign_in(client, world.director)
    response = client.get(reverse("program-person", args=[world.program.slug, world.consultant.pk]))
    assert "Consultant (mentee)" in response.content.decode()
    assert [label for label, _ in response.context["row"].enrollments_labelled] == [
        "Consultant (mentee)"
    ]
    assert (Role.SENIOR, "Fellow (mentor)") in response.context["roles_form"].fields[
        "roles"
    ].choices


def test_other_kinds_keep_the_plain_role_names(world):
    world.program.kind = ProgramKind.CASE_REVIEW
    labels = kinds.role_labels(world.program)
    assert labels[Role.SENIOR] == Role.SENIOR.label
    assert labels[Role.JUNIOR] == Role.JUNIOR.label


def test_a_kind_cannot_label_a_role_that_does_not_exist():
    with pytest.raises(ValueError, match="“mascot” is not a role"):
        kinds.register(kind=ProgramKind.PEER_GROUP, role_labels={"mascot": "Mascot"})
