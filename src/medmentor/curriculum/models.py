"""Curriculum weeks, readings, must-see cases and questions, and the learners' progress.

The progress tables (`CaseLearningStyle`, `AnswerReveal`, `CaseReview`) are private:
rule 1 of docs/privacy.md. They are read only through `curriculum.selectors`, never
registered in the admin, and never exposed per person to directors or faculty.
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Curriculum(models.Model):
    """A program's curriculum: numbered weeks of topics, readings and daily cases."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="curriculum"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Who wrote it, when it came from a package."
    )
    # Kept so a curriculum handed on as a package carries its terms of reuse with it.
    license = models.CharField(
        max_length=200, blank=True, help_text="Terms of reuse, e.g. CC BY-NC 4.0."
    )

    def __str__(self) -> str:
        return self.title


def new_content_version() -> int:
    """A version number no other row or earlier state had (random, not counted from 1):
    a kept copy of a week's content is keyed by it, and a database restored from a backup
    (or a test's rolled-back transaction) must never meet a copy made under a number it
    reuses."""
    return 1 + secrets.randbelow(2**62)


class CurriculumWeek(models.Model):
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="weeks")
    number = models.PositiveIntegerField()
    topic = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    # Changes with every write of the week's readings, cases, images or questions
    # (content_services.curriculum_week_content_changed): the key of the week's content
    # kept in the cache (selectors.week_content), so a page never shows an older copy.
    content_version = models.PositiveBigIntegerField(default=new_content_version, editable=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "number"], name="unique_curriculum_week")
        ]

    def __str__(self) -> str:
        return f"Week {self.number}: {self.topic}"


class Reading(models.Model):
    week = models.ForeignKey(CurriculumWeek, on_delete=models.CASCADE, related_name="readings")
    order = models.PositiveIntegerField(default=0)
    citation = models.TextField()
    url = models.URLField(blank=True, max_length=500)

    class Meta:
        ordering = ["order", "id"]


class ServiceDay(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class Case(models.Model):
    """The must-see case of one service day."""

    week = models.ForeignKey(CurriculumWeek, on_delete=models.CASCADE, related_name="cases")
    day = models.IntegerField(choices=ServiceDay.choices)
    title = models.CharField(max_length=200)
    history = models.TextField(help_text="Short clinical history, with no real patient data.")
    teaching_points = models.TextField(blank=True)

    class Meta:
        ordering = ["week__number", "day"]
        constraints = [models.UniqueConstraint(fields=["week", "day"], name="unique_case_per_day")]

    def __str__(self) -> str:
        return self.title


def case_image_path(instance: "CaseImage", filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CaseImage(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="images")
    order = models.PositiveIntegerField(default=0)
    image = models.FileField(upload_to=case_image_path)
    caption = models.CharField(max_length=300, blank=True)
    alt_text = models.CharField(
        max_length=300, help_text="What the image shows, for screen readers."
    )

    class Meta:
        ordering = ["order", "id"]


class Question(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    text = models.TextField()
    answer = models.TextField()

    class Meta:
        ordering = ["order", "id"]


class WeekPlan(models.Model):
    """Which curriculum week a program week teaches."""

    program_week = models.OneToOneField(
        "programs.ProgramWeek", on_delete=models.CASCADE, related_name="plan"
    )
    curriculum_week = models.ForeignKey(
        CurriculumWeek, on_delete=models.CASCADE, related_name="plans"
    )


class WeeklyNote(models.Model):
    """The director's words for one program week's email: a note and reminders, put
    into the fixed parts of the weekly email template (week.note, week.reminders)."""

    program_week = models.OneToOneField(
        "programs.ProgramWeek", on_delete=models.CASCADE, related_name="weekly_note"
    )
    note = models.TextField(blank=True)
    reminders = models.TextField(blank=True, help_text="One reminder a line.")
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def reminder_list(self) -> list[str]:
        return [line.strip() for line in self.reminders.splitlines() if line.strip()]


class Closure(models.Model):
    """A holiday or closure of the program's calendar, from `starts_on` to `ends_on`
    inclusive: no service day, no must-see case. A program week whose service days are
    all closed gets no curriculum week when weeks are planned; one partly closed is
    flagged."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="closures"
    )
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="closure_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["program", "starts_on", "ends_on", "name"], name="unique_closure"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LearningStyle(models.TextChoices):
    READ_FIRST = "read_first", "Read the answers first"
    BLIND = "blind", "Go in blind"


class CaseLearningStyle(models.Model):
    """PRIVATE to the junior: how they chose to meet one case."""

    # Never in the admin, not even counted on a delete page (medmentor/admin_site.py).
    private_to_owner = True

    junior = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_learning_styles"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    style = models.CharField(max_length=20, choices=LearningStyle.choices)
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["junior", "case"], name="unique_learning_style")
        ]


class AnswerReveal(models.Model):
    """PRIVATE to the junior: an answer they revealed while going in blind."""

    # Never in the admin, not even counted on a delete page (medmentor/admin_site.py).
    private_to_owner = True

    junior = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answer_reveals"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    revealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["junior", "question"], name="unique_answer_reveal")
        ]


class ReviewStatus(models.TextChoices):
    REVIEWED = "reviewed", "Reviewed together"
    SKIPPED = "skipped", "Skipped — clinical work came first"


class CaseReview(models.Model):
    """PRIVATE to the pair: whether they reviewed or skipped one case."""

    # Never in the admin, not even counted on a delete page (medmentor/admin_site.py).
    private_to_owner = True

    pair = models.ForeignKey("programs.Pair", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pair", "case"], name="unique_case_review")]


def case_date(program_week_start: datetime.date, day: int) -> datetime.date:
    return program_week_start + datetime.timedelta(days=day)
