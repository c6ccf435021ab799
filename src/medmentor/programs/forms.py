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


def person_choices(people: list[Person], placeholder: str) -> list[tuple[str, str]]:
    """The choices of a person field: the placeholder, then each "name (email)"."""
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
        self.fields["junior"].choices = person_choices(juniors, "Choose a junior")
        self.fields["senior"].choices = person_choices(seniors, "Choose a senior")
        self.fields["junior"].error_messages["required"] = "Choose a junior."
        self.fields["senior"].error_messages["required"] = "Choose a senior."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("junior") and cleaned.get("junior") == cleaned.get("senior"):
            raise forms.ValidationError("A person cannot be paired with themselves.")
        return cleaned
