"""Programs, who is enrolled in which role, the service schedule, weeks and pairs."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
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


class SlashDateOrder(models.TextChoices):
    MONTH_FIRST = "month-first", "Month first: 07/01/2026 is 1 July (US)"
    DAY_FIRST = "day-first", "Day first: 01/07/2026 is 1 July (UK, Europe)"


class ImportColumnMapping(models.Model):
    """How a program's files of one import kind name their columns, as its director
    mapped them in the preview: remembered so the next file with the same headers is
    read the same way. `columns` maps a header (as `importing.column_key` writes it)
    to the import's column it holds, or to "" when the column is to be ignored."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="import_column_mappings"
    )
    kind = models.CharField(max_length=30)  # "roster", "schedule"
    columns = models.JSONField(default=dict)
    slash_dates = models.CharField(
        max_length=20, choices=SlashDateOrder.choices, default=SlashDateOrder.MONTH_FIRST
    )
    # A value for every row of a file that has no such column: a registrar's list of
    # incoming interns has no program role, and all of them are juniors ({"role": "junior"}).
    fill = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="unique_import_column_mapping")
        ]

    def __str__(self) -> str:
        return f"{self.kind} columns of {self.program}"
