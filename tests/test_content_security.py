"""The Content Security Policy (django-csp) and what lets it be strict: no template has
an inline script, an event-handler attribute, a javascript: link or a <style> element,
and the API docs load Swagger UI from our own static files."""

import datetime
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from medmentor.surveys.demo import survey_demo_load
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")

TEMPLATES = sorted((Path(settings.BASE_DIR)).glob("**/templates/**/*.html"))

# An opening <script> tag without src= (JSON data, type="application/json", is data the
# browser never runs, and is allowed).
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I
)
HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+|hx-on[:\-a-z]*)\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_templates_are_found():
    # The walk below proves nothing if it walks nothing.
    names = {path.name for path in TEMPLATES}
    assert {"base.html", "document.html", "editor_item.html"} <= names


@pytest.mark.parametrize(
    "path", TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR))
)
def test_no_template_has_inline_script_handlers_or_style_elements(path):
    # Comments may talk about <style>; the markup may not.
    text = re.sub(
        r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", path.read_text(), flags=re.S
    )
    problems = [
        f"{what}: {match.group(0)[:80]!r}"
        for what, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("event-handler attribute", HANDLER),
            ("javascript: URL", JAVASCRIPT_URL),
            ("<style> element", STYLE_ELEMENT),
        )
        for match in pattern.finditer(text)
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("snippet", "caught"),
    [
        ("<script>alert(1)</script>", True),
        ('<script type="text/javascript">x()</script>', True),
        ('<script src="/static/x.js" defer></script>', False),
        ('<script type="application/json" id="s">{}</script>', False),
        ('<button onclick="x()">', True),
        ('<form class="a" onsubmit = "x()">', True),
        ('<div hx-on:click="x()">', True),
        ('<a href="javascript:x()">', True),
        ("<style>p{}</style>", True),
        ('<p class="one">only words</p>', False),
    ],
)
def test_the_template_walk_catches_what_it_looks_for(snippet, caught):
    patterns = (INLINE_SCRIPT, HANDLER, JAVASCRIPT_URL, STYLE_ELEMENT)
    assert any(pattern.search(snippet) for pattern in patterns) is caught


def test_pages_send_a_policy_without_inline_script(client, program, director):
    sign_in(client, director)
    for url in (reverse("home"), reverse("sign-in"), "/api/me"):
        directives = policy(client.get(url))
        assert directives["script-src"] == ["'self'"], url
        assert directives["style-src"] == ["'self'"]
        assert directives["default-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert directives["base-uri"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["img-src"] == ["'self'", "data:"]
        assert not any("unsafe" in value for value in directives["script-src"])


class _Assets(HTMLParser):
    """The URLs a page loads: script src, stylesheet and icon href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            elif attrs.get("type") != "application/json":
                self.inline_scripts += 1
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.urls.append(attrs["src"])


def test_api_docs_load_swagger_from_our_own_static_files(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    other_hosts = {
        urlsplit(url).hostname for url in re.findall(r"""https?://[^\s"'<>)]+""", page)
    } - {"testserver"}
    assert other_hosts == set()
    assets = _Assets()
    assets.feed(page)
    assert assets.inline_scripts == 0
    assert any(url.endswith("swagger-ui-bundle.js") for url in assets.urls)
    assert any(url.endswith("swagger-ui.css") for url in assets.urls)
    for url in assets.urls:
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not a static file"
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    # Swagger UI's validator badge would load an image from validator.swagger.io.
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', page, re.S).group(1)
    assert json.loads(settings_json)["validatorUrl"] is None


@pytest.mark.usefixtures("junior", "senior", "other_junior", "other_senior")
def test_a_survey_report_chart_needs_no_style_element(client, program, director):
    survey = survey_demo_load(program=program, today=datetime.date(2026, 11, 27))
    sign_in(client, director)
    response = client.get(
        reverse("survey-report", kwargs={"slug": program.slug, "instrument_id": survey.pk})
    )
    page = response.content.decode()
    assert re.search(r'<svg role="img" aria-label="[^"]*" class="chart-svg"', page)
    assert not STYLE_ELEMENT.search(page)
    assert not INLINE_SCRIPT.search(page)


def test_email_html_previews_may_use_style_elements_but_never_inline_script(
    client, program, director
):
    # The preview's sandboxed srcdoc frame inherits the page's policy (see email_views).
    sign_in(client, director)
    directives = policy(client.get(reverse("email-template", kwargs={"slug": program.slug})))
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["script-src"] == ["'self'"]
    # Every other page keeps style elements out.
    assert policy(client.get(reverse("home")))["style-src"] == ["'self'"]
