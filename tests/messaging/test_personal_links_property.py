"""Property: whatever chain of the filters allowed in email templates is applied to a
personal link, no token of a personal link ever reaches anything staff can read.

Each example saves a weekly email template that passes `workspace_url` through a
random chain of 1-4 filters (in the subject, the text and the HTML part) beside the
plain variable, and queues survey emails whose link went through random chains too;
plus the sign-in link email and the director's "send me a test". The real worker
delivers everything to a real SMTP server (aiosmtpd, started once for the module).
Every token in the received emails, every survey invitation's token and every
sign-in link's nonce is collected, and no 8-character run of any of them may appear
in the outbox rows, the outbox pages (director, coordinator), the admin's outbox
(operations superuser), the API, or the worker's log.
"""

import datetime
import logging

import pytest
from django.template import Context, Template
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medmentor.curriculum.weekly_email import (
    EmailParts,
    _engine,
    email_template_default,
    email_template_save,
    weekly_email_test_send,
    weekly_emails_enqueue,
)
from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.personal_links import personal_link_placeholder
from medmentor.messaging.services import (
    RenderedEmail,
    outbox_deliver,
    outbox_enqueue_many,
    sign_in_link_send,
)
from medmentor.messaging.smtp_sink import MailSink, MailSinkServer
from medmentor.people.models import SignInLink
from medmentor.programs.models import ServiceBlock
from medmentor.surveys.invitations import invitation_email
from medmentor.surveys.models import Invitation
from medmentor.surveys.services import invitation_token, invitations_create
from tests.conftest import make_person, received_text
from tests.messaging.staff_readable import (
    api_text,
    leaked_runs,
    outbox_rows_text,
    staff_pages_text,
    tokens_in,
)
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

# Every filter the email template engine allows, with arguments worth trying on a
# link (None: no argument). test_every_allowed_filter_is_tried keeps this complete.
FILTERS: dict[str, list[str | None]] = {
    "add": ['"x"', '"/"'],
    "addslashes": [None],
    "capfirst": [None],
    "cut": ['"/sign-in/link/"', '"/personal-link/"', '"/"', '"http://"', '"-"', '"survey"'],
    "date": ['"Y"'],
    "default": ['"none"'],
    "default_if_none": ['"none"'],
    "dictsort": ['"x"'],
    "dictsortreversed": ['"x"'],
    "divisibleby": ["3"],
    "escape": [None],
    "escapejs": [None],
    "escapeseq": [None],
    "filesizeformat": [None],
    "first": [None],
    "force_escape": [None],
    "get_digit": ["1"],
    "iriencode": [None],
    "join": ['""', '"-"'],
    "json_script": [None],
    "last": [None],
    "length": [None],
    "linebreaks": [None],
    "linebreaksbr": [None],
    "linenumbers": [None],
    "lower": [None],
    "make_list": [None],
    "paragraphs": [None],
    "phone2numeric": [None],
    "pluralize": [None],
    "random": [None],
    "safe": [None],
    "safeseq": [None],
    "slice": ['"5:"', '":-3"', '"::-1"', '"::2"', '"10:40"', '"-30:"'],
    "slugify": [None],
    "striptags": [None],
    "time": ['"H"'],
    "timesince": [None],
    "timeuntil": [None],
    "title": [None],
    "truncatechars": ["30", "12"],
    "truncatechars_html": ["30"],
    "truncatewords": ["1", "3"],
    "truncatewords_html": ["2"],
    "unordered_list": [None],
    "upper": [None],
    "urlencode": [None, '""'],
    "urlize": [None],
    "urlizetrunc": ["15"],
    "wordcount": [None],
    "wordwrap": ["10", "25"],
    "yesno": ['"a,b"'],
}
ONE_FILTER = [
    name if arg is None else f"{name}:{arg}" for name, args in FILTERS.items() for arg in args
]
chains = st.lists(st.sampled_from(ONE_FILTER), min_size=1, max_size=4).map("|".join)
# Several chains per part and example: more chains tried for each delivery.
chain_lists = st.lists(chains, min_size=1, max_size=3)


