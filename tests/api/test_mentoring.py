"""The matching API: run, draft with explanations, publish — staff only, JSON errors."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medmentor.mentoring.models import MatchingRun, Mentorship
from medmentor.messaging.models import OutboxMessage
from medmentor.programs.models import Role
from tests.mentoring.matching_cohort import SLUG, one_to_one_program

pytestmark = pytest.mark.usefixtures("fast_passwords")

RUNS = f"/api/programs/{SLUG}/matching/runs"


@pytest.fixture
def cohort(institution, director, coordinator, faculty, researcher):
    return one_to_one_program(
        institution,
        staff=[
            (director, Role.DIRECTOR),
            (coordinator, Role.COORDINATOR),
            (faculty, Role.FACULTY),
            (researcher, Role.RESEARCHER),
        ],
    )


def test_the_director_runs_reads_and_publishes(call, cohort, director):
    created = call(
        ("token", director),
        "post",
        RUNS,
        json={"objective": "optimal", "weights": {"site": 4}, "rules": {"min_level_gap": 2}},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["objective"], body["matched"]) == ("draft", "optimal", 3)
    assert body["weights"]["site"] == 4
    assert set(body["tradeoff"]) == {"stable", "optimal"}
    ana = next(p for p in body["pairs"] if p["mentee"]["full_name"] == "Ana Mentee")
    assert ana["mentor"]["full_name"] == "Mara Mentor"
    assert ana["contributions"]["same site"] == 4
    assert "same site: North (+4)" in ana["reasons"]
    assert body["unmatched_people"] == [
        {
            "person": {"id": cohort.olu.pk, "full_name": "Olu Mentor", "email": cohort.olu.email},
            "side": "mentor",
            "code": "seniority",
            "reason": "no mentee at least 2 training levels below",
        }
    ]

    read = call(("token", director), "get", f"{RUNS}/{body['id']}")
    assert read.status_code == 200
    assert read.json()["pairs"] == body["pairs"]

    published = call(("token", director), "post", f"{RUNS}/{body['id']}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert Mentorship.objects.count() == 3
    assert OutboxMessage.objects.count() == 5

    again = call(("token", director), "post", f"{RUNS}/{body['id']}/publish")
    assert again.status_code == 422
    assert again.json()["detail"] == "This run is published; only a draft can be changed."


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"objective": "best"}, "objective"),
        ({"weights": {"site": 11}}, "less than or equal to 10"),
        ({"rules": {"min_level_gap": -2}}, "greater than or equal to 0"),
        ({"rules": {"min_level_gap": 9}}, "No feasible answer"),
        ({"weights": "heavy"}, "weights"),
    ],
)
def test_bad_input_is_a_json_422_naming_it(call, cohort, director, payload, words):
    response = call(("token", director), "post", RUNS, json=payload)

    assert response.status_code == 422
    assert words in response.json()["detail"]
    assert not MatchingRun.objects.exists()


def test_a_case_review_program_has_no_matching_so_it_is_a_404_naming_the_kind(
    call, program, director
):
    response = call(
        ("token", director), "post", f"/api/programs/{program.slug}/matching/runs", json={}
    )

    assert response.status_code == 404
    assert "belongs to one-to-one near-peer mentoring programs only" in response.json()["detail"]
    assert not MatchingRun.objects.exists()


@pytest.mark.parametrize(
    ("who", "run_status", "read_status"),
    [
        ("director", 201, 200),
        ("coordinator", 201, 200),
        ("faculty", 403, 403),
        ("researcher", 403, 403),
        ("mentor", 403, 403),
        ("mentee", 403, 403),
        ("outsider", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_only_the_programs_staff_may_use_matching(
    call, cohort, director, outsider, request, who, run_status, read_status
):
    people = {"mentor": cohort.mara, "mentee": cohort.ana, "anonymous": None}
    person = people[who] if who in people else request.getfixturevalue(who)
    caller = ("token", person) if person is not None else None
    existing = MatchingRun.objects.create(program=cohort.program, objective="stable")
    existing.status = "draft"
    existing.save()

    assert call(caller, "post", RUNS, json={}).status_code == run_status
    assert call(caller, "get", f"{RUNS}/{existing.pk}").status_code == read_status
    published = call(caller, "post", f"{RUNS}/{existing.pk}/publish")
    assert published.status_code == read_status
    assert ("detail" in published.json()) == (read_status >= 400)


def test_an_unknown_run_is_a_404(call, cohort, director):
    response = call(("token", director), "get", f"{RUNS}/999999")

    assert response.status_code == 404
    assert response.json()["detail"] == "Near-peer mentoring has no matching run 999999."


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.dictionaries(
        st.sampled_from(["objective", "weights", "rules", "other"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**70), 2**70),
            st.floats(allow_nan=True),
            st.text(max_size=20),
            st.dictionaries(
                st.sampled_from(
                    ["site", "urim", "min_level_gap", "same_site", "charm", "specialty"]
                ),
                st.one_of(st.none(), st.booleans(), st.integers(-50, 50), st.text(max_size=5)),
            ),
        ),
    )
)
def test_no_body_makes_a_server_error_on_a_real_one_to_one_program(call, cohort, director, body):
    response = call(("token", director), "post", RUNS, json=body)

    assert response.status_code in (201, 422), response.content
    assert response.headers["Content-Type"].startswith("application/json")
