"""The admin is no back door around privacy rule 1 (docs/privacy.md).

The operations superuser opens every page of every model in `admin.site._registry` —
changelist, add, change, history, delete confirmation, and the "delete selected"
confirmation over every row — with the learners' private progress one way and then
another. The pages must be identical: not the rows, not their number, not that they
exist. The private models themselves have no admin pages at all.
"""

import datetime
import re

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from medmentor.admin_site import MedmentorAdminSite
from medmentor.curriculum import services
from medmentor.curriculum.models import (
    AnswerReveal,
    CaseLearningStyle,
    CaseReview,
    WeekPlan,
)
from medmentor.programs.models import Pair, ProgramWeek
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")

PRIVATE_MODELS = [CaseLearningStyle, AnswerReveal, CaseReview]


@pytest.fixture
def superuser(operations, director):
    """The operations superuser (program people are never superusers), with the
    program's director enrolled as in real use."""
    return operations


@pytest.fixture
def world(case_week, program, junior):
    last_week = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=1)
    )
    WeekPlan.objects.create(program_week=last_week, curriculum_week=case_week.curriculum_week)
    last_pair = Pair.objects.create(week=last_week, junior=junior, senior=case_week.pair.senior)
    case_week.junior_pairs = [case_week.pair, last_pair]
    case_week.junior = junior
    return case_week


def _with_progress(world):
    """Everything private a junior and their pair can do: went in blind on every case,
    revealed every first answer, marked every case of both weeks reviewed."""
    for case in world.cases:
        services.case_learning_style_choose(junior=world.junior, case=case, style="blind")
        services.answer_reveal(junior=world.junior, question=case.questions.first())
        for pair in world.junior_pairs:
            # Each while its week ran (last week's is frozen now).
            services.case_review_mark(
                pair=pair,
                case=case,
                status="reviewed",
                by=world.junior,
                today=pair.week.starts_on,
            )


def _without_progress(world):
    for model in PRIVATE_MODELS:
        model.objects.all().delete()


@pytest.mark.parametrize("model", PRIVATE_MODELS, ids=lambda model: model.__name__)
def test_the_admin_site_refuses_to_register_a_private_model(model):
    site = MedmentorAdminSite(name="probe")
    with pytest.raises(ImproperlyConfigured, match="private to its owner"):
        site.register(model)


def test_the_private_models_are_not_registered():
    registered = set(admin.site._registry)
    assert registered & set(PRIVATE_MODELS) == set()
    assert registered, "the admin registers the program's other tables"


@pytest.mark.parametrize("model", PRIVATE_MODELS, ids=lambda model: model.__name__)
def test_the_private_models_admin_urls_are_not_found(client, world, superuser, model):
    _with_progress(world)
    row = model.objects.first()
    sign_in(client, superuser)
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    for url in (base, f"{base}add/", f"{base}{row.pk}/change/", f"{base}{row.pk}/delete/"):
        assert client.get(url).status_code == 404, url


def _admin_pages(world):
    """(label, method, url, data) for every admin page of every registered model, on the
    row most tied to private progress where there is one."""
    preferred = {
        "people.person": world.junior,
        "programs.pair": world.pair,
        "programs.programweek": world.week,
        "curriculum.case": world.cases[0],
        "curriculum.curriculumweek": world.curriculum_week,
        "curriculum.curriculum": world.curriculum,
    }
    pages = [("index", "get", reverse("admin:index"), None)]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append((f"{opts.label} list", "get", reverse(f"{name}_changelist"), None))
        pages.append((f"{opts.label} add", "get", reverse(f"{name}_add"), None))
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


# The CSRF token is masked afresh on every render (in forms, and in the site layout's
# htmx header that the styled 403 page carries): not a difference in what is shown.
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _fetch(client, pages):
    seen = {}
    for label, method, url, data in pages:
        response = client.post(url, data) if method == "post" else client.get(url)
        seen[label] = (response.status_code, _CSRF.sub(r"\1…", response.content.decode()))
    return seen


def test_no_admin_page_shows_private_progress(client, world, superuser):
    sign_in(client, superuser)
    pages = _admin_pages(world)

    _with_progress(world)
    with_progress = _fetch(client, pages)
    _without_progress(world)
    without_progress = _fetch(client, pages)

    # Every page opens (a table nobody may add to, like task results, refuses "add"; a
    # read-only one, like enrollments, refuses "delete" too, and so do pairs: their
    # marks would go with them).
    assert {
        label: status
        for label, (status, _) in with_progress.items()
        if status != 200 and not (label.endswith((" add", " delete")) and status == 403)
    } == {}
    leaks = [label for label in with_progress if with_progress[label] != without_progress[label]]
    assert leaks == []
