"""Attacks on sign-in, replayed over real HTTP against the live server.

The live server listens on 127.0.0.1, which is where nginx reaches medmentor in
docs/deploy.md; with TRUSTED_PROXY_COUNT = 1 each request carries the X-Forwarded-For
that nginx's `$proxy_add_x_forwarded_for` would send (whatever the client sent, then
the address nginx was reached from). Each request runs in its own server thread with
its own database connection, so simultaneous requests really are simultaneous.
"""

import re
import threading
from collections import Counter
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
from axes.models import AccessAttempt

from medmentor.messaging.models import OutboxMessage
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LOCKED_OUT = "Too many failed sign-ins for this account from this address."
NEUTRAL = "If that address belongs to an account, a sign-in link is on its way."
ATTACKER = "198.51.100.66"
REAL_USER = "203.0.113.7"


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser (its own cookies and CSRF token) at one address behind nginx.

    `sends` is what the browser itself writes in X-Forwarded-For (an attacker may write
    anything); `via_nginx` adds the entry nginx appends, the browser's real address."""

    def __init__(self, live_server, address: str, *, sends: str = "", via_nginx: bool = True):
        self.base = live_server.url
        self.forwarded = ", ".join(part for part in (sends, address if via_nginx else "") if part)
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirects())
        self.token = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', self.open("/sign-in/")[1]
        ).group(1)

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.token}).encode()
        request = Request(self.base + path, data=body)  # noqa: S310 - the live server
        if self.forwarded:
            request.add_header("X-Forwarded-For", self.forwarded)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, email: str, password: str) -> tuple[int, str]:
        return self.open("/sign-in/", {"email": email, "password": password})

    def ask_for_link(self, email: str) -> tuple[int, str]:
        status, _ = self.open("/sign-in/email-link/", {"email": email})
        # The answer is a flash message on the page the redirect leads to.
        return status, self.open("/sign-in/")[1] if status == 302 else ""


def all_at_once(calls) -> list:
    """Run the calls in threads released together; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5


def test_an_attacker_behind_the_proxy_cannot_lock_the_real_user_out_at_another_address(
    live_server, junior, behind_nginx
):
    attacker = Browser(live_server, ATTACKER)
    # Writing the real user's address in the header does not make the guesses theirs:
    # nginx appends the attacker's own address, and that is the one counted.
    spoofer = Browser(live_server, ATTACKER, sends=REAL_USER)
    answers = [attacker.sign_in(junior.email, f"guess {n}")[0] for n in range(4)]
    answers += [spoofer.sign_in(junior.email, f"guess {n}")[0] for n in range(4)]
    assert answers == [400, 400, 400, 400, 429, 429, 429, 429]
    # The attacker's pair stays locked, even with the right password.
    status, page = attacker.sign_in(junior.email, PASSWORD)
    assert (status, LOCKED_OUT in page) == (429, True)

    status, _ = Browser(live_server, REAL_USER).sign_in(junior.email, PASSWORD)
    assert status == 302
    # Only the attacker's pair was ever counted.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_a_burst_of_simultaneous_guesses_does_not_pass_the_limit(live_server, junior, behind_nginx):
    browsers = [Browser(live_server, ATTACKER) for _ in range(20)]
    answers = all_at_once(
        [
            lambda browser=browser, n=n: browser.sign_in(junior.email, f"guess {n}")
            for n, browser in enumerate(browsers)
        ]
    )
    statuses = Counter(status for status, _ in answers)
    # Five passwords were checked: four answered "do not match", the fifth reached the
    # limit; every other guess was refused before its password was looked at.
    assert statuses == {400: 4, 429: 16}, statuses
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert all(LOCKED_OUT in page for status, page in answers if status == 429)


def test_flooding_one_inbox_with_sign_in_links_is_capped_and_does_not_reveal_the_account(
    live_server, junior, behind_nginx, settings
):
    settings.SIGN_IN_LINK_REQUESTS_PER_EMAIL = 3
    unknown = "nobody@lakeside.test"
    browsers = [Browser(live_server, f"198.51.100.{n}") for n in range(1, 21)]
    answers = all_at_once(
        [
            lambda browser=browser, n=n: browser.ask_for_link(junior.email if n % 2 else unknown)
            for n, browser in enumerate(browsers)
        ]
    )
    # Every request, known or unknown email, under or over the cap, gets the same answer.
    assert {status for status, _ in answers} == {302}
    assert all(NEUTRAL in page for _, page in answers)
    assert OutboxMessage.objects.filter(to_email=junior.email).count() == 3
    assert OutboxMessage.objects.count() == 3


def test_a_forged_x_forwarded_for_is_ignored_when_no_proxy_is_trusted_so_it_cannot_reset_the_limit(
    live_server, junior, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.AXES_FAILURE_LIMIT = 5
    answers = []
    for n in range(8):
        # A fresh browser and a fresh made-up address in the header for every guess.
        forger = Browser(live_server, "127.0.0.1", sends=f"192.0.2.{n}", via_nginx=False)
        answers.append(forger.sign_in(junior.email, f"guess {n}")[0])
    assert answers == [400, 400, 400, 400, 429, 429, 429, 429]
    attempt = AccessAttempt.objects.get()
    assert (attempt.ip_address, attempt.failures_since_start) == ("127.0.0.1", 5)
