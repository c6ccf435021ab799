"""Save and continue later on another device: the answering page offers a private link
that carries the draft token (coded and anonymous surveys), or points to the invitation
link (identified); a submitted draft's link resumes nothing."""

import re
from html import unescape

import pytest
from django.test import Client

from medmentor.surveys.models import Anonymity, Answer, Invitation, Response
from medmentor.surveys.services import digest
from tests.surveys.conftest import make_survey
from tests.surveys.test_answering import CODE, PAGE_ONE, _answer_all, _consent, _link

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _resume_link(page: str) -> str:
    """The path and query of the page's private link to continue."""
    match = re.search(r'id="resume-link" value="https?://[^/"]+([^"]+)"', page)
    assert match, "the page offers no link to continue elsewhere"
    return unescape(match.group(1))


def _started(client, survey, person):
    """Consent given and page one saved on the first device; its resume link."""
    url = _link(survey, person)
    _consent(client, url)
    assert client.post(url, {"page": 1, "action": "next", **CODE, **PAGE_ONE}).status_code == 302
    page = client.get(url + "?page=2").content.decode()
    return url, _resume_link(page)


@pytest.mark.parametrize("anonymity", [Anonymity.CODED, Anonymity.ANONYMOUS])
def test_a_second_device_continues_the_draft_and_submits_it(program, junior, anonymity):
    survey = make_survey(program, anonymity=anonymity)
    first = Client()
    url, resume = _started(first, survey, junior)
    assert "Whoever has this link can see and change your unsent answers" in (
        first.get(url + "?page=2").content.decode()
    )
    second = Client()
    opened = second.get(resume)
    # The cookie is set and the draft token leaves the address.
    assert opened.status_code == 302 and opened["Location"] == url
    page = second.get(url + "?page=1").content.decode()
    assert "Do you agree to take part?" not in page  # no second consent, same draft
    assert 'name="conf_5" id="item-conf_5" value="5"' in page
    # The second device finishes; one response holds every answer.
    next_page = second.post(url, {"page": 2, "action": "next", "role_understanding": "4"})
    assert next_page.status_code == 302
    response = second.post(
        url, {"page": 3, "action": "submit", "thoughts": "Finished on my phone."}
    )
    assert "Your answers are submitted" in response.content.decode()
    stored = Response.objects.get()
    assert stored.submitted_at is not None and stored.person is None
    answers = dict(Answer.objects.values_list("item__key", "value"))
    assert answers["conf_5"] == "5" and answers["thoughts"] == "Finished on my phone."
    assert Invitation.objects.get().is_done


def test_the_draft_token_is_stored_only_as_the_drafts_digest(client, survey, junior):
    _, resume = _started(client, survey, junior)
    draft_token = re.search(r"draft=([^&]+)", resume).group(1)
    assert Response.objects.get().draft_token_digest == digest(draft_token)
    invitation = Invitation.objects.values().get()
    assert not any(
        draft_token in str(value) or digest(draft_token) in str(value)
        for value in invitation.values()
    )


def test_a_submitted_drafts_link_resumes_nothing(survey, junior):
    first = Client()
    url, resume = _started(first, survey, junior)
    next_page = first.post(url, {"page": 2, "action": "next", "role_understanding": "4"})
    assert next_page.status_code == 302
    assert "submitted" in first.post(url, {"page": 3, "action": "submit"}).content.decode()
    before = list(Answer.objects.values_list("pk", "value"))
    second = Client()
    reply = second.get(resume)
    assert reply.status_code == 410
    assert "This link was already used" in reply.content.decode()
    assert "survey_draft_" not in str(reply.cookies)
    assert list(Answer.objects.values_list("pk", "value")) == before


def test_a_mistyped_draft_link_is_refused_and_changes_nothing(survey, junior):
    first = Client()
    url, resume = _started(first, survey, junior)
    second = Client()
    reply = second.get(url + "?draft=not-the-token")
    assert reply.status_code == 404
    assert "holds no unsent answers" in reply.content.decode()
    assert "survey_draft_" not in str(reply.cookies)
    assert Response.objects.count() == 1


def test_an_identified_survey_continues_from_the_invitation_link(program, junior):
    survey = make_survey(program, anonymity=Anonymity.IDENTIFIED)
    first = Client()
    url = _link(survey, junior)
    _consent(first, url)
    assert first.post(url, {"page": 1, "action": "next", **PAGE_ONE}).status_code == 302
    page = first.get(url + "?page=2").content.decode()
    assert 'id="resume-link"' not in page
    assert "open the link in your email there" in page
    # Another device: the same invitation link, and the person's draft is there.
    second = Client()
    page = second.get(url + "?page=1").content.decode()
    assert 'name="conf_5" id="item-conf_5" value="5"' in page
    assert _answer_all(second, url, code={}).status_code == 200
    assert Response.objects.get().person == junior


def test_a_returning_respondent_keeps_the_saved_code_without_typing_it_again(
    client, survey, junior
):
    url, _ = _started(client, survey, junior)
    saved = list(Response.objects.get().code_hashes)
    page = client.get(url + "?page=1").content.decode()
    assert "Your code is already saved" in page
    # Page one again, code boxes empty: accepted, and the code is unchanged.
    assert client.post(url, {"page": 1, "action": "next", **PAGE_ONE}).status_code == 302
    assert Response.objects.get().code_hashes == saved


def test_a_new_code_replaces_the_saved_one_only_when_complete(client, survey, junior):
    url, _ = _started(client, survey, junior)
    saved = list(Response.objects.get().code_hashes)
    half = {"mother_initial": "Q", "birth_day": "", "older_siblings": "", "street_initial": ""}
    refused = client.post(url, {"page": 1, "action": "next", **half, **PAGE_ONE})
    assert refused.status_code == 422
    assert "it makes your private code" in refused.content.decode()
    assert Response.objects.get().code_hashes == saved
    whole = {**CODE, "mother_initial": "Q"}
    assert client.post(url, {"page": 1, "action": "next", **whole, **PAGE_ONE}).status_code == 302
    changed = Response.objects.get().code_hashes
    assert changed[0] != saved[0] and changed[1:] == saved[1:]


def test_a_first_visit_still_needs_every_code_element(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    page = client.get(url).content.decode()
    assert "Your code is already saved" not in page
    refused = client.post(url, {"page": 1, "action": "next", **PAGE_ONE})
    assert refused.status_code == 422
