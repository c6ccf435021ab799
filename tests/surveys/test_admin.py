"""The admin shows instruments read only (the survey editor changes them); it has no
page for invitations, responses or answers."""

import pytest
from django.contrib import admin
from django.urls import reverse

from medmentor.surveys.models import Answer, Invitation, Response
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


def test_the_admin_shows_an_instrument_but_refuses_to_change_it(client, survey, operations):
    sign_in(client, operations)  # the admin is for operations; directors are never staff
    url = reverse("admin:surveys_instrument_change", args=[survey.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "conf_1" in page.content.decode()
    assert survey.code_salt not in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    # Even a superuser's hand-made POST changes nothing: the editor is the way.
    refused = client.post(url, {"title": "Changed", "anonymity": "identified"})
    assert refused.status_code == 403
    survey.refresh_from_db()
    assert survey.title != "Changed"
    assert client.post(reverse("admin:surveys_instrument_add"), {}).status_code == 403


def test_participation_and_answers_have_no_admin_page():
    for model in (Invitation, Response, Answer):
        assert model not in admin.site._registry


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"points": 6}, "points", "A Likert item has 5 or 7 points."),
        ({"anchors": ["Low", "High"]}, "anchors", "one label per point (5)"),
    ],
)
def test_a_likert_item_edit_that_would_break_answering_is_refused(survey, change, field, message):
    from django.core.exceptions import ValidationError

    item = survey.items.get(key="role_understanding")
    for name, value in change.items():
        setattr(item, name, value)
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_show_if_must_name_an_item_on_an_earlier_page(survey):
    from django.core.exceptions import ValidationError

    item = survey.items.get(key="conf_1")
    item.show_if_item = survey.items.get(key="had_session")
    item.show_if_values = ["1"]
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "earlier page" in str(error.value)


def test_every_library_item_passes_the_admin_checks(survey):
    for item in survey.items.all():
        item.full_clean()
