"""Reverse mentoring (seed 002): who works with whom, consent, feedback, 1-2-1 sessions.

The fellows (junior doctors, the mentors) hold Role.SENIOR in the program and the
consultants (the mentees) Role.JUNIOR; the pages label them "Fellow (mentor)" and
"Consultant (mentee)".

Privacy rule 3 (docs/privacy.md): a fellow's feedback on a consultant is the fellow's
alone; it reaches the consultant and their mentor only pooled over at least 3 fellows,
released by the facilitator after reviewing its de-identified free text
(selectors.released_feedback). Feedback, its answers and the consultant's "what will
you change" note are private to their owners and have no admin pages.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

# Privacy rule 3: the fewest fellows whose feedback may be shown pooled.
RELEASE_THRESHOLD = 3
RATING_MAX = 5


class Domain(models.TextChoices):
    """The seven domains of seed 002's phase 1 interview."""

    TECHNOLOGY = "technology", "Use of technology"
    CLINICAL_PRACTICE = "clinical_practice", "Clinical practice"
    APPROACH_TO_JUNIORS = "approach_to_juniors", "Approach to juniors"
    TIME_MANAGEMENT = "time_management", "Time management"
    APPROACHABILITY = "approachability", "Approachability"
    STRENGTHS = "strengths", "Strengths"
    AREAS_FOR_IMPROVEMENT = "areas_for_improvement", "Areas for improvement"


# The domains a 1-5 rating fits; strengths and areas for improvement are words only.
RATED_DOMAINS = frozenset(
    {
        Domain.TECHNOLOGY,
        Domain.CLINICAL_PRACTICE,
        Domain.APPROACH_TO_JUNIORS,
        Domain.TIME_MANAGEMENT,
        Domain.APPROACHABILITY,
    }
)


class WorkingRelationship(models.Model):
    """A fellow works with a consultant: the fellow may give feedback on them. The
    consultant may supervise the fellow; the fellow may be the consultant's mentor in
    phase 2 (one mentor per consultant)."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="reverse_relationships"
    )
    fellow = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    consultant_supervises = models.BooleanField(
        default=True, help_text="The consultant supervises the fellow."
    )
    is_mentor = models.BooleanField(
        default=False, help_text="The fellow is the consultant's reverse mentor (phase 2)."
    )

    class Meta:
        ordering = ["program", "consultant__full_name", "fellow__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "fellow", "consultant"], name="unique_reverse_relationship"
            ),
            models.UniqueConstraint(
                fields=["program", "consultant"],
                condition=models.Q(is_mentor=True),
                name="one_reverse_mentor_per_consultant",
            ),
            models.CheckConstraint(
                condition=~models.Q(fellow=models.F("consultant")),
                name="reverse_relationship_of_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fellow} works with {self.consultant}"


class Consent(models.Model):
    """A consultant agreed to take part: to be given feedback and to meet a mentor.
    Without a live consent no feedback is collected on them and no session booked."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="reverse_consents"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    consented_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "consultant"], name="unique_reverse_consent")
        ]

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


class Facilitator(models.Model):
    """Who reviews the de-identified free text before release and records group
    sessions' feedback: never a consultant (they supervise the fellows) nor the director
    (who sees counts only)."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="reverse_facilitators"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "person"], name="unique_reverse_facilitator")
        ]


class Feedback(models.Model):
    """One fellow's feedback on one consultant, or a group session's feedback that the
    facilitator recorded (its contributors are the fellows present)."""

    private_to_owner = True

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="reverse_feedback"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The author, for a fellow's own feedback; empty for a group session's.
    fellow = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "consultant", "fellow"],
                condition=models.Q(fellow__isnull=False),
                name="one_reverse_feedback_per_fellow",
            )
        ]


class FeedbackContributor(models.Model):
    """A fellow whose words are in a feedback: its author, or one present at the group
    session. The release threshold counts distinct contributors."""

    private_to_owner = True

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="contributors")
    fellow = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "fellow"], name="unique_reverse_contributor"
            )
        ]


class DomainAnswer(models.Model):
    """One domain of a feedback: a rating where one fits and free text. `shown_text` is
    the text de-identified (what release shows); `needs_review` says the
    de-identification found a name or a phrase that may point at one fellow, which the
    facilitator reviews before release."""

    private_to_owner = True

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="answers")
    domain = models.CharField(max_length=30, choices=Domain.choices)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(RATING_MAX)]
    )
    text = models.TextField(blank=True)
    shown_text = models.TextField(blank=True)
    needs_review = models.BooleanField(default=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feedback", "domain"], name="unique_reverse_answer")
        ]


class Release(models.Model):
    """The facilitator released a consultant's pooled feedback. What is shown is read
    live (a fellow who withdraws is taken out; below the threshold nothing is shown)."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="reverse_releases"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "consultant"], name="unique_reverse_release")
        ]


class Session(models.Model):
    """A phase 2 1-2-1 session: a meeting (meetings app) of a consultant and their
    fellow mentor."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="reverse_sessions"
    )
    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="reverse_session"
    )
    fellow = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["meeting__starts_at", "id"]


class ChangeNote(models.Model):
    """ "What will you change": the consultant's own note on a session, theirs alone."""

    private_to_owner = True

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="change_note")
    text = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)
