"""The admin is no back door around privacy rule 3: the feedback, its answers and
contributors and the consultants' notes have no admin pages, and no admin page of any
registered model differs whether fellows gave feedback and a consultant wrote a note
(the tests/test_admin_privacy.py pattern)."""

import datetime
import re

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from medmentor.admin_site import MedmentorAdminSite
from medmentor.reverse import services
from medmentor.reverse.models import ChangeNote, DomainAnswer, Feedback, FeedbackContributor
from tests.conftest import sign_in
from tests.reverse.world import give_all, review_and_release

PRIVATE_MODELS = [Feedback, FeedbackContributor, DomainAnswer, ChangeNote]
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.mark.parametrize("model", PRIVATE_MODELS, ids=lambda model: model.__name__)
def test_the_admin_site_refuses_to_register_reverse_feedback(model):
    site = MedmentorAdminSite(name="probe")
    with pytest.raises(ImproperlyConfigured, match="private to its owner"):
        site.register(model)


def test_the_private_reverse_models_are_not_registered():
    assert set(admin.site._registry) & set(PRIVATE_MODELS) == set()


def _session(world):
    starts_at = timezone.now() - datetime.timedelta(days=2)
    return services.session_book(
        program=world.program,
        consultant=world.consultant,
        starts_at=starts_at,
        by=world.consultant,
        now=starts_at - datetime.timedelta(days=1),
    )


def _pages(world):
    pages = [("index", "get", reverse("admin:index"), None)]
    preferred = {"people.person": world.fellows[2], "reverse.session": None}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in ("reverse", "people", "programs", "meetings"):
            continue
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append((f"{opts.label} list", "get", reverse(f"{name}_changelist"), None))
        row = preferred.get(opts.label_lower) or model_admin.get_queryset(None).first()
        if row is None:
            continue
        for view in ("change", "history", "delete"):
            pages.append(
                (f"{opts.label} {view}", "get", reverse(f"{name}_{view}", args=[row.pk]), None)
            )
        everything = [str(pk) for pk in model.objects.values_list("pk", flat=True)]
        pages.append(
            (
                f"{opts.label} delete selected",
                "post",
                reverse(f"{name}_changelist"),
                {"action": "delete_selected", ACTION_CHECKBOX_NAME: everything},
            )
        )
    return pages


def _fetch(client, pages):
    seen = {}
    for label, method, url, data in pages:
        response = client.post(url, data) if method == "post" else client.get(url)
        seen[label] = (response.status_code, _CSRF.sub(r"\1…", response.content.decode()))
    return seen


def test_no_admin_page_shows_whether_fellows_gave_feedback(client, world, operations):
    session = _session(world)
    sign_in(client, operations)
    pages = _pages(world)

    give_all(world, text="admin words {n}")
    review_and_release(world)
    services.change_note_save(session=session, text="A private note.", by=world.consultant)
    with_feedback = _fetch(client, pages)
    Feedback.objects.all().delete()
    ChangeNote.objects.all().delete()
    without_feedback = _fetch(client, pages)

    assert not any("admin words" in body for _, body in with_feedback.values())
    leaks = [label for label in with_feedback if with_feedback[label] != without_feedback[label]]
    assert leaks == []
