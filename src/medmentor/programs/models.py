"""Programs, who is enrolled in which role, the service schedule, weeks and pairs."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as America/New_York.")


class ProgramKind(models.TextChoices):
    CASE_REVIEW = "case_review", "Case review (must-see case on a service)"
    ONE_TO_ONE = "one_to_one", "One-to-one near-peer mentoring"
    PEER_GROUP = "peer_group", "Small peer group"
    CONFERENCE = "conference", "Peer-support conference"
    REVERSE = "reverse", "Reverse mentoring"
    CHECK_IN = "check_in", "Community check-in"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Program(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=ProgramKind.choices)
    institution = models.ForeignKey(
        "people.Institution", on_delete=models.PROTECT, related_name="programs"
    )
    service = models.ForeignKey(
        "people.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
        help_text="The service whose schedule makes the weekly pairs (case review programs).",
    )
    description = models.TextField(
        blank=True, help_text="What the program is and how it works, in the director's words."
    )
    starts_on = models.DateField(help_text="The Monday of the program's first week.")
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    weekly_email_weekday = models.IntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    weekly_email_time = models.TimeField(default=datetime.time(7, 0))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Role(models.TextChoices):
    DIRECTOR = "director", "Director"
    COORDINATOR = "coordinator", "Coordinator"
    FACULTY = "faculty", "Faculty"
    SENIOR = "senior", "Senior (mentor)"
    JUNIOR = "junior", "Junior (mentee)"
    RESEARCHER = "researcher", "Researcher"


# Roles that run the program and may see its (aggregate) data and admin pages.
STAFF_ROLES = (Role.DIRECTOR, Role.COORDINATOR)
LEARNER_ROLES = (Role.SENIOR, Role.JUNIOR)


class Enrollment(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person", "role"], name="unique_enrollment_role"
            )
        ]
        indexes = [models.Index(fields=["person", "program"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} in {self.program}"


class ServiceBlock(models.Model):
    """A rotation block: `person` is on `service` from `starts_on` to `ends_on` inclusive."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="service_blocks")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_blocks"
    )
    service = models.ForeignKey(
        "people.Service", on_delete=models.CASCADE, related_name="service_blocks"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "person__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="service_block_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["program", "person", "service", "starts_on"], name="unique_service_block"
            ),
        ]


class ProgramWeek(models.Model):
    """A calendar week of the program, Monday to Sunday."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="weeks")
    starts_on = models.DateField(help_text="Monday of the week.")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["program", "starts_on"], name="unique_program_week")
        ]

    def __str__(self) -> str:
        return f"Week of {self.starts_on:%d %b %Y}"

    @property
    def ends_on(self) -> datetime.date:
        return self.starts_on + datetime.timedelta(days=6)


class PairOrigin(models.TextChoices):
    SCHEDULE = "schedule", "From the service schedule"
    DIRECTOR = "director", "Set by the director"


class PairRemoval(models.TextChoices):
    DIRECTOR = "director", "Removed by the director"
    SCHEDULE = "schedule", "No longer on the service schedule"


class Pair(models.Model):
    """A junior and a senior working together in one program week.

    Pairs derived from the schedule are re-derived when the schedule changes; a pair
    the director added (origin director) or removed (removed_by director) stays as the
    director left it. A pair is never deleted by the program: a removed pair keeps its
    row and its marks (is_removed, and who removed it when), so a schedule corrected
    back brings the same pair back with its marks, and nothing a learner did is lost.
    Removed pairs are not shown or counted anywhere.
    """

    week = models.ForeignKey(ProgramWeek, on_delete=models.CASCADE, related_name="pairs")
    junior = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairs_as_junior"
    )
    senior = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairs_as_senior"
    )
    origin = models.CharField(
        max_length=20, choices=PairOrigin.choices, default=PairOrigin.SCHEDULE
    )
    is_removed = models.BooleanField(
        default=False,
        help_text="Not in force: removed by the director or no longer on the schedule. "
        "Kept, with its marks; not shown or counted.",
    )
    removed_by = models.CharField(
        max_length=20,
        choices=PairRemoval.choices,
        blank=True,
        help_text="Who removed it: the director (re-deriving never adds it back) or the "
        "schedule (re-deriving brings it back when the schedule has it again).",
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "junior", "senior"], name="unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(junior=models.F("senior")), name="pair_of_two_people"
            ),
        ]
        indexes = [
            models.Index(fields=["junior", "week"]),
            models.Index(fields=["senior", "week"]),
        ]

    def __str__(self) -> str:
        return f"{self.junior.full_name} with {self.senior.full_name}, {self.week}"


class EmailTemplateKey(models.TextChoices):
    WEEKLY = "weekly", "Weekly email to everyone on the service"


class EmailTemplate(models.Model):
    """An email the director edits: Django template syntax, one HTML and one text part."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="email_templates")
    key = models.CharField(max_length=30, choices=EmailTemplateKey.choices)
    subject = models.CharField(max_length=200)
    text_body = models.TextField()
    html_body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="unique_email_template")
        ]


