"""One-to-one mentoring (seed 004): matching profiles and conflicts, matching runs with
their draft pairs and the people they left unmatched, and the published mentorships.

These tables were created by the programs app (programs/migrations/0002_matching.py)
and keep their names (`db_table`): the move to this app changed only Django's state,
never a row (mentoring/migrations/0001_initial.py).
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from medmentor.programs.models import Enrollment, Program


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

    class Meta:
        db_table = "programs_matchingprofile"

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
        db_table = "programs_matchingconflict"
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
        db_table = "programs_matchingrun"
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
        db_table = "programs_matchingpair"
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
        db_table = "programs_matchingunmatched"
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
        db_table = "programs_mentorship"
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


# --- The pair's home: each person's own words and the pair's goals ---------------------


# The mentoring profile (bio, photo, contact preference) became every kind's
# people.Profile (migration mentoring 0004): the pair page shows it to the pair.


def _photo_path(instance, filename: str) -> str:
    """Kept for migration 0002, which names it; new photos are people.Profile's."""
    return f"mentoring/photos/{secrets.token_hex(16)}.jpg"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Goal(models.Model):
    """A goal a pair shares, set by either side. Its words are the pair's alone: the
    program's staff see counts by status only (mentoring.selectors)."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Percent done, 0–100."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="goal_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"Goal {self.pk} of mentorship {self.mentorship_id}"


# --- Relationship health, the private mid-program check, mentor reflections ------------


class MentoringSettings(models.Model):
    """A one-to-one program's relationship-health settings (one row per program, made
    with the defaults the first time it is read or saved)."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="mentoring_settings"
    )
    check_in_days = models.PositiveIntegerField(
        default=21,
        validators=[MinValueValidator(1)],
        help_text="A pair with no meeting logged as happened for this many days needs a check-in.",
    )
    mid_check_on = models.DateField(
        null=True, blank=True, help_text="The day the private mid-program check is sent."
    )
    # The day of the check last sent, so the daily job sends each date's check once.
    mid_check_sent_for = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Mentoring settings of {self.program}"


class PairCheckAnswer(models.TextChoices):
    WORKS = "works", "It works for me"
    CONCERNS = "concerns", "I have some concerns"
    HELP = "help", "I'd like help"


class PairCheck(models.Model):
    """One side of one pair asked, privately, "Is this pairing working for you?".

    The answer and the note are the person's alone: the other side never sees them, and
    staff learn only that a pair asked for help (selectors.pairs_asking_for_help), never
    what was said nor which of the two asked. The note is never shown to staff at all.
    """

    private_to_owner = True

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="checks")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    asked_on = models.DateField()
    answer = models.CharField(max_length=10, choices=PairCheckAnswer.choices, blank=True)
    note = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Set when the director re-paired after this answer: help was given.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "person", "asked_on"], name="one_pair_check_per_side_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Pair check of {self.mentorship_id} asked on {self.asked_on}"


class Reflection(models.Model):
    """A mentor's short reflection after a meeting, optionally tagged with ACGME
    competencies. With `consent` it goes, de-identified, to the program's researchers
    (services.reflections_export); until then the mentor may withdraw consent. Nobody
    but its author ever reads it by name."""

    private_to_owner = True

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="reflections")
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    competencies = models.JSONField(default=list, blank=True)
    consent = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    exported_at = models.DateTimeField(null=True, blank=True)
    # The qualitative document it went into (an id: mentoring holds no foreign key into
    # the evaluation apps' tables).
    exported_document_id = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Reflection {self.pk} on mentorship {self.mentorship_id}"
