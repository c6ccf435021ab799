"""benchmarks/page_latency.py requests real pages and recognises them.

The benchmark fails a run when a response is not the page it expects; these tests run
its request plan once through Django's test client (with its own URLconf, which adds
the trivial page), so a renamed route or a changed heading shows up here, not as a
failed benchmark run weeks later. No time is measured.
"""

import sys
from pathlib import Path

import pytest
from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import page_latency  # noqa: E402

from tests.conftest import sign_in  # noqa: E402

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def signed_in(settings, case_week, junior, director):
    """A test client and the benchmark's view of the person, for each group of sessions."""
    settings.ROOT_URLCONF = "page_latency_site"
    clients = {}
    for group, person in (("juniors", junior), ("staff", director)):
        client = Client()
        sign_in(client, person)
        clients[group] = (client, page_latency.Client(person.email, person.full_name, {}))
    return clients


def test_every_page_of_the_plan_answers_200_and_is_the_page_the_benchmark_expects(
    signed_in, program
):
    plan = page_latency.request_plan(program.slug, program.name)
    assert [page.label for page in plan][0] == "trivial signed-in page"
    for page in plan:
        client, who = signed_in[page.group]
        response = client.get(page.path)
        assert response.status_code == 200, page.path
        assert page.check(who, response.content) == "", page.path


def test_a_page_other_than_the_expected_one_fails_the_check(signed_in, program):
    plan = {page.label: page for page in page_latency.request_plan(program.slug, program.name)}
    client, who = signed_in["staff"]
    home = client.get("/").content
    assert plan["junior's this-week page"].check(who, home) != ""
    assert plan["director's program page"].check(who, home) != ""
    # The same page for another person (a session mixed up) fails too.
    _, junior = signed_in["juniors"]
    assert plan["home page (director, coordinator)"].check(junior, home) != ""
    assert plan["/api/me (JSON, no template)"].check(junior, b'{"email": "x@y.test"}') != ""