# --- One-to-one matching (issue 3): profiles, runs and their draft pairs, mentorships ----


class MatchingObjective(models.TextChoices):
    STABLE = "stable", "Stable (no two people would both rather be together)"
    OPTIMAL = "optimal", "Optimal (highest total compatibility)"


class MatchingProfile(models.Model):
    """What matching knows about one mentor or mentee of a one-to-one program.

    Identity attributes (gender, URiM, first-generation) are only what the person chose
    to share; `concordance` lists the ones a mentee asked to share with their mentor,
    and only those ever count in a score.
    """

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="matching_profile"
    )
    # A plain integer, checked by the form and the import: a negative one that reaches
    # the matcher anyway is refused there with the person's name.
    capacity = models.IntegerField(
        default=1,
        validators=[MinValueValidator(0)],
        help_text="Mentors: how many mentees they take (0 = none this time).",
    )
    specialty = models.CharField(max_length=120, blank=True)
    interests = models.JSONField(default=list, blank=True)
    site = models.CharField(max_length=120, blank=True)
    languages = models.JSONField(default=list, blank=True)
    gender = models.CharField(max_length=60, blank=True)
    urim = models.BooleanField(
        null=True, blank=True, help_text="Underrepresented in medicine; blank = not shared."
    )
    first_generation = models.BooleanField(
        null=True, blank=True, help_text="First in family to attend college; blank = not shared."
    )
    concordance = models.JSONField(
        default=list,
        blank=True,
        help_text="Mentees: identity attributes they asked to share with their mentor "
        "(gender, urim, first_generation).",
    )
    availability = models.JSONField(
        default=list, blank=True, help_text="Time slots they can meet; empty = any time."
    )
    preferences = models.JSONField(
        null=True,
        blank=True,
        help_text="Ranked emails of the other side, most preferred first; a list inside "
        "the list is a tie. Empty = no list collected.",
    )

    def __str__(self) -> str:
        return f"Matching profile of {self.enrollment}"


class MatchingConflict(models.Model):
    """A pair that must never be made: the mentor evaluates or supervises the mentee,
    or one of them declared a conflict."""

    class Reason(models.TextChoices):
        EVALUATES = "evaluates", "The mentor evaluates the mentee"
        SUPERVISES = "supervises", "The mentor supervises the mentee"
        DECLARED = "declared", "A declared conflict"

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="matching_conflicts"
    )
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.DECLARED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentor", "mentee"], name="unique_matching_conflict"
            )
        ]


class MatchingRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class MatchingRun(models.Model):
    """One run of the matcher over a program's cohort: the director's settings, the
    draft it produced (pairs, unmatched people) and its summary numbers."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="matching_runs")
    objective = models.CharField(max_length=10, choices=MatchingObjective.choices)
    weights = models.JSONField(default=dict, help_text="Criterion -> weight.")
    rules = models.JSONField(default=dict, help_text="The hard rules, as the director set them.")
    seed = models.IntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=MatchingRunStatus.choices, default=MatchingRunStatus.QUEUED
    )
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    mentees = models.IntegerField(default=0)
    mentors = models.IntegerField(default=0)
    matched = models.IntegerField(default=0)
    unmatched = models.IntegerField(default=0)
    total_score = models.FloatField(default=0.0)
    blocking_pairs = models.IntegerField(default=0)
    # The same cohort under both objectives: {"stable": {...}, "optimal": {...}}.
    tradeoff = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_objective_display()} matching of {self.program} ({self.status})"


class MatchingPair(models.Model):
    """One proposed pair of a run, with the explanation of its score."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(default=0.0)
    explanation = models.JSONField(default=dict)
    locked = models.BooleanField(default=False, help_text="Kept as it is when matching runs again.")
    kept = models.BooleanField(default=False, help_text="An existing pair the run kept.")

    class Meta:
        ordering = ["mentor__full_name", "mentee__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="one_mentor_per_mentee_per_run")
        ]


class MatchingUnmatched(models.Model):
    """Someone a run left without a partner, and why, in words."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="unmatched_people")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=10)  # "mentee" or "mentor"
    code = models.CharField(max_length=30)
    reason = models.TextField()

    class Meta:
        ordering = ["side", "person__full_name"]


class Mentorship(models.Model):
    """A published mentor–mentee pair of a one-to-one program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentorships")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships_as_mentor"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships_as_mentee"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    run = models.ForeignKey(
        MatchingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentorships"
    )

    class Meta:
        ordering = ["mentor__full_name", "mentee__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentee"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_mentor_per_mentee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentee} with {self.mentor} in {self.program}"
