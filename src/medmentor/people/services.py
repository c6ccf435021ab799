"""Every write about people: their own profile, sign-in links, sign-in throttling, API
tokens."""

import datetime
import enum
import hashlib
import io
import re
import secrets

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from medmentor.one_line import line_break_problem
from medmentor.people.client import client_address, sign_in_username
from medmentor.people.models import (
    ApiToken,
    Person,
    Profile,
    SignInLink,
    SignInLinkRequest,
    ThrottleKey,
)

SIGN_IN_SALT = "medmentor.sign-in-link"


# --- A person's own profile -------------------------------------------------------------

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {"JPEG", "PNG", "WEBP"}
PHOTO_MAX_SIDE = 512  # stored size: enough for a phone, small to serve
BIO_MAX = 600
CONTACT_MAX = 200
LANGUAGES_MAX = 12
LANGUAGE_MAX = 60
_LANGUAGE_SEPARATORS = re.compile(r"[,;/|\n]")


class ProfileError(ValueError):
    """A refused change to a person's profile, in plain words naming the field."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


def profile_photo_clean(upload) -> ContentFile:
    """The upload re-encoded as a JPEG of at most PHOTO_MAX_SIDE pixels a side; refused
    when too large or not a JPEG, PNG or WebP image. Pillow reads the bytes themselves,
    so a renamed file of another type is refused whatever its name or stated type."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ProfileError(
            f"The photo is {upload.size / 1024 / 1024:.1f} MB; photos of at most 2 MB are "
            "accepted.",
            field="photo",
        )
    try:
        with Image.open(upload) as image:
            kind = image.format
            if kind not in PHOTO_TYPES:
                raise ProfileError(
                    f"The photo is a {kind or 'file of unknown type'}; JPEG, PNG or WebP images "
                    "are accepted.",
                    field="photo",
                )
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            # Re-encoding drops whatever else the file carried (location, camera data).
            image.convert("RGB").save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError) as error:
        raise ProfileError(
            "The photo could not be read as an image: JPEG, PNG or WebP.", field="photo"
        ) from error
    return ContentFile(out.getvalue(), name="photo.jpg")


def profile_languages_parse(text: str) -> list[str]:
    """ "English, Spanish; Tagalog" → ["English", "Spanish", "Tagalog"] (each once)."""
    languages: list[str] = []
    for part in _LANGUAGE_SEPARATORS.split(text or ""):
        word = " ".join(part.split())
        if word and word.casefold() not in {known.casefold() for known in languages}:
            languages.append(word)
    return languages


def profile_update(
    *,
    person: Person,
    by: Person,
    bio: str,
    contact_preference: str,
    full_name: str | None = None,
    languages: list[str] | None = None,
    photo=None,
    remove_photo: bool = False,
) -> Profile:
    """`person` sets their own profile: bio, contact preference and, when given, their
    name, languages and photo (re-encoded; the old file is removed once saved). Nobody
    edits another person's profile: `by` must be `person`."""
    if by.pk != person.pk:
        raise ProfileError("Only the person themselves edits their profile.")
    bio = bio.strip()
    if len(bio) > BIO_MAX:
        raise ProfileError(
            f"The bio has {len(bio)} characters; at most {BIO_MAX} are kept.", field="bio"
        )
    contact_preference = contact_preference.strip()
    if len(contact_preference) > CONTACT_MAX:
        raise ProfileError(
            f"How to reach you has {len(contact_preference)} characters; at most "
            f"{CONTACT_MAX} are kept.",
            field="contact_preference",
        )
    if full_name is not None:
        full_name = " ".join(full_name.split())
        if not full_name:
            raise ProfileError("Your name cannot be blank.", field="full_name")
        if problem := line_break_problem(full_name, what="Your name"):
            raise ProfileError(problem, field="full_name")
        if len(full_name) > 200:
            raise ProfileError("Your name is longer than 200 characters.", field="full_name")
    if languages is not None:
        if len(languages) > LANGUAGES_MAX:
            raise ProfileError(
                f"{len(languages)} languages are listed; at most {LANGUAGES_MAX} are kept.",
                field="languages",
            )
        long = [language for language in languages if len(language) > LANGUAGE_MAX]
        if long:
            raise ProfileError(
                f"“{long[0][:30]}…” is longer than {LANGUAGE_MAX} characters: write one "
                "language at a time, separated by commas.",
                field="languages",
            )
    new_photo = profile_photo_clean(photo) if photo is not None else None
    with transaction.atomic():
        if full_name is not None and full_name != person.full_name:
            person.full_name = full_name
            person.save(update_fields=["full_name"])
        profile, _ = Profile.objects.select_for_update().get_or_create(person=person)
        old = profile.photo.name if profile.photo else ""
        profile.bio = bio
        profile.contact_preference = contact_preference
        if languages is not None:
            profile.languages = languages
        if new_photo is not None:
            profile.photo.save(new_photo.name, new_photo, save=False)
        elif remove_photo:
            profile.photo = ""
        profile.save()
        if old and old != (profile.photo.name if profile.photo else ""):
            storage = profile.photo.storage
            transaction.on_commit(lambda: storage.delete(old))
    return profile


class SignInLinkRequestVerdict(enum.Enum):
    ADMITTED = "admitted"
    TOO_MANY_FOR_EMAIL = "too many for this email"
    TOO_MANY_FROM_ADDRESS = "too many from this address"


class SignInLinkError(Exception):
    """A sign-in link that cannot be used; the message says why, in plain words."""


