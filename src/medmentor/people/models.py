"""Institutions, services and the people who take part in programs."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class TrainingLevel(models.TextChoices):
    """Where a person stands in training; `rank` orders them for seniority."""

    MS1 = "MS1", "Medical student, year 1"
    MS2 = "MS2", "Medical student, year 2"
    MS3 = "MS3", "Medical student, year 3"
    MS4 = "MS4", "Medical student, year 4"
    PGY1 = "PGY-1", "PGY-1"
    PGY2 = "PGY-2", "PGY-2"
    PGY3 = "PGY-3", "PGY-3"
    PGY4 = "PGY-4", "PGY-4"
    PGY5 = "PGY-5", "PGY-5"
    PGY6 = "PGY-6", "PGY-6"
    PGY7 = "PGY-7", "PGY-7"
    R1 = "R1", "Resident, year 1 (R1)"
    R2 = "R2", "Resident, year 2 (R2)"
    R3 = "R3", "Resident, year 3 (R3)"
    R4 = "R4", "Resident, year 4 (R4)"
    R5 = "R5", "Resident, year 5 (R5)"
    FELLOW = "fellow", "Fellow"
    FACULTY = "faculty", "Faculty"
    OTHER = "other", "Other"


# Seniority order used by matching and by the schedule: students, then residents by
# year (R-n counts as the n-th year of residency, like PGY-n), then fellows, faculty.
TRAINING_LEVEL_RANK = {
    "MS1": 1,
    "MS2": 2,
    "MS3": 3,
    "MS4": 4,
    "PGY-1": 5,
    "R1": 5,
    "PGY-2": 6,
    "R2": 6,
    "PGY-3": 7,
    "R3": 7,
    "PGY-4": 8,
    "R4": 8,
    "PGY-5": 9,
    "R5": 9,
    "PGY-6": 10,
    "PGY-7": 11,
    "fellow": 12,
    "faculty": 20,
    "other": 0,
}

# What people type in a roster, mapped to a level: "PGY1", "pgy 1", "R-1", "Fellow".
TRAINING_LEVEL_ALIASES = {
    **{code.lower().replace("-", "").replace(" ", ""): code for code in TrainingLevel.values},
    "resident1": "R1",
    # UK foundation years are the first two postgraduate years (a deanery's "Grade").
    "fy1": "PGY-1",
    "f1": "PGY-1",
    "fy2": "PGY-2",
    "f2": "PGY-2",
    "attending": "faculty",
    "consultant": "faculty",
}


def training_level_from_text(text: str) -> str | None:
    """The training level a roster cell names, or None when it names none."""
    key = (text or "").strip().lower().replace("-", "").replace(" ", "").replace("_", "")
    return TRAINING_LEVEL_ALIASES.get(key)


class Institution(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A clinical service trainees rotate through, e.g. Nuclear Medicine."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="unique_service_name")
        ]

    def __str__(self) -> str:
        return self.name


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("A person needs an email address.")
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class Person(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: learners, faculty, directors, researchers."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    training_level = models.CharField(
        max_length=10, choices=TrainingLevel.choices, default=TrainingLevel.OTHER
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    specialty = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May use the admin site (directors and coordinators)."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name_plural = "people"
        ordering = ["full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def seniority_rank(self) -> int:
        return TRAINING_LEVEL_RANK.get(self.training_level, 0)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def _profile_photo_path(instance: "Profile", filename: str) -> str:
    # A fresh random name per upload: the name tells nothing about the person and an old
    # URL never shows a newer photo. Files are served only by views that check who asks.
    return f"people/photos/{secrets.token_hex(16)}.jpg"


class Profile(models.Model):
    """What a person writes about themselves: a short bio, how they like to be
    contacted, the languages they speak and an optional photo. Each person edits their
    own (people.services.profile_update); each program kind decides in its selectors
    whom it shows it to (one-to-one: the person's current pair partners only)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="profile")
    bio = models.TextField(max_length=600, blank=True)
    contact_preference = models.CharField(
        max_length=200,
        blank=True,
        help_text="How they like to be reached, e.g. “Email, I reply within a day”.",
    )
    languages = models.JSONField(
        default=list, blank=True, help_text="The languages they speak, e.g. English, Spanish."
    )
    # Stored re-encoded as JPEG (people.services.profile_update), so what is served is
    # always an image we wrote, never the uploaded bytes.
    photo = models.FileField(upload_to=_profile_photo_path, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.person}"


class SignInLink(models.Model):
    """A one-time sign-in link; the signed token carries `nonce`, used once at most."""

    # When a person asked to sign in is theirs alone: no admin page, and not listed in
    # the admin's deletion summaries (medmentor/admin_site.py).
    private_to_owner = True

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sign_in_links")
    nonce = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class ThrottleKey(models.Model):
    """One row per throttled key (an account and address pair; an email; an address),
    locked while one attempt under that key is checked and recorded, so that
    simultaneous attempts queue one behind the other instead of all passing the check.

    `digest` is the SHA-256 of the key's text, so no email or address is stored here.
    """

    digest = models.CharField(max_length=64, unique=True)
    touched_at = models.DateTimeField(default=timezone.now, db_index=True)


class SignInLinkRequest(models.Model):
    """One admitted "email me a sign-in link" request, kept for the request window only
    to limit them per email address and per client address. Kept for unknown emails
    too, so the limits behave the same whether or not an account exists."""

    email = models.CharField(max_length=254, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)


class ApiToken(models.Model):
    """A token for scripts using the REST API; only its SHA-256 digest is stored."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.person.email})"

    @staticmethod
    def digest_of(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()
