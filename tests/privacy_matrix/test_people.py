"""The people pages' privacy matrix (medmentor.people, medmentor.programs;
tests/privacy_matrix/README.md), on the case-review program (case_review_world.py):
the program's people page is the directors' and coordinators' only (faculty and
researchers see counts, never who is enrolled; learners see their own pairs); the
pages that are no program's are a person's own profile (everyone's own) and the "new
program" page (the directors of a program). The writes' refusals in words are in
tests/programs/test_people_page.py and test_program_new.py.

1. Status: every role gets the expected answer from every people page, API row and
   action.
2. No leaks: the facts of this world (tests/test_privacy_matrix.py and
   test_mentoring.py) are flipped against these pages and API rows too.
"""

import pytest
from django.urls import reverse

from tests.privacy_matrix.case_review_world import (
    MAIN_ROLES,
    ROLE_PEOPLE,
    ROLES,
    STAFF,
    STAFF_PAGE,
    STAFF_WRITE,
    api,
    api_operations,
    expect_of,
    make_matrix_rows,
    world_fixtures,
)
from tests.privacy_matrix.support import (
    Endpoint,
    assert_expected_answer,
    matrix,
    page,
    sign_in_as,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")

__all__ = ["MAIN_ROLES", "make_matrix_rows"]  # with the rows below: a matrix (README.md)


def _person(world):
    return world.junior.pk


EVERYONE_SIGNED_IN = expect_of(dict.fromkeys(ROLES, 200))
PAGES = [
    Endpoint("program-people", page("program-people"), STAFF_PAGE),
    Endpoint("program-person-add", page("program-person-add"), STAFF_PAGE),
    Endpoint("program-person", page("program-person", person_id=_person), STAFF_PAGE),
    Endpoint("profile", lambda world: reverse("profile"), EVERYONE_SIGNED_IN),
    Endpoint("program-new", lambda world: reverse("program-new"), expect_of({"director": 200})),
    Endpoint(
        "program-new-kind",
        lambda world: reverse("program-new") + f"?kind={world.program.kind}",
        expect_of({"director": 200}),
    ),
]
API = [
    Endpoint(
        "api program people",
        api("programs/{slug}/people"),
        expect_of(dict.fromkeys(STAFF, 200), anonymous=401, outsider=404),
    ),
]
API_OPERATIONS = api_operations(API)
NOT_DATA_API: set[tuple[str, str]] = set()
ACTIONS = [
    Endpoint(
        "people add",
        page("program-person-add"),
        STAFF_WRITE,
        method="post",
        data=lambda world: {
            "email": "new.person@lakeside.test",
            "full_name": "New Person",
            "training_level": "R1",
            "roles": ["junior"],
        },
    ),
    Endpoint(
        "people roles",
        page("program-person-roles", person_id=_person),
        STAFF_WRITE,
        method="post",
        data=lambda world: {"roles": ["junior", "senior"]},
    ),
    Endpoint(
        "people end",
        page("program-person-end", person_id=_person),
        STAFF_WRITE,
        method="post",
        data=lambda world: {"when": "now"},
    ),
    Endpoint(
        "people sign-in link",
        page("program-person-sign-in-link", person_id=_person),
        STAFF_WRITE,
        method="post",
    ),
    Endpoint(
        "own profile",
        lambda world: reverse("profile"),
        expect_of(dict.fromkeys(ROLES, 302)),
        method="post",
        data=lambda world: {"full_name": "Renamed", "bio": "Hello", "contact_preference": ""},
    ),
    Endpoint(
        "new program",
        lambda world: reverse("program-new"),
        expect_of({"director": 302}),
        method="post",
        data=lambda world: {
            "kind": "one_to_one",
            "name": "A new program",
            "institution": world.program.institution_id,
            "starts_on": world.program.starts_on.isoformat(),
            "time_zone": "UTC",
        },
    ),
]
# The people page's writes, in ACTIONS above.
NOT_DATA_PAGES = {
    "program-person-roles",
    "program-person-end",
    "program-person-sign-in-link",
}


# The shared world's fixtures: `_rows` made once for the module, the people, `world`.
globals().update(world_fixtures())


@pytest.mark.parametrize(("endpoint", "role"), matrix(PAGES + API + ACTIONS, ROLES))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])
