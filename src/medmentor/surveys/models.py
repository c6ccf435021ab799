"""Survey instruments, their items and scales, waves, invitations and responses.

Privacy rule 2 (docs/privacy.md) is kept by the shape of these tables: an Invitation
(who was asked, who still needs a reminder) has no column pointing at a Response, and
a Response points at a person only in identified mode (a check constraint says so).
In coded mode pre and post answers are paired by a self-generated code stored only as
one salted hash per element. Invitations carry no time of answering, so the moment a
response was submitted cannot be matched to the moment an invitation was marked done.
"""

import secrets

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Anonymity(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    CODED = "coded", "Coded (self-generated code, no identity)"
    ANONYMOUS = "anonymous", "Anonymous"


# What each mode means, shown to respondents before they consent.
ANONYMITY_IN_PLAIN_WORDS = {
    Anonymity.IDENTIFIED: (
        "Your answers are stored with your name. The program's directors and researchers "
        "can see which answers are yours."
    ),
    Anonymity.CODED: (
        "Your answers are stored without your name. You answer a few short questions that "
        "make a private code, so your answers before and after the program can be compared. "
        "Only scrambled (hashed) versions of the code are kept; nobody can tell from them "
        "who you are, and your invitation is kept apart from your answers."
    ),
    Anonymity.ANONYMOUS: (
        "Your answers are stored without your name or any code. Nobody, not even the "
        "program's directors, can tell which answers are yours; your invitation is kept "
        "apart from your answers."
    ),
}

# The self-generated identification code: answers to stable questions that the same
# person gives the same way months later. Published studies match 40-96 % exactly, so
# pairing tolerates one or two differing elements (surveys.pairing).
CODE_ELEMENTS = (
    ("mother_initial", "The first letter of your mother's first name"),
    ("birth_day", "The day of the month you were born (1–31)"),
    ("older_siblings", "How many older brothers and sisters you have"),
    ("street_initial", "The first letter of the street you grew up on"),
)


def new_code_salt() -> str:
    return secrets.token_hex(16)


class Instrument(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="instruments"
    )
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True, help_text="What the survey is about.")
    consent_text = models.TextField(
        help_text="The study information (e.g. the IRB-approved text) shown before consent."
    )
    anonymity = models.CharField(max_length=20, choices=Anonymity.choices, default=Anonymity.CODED)
    code_salt = models.CharField(
        max_length=64,
        default=new_code_salt,
        help_text="Salt of this instrument's identification-code hashes.",
    )
    max_reminders = models.PositiveSmallIntegerField(default=2)
    reminder_every_days = models.PositiveSmallIntegerField(default=7)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def anonymity_in_plain_words(self) -> str:
        return ANONYMITY_IN_PLAIN_WORDS[Anonymity(self.anonymity)]

    @property
    def reminded_in_plain_words(self) -> str:
        """Who the reminders go to (surveys/invitations.py): in coded and anonymous
        modes everyone invited, so the outbox does not show staff who answered."""
        if self.anonymity == Anonymity.IDENTIFIED:
            return "to those who have not answered"
        return "to everyone invited, answered or not (so that nobody can tell who answered)"


class ItemKind(models.TextChoices):
    LIKERT = "likert", "Likert (5 or 7 points)"
    NUMERIC = "numeric", "Number from 0 to n"
    YES_NO = "yes_no", "Yes or no"
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    TEXT = "text", "Free text"


NUMBER_KINDS = (ItemKind.LIKERT, ItemKind.NUMERIC, ItemKind.YES_NO, ItemKind.SINGLE)


class Item(models.Model):
    """One question. Answers are stored as codes: Likert 1..points, numeric 0..max,
    yes/no 1/0, choices by their code (several codes joined by "|"), text as written."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField()
    page = models.PositiveSmallIntegerField(default=1)
    key = models.SlugField(max_length=26, help_text="Variable name in exports (REDCap field name).")
    text = models.TextField()
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    required = models.BooleanField(default=False)
    points = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Likert: 5 or 7 points."
    )
    anchors = models.JSONField(
        default=list, blank=True, help_text="Likert: one label per point, lowest first."
    )
    numeric_max = models.PositiveIntegerField(null=True, blank=True)
    choices = models.JSONField(
        default=list, blank=True, help_text='Choices as [["1", "Label"], ...].'
    )
    show_if_item = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="dependents"
    )
    show_if_values = models.JSONField(
        default=list,
        blank=True,
        help_text="Show this item when the earlier answer is one of these codes.",
    )
    # Kept from a REDCap data dictionary so that exporting gives them back: the text
    # shown above the item (REDCap's "Section Header"), and the matrix the item is a
    # row of (items of one matrix share their choices).
    section_header = models.TextField(
        blank=True, help_text="Text shown above this item (a section's heading)."
    )
    matrix_group = models.CharField(
        max_length=60, blank=True, help_text="REDCap matrix group this item is a row of."
    )

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="unique_item_key"),
            models.UniqueConstraint(fields=["instrument", "order"], name="unique_item_order"),
        ]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        # What the answering page and the statistics rely on, checked when a director
        # edits an item in the admin.
        errors = {}
        if self.kind == ItemKind.LIKERT:
            if self.points not in (5, 7):
                errors["points"] = "A Likert item has 5 or 7 points."
            elif self.anchors and len(self.anchors) != self.points:
                errors["anchors"] = (
                    f"Give one label per point ({self.points}), lowest first, or none."
                )
        if self.kind == ItemKind.NUMERIC and self.numeric_max is None:
            errors["numeric_max"] = "A number item needs its highest allowed value."
        if self.kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
            codes = [str(choice[0]) for choice in self.choices if len(choice) == 2]
            if not codes or len(codes) != len(self.choices):
                errors["choices"] = 'Give the choices as [["1", "Label"], ["2", "Label"]].'
            elif len(set(codes)) != len(codes) or any("|" in code for code in codes):
                errors["choices"] = "Each choice needs its own code, without “|”."
        if self.show_if_item_id is not None:
            earlier = self.show_if_item
            if earlier.instrument_id != self.instrument_id or earlier.page >= self.page:
                errors["show_if_item"] = "Show-if must name an item on an earlier page."
        if errors:
            raise ValidationError(errors)

    def options(self) -> list[tuple[str, str]]:
        """Codes and labels of a closed item, in order."""
        if self.kind == ItemKind.LIKERT:
            labels = list(self.anchors) + [""] * (self.points or 0)
            return [(str(i + 1), labels[i] or str(i + 1)) for i in range(self.points or 0)]
        if self.kind == ItemKind.YES_NO:
            return [("1", "Yes"), ("0", "No")]
        if self.kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
            return [(str(code), str(label)) for code, label in self.choices]
        return []

    @property
    def is_number(self) -> bool:
        """Whether every answer is a whole number the statistics can use."""
        if self.kind not in NUMBER_KINDS:
            return False
        # A single choice imported from REDCap may have codes such as "a": not a number.
        return all(code.lstrip("-").isdigit() for code, _ in self.options())


# Response.number_answers: (item id, answer) as two little-endian 32-bit integers per
# answered number item.
NUMBER_ANSWER_DTYPE = np.dtype("<i4")


def number_answers_pack(answers: dict[int, str], items: dict[int, "Item"]) -> bytes:
    """The number items' answers of one response, packed for Response.number_answers."""
    pairs = [
        (item_id, int(value))
        for item_id, value in sorted(answers.items())
        if value != "" and item_id in items and items[item_id].is_number
    ]
    return np.array(pairs, dtype=NUMBER_ANSWER_DTYPE).reshape(-1, 2).tobytes()


