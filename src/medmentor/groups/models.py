"""Small peer groups (seed 003): "every other Thursday", at most eight, confidential.

- `GroupSettings`: a program's rules for its groups (size limit, one group per member,
  the attendance level members agree to). Kept here, not on Program: only this kind
  has them.
- `Agreement` (versioned text the director edits) and `AgreementAcceptance`: a member
  who has not accepted the program's current version is not a member yet and sees
  nothing of the group.
- `PeerGroup` and `Membership`: a group's `member_count` is kept by the services under
  a row lock and checked by the database (`member_count <= capacity`), so no path puts
  a ninth person in a group of eight.
- The group's private space (privacy rule 5), `private_to_owner`: attendance, presenter
  turns and swaps, the log, the thread, its digest state and commitment notices. The
  admin has no page for them; staff see only that a meeting happened and how many came.
- `GroupProfile` and `FormationRun`: the profiles file and a formation's draft,
  reviewed (with each group's explanation) before it is published.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from medmentor.programs.models import Program

DEFAULT_GROUP_SIZE_LIMIT = 8
LARGEST_GROUP = 50


class GroupSettings(models.Model):
    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="group_settings")
    group_size_limit = models.PositiveSmallIntegerField(
        default=DEFAULT_GROUP_SIZE_LIMIT,
        validators=[MinValueValidator(2), MaxValueValidator(LARGEST_GROUP)],
        help_text="The most members a group of this program may have (the seed's eight).",
    )
    one_group_per_member = models.BooleanField(
        default=True, help_text="A person belongs to at most one group of this program."
    )
    meeting_interval_weeks = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text="How often the groups meet, in weeks (the seed's every other week: 2); "
        "the default when a facilitator plans the group's meetings.",
    )
    attendance_level_percent = models.PositiveSmallIntegerField(
        default=75,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="The share of meetings members agree to attend.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group_size_limit__gte=2, group_size_limit__lte=LARGEST_GROUP),
                name="group_size_limit_in_range",
            )
        ]


class Agreement(models.Model):
    """One version of the program's confidentiality and attendance agreement."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="group_agreements")
    version = models.PositiveIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["program", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="unique_agreement_version")
        ]

    def __str__(self) -> str:
        return f"Agreement v{self.version} of {self.program}"


class AgreementAcceptance(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="acceptances")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_agreements"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "person"], name="unique_agreement_acceptance"
            )
        ]


class PeerGroup(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="peer_groups")
    name = models.CharField(max_length=120)
    # The subgroup of a large program it belongs to: a place, specialty or interest.
    subgroup = models.CharField(max_length=120, blank=True)
    capacity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2), MaxValueValidator(LARGEST_GROUP)]
    )
    is_open = models.BooleanField(default=True, help_text="Takes new members.")
    member_count = models.PositiveSmallIntegerField(default=0)
    series = models.ForeignKey(
        "meetings.MeetingSeries",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "subgroup", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="unique_group_name"),
            # The last lock: whatever a service forgot, the database refuses a ninth.
            models.CheckConstraint(
                condition=models.Q(member_count__lte=models.F("capacity")),
                name="group_within_capacity",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=2, capacity__lte=LARGEST_GROUP),
                name="group_capacity_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_room(self) -> bool:
        return self.member_count < self.capacity


class Membership(models.Model):
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="memberships")
    # The group's program, again: what "one group per member" is checked over.
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    is_facilitator = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=models.Q(left_at__isnull=True),
                name="unique_current_membership",
            )
        ]
        indexes = [models.Index(fields=["program", "person"])]

    def __str__(self) -> str:
        return f"{self.person} in {self.group}"


# --- The group's private space (privacy rule 5) ---------------------------------------


class GroupAttendance(models.Model):
    """Whether a member came to one meeting (or sent apologies ahead of it)."""

    private_to_owner = True

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="group_attendance"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="unique_group_attendance")
        ]


class PresenterTurn(models.Model):
    """Whose turn it is to bring a problem to one meeting."""

    private_to_owner = True

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="+")
    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="presenter_turn"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # A swapped turn is the two people's choice: the fair order leaves it as it is.
    swapped = models.BooleanField(default=False)


class PresenterSwap(models.Model):
    """One member asks another to swap turns; the swap happens when the other accepts."""

    private_to_owner = True

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="+")
    mine = models.ForeignKey(PresenterTurn, on_delete=models.CASCADE, related_name="+")
    theirs = models.ForeignKey(PresenterTurn, on_delete=models.CASCADE, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    asked_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(null=True, blank=True)


class LogKind(models.TextChoices):
    TOPIC = "topic", "Topic discussed"
    ACHIEVEMENT = "achievement", "Achievement celebrated"


class GroupLogEntry(models.Model):
    private_to_owner = True

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=LogKind.choices)
    text = models.TextField(max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class GroupMessage(models.Model):
    """One message of the group's thread between meetings."""

    private_to_owner = True

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class GroupDigest(models.Model):
    """Until when the group's thread was sent in its email digest."""

    private_to_owner = True

    group = models.OneToOneField(PeerGroup, on_delete=models.CASCADE, related_name="+")
    sent_until = models.DateTimeField()


class CommitmentNotice(models.Model):
    """A member was told (and the facilitators) that their attendance fell below the
    group's agreed level; one per fall (a new one after they are back above it)."""

    private_to_owner = True

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    percent = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)


# --- Forming groups from a profiles file ---------------------------------------------


class GroupProfile(models.Model):
    """What formation may use about one person of the program (the profiles file)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    place = models.CharField(max_length=120, blank=True)
    specialty = models.CharField(max_length=120, blank=True)
    interest = models.CharField(max_length=120, blank=True)
    career_stage = models.CharField(max_length=120, blank=True)
    together_with = models.JSONField(default=list, blank=True)  # emails
    apart_from = models.JSONField(default=list, blank=True)  # emails
    group = models.CharField(max_length=120, blank=True)  # locked into this group

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "person"], name="unique_group_profile")
        ]


class FormationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    FORMING = "forming", "Forming the groups"
    DRAFT = "draft", "Draft"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


# While these last, the run's page polls its progress.
FORMATION_IN_PROGRESS = (
    FormationStatus.QUEUED,
    FormationStatus.FORMING,
    FormationStatus.PUBLISHING,
)


class FormationRun(models.Model):
    """A draft of groups from `form_groups`, reviewed before it is published.

    `groups` holds [{"name", "subgroup", "members": [person ids], "summary"}]. A large
    network's formation and publication run as background tasks (groups.tasks): `step`
    says in words what they are doing, `steps_done` of `steps_total` how far they are,
    and `error` why they stopped."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    similar = models.JSONField(default=list)
    diverse = models.JSONField(default=list)
    subgroup_by = models.CharField(max_length=20, blank=True)
    groups = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=FormationStatus.choices, default=FormationStatus.DRAFT
    )
    step = models.CharField(max_length=300, blank=True)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # Who asked for the publication the task carries out (checked again by the task).
    publish_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def in_progress(self) -> bool:
        return self.status in FORMATION_IN_PROGRESS

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0
