"""Every page of the privacy matrix fits a 390 x 844 phone, as its main role, axe-clean.

The pages and their data are the matrices' own (tests/test_privacy_matrix.py and each
module of tests/privacy_matrix/, README.md there): a page added there is visited here
too.
A page "fits" when the document is no wider than the viewport, so nothing (a table's
column, a chart, the menu) is cut off or needs the whole page to scroll sideways; a
wide table may still scroll inside its own box.
"""

import pytest
from django.urls import reverse

import tests.test_privacy_matrix as case_review_matrix
from tests.browser.conftest import PHONE, assert_accessible
from tests.privacy_matrix.support import matrix_modules
from tests.test_privacy_matrix import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]

# The role a page is made for, first match wins: the director's tools are checked as
# the director, the pair's pages as the junior, and so on.
MAIN_ROLES = ("director", "junior", "senior", "researcher", "coordinator", "faculty")
MATRICES = [case_review_matrix, *matrix_modules()]


def _main_role(endpoint, main_roles=MAIN_ROLES) -> str | None:
    return next((role for role in main_roles if endpoint.expected.get(role) == 200), None)


# Pages someone reads: fetched with GET, shown (200) to some role, answering with HTML.
# Downloads, images (a pair's photo), redirects and the preview fragment (shown inside
# the email editor's page) are left out.
HTML_PAGES = [
    pytest.param(matrix, endpoint, id=endpoint.name)
    for matrix in MATRICES
    for endpoint in matrix.PAGES
    if endpoint.method == "get"
    and _main_role(endpoint, getattr(matrix, "MAIN_ROLES", MAIN_ROLES)) is not None
    and (
        not endpoint.name.endswith(("-export", "-pdf", "-csv", "-template", "-photo"))
        or endpoint.name == "email-template"
    )
]


def _width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


# The outermost elements that reach past the right edge, for the failure message.
# Content inside a box that scrolls sideways on its own does not count.
SPILLING = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
    && el.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5
    && !el.parentElement.closest('.table-wrap, [style*=overflow]')
    && getComputedStyle(el.parentElement).overflowX === 'visible')
  .slice(0, 5)
  .map(el => `<${el.tagName.toLowerCase()} class="${el.className.baseVal ?? el.className}">`
    + ` ${Math.round(el.getBoundingClientRect().right)} px`)"""


@pytest.fixture
def rows(db):
    return case_review_matrix.make_matrix_rows()


@pytest.mark.parametrize(("matrix", "endpoint"), HTML_PAGES)
def test_the_page_fits_a_phone_as_its_main_role(signed_in, live_server, matrix, endpoint):
    role = _main_role(endpoint, getattr(matrix, "MAIN_ROLES", MAIN_ROLES))
    rows = matrix.make_matrix_rows()
    page = signed_in(rows.people[matrix.ROLE_PEOPLE[role]], viewport=PHONE)

    response = page.goto(live_server.url + endpoint.url(rows.world))

    assert response.status == 200, f"{endpoint.name} as {role}: HTTP {response.status}"
    assert response.headers["content-type"].startswith("text/html"), endpoint.name
    document_width, viewport_width = _width(page)
    print(f"WIDTH {endpoint.name} {role} {document_width}")
    assert document_width <= viewport_width, (
        f"{endpoint.name} as {role} is {document_width} px wide on a {viewport_width} px "
        f"phone; reaching past the edge: {page.evaluate(SPILLING)}"
    )
    assert_accessible(page)


def test_the_weeks_flag_for_juniors_without_a_senior_is_on_screen(signed_in, live_server, rows):
    """The flag the director needs most: each week's "Juniors without a senior" is on
    the phone's screen, not scrolled off to the right of the weeks table."""
    endpoint = next(endpoint for endpoint in PAGES if endpoint.name == "program-detail")
    page = signed_in(rows.people["director"], viewport=PHONE)
    page.goto(live_server.url + endpoint.url(rows.world))

    flags = page.locator('td[data-label="Juniors without a senior"]')
    assert flags.count() == len(page.locator("#weeks-heading ~ div tbody tr").all()) > 0
    for flag in flags.all():
        box = flag.bounding_box()
        assert flag.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert "Juniors without a senior:" in page.evaluate(
            "cell => getComputedStyle(cell, '::before').content", flag.element_handle()
        ).replace('"', "")


def test_the_sign_in_lockout_is_a_page_that_fits_a_phone(browser, live_server, rows, settings):
    """Too many failed sign-ins (django-axes' 429): the site's own page, in words, with
    the ways back, on a phone, axe-clean."""
    settings.AXES_FAILURE_LIMIT = 2
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    try:
        page = context.new_page()
        for _ in range(3):
            page.goto(live_server.url + "/sign-in/")
            page.get_by_label("Email", exact=True).first.fill(rows.people["junior"].email)
            page.get_by_label("Password").fill("wrong")
            with page.expect_response(lambda response: response.request.method == "POST") as sent:
                page.get_by_role("button", name="Sign in").click()
        assert sent.value.status == 429
        assert page.get_by_role("heading", level=1).inner_text() == "Too many sign-in attempts"
        assert "Try again in" in page.get_by_role("alert").inner_text()
        assert page.get_by_role("link", name="Back to the sign-in page").is_visible()
        assert page.get_by_role("button", name="Email me a link").is_visible()
        assert _width(page)[0] <= PHONE["width"]
        assert_accessible(page)
    finally:
        context.close()


# --- The demo's sizes: a term of weeks, a full outbox, a cohort to match, two focus
# groups. The matrix's world is small; these are the pages that grew wide or long with
# real numbers (issue 12: weeks table, outbox, surveys, matching run, competency map).
@pytest.fixture
def demo(db):
    from medmentor.mentoring.services import matching_run_create
    from medmentor.programs import access
    from medmentor.site.demo import demo_load, demo_today

    loaded = demo_load(today=demo_today())
    director = loaded.case_review.program.enrollments.filter(role="director").first().person
    run = matching_run_create(
        program=loaded.near_peer.program, objective="stable", by=access.SYSTEM
    )
    return loaded, director, run


def test_the_demo_sized_pages_fit_a_phone(signed_in, live_server, demo):
    loaded, director, run = demo
    program, near_peer = loaded.case_review.program.slug, loaded.near_peer.program.slug
    survey = loaded.survey.pk
    pages = {
        "program-detail": (director, reverse("program-detail", args=[program])),
        "program-weeks": (director, reverse("program-weeks", args=[program])),
        "outbox": (director, reverse("outbox", args=[program])),
        "survey-list": (director, reverse("survey-list", args=[program])),
        "survey-report": (
            director,
            reverse("survey-report", args=[loaded.survey.program.slug, survey]),
        ),
        "matching-run": (director, reverse("matching-run", args=[near_peer, run.pk])),
        "matching-publish": (director, reverse("matching-publish", args=[near_peer, run.pk])),
        "qualitative-competencies": (
            loaded.focus_groups.researcher,
            reverse("qualitative-competencies", args=[program]),
        ),
    }
    too_wide = []
    for name, (person, url) in pages.items():
        page = signed_in(person, viewport=PHONE)
        assert page.goto(live_server.url + url).status == 200, name
        width, viewport = _width(page)
        height = page.evaluate("document.documentElement.scrollHeight")
        print(f"DEMO {name} {width} x {height}")
        if width > viewport:
            too_wide.append(f"{name}: {width} px, {page.evaluate(SPILLING)}")
        page.context.close()
    assert too_wide == []
