"""The admin edits instruments; it has no page for invitations, responses or answers."""

import pytest
from django.contrib import admin
from django.urls import reverse

from medmentor.surveys.models import Answer, Invitation, Response
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


def test_director_edits_an_instrument_with_its_items_and_waves(client, survey, director):
    director.is_staff = director.is_superuser = True
    director.save(update_fields=["is_staff", "is_superuser"])
    sign_in(client, director)
    page = client.get(reverse("admin:surveys_instrument_change", args=[survey.pk]))
    assert page.status_code == 200
    assert "conf_1" in page.content.decode()
    assert survey.code_salt not in page.content.decode()


def test_participation_and_answers_have_no_admin_page():
    for model in (Invitation, Response, Answer):
        assert model not in admin.site._registry
