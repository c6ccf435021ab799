"""The meetings' privacy matrix (medmentor.meetings; tests/privacy_matrix/README.md), on
a meeting of the case-review pair (junior, senior) that the senior planned
(case_review_world.py): the pair sees it whole, staff see that it exists (time,
people, whether it happened), everyone else of the program is told it does not exist.

1. Status: every role gets the expected answer from every meetings page and action.
2. No leaks: the facts of this world (tests/test_privacy_matrix.py and
   test_mentoring.py) are flipped against these pages too; what the meeting itself
   keeps from whom (its topics for the participants only) is tested in
   tests/meetings/test_pages.py.
"""

import pytest

from tests.privacy_matrix.case_review_world import (
    LEARNERS,
    MAIN_ROLES,
    ROLE_PEOPLE,
    ROLES,
    STAFF,
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


def _meeting(name: str):
    return page(name, meeting_id=lambda w: w.meeting.pk)


EVERYONE_ENROLLED = expect_of(dict.fromkeys((*STAFF, "faculty", "researcher", *LEARNERS), 200))
PAGES = [
    Endpoint("meetings", page("meetings"), EVERYONE_ENROLLED),
    Endpoint(
        "meeting-plan", page("meeting-plan"), expect_of(dict.fromkeys((*STAFF, *LEARNERS), 200))
    ),
    Endpoint(
        "meeting-detail",
        _meeting("meeting-detail"),
        expect_of({**dict.fromkeys((*STAFF, "junior", "senior"), 200)}, denied=404, outsider=403),
    ),
    Endpoint(
        "meeting-edit",
        _meeting("meeting-edit"),
        expect_of(
            {"senior": 200, **dict.fromkeys((*STAFF, "junior"), 403)}, denied=404, outsider=403
        ),
    ),
    Endpoint(
        "meeting-log",
        _meeting("meeting-log"),
        expect_of(
            {**dict.fromkeys(("junior", "senior"), 200), **dict.fromkeys(STAFF, 403)},
            denied=404,
            outsider=403,
        ),
    ),
]
API: list[Endpoint] = []  # the meetings have no API operations
API_OPERATIONS: list[tuple[str, str]] = []
NOT_DATA_API: set[tuple[str, str]] = set()
ACTIONS = [
    Endpoint(
        "meeting cancel",
        _meeting("meeting-cancel"),
        expect_of(
            {"senior": 302, **dict.fromkeys((*STAFF, "junior"), 403)}, denied=404, outsider=403
        ),
        method="post",
    ),
]
# The cancel button is on the meeting's page; its refusals are the action above.
NOT_DATA_PAGES = {"meeting-cancel"}


# The shared world's fixtures: `_rows` made once for the module, the people, `world`.
globals().update(world_fixtures())


@pytest.mark.parametrize(("endpoint", "role"), matrix(PAGES + API + ACTIONS, ROLES))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])
