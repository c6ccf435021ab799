"""Everything program staff (and the operations superuser) can read about the mail of
a program: the outbox rows, the outbox pages, the admin's outbox and the API. Used
by the personal-link property test and the privacy scenarios, which demand that no
token of a personal link ever appears in any of it."""

import re

from django.test import Client
from django.urls import reverse

from medmentor.messaging.models import OutboxMessage

SIGN_IN_TOKEN = re.compile(r"/sign-in/link/([^/\s\"'<>?&]+)/")
SURVEY_TOKEN = re.compile(r"/surveys/answer/([^/\s\"'<>?&]+)/")

_TEXT_COLUMNS = [
    field.name
    for field in OutboxMessage._meta.get_fields()
    if getattr(field, "get_internal_type", lambda: "")() in ("CharField", "TextField")
    or field.name == "to_email"
]


def tokens_in(text: str) -> set[str]:
    """The sign-in and survey answering tokens in links found in `text`."""
    return set(SIGN_IN_TOKEN.findall(text)) | set(SURVEY_TOKEN.findall(text))


def outbox_rows_text() -> list[str]:
    """Every text column of every outbox row."""
    return [
        "\n".join(str(value) for value in row)
        for row in OutboxMessage.objects.values_list(*_TEXT_COLUMNS)
    ]


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code in (200, 403, 404), (url, response.status_code)
    return response.content.decode()


def api_text(*, program, staff: list, surveys=()) -> list[str]:
    """The program's API read endpoints as each of `staff`."""
    client = Client()
    urls = [
        "/api/me",
        "/api/programs",
        f"/api/programs/{program.slug}",
        f"/api/programs/{program.slug}/people",
        f"/api/programs/{program.slug}/participation",
        f"/api/programs/{program.slug}/surveys",
        f"/api/programs/{program.slug}/weeks",
    ]
    for survey in surveys:
        urls += [
            f"/api/programs/{program.slug}/surveys/{survey.pk}",
            f"/api/programs/{program.slug}/surveys/{survey.pk}/statistics",
        ]
    texts = []
    for person in staff:
        client.force_login(person)
        texts += [_get(client, url) for url in urls]
        client.logout()
    return texts


def staff_pages_text(*, program, staff: list, operator=None) -> list[str]:
    """The program's outbox list and every message page as each of `staff`, and the
    admin's outbox (list and each message) as `operator`."""
    texts = []
    client = Client()
    topic = f"program:{program.pk}"
    program_messages = list(OutboxMessage.objects.filter(topic=topic).values_list("pk", flat=True))
    for person in staff:
        client.force_login(person)
        texts.append(_get(client, reverse("outbox", kwargs={"slug": program.slug})))
        texts += [
            _get(
                client,
                reverse("outbox-message", kwargs={"slug": program.slug, "message_id": pk}),
            )
            for pk in program_messages
        ]
        client.logout()
    if operator is not None:
        client.force_login(operator)
        texts.append(_get(client, reverse("admin:messaging_outboxmessage_changelist")))
        texts += [
            _get(client, reverse("admin:messaging_outboxmessage_change", args=[pk]))
            for pk in OutboxMessage.objects.values_list("pk", flat=True)
        ]
        client.logout()
    return texts


def runs_of(tokens: set[str], length: int = 8) -> set[str]:
    """Every run of `length` characters of every token, lower-cased."""
    return {
        token.lower()[start : start + length]
        for token in tokens
        for start in range(len(token) - length + 1)
    }


def leaked_runs(*, tokens: set[str], texts: list[str]) -> set[str]:
    """The 8-character runs of `tokens` that appear (in any case) in any of `texts`."""
    runs = runs_of(tokens)
    haystack = "\n".join(texts).lower()
    return {run for run in runs if run in haystack}