class ScaleScoring(models.TextChoices):
    SUM = "sum", "Sum of items"
    MEAN = "mean", "Mean of items"


class Scale(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="scales")
    name = models.CharField(max_length=200)
    scoring = models.CharField(
        max_length=10, choices=ScaleScoring.choices, default=ScaleScoring.SUM
    )
    item_min = models.FloatField(help_text="Lowest score of each item, e.g. 0.")
    item_max = models.FloatField(help_text="Highest score of each item, e.g. 5.")
    max_missing = models.PositiveSmallIntegerField(
        default=0, help_text="A respondent missing at most this many items still gets a score."
    )
    offset = models.FloatField(
        default=0,
        help_text="Added to each stored answer code to give its score (Likert codes start at 1; "
        "-1 scores a 6-point 1..6 item 0..5).",
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ScaleItem(models.Model):
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="scale_items")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="scale_items")
    reverse = models.BooleanField(default=False)

    class Meta:
        ordering = ["item__order"]
        constraints = [models.UniqueConstraint(fields=["scale", "item"], name="unique_scale_item")]


class WaveKind(models.TextChoices):
    PRE = "pre", "Pre"
    POST = "post", "Post"
    FOLLOW_UP = "follow_up", "Follow-up"


class Wave(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="waves")
    kind = models.CharField(max_length=20, choices=WaveKind.choices)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    declined_count = models.PositiveIntegerField(
        default=0, help_text="People who declined consent: a count, nothing else."
    )

    class Meta:
        ordering = ["opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "kind"], name="unique_wave_kind"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="wave_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} — {self.get_kind_display()}"


class Invitation(models.Model):
    """Who was asked to answer a wave, and who still needs a reminder.

    Never points at a Response. `is_done` turns true when the person submitted or
    declined (one flag for both, so no decision is stored per person); it has no time.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    nonce = models.CharField(max_length=32, default=new_code_salt)
    token_digest = models.CharField(max_length=64, unique=True)
    emails_sent = models.PositiveSmallIntegerField(default=0)
    last_email_at = models.DateTimeField(null=True, blank=True)
    is_done = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "person"], name="unique_invitation")]


class Response(models.Model):
    """One respondent's answers to one wave; a draft until `submitted_at` is set."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
        help_text="Only in identified mode.",
    )
    anonymity = models.CharField(max_length=20, choices=Anonymity.choices)
    code_hashes = models.JSONField(
        default=list, blank=True, help_text="Coded mode: one salted hash per code element."
    )
    draft_token_digest = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="Coded and anonymous drafts: digest of the browser's opaque draft token.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # A copy of the submitted answers to number items, written in the same transaction
    # as the submission (answers never change after it). The report reads one row per
    # response instead of one per answer: 200,000 rows instead of 7.8 million for
    # 100,000 respondents to 40 items in two waves, and it was most of the report's time.
    number_answers = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text="Submitted answers to number items, packed (see number_answers_pack).",
    )

    class Meta:
        # The report's data version counts, per wave, the submitted responses and sums
        # their keys (surveys.selectors.report_data_version): from this index alone. The
        # key is a column of it for PostgreSQL's index-only scan (SQLite's indexes hold
        # it anyway; INCLUDE would draw a warning on SQLite).
        indexes = [
            models.Index(fields=["wave", "submitted_at", "id"], name="response_wave_submitted")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymity=Anonymity.IDENTIFIED) | Q(person__isnull=True),
                name="response_person_only_identified",
            ),
            models.UniqueConstraint(
                fields=["wave", "person"],
                condition=Q(person__isnull=False),
                name="unique_identified_response",
            ),
        ]


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="unique_answer")]
