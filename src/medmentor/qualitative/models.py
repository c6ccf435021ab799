"""Qualitative analysis: documents (transcripts, open answers), de-identification,
codebook, highlights by several coders, adjudication and the competency map.

Fields follow the REFI-QDA project model so a .qdpx export/import maps one to one:
every Code, Theme (a REFI-QDA Set of codes), Document (a TextSource), Highlight (a
PlainTextSelection with one Coding per code) and Memo (a Note) carries a `guid`;
highlights address the document's plain text by character positions
(`start` inclusive, `end` exclusive, as REFI-QDA's startPosition/endPosition);
document attributes are REFI-QDA Variables; codes nest through `parent`.
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from medmentor.programs.models import Program

hex_color = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "A color is written #RRGGBB, for example #1f77b4.")


class AgreementUnit(models.TextChoices):
    TURN = "turn", "Speaker turns"
    SENTENCE = "sentence", "Sentences"
    CHARACTER = "character", "Characters"


class QualitativeSettings(models.Model):
    """A program's choices for its qualitative work."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="qualitative_settings"
    )
    keep_originals = models.BooleanField(
        default=False,
        help_text="Keep each transcript's original (identifiable) text after "
        "de-identification, encrypted at rest. Off: the original is deleted once the "
        "researcher finishes the review.",
    )
    agreement_unit = models.CharField(
        max_length=10, choices=AgreementUnit.choices, default=AgreementUnit.TURN
    )

    def __str__(self) -> str:
        return f"Qualitative settings of {self.program}"


class DocumentKind(models.TextChoices):
    FOCUS_GROUP = "focus_group", "Focus group"
    INTERVIEW = "interview", "Interview"
    OPEN_ANSWERS = "open_answers", "Open-ended answers"


class DocumentStatus(models.TextChoices):
    REVIEW = "review", "De-identification under review"
    CODABLE = "codable", "Ready to code"


class SourceFormat(models.TextChoices):
    VTT = "vtt", "WebVTT"
    SRT = "srt", "SRT"
    DOCX = "docx", "Word (DOCX)"
    TEXT = "txt", "Plain text"
    QDPX = "qdpx", "REFI-QDA project"


class Document(models.Model):
    """One transcript or set of answers; `text` is the de-identified plain text that
    coders see and that highlights point into. While under review it is the preview
    with every proposed replacement applied."""

    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="qualitative_documents"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=DocumentKind.choices, default=DocumentKind.FOCUS_GROUP
    )
    attributes = models.JSONField(
        default=dict, blank=True, help_text="For comparisons: wave, role, site… (name -> value)."
    )
    source_format = models.CharField(
        max_length=10, choices=SourceFormat.choices, default=SourceFormat.TEXT
    )
    file_name = models.CharField(max_length=255, blank=True)
    text = models.TextField(help_text="De-identified plain text.")
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.REVIEW
    )
    # Fernet token of the original text (see qualitative/crypto.py); present during the
    # review, and afterwards only when the program keeps originals.
    original_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    comparison_opened_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Coders code blind until the researcher opens the comparison.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return self.title


