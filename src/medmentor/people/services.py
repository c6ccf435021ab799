"""Every write about people: sign-in links, failed sign-ins, API tokens."""

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from medmentor.people.models import ApiToken, FailedSignIn, Person, SignInLink

SIGN_IN_SALT = "medmentor.sign-in-link"


class SignInLinkError(Exception):
    """A sign-in link that cannot be used; the message says why, in plain words."""


def sign_in_link_create(*, person: Person, max_age_seconds: int | None = None) -> str:
    """Make a one-time sign-in URL (absolute) for `person`.

    The URL carries a signed, timestamped token holding a random nonce; the nonce's
    row records its expiry and, once used, when — so a link works once at most.
    """
    max_age = max_age_seconds or settings.SIGN_IN_LINK_MAX_AGE
    nonce = secrets.token_urlsafe(24)
    now = timezone.now()
    SignInLink.objects.create(
        person=person,
        nonce=nonce,
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=max_age),
    )
    token = signing.dumps({"p": person.pk, "n": nonce}, salt=SIGN_IN_SALT, compress=True)
    return settings.SITE_URL + reverse("sign-in-link", kwargs={"token": token})


def sign_in_links_create_many(
    *, people: list[Person], max_age_seconds: int | None = None
) -> dict[int, str]:
    """sign_in_link_create for many people at once: person id -> one-time sign-in URL.

    The same links (a signed, timestamped token per person holding a random nonce,
    whose row records expiry and use), written in batched INSERTs: the weekly email
    makes one per person on service, and one INSERT each was a third of its time.
    """
    max_age = max_age_seconds or settings.SIGN_IN_LINK_MAX_AGE
    now = timezone.now()
    expires_at = now + datetime.timedelta(seconds=max_age)
    links = [
        SignInLink(
            person_id=person.pk,
            nonce=secrets.token_urlsafe(24),
            created_at=now,
            expires_at=expires_at,
        )
        for person in {person.pk: person for person in people}.values()
    ]
    SignInLink.objects.bulk_create(links, batch_size=1000)
    return {
        link.person_id: settings.SITE_URL
        + reverse(
            "sign-in-link",
            kwargs={
                "token": signing.dumps(
                    {"p": link.person_id, "n": link.nonce}, salt=SIGN_IN_SALT, compress=True
                )
            },
        )
        for link in links
    }


def sign_in_link_consume(*, token: str) -> Person:
    """Check a sign-in token and mark it used; raises SignInLinkError when it cannot sign in."""
    try:
        data = signing.loads(token, salt=SIGN_IN_SALT, max_age=datetime.timedelta(days=366))
        nonce = str(data["n"])
        person_id = int(data["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise SignInLinkError("This sign-in link is not valid. Ask for a new one below.") from error
    now = timezone.now()
    with transaction.atomic():
        # The conditional UPDATE makes "use once" hold even when two tabs open the link.
        used = SignInLink.objects.filter(
            nonce=nonce, person_id=person_id, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not used:
            link = SignInLink.objects.filter(nonce=nonce, person_id=person_id).first()
            if link is None:
                raise SignInLinkError("This sign-in link is not valid. Ask for a new one below.")
            if link.used_at is not None:
                raise SignInLinkError(
                    "This sign-in link has already been used. Ask for a new one below."
                )
            raise SignInLinkError("This sign-in link has expired. Ask for a new one below.")
        person = Person.objects.get(pk=person_id)
        if not person.is_active:
            raise SignInLinkError("This account is switched off. Ask your program director.")
    return person


def failed_sign_in_record(*, email: str, address: str) -> None:
    FailedSignIn.objects.create(email=email.strip().lower()[:254], address=address[:64])


def failed_sign_in_clear(*, email: str) -> None:
    FailedSignIn.objects.filter(email=email.strip().lower()).delete()


def sign_in_is_throttled(*, email: str, address: str) -> bool:
    """True when this email or this address failed too often within the window."""
    since = timezone.now() - datetime.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW)
    recent = FailedSignIn.objects.filter(at__gte=since)
    limit = settings.SIGN_IN_FAILURE_LIMIT
    return (
        recent.filter(email=email.strip().lower()).count() >= limit
        or recent.filter(address=address).count() >= limit * 4
    )


def api_token_create(*, person: Person, name: str) -> str:
    """Create an API token for `person`; returns the raw token, shown once and never stored."""
    raw = "mm_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(person=person, name=name, digest=ApiToken.digest_of(raw))
    return raw


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