def sign_in_link_create(*, person: Person, max_age_seconds: int | None = None) -> str:
    """Make a one-time sign-in URL (absolute) for `person`.

    The URL carries a signed, timestamped token holding a random nonce; the nonce's
    row records its expiry and, once used, when — so a link works once at most.
    """
    return sign_in_links_create(people=[person], max_age_seconds=max_age_seconds)[0]


def sign_in_links_create(*, people: list[Person], max_age_seconds: int | None = None) -> list[str]:
    """One new one-time sign-in URL for each entry of `people`, in order, their rows
    written in one INSERT (the delivery worker mints a batch's links at once). A
    person listed twice gets two different links."""
    max_age = max_age_seconds or settings.SIGN_IN_LINK_MAX_AGE
    now = timezone.now()
    expires_at = now + datetime.timedelta(seconds=max_age)
    nonces = [secrets.token_urlsafe(24) for _ in people]
    SignInLink.objects.bulk_create(
        SignInLink(person=person, nonce=nonce, created_at=now, expires_at=expires_at)
        for person, nonce in zip(people, nonces, strict=True)
    )
    base = settings.SITE_URL + reverse("sign-in-link", kwargs={"token": "TOKEN"})
    before, _, after = base.partition("TOKEN")
    return [
        before
        + signing.dumps({"p": person.pk, "n": nonce}, salt=SIGN_IN_SALT, compress=True)
        + after
        for person, nonce in zip(people, nonces, strict=True)
    ]


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


# --- Sign-in throttling ----------------------------------------------------------------
# Password guessing is counted and refused by django-axes (settings: AXES_*), keyed on
# the (account, client address) pair. Sign-in-link requests are limited here.


def _throttle_key_lock(key: str) -> None:
    """Hold the row lock of `key` until the caller's transaction ends.

    Simultaneous attempts under one key then queue one behind the other, each seeing
    what the one before it recorded. (On SQLite the IMMEDIATE transaction already
    serializes every writer; on PostgreSQL the UPDATE's row lock does it per key only.)
    """
    digest = hashlib.sha256(key.encode()).hexdigest()
    for _ in range(5):
        now = timezone.now()
        ThrottleKey.objects.bulk_create(
            [ThrottleKey(digest=digest, touched_at=now)], ignore_conflicts=True
        )
        # Locks the row; 0 when the pruner removed it between the two statements.
        if ThrottleKey.objects.filter(digest=digest).update(touched_at=now):
            return
    raise RuntimeError("Could not take the sign-in throttle lock; try again.")


def sign_in_check(*, request: HttpRequest, email: str, password: str) -> Person | None:
    """Check a password sign-in: the person, or None when refused or wrong.

    authenticate() runs django-axes' backend first (refuses a locked-out pair), then the
    password check, then axes' failure count. Axes alone checks, then verifies, then
    counts: twenty simultaneous guesses would all pass its check before the first
    failure was counted. Holding the pair's lock across all three makes the check and
    the count one step, so at most AXES_FAILURE_LIMIT passwords are ever tried per pair
    and window. Whether the refusal was the lockout: `request.axes_locked_out`.
    """
    pair = f"sign-in:{sign_in_username(request, {'username': email})}|{client_address(request)}"
    with transaction.atomic():
        _throttle_key_lock(pair)
        return authenticate(request, username=email, password=password)


def sign_in_link_request_admit(
    *, email: str, address: str, now: datetime.datetime | None = None
) -> SignInLinkRequestVerdict:
    """Record one request for an emailed sign-in link, if within the limits.

    At most SIGN_IN_LINK_REQUESTS_PER_EMAIL per email address (one inbox cannot be
    flooded) and SIGN_IN_LINK_REQUESTS_PER_ADDRESS per client address (one client
    cannot probe or flood many) within SIGN_IN_FAILURE_WINDOW. Unknown emails count
    the same as known ones. Refused requests are not recorded, so the table stays small.
    """
    email = email.strip().lower()[:254]
    now = now or timezone.now()
    since = now - datetime.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW)
    with transaction.atomic():
        # Always email before address, so two requests never wait on each other crosswise.
        _throttle_key_lock(f"link-email:{email}")
        _throttle_key_lock(f"link-address:{address}")
        recent = SignInLinkRequest.objects.filter(at__gte=since)
        if recent.filter(address=address).count() >= settings.SIGN_IN_LINK_REQUESTS_PER_ADDRESS:
            return SignInLinkRequestVerdict.TOO_MANY_FROM_ADDRESS
        if recent.filter(email=email).count() >= settings.SIGN_IN_LINK_REQUESTS_PER_EMAIL:
            return SignInLinkRequestVerdict.TOO_MANY_FOR_EMAIL
        SignInLinkRequest.objects.create(email=email, address=address[:64], at=now)
    return SignInLinkRequestVerdict.ADMITTED


def sign_in_records_prune(*, now: datetime.datetime) -> None:
    """Delete throttling records older than the window (a worker hook, each pass).

    Failed sign-ins (axes' AccessAttempt; its logs too, should they be turned on),
    sign-in-link requests and idle throttle keys: none of them counts once the window
    has passed, and none should outlive its use (they name people and addresses).
    """
    cutoff = now - datetime.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW)
    with transaction.atomic():
        AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
        AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
        AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
        SignInLinkRequest.objects.filter(at__lt=cutoff).delete()
        ThrottleKey.objects.filter(touched_at__lt=cutoff).delete()


def api_token_create(*, person: Person, name: str) -> str:
    """Create an API token for `person`; returns the raw token, shown once and never stored."""
    raw = "mm_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(person=person, name=name, digest=ApiToken.digest_of(raw))
    return raw


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