class SpeakerTurn(models.Model):
    """One utterance of a transcript: characters [start, end) of `document.text`."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="turns")
    index = models.IntegerField()
    speaker = models.CharField(max_length=120, blank=True, help_text="De-identified label.")
    start = models.IntegerField()
    end = models.IntegerField()
    starts_at_ms = models.IntegerField(null=True, blank=True)
    ends_at_ms = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["document", "index"]
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="unique_turn_index"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="turn_ends_after_start"
            ),
        ]


class Pseudonym(models.Model):
    """A stable stand-in for one person (or one unknown speaker, email, phone) within a
    program. `digest` is an HMAC of the normalised original, so the table itself never
    holds a name."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pseudonyms")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "label"], name="unique_pseudonym_label"),
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=models.Q(person__isnull=False),
                name="unique_pseudonym_person",
            ),
            models.UniqueConstraint(
                fields=["program", "digest"],
                condition=~models.Q(digest=""),
                name="unique_pseudonym_digest",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ReplacementKind(models.TextChoices):
    NAME = "name", "Name on the roster"
    SPEAKER = "speaker", "Speaker not on the roster"
    EMAIL = "email", "Email address"
    PHONE = "phone", "Phone number"
    MANUAL = "manual", "Added by the researcher"


class ReplacementStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    CORRECTED = "corrected", "Corrected"
    REJECTED = "rejected", "Kept as written"


class Replacement(models.Model):
    """One proposed replacement of characters [start, end) of the original text."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="replacements")
    index = models.IntegerField()
    kind = models.CharField(max_length=10, choices=ReplacementKind.choices)
    start = models.IntegerField(help_text="In the original text.")
    end = models.IntegerField()
    # Not filled: the original words are original[start:end] of the document's encrypted
    # original (encrypting 1,000+ names per transcript again cost a third of the import).
    original_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    pseudonym = models.ForeignKey(
        Pseudonym, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replacement = models.CharField(max_length=120)
    status = models.CharField(
        max_length=10, choices=ReplacementStatus.choices, default=ReplacementStatus.PROPOSED
    )

    class Meta:
        ordering = ["document", "index"]
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="unique_replacement_index"),
        ]


class Code(models.Model):
    """A code of the program's codebook (REFI-QDA Code); codes nest via `parent`."""

    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=120)
    definition = models.TextField(blank=True)
    when_to_use = models.TextField(blank=True)
    when_not_to_use = models.TextField(blank=True)
    example = models.TextField(blank=True)
    color = models.CharField(max_length=7, default="#1f77b4", validators=[hex_color])
    is_codable = models.BooleanField(
        default=True, help_text="Off for a heading that only groups other codes."
    )
    position = models.IntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="unique_code_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A theme grouping codes (REFI-QDA Set with MemberCode entries)."""

    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    codes = models.ManyToManyField(Code, blank=True, related_name="themes")
    position = models.IntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="unique_theme_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Memo(models.Model):
    """A memo (REFI-QDA Note) on a code, a theme, a document or the project."""

    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memos")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    code = models.ForeignKey(
        Code, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]


class CoderAssignment(models.Model):
    """`coder` codes `document`; their highlights stay theirs alone until the
    researcher opens the document's comparison."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coding_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "coder__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["document", "coder"], name="unique_coder_assignment"),
        ]


class Highlight(models.Model):
    """Characters [start, end) of a document's text with one or more codes
    (REFI-QDA PlainTextSelection with its Codings). `is_agreed` marks the adjudicated
    coding that merges the coders' work; its `coder` is the adjudicating researcher."""

    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="highlights")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="highlights"
    )
    start = models.IntegerField()
    end = models.IntegerField()
    codes = models.ManyToManyField(Code, related_name="highlights")
    is_agreed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "start", "end", "id"]
        indexes = [models.Index(fields=["document", "coder"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__gte=0) & models.Q(end__gt=models.F("start")),
                name="highlight_nonempty_span",
            ),
        ]


class Adjudication(models.Model):
    """The researcher's merge of the coders' work on one document into the agreed
    coding (highlights with is_agreed)."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="adjudication")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)
    note = models.TextField(blank=True)


class Competency(models.TextChoices):
    """The six ACGME core competencies."""

    PATIENT_CARE = "patient_care", "Patient care"
    MEDICAL_KNOWLEDGE = "medical_knowledge", "Medical knowledge"
    PRACTICE_BASED_LEARNING = (
        "practice_based_learning",
        "Practice-based learning and improvement",
    )
    INTERPERSONAL_COMMUNICATION = (
        "interpersonal_communication",
        "Interpersonal and communication skills",
    )
    PROFESSIONALISM = "professionalism", "Professionalism"
    SYSTEMS_BASED_PRACTICE = "systems_based_practice", "Systems-based practice"


class CompetencyMapping(models.Model):
    """A code or a theme mapped to one ACGME core competency."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="competency_mappings"
    )
    competency = models.CharField(max_length=40, choices=Competency.choices)
    code = models.ForeignKey(
        Code, null=True, blank=True, on_delete=models.CASCADE, related_name="competencies"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="competencies"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(code__isnull=False, theme__isnull=True)
                    | models.Q(code__isnull=True, theme__isnull=False)
                ),
                name="competency_maps_code_or_theme",
            ),
            models.UniqueConstraint(
                fields=["competency", "code"],
                condition=models.Q(code__isnull=False),
                name="unique_competency_code",
            ),
            models.UniqueConstraint(
                fields=["competency", "theme"],
                condition=models.Q(theme__isnull=False),
                name="unique_competency_theme",
            ),
        ]
