"""Answering a survey through the invitation link: consent, pages, drafts, submission."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.surveys.models import Anonymity, Answer, Invitation, Response, Wave
from medmentor.surveys.services import invitation_token, invitations_create
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")

CODE = {
    "mother_initial": "M",
    "birth_day": "07",
    "older_siblings": "1",
    "street_initial": "k",
}
PAGE_ONE = {f"conf_{n}": str(n % 6) for n in range(1, 8)}


def _link(survey, person, kind="pre"):
    wave = survey.waves.get(kind=kind)
    invitations_create(wave=wave, people=[person])
    invitation = Invitation.objects.get(wave=wave, person=person)
    return reverse("survey-answer", kwargs={"token": invitation_token(invitation=invitation)})


def _consent(client, url):
    response = client.post(url, {"consent": "yes"})
    assert response.status_code == 302
    return response


def _answer_all(client, url, *, code=CODE, page_one=PAGE_ONE):
    assert client.post(url, {"page": 1, "action": "next", **code, **page_one}).status_code == 302
    assert (
        client.post(
            url, {"page": 2, "action": "next", "role_understanding": "4", "had_session": "1"}
        ).status_code
        == 302
    )
    return client.post(
        url,
        {
            "page": 3,
            "action": "submit",
            "session_minutes": "45",
            "topics": ["1", "3"],
            "thoughts": "A new perspective.",
        },
    )


def test_consent_page_explains_the_anonymity_mode_in_plain_words(client, survey, junior):
    response = client.get(_link(survey, junior))
    assert response.status_code == 200
    assert "Your answers are stored without your name" in response.content.decode()
    assert "Do you agree to take part?" in response.content.decode()


def test_declining_stores_only_a_count_and_ends_the_invitation(client, survey, junior):
    url = _link(survey, junior)
    response = client.post(url, {"consent": "no"})
    assert response.status_code == 200
    wave = survey.waves.get(kind="pre")
    assert Wave.objects.get(pk=wave.pk).declined_count == 1
    assert not Response.objects.exists()
    assert Invitation.objects.get(person=junior).is_done
    assert client.get(url).status_code == 410
    # Coded mode: reminders go to everyone invited, and the page says so.
    assert "Reminders go to everyone invited" in response.content.decode()


def test_coded_respondent_answers_every_page_and_submits(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    response = _answer_all(client, url)
    assert response.status_code == 200
    assert "Your answers are submitted" in response.content.decode()
    stored = Response.objects.get()
    assert stored.submitted_at is not None
    assert stored.person is None and stored.draft_token_digest is None
    assert len(stored.code_hashes) == 4 and "M" not in str(stored.code_hashes)
    assert dict(Answer.objects.values_list("item__key", "value"))["topics"] == "1|3"
    assert Invitation.objects.get(person=junior).is_done


def test_reused_link_gets_a_clear_message_and_changes_nothing(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    _answer_all(client, url)
    before = list(Answer.objects.values_list("pk", "value"))
    response = client.post(url, {"page": 1, "action": "next", **CODE, **PAGE_ONE, "conf_1": "0"})
    assert response.status_code == 410
    assert "This link was already used" in response.content.decode()
    assert list(Answer.objects.values_list("pk", "value")) == before


def test_out_of_range_answer_is_named_and_nothing_on_the_page_is_saved(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    response = client.post(url, {"page": 1, "action": "next", **CODE, **PAGE_ONE, "conf_3": "9"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "9 is out of range: give a number from 0 to 5." in text
    assert 'aria-invalid="true"' in text
    assert not Answer.objects.exists()


def test_missing_required_answer_is_marked_on_its_item(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    data = {**CODE, **PAGE_ONE}
    del data["conf_2"]
    response = client.post(url, {"page": 1, "action": "next", **data})
    assert response.status_code == 422
    assert "Please answer this question; it is required." in response.content.decode()
    assert not Answer.objects.exists()


def test_draft_survives_a_closed_browser_through_its_cookie(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    client.post(url, {"page": 1, "action": "save", **CODE, "conf_1": "3"})
    client.session.flush()  # the session ends with the browser; the draft cookie lasts
    page = client.get(url + "?page=1").content.decode()
    assert 'name="conf_1" id="item-conf_1" value="3"' in page


def test_change_saves_the_draft_through_htmx(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    response = client.post(
        url, {"page": 1, "action": "save", "conf_4": "2"}, HTTP_HX_REQUEST="true"
    )
    assert response.content == b"Saved."
    assert Answer.objects.get().value == "2"


def test_show_if_hides_follow_up_items_and_drops_their_answers(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    client.post(url, {"page": 1, "action": "next", **CODE, **PAGE_ONE})
    client.post(url, {"page": 2, "action": "next", "role_understanding": "4", "had_session": "0"})
    page = client.get(url + "?page=3").content.decode()
    assert "session_minutes" not in page
    client.post(url, {"page": 3, "action": "submit", "session_minutes": "45", "thoughts": "Fine."})
    assert not Answer.objects.filter(item__key="session_minutes").exists()
    assert Response.objects.get().submitted_at is not None


def test_submit_with_required_items_unanswered_on_another_page_is_refused(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    response = client.post(url, {"page": 3, "action": "submit", "thoughts": "Early."})
    assert response.status_code == 422
    assert "not answered yet (page 1, 2)" in response.content.decode()
    assert Response.objects.get().submitted_at is None


def test_closed_wave_gets_a_clear_message_and_nothing_is_saved(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    Wave.objects.filter(kind="pre").update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.post(url, {"page": 1, "action": "next", **CODE, **PAGE_ONE})
    assert response.status_code == 410
    assert "This survey closed on" in response.content.decode()
    assert not Answer.objects.exists()


def test_unknown_link_is_refused(client, db):
    response = client.get(reverse("survey-answer", kwargs={"token": "nope"}))
    assert response.status_code == 404
    assert "This survey link is not valid" in response.content.decode()


def test_identified_draft_is_found_again_through_the_invitation(client, program, junior):
    survey = make_survey(program, anonymity=Anonymity.IDENTIFIED)
    url = _link(survey, junior)
    _consent(client, url)
    client.post(url, {"page": 1, "action": "save", "conf_1": "4"})
    client.cookies.clear()
    page = client.get(url + "?page=1").content.decode()
    assert 'value="4"' in page
    assert Response.objects.get().person == junior
