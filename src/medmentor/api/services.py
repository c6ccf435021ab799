"""Writes the API makes on its own account: noting when a script's token was last used."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from medmentor.people.models import ApiToken, Person

# Writing last_used_at on every request would turn each read into a write; once a
# minute is enough to tell a director which scripts are still in use.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)

# Our tokens are "mm_" + 43 characters; anything far longer is not one of ours, and
# refusing it early keeps a huge header from being hashed.
MAX_TOKEN_LENGTH = 200


class ApiTokenRefused(Exception):
    """The token cannot sign anyone in; the message says why, in plain words."""


def api_token_use(*, raw_token: str) -> Person:
    """The person a raw Bearer token signs in, noting the use at most once a minute.

    Raises ApiTokenRefused for an unknown or revoked token, or a switched-off account.
    """
    raw_token = raw_token.strip()
    if not raw_token or len(raw_token) > MAX_TOKEN_LENGTH:
        raise ApiTokenRefused("Unknown API token.")
    token = (
        ApiToken.objects.select_related("person")
        .filter(digest=ApiToken.digest_of(raw_token))
        .first()
    )
    if token is None:
        raise ApiTokenRefused("Unknown API token.")
    if token.revoked_at is not None:
        raise ApiTokenRefused(
            "This API token has been revoked. Create a new one with "
            "`medmentor create-api-token EMAIL NAME`."
        )
    if not token.person.is_active:
        raise ApiTokenRefused("The account this API token belongs to is switched off.")
    now = timezone.now()
    stale_before = now - LAST_USED_RESOLUTION
    if token.last_used_at is None or token.last_used_at < stale_before:
        with transaction.atomic():
            # Conditional UPDATE: many requests in the same minute write at most once.
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before)
            ).update(last_used_at=now)
    return token.person
