"""schemathesis against the OpenAPI schema: no input a client can send makes a 500, and
every answer matches the schema (status code, content type, body).

Runs in-process through the WSGI app, as a director with a Bearer token, over a program
with weeks, pairs and cases. Half of the generated calls are steered to that program's
real slug, week, pair and people, so the checks also cover answers full of data, not
only the 404s and 422s that random values meet.
"""

import datetime

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from medmentor.curriculum.models import WeekPlan
from medmentor.people.services import api_token_create
from medmentor.programs.models import Pair, ProgramWeek
from medmentor.wsgi import application

# A bounded run: enough to reach every parameter's edges, well under a minute in CI.
MAX_EXAMPLES = 25
KNOWN_WEEK = datetime.date(2026, 11, 2)

pytestmark = pytest.mark.slow

# The ids of this test's rows, for the hooks below (filled by the `api_data` fixture).
known: dict[str, object] = {}

# Loaded at import, from the app itself: the schema needs neither server nor database.
# (schemathesis' fixture-based loader does not run under pytest 9, hence not used.)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not known or not isinstance(path_parameters, dict) or "slug" not in path_parameters:
        # Also before the fixtures have run: schemathesis builds the schema's explicit
        # examples while collecting.
        return st.just(path_parameters)
    real = dict(path_parameters)
    real["slug"] = "nm-must-see"
    if "day" in real:
        real["day"] = st.sampled_from(known["days"])
    if "pair_id" in real:
        real["pair_id"] = st.sampled_from(known["pair_ids"])
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(_as_strategies(real)))


@schema.hook
def flatmap_body(context, body):
    if not known or not isinstance(body, dict) or "junior_id" not in body:
        return st.just(body)
    real = {
        **body,
        "junior_id": st.sampled_from(known["person_ids"]),
        "senior_id": st.sampled_from(known["person_ids"]),
    }
    return st.one_of(st.just(body), st.fixed_dictionaries(_as_strategies(real)))


def _as_strategies(values: dict) -> dict:
    return {
        key: value if isinstance(value, st.SearchStrategy) else st.just(value)
        for key, value in values.items()
    }


@pytest.fixture(autouse=True)
def api_data(case_week, outsider, director, coordinator, faculty, researcher, program):
    """The shared case week (with its pairs and cases) and a second planned week."""
    second = ProgramWeek.objects.create(program=program, starts_on=KNOWN_WEEK)
    WeekPlan.objects.create(program_week=second, curriculum_week=case_week.curriculum_week)
    Pair.objects.create(week=second, junior=case_week.pair.junior, senior=case_week.pair.senior)
    known.update(
        days=[case_week.week.starts_on.isoformat(), "2026-11-04", KNOWN_WEEK.isoformat()],
        pair_ids=list(Pair.objects.values_list("pk", flat=True)),
        person_ids=[
            outsider.pk,
            director.pk,
            *program.enrollments.values_list("person", flat=True),
        ],
    )
    yield
    known.clear()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes the database connection after each request, which would
    end the test's transaction; Django's own test client unhooks it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def director_token(director):
    return api_token_create(person=director, name="schemathesis")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_every_input_without_a_server_error(case, director_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {director_token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
