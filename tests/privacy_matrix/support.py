"""The shared machinery of the privacy matrices (privacy rules in docs/privacy.md).

The case-review program's matrix is `tests/test_privacy_matrix.py`; each other matrix
(a program kind, or a concern split from the case-review matrix onto its world,
`case_review_world.py`) is a module here, `test_<name>.py` (see README.md), defining:

- `ROLE_PEOPLE`: role name -> the key of `make_matrix_rows().people` (None: anonymous)
- `PAGES`, `API`, `ACTIONS`: `Endpoint`s with the expected answer for every role
- `API_OPERATIONS`: the (method, schema path) of each API operation its `API` rows
  cover, e.g. ("get", "/api/programs/{slug}/groups")
- `NOT_DATA_PAGES`, `NOT_DATA_API`: writes checked elsewhere (say where in a comment)
- `MAIN_ROLES`: the roles a page is made for, first match wins (the phone-width test)
- `make_matrix_rows()`: SimpleNamespace(people=..., world=...)

`matrix_modules()` finds them: the coverage tests demand a row for every program page
and API operation from some matrix, and the phone-width browser test visits every
module's HTML pages as their main role.
"""

import importlib
import io
import pkgutil
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace

import pytest
from django.urls import reverse

from tests.conftest import rows_for_the_module, sign_in

SIGN_IN = "sign-in"  # expected: a redirect to the sign-in page


def expect(
    roles, allowed: dict[str, int], *, denied: int = 403, anonymous=SIGN_IN, outsider=None
) -> dict[str, int | str]:
    """Every role of `roles` not in `allowed` is `denied`; anonymous visitors and the
    outsider (someone enrolled only in another program) as given."""
    table: dict[str, int | str] = {role: allowed.get(role, denied) for role in roles}
    if "anonymous" in table:
        table["anonymous"] = anonymous
    if "outsider" in table:
        table["outsider"] = outsider if outsider is not None else allowed.get("outsider", denied)
    return table


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: Callable[[SimpleNamespace], str]
    expected: dict[str, int | str]
    method: str = "get"
    data: Callable[[SimpleNamespace], dict] = field(default=lambda world: {})

    def call(self, client, world):
        url = self.url(world)
        if self.method == "post":
            return client.post(url, self.data(world))
        return client.get(url)


def page(name: str, program: str = "program", **kwargs) -> Callable[[SimpleNamespace], str]:
    """The URL of page `name` for `world.<program>`; a keyword's value may be a
    function of the world (e.g. the pk of one of its rows)."""

    def build(world):
        values = {key: value(world) if callable(value) else value for key, value in kwargs.items()}
        return reverse(name, kwargs={"slug": getattr(world, program).slug, **values})

    return build


def module_fixtures(make_rows, people, *, world=lambda rows: rows.world) -> dict:
    """The fixtures of a matrix module, for its globals
    (`globals().update(module_fixtures(make_matrix_rows, ROLE_PEOPLE.values()))`):

    - `_rows`: `make_rows()` made once for the module (each test then runs in its own
      rolled-back savepoint inside, tests/conftest.py rows_for_the_module, so it starts
      from exactly these rows whatever an earlier test did or posted);
    - one fixture per name of `people` (None, the anonymous, is skipped), the person (or
      row) `_rows.people[name]`, named so that `sign_in_as` finds it;
    - `world`: `world(_rows)`, by default the rows' world."""

    @pytest.fixture(scope="module")
    def _rows(django_db_setup, django_db_blocker, tmp_path_factory):
        yield from rows_for_the_module(django_db_blocker, tmp_path_factory, make_rows)

    def person(name):
        return pytest.fixture(lambda db, _rows: _rows.people[name], name=name)

    fixtures = {name: person(name) for name in people if name is not None}
    fixtures["_rows"] = _rows
    fixtures["world"] = pytest.fixture(lambda db, _rows: world(_rows), name="world")
    return fixtures


def sign_in_as(client, request, role_people: dict[str, str | None], role: str) -> None:
    """Sign `client` in as the fixture named for `role` (or out, for anonymous)."""
    client.logout()
    if role_people[role] is not None:
        sign_in(client, request.getfixturevalue(role_people[role]))


def matrix(endpoints, roles) -> list:
    """Parameters: each endpoint with each role."""
    return [
        pytest.param(endpoint, role, id=f"{endpoint.name}-{role}")
        for endpoint in endpoints
        for role in roles
    ]


def assert_expected_answer(response, expected) -> None:
    """The response is the expected status, or (SIGN_IN) a redirect to the sign-in page;
    an expected 302 must lead somewhere else than the sign-in page."""
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("sign-in"))
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response["Location"].startswith(reverse("sign-in"))


_CSRF = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r'("X-CSRFToken": ")[^"]+'),
]


def content(response) -> object:
    """What the person sees: the body with per-request CSRF tokens masked, or for a zip
    the names and contents of its files (zip headers carry the time of writing)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:5] == b"%PDF-" or body[:3] == b"\xff\xd8\xff":  # a PDF or photo: byte for byte
        return body
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    text = body.decode()
    for pattern in _CSRF:
        text = pattern.sub(r"\1…", text)
    return (response.status_code, text)


def snapshot(client, request, role_people, world, endpoints, roles) -> dict:
    """What each role sees on each endpoint, by (role, endpoint name)."""
    seen = {}
    for role in roles:
        sign_in_as(client, request, role_people, role)
        for endpoint in endpoints:
            seen[(role, endpoint.name)] = content(endpoint.call(client, world))
    return seen


def leaks(before: dict, after: dict, owners) -> list[str]:
    """The (role, endpoint) whose view changed although the role owns nothing changed."""
    return [
        f"{endpoint} shows {role} the change"
        for (role, endpoint), seen in before.items()
        if role not in owners and seen != after[(role, endpoint)]
    ]


def matrix_modules() -> list[ModuleType]:
    """Every matrix module in this package (`test_<name>.py`)."""
    import tests.privacy_matrix as package

    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("test_")
    ]