@pytest.fixture(scope="module")
def mail_server():
    server = MailSinkServer(MailSink(), host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(settings, mail_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mail_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    mail_server.sink.clear()
    return mail_server


@pytest.fixture
def world(program, service, case_week, director, coordinator, junior, senior, institution):
    """A week on service with two pairs' people, a survey with invitations, an
    operations superuser."""
    for person in (junior, senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=service,
            starts_on=case_week.week.starts_on,
            ends_on=case_week.week.starts_on + datetime.timedelta(days=4),
        )
    survey = make_survey(program)
    invitations_create(wave=survey.waves.get(kind="pre"), people=[junior, senior])
    operator = make_person("ops@lakeside.test", "Ops Operator", "other", institution)
    operator.is_staff = operator.is_superuser = True
    operator.save(update_fields=["is_staff", "is_superuser"])
    return {
        "program": program,
        "week": case_week.week,
        "survey": survey,
        "staff": [director, coordinator],
        "operator": operator,
        "director": director,
        "junior": junior,
    }


def test_every_allowed_filter_is_tried():
    allowed = set(_engine().template_builtins[0].filters)
    assert set(FILTERS) == allowed


def _reshaped(chains: list[str], line: str) -> str:
    return "".join(line.replace("{}", "{{ workspace_url|" + chain + " }}") for chain in chains)


def _weekly_parts(subject_chain: str, text_chains: list[str], html_chains: list[str]) -> EmailParts:
    default = email_template_default()
    return EmailParts(
        subject=f"{default.subject} {{{{ workspace_url|{subject_chain} }}}}",
        text_body=(
            default.text_body
            + _reshaped(text_chains, "\nReshaped: {}\n")
            + "Plain: {{ workspace_url }}\n"
        ),
        html_body=(
            default.html_body
            + _reshaped(html_chains, '<a href="{}">reshaped</a> {}')
            + '<a href="{{ workspace_url }}">plain</a>'
        ),
    )


def _survey_emails(program, chains: list[str]) -> list[RenderedEmail]:
    """Survey emails whose answering link went through `chains`, beside the real ones."""
    source = "".join(f"Reshaped {{{{ url|{chain} }}}}\n" for chain in chains) + "plain {{ url }}"
    template = Template(source, engine=_engine())
    emails = []
    for invitation in Invitation.objects.select_related(
        "person", "wave__instrument__program"
    ).order_by("pk"):
        url = personal_link_placeholder(kind="survey", ref=invitation.pk)
        try:
            body = template.render(Context({"url": url}, autoescape=False))
        except Exception:
            body = f"plain {url}"  # a chain that cannot render a string: the link alone
        emails.append(
            RenderedEmail(
                key=f"survey-reshaped:{invitation.pk}",
                to_email=invitation.person.email,
                person_id=invitation.person_id,
                subject="Survey",
                text_body=body,
                topic=f"program:{program.pk}",
            )
        )
        emails.append(invitation_email(invitation=invitation))
    return emails


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    subject_chain=chains,
    text_chains=chain_lists,
    html_chains=chain_lists,
    survey_chains=chain_lists,
)
def test_no_filter_chain_puts_a_personal_token_where_staff_can_read_it(
    world, smtp, caplog, subject_chain, text_chains, html_chains, survey_chains
):
    program, week = world["program"], world["week"]
    OutboxMessage.objects.all().delete()
    smtp.sink.clear()
    caplog.clear()
    try:
        parts = _weekly_parts(subject_chain, text_chains, html_chains)
        email_template_save(program=program, parts=parts)
        weekly_emails_enqueue(program=program, week=week)
        weekly_email_test_send(
            program=program,
            week=week,
            person=world["junior"],
            parts=parts,
            to=world["director"],
            now=timezone.now(),
        )
    except ValueError:
        pass  # a chain this template cannot render with: nothing of it is queued
    outbox_enqueue_many(emails=_survey_emails(program, survey_chains))
    sign_in_link_send(person=world["junior"])

    with caplog.at_level(logging.DEBUG):
        outbox_deliver(worker_name="property")
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()

    received = "\n".join(received_text(message) for message in smtp.messages)
    tokens = tokens_in(received)
    # Not vacuous: the plain links were minted, a sign-in and a survey token at least.
    assert any(len(token) > 40 for token in tokens) and len(tokens) >= 3
    tokens |= {invitation_token(invitation=i) for i in Invitation.objects.all()}
    tokens |= set(SignInLink.objects.values_list("nonce", flat=True))

    readable = outbox_rows_text() + [caplog.text]
    readable += staff_pages_text(program=program, staff=world["staff"], operator=world["operator"])
    assert not leaked_runs(tokens=tokens, texts=readable)


def test_the_api_shows_staff_no_personal_token_after_delivery(world, smtp):
    """The API does not serve the outbox; after a delivery of every kind of personal
    link, none of its read endpoints holds a run of any token either."""
    program = world["program"]
    email_template_save(program=program, parts=email_template_default())
    weekly_emails_enqueue(program=program, week=world["week"])
    outbox_enqueue_many(emails=_survey_emails(program, ["upper"]))
    sign_in_link_send(person=world["junior"])
    outbox_deliver(worker_name="api-check")
    tokens = tokens_in("\n".join(received_text(message) for message in smtp.messages))
    assert len(tokens) >= 3
    tokens |= {invitation_token(invitation=i) for i in Invitation.objects.all()}
    texts = api_text(program=program, staff=world["staff"], surveys=[world["survey"]])
    assert not leaked_runs(tokens=tokens, texts=texts)
