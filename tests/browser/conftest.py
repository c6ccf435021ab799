"""Shared browser-test parts: Debian's Chromium driven by Playwright, signed-in pages, axe.

Browser tests carry the `browser` marker. They skip when /usr/bin/chromium is missing,
unless MEDMENTOR_REQUIRE_BROWSER=1 (as in CI), when they fail instead.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API keeps an asyncio event loop running in this thread, and Django
# refuses ORM calls from a thread with a running loop unless told it is safe. It is
# safe here: the loop belongs to Playwright, and our test code never awaits anything.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# The axe-core rules for WCAG 2.0 and 2.1, levels A and AA: what accessibility law
# asks of medical schools' learning tools.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("MEDMENTOR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MEDMENTOR_REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        _skip_or_fail(f"{CHROMIUM} is missing; install Debian's chromium package")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _no_content_security_violations(request):
    """Fail a browser test whose pages broke the Content Security Policy: Chromium
    reports each refused inline script, style or foreign source on the console
    ("Refused to ... because it violates the following Content Security Policy
    directive"), and a refusal is a feature that silently stopped working."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    refused: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on(
            "console",
            lambda message: (
                refused.append(f"{message.text} ({message.location.get('url', '')})")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return context

    browser.new_context = watched_context
    try:
        yield
    finally:
        browser.new_context = new_context
    assert refused == [], "The page broke the Content Security Policy:\n" + "\n".join(refused)


def signed_in_page(browser, live_server, person, viewport=None):
    """A new page (in its own browser context) signed in as `person` on `live_server`.

    The session comes from Django's test client `force_login`, handed to the browser
    as its session cookie. Close it with `page.context.close()`, or use the
    `signed_in` fixture, which closes every page it made.
    """
    client = Client()
    client.force_login(person)
    context = browser.new_context(viewport=viewport or DESKTOP, base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    context.set_default_timeout(15_000)
    return context.new_page()


@pytest.fixture
def signed_in(browser, live_server):
    """`signed_in(person, viewport=None)` -> a signed-in page; all are closed after the test."""
    contexts = []

    def make(person, viewport=None):
        page = signed_in_page(browser, live_server, person, viewport=viewport)
        contexts.append(page.context)
        return page

    yield make
    for context in contexts:
        context.close()


def assert_accessible(page, context=None) -> None:
    """Fail with axe-core's report when the page (or `context`, a CSS selector) breaks a
    WCAG 2.1 A or AA rule."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        context=context,
        options={
            "runOnly": {"type": "tag", "values": WCAG_21_AA},
            "resultTypes": ["violations"],
        },
    )
    assert results.violations_count == 0, results.generate_report()
