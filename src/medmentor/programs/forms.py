from django import forms

from medmentor.people.models import Person

# Rosters and schedules are a few hundred rows; 5 MB leaves room for XLSX styling
# while keeping the pending import small enough to hold in the session until confirmed.
MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet file (.xlsx or .csv)",
        help_text="The first row names the columns. Nothing is saved until you confirm the "
        "preview.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "aria-describedby": "file-help",
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"“{upload.name}” is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_IMPORT_BYTES // 1024 // 1024} MB. Split it into smaller files."
            )
        return upload


def _person_choices(people: list[Person], placeholder: str) -> list[tuple[str, str]]:
    return [("", placeholder)] + [
        (str(person.pk), f"{person.full_name} ({person.email})") for person in people
    ]


class PairAddForm(forms.Form):
    """The director's pair for one week; choices are passed in so one query serves every week."""

    week = forms.IntegerField(widget=forms.HiddenInput)
    junior = forms.TypedChoiceField(label="Junior", coerce=int)
    senior = forms.TypedChoiceField(label="Senior", coerce=int)

    def __init__(self, *args, juniors: list[Person], seniors: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["junior"].choices = _person_choices(juniors, "Choose a junior")
        self.fields["senior"].choices = _person_choices(seniors, "Choose a senior")
        self.fields["junior"].error_messages["required"] = "Choose a junior."
        self.fields["senior"].error_messages["required"] = "Choose a senior."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("junior") and cleaned.get("junior") == cleaned.get("senior"):
            raise forms.ValidationError("A person cannot be paired with themselves.")
        return cleaned


class MatchingRunForm(forms.Form):
    """The director's criteria weights, hard rules and objective for one matching run."""

    objective = forms.ChoiceField(
        label="Objective",
        widget=forms.RadioSelect,
        choices=[
            (
                "stable",
                "Stable — nobody would both rather be with each other than with their match "
                "(the residency-match rule; mentees' wishes come first).",
            ),
            (
                "optimal",
                "Optimal — the highest total compatibility, then the most people matched; "
                "some pairs may both prefer each other.",
            ),
        ],
        initial="stable",
    )
    min_level_gap = forms.IntegerField(
        label="Seniority gap (training levels)",
        required=False,
        min_value=0,
        max_value=20,
        help_text="A mentor must be at least this many training levels above the mentee "
        "(MS1 → MS3 is 2). Leave blank for no rule.",
    )
    same_site = forms.BooleanField(
        label="Same site required",
        required=False,
        help_text="Pair only people at the same campus or hospital.",
    )
    shared_availability = forms.BooleanField(
        label="Shared availability required",
        required=False,
        help_text="Pair only people who share at least one time they can meet.",
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"weight_{criterion.attribute}"] = forms.DecimalField(
                label=criterion.label,
                min_value=0,
                max_value=10,
                decimal_places=1,
                help_text=criterion.help,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )

    def weight_fields(self):
        return [self[f"weight_{criterion.attribute}"] for criterion in self.criteria]

    def weights(self) -> dict[str, float]:
        return {
            criterion.attribute: float(self.cleaned_data[f"weight_{criterion.attribute}"])
            for criterion in self.criteria
        }

    def rules(self) -> dict[str, object]:
        return {
            "min_level_gap": self.cleaned_data["min_level_gap"],
            "same_site": self.cleaned_data["same_site"],
            "shared_availability": self.cleaned_data["shared_availability"],
        }


class MatchingSwapForm(forms.Form):
    first = forms.TypedChoiceField(label="Swap the mentee of", coerce=int)
    second = forms.TypedChoiceField(label="with the mentee of", coerce=int)

    def __init__(self, *args, pairs, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a pair")] + [
            (str(pair.pk), f"{pair.mentor.full_name} – {pair.mentee.full_name}") for pair in pairs
        ]
        self.fields["first"].choices = choices
        self.fields["second"].choices = choices
        self.fields["first"].error_messages["required"] = "Choose the first pair."
        self.fields["second"].error_messages["required"] = "Choose the second pair."


class MatchingConflictForm(forms.Form):
    mentor = forms.TypedChoiceField(label="Mentor", coerce=int)
    mentee = forms.TypedChoiceField(label="Mentee", coerce=int)
    reason = forms.ChoiceField(label="Why they must not be paired")

    def __init__(self, *args, mentors: list[Person], mentees: list[Person], reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = _person_choices(mentors, "Choose a mentor")
        self.fields["mentee"].choices = _person_choices(mentees, "Choose a mentee")
        self.fields["reason"].choices = reasons
        self.fields["mentor"].error_messages["required"] = "Choose a mentor."
        self.fields["mentee"].error_messages["required"] = "Choose a mentee."
