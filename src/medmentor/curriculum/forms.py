"""Forms of the curriculum pages: uploading a curriculum package and confirming it."""

from django import forms

from medmentor.curriculum.models import ServiceDay
from medmentor.curriculum.package import MAX_PACKAGE_BYTES


class PackageUploadForm(forms.Form):
    package = forms.FileField(
        label="Curriculum package (.zip)",
        help_text=(
            "A zip holding curriculum.yaml and its images, as medmentor exports it. "
            f"Up to {MAX_PACKAGE_BYTES // 1024 // 1024} MB. Nothing is imported until you "
            "confirm the preview."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def clean_package(self):
        upload = self.cleaned_data["package"]
        if upload.size > MAX_PACKAGE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_PACKAGE_BYTES // 1024 // 1024} MB."
            )
        return upload


class PackageConfirmForm(forms.Form):
    """Confirms the package the preview showed, named by its SHA-256 digest."""

    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    replace = forms.BooleanField(
        required=False,
        label="Replace the current curriculum",
        help_text=(
            "The current curriculum, and what learners recorded on its cases, is removed "
            "and this package takes its place."
        ),
    )

    def __init__(self, *args, must_replace: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.must_replace = must_replace

    def clean(self):
        cleaned = super().clean()
        if self.must_replace and not cleaned.get("replace"):
            self.add_error(
                "replace",
                "This program already has a curriculum: tick “Replace the current curriculum” "
                "to import this package in its place.",
            )
        return cleaned


# --- The curriculum editor --------------------------------------------------------------
#
# The fields are not required here and carry no length limits of their own: the
# package's pydantic models check them (content_services), so the web and a package
# are refused in the same words; `problems_show` puts each problem beside its field.


def _text(label: str, *, rows: int = 0, help_text: str = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, required=False, strip=False, widget=widget, help_text=help_text
    )


class CurriculumHeadingForm(forms.Form):
    title = _text("Title")
    description = _text("Description", rows=4)
    source = _text("Source", help_text="Who wrote it, e.g. another institution's program.")
    license = _text("License", help_text="Terms of reuse, e.g. CC BY-NC 4.0.")


class CurriculumWeekForm(forms.Form):
    number = forms.IntegerField(
        label="Week number",
        required=False,
        min_value=1,
        help_text="The weeks are taught in turn by number from the program's first week.",
    )
    topic = _text("Topic")
    summary = _text("Summary", rows=4)


class ReadingForm(forms.Form):
    citation = _text("Citation", rows=2)
    url = _text("Web address", help_text="Optional, starting with https://")


class QuestionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    question = _text("Question", rows=3)
    answer = _text("Answer", rows=3)


ReadingFormSet = forms.formset_factory(ReadingForm, extra=1, can_delete=True, can_order=True)
QuestionFormSet = forms.formset_factory(QuestionForm, extra=1, can_delete=True, can_order=True)


class CaseForm(forms.Form):
    day = forms.TypedChoiceField(label="Day", coerce=int, choices=ServiceDay.choices)
    title = _text("Title")
    history = _text(
        "History", rows=5, help_text="Short clinical history, with no real patient data."
    )
    teaching_points = _text("Teaching points", rows=4)


class CaseImageAddForm(forms.Form):
    image = forms.FileField(
        label="Image",
        help_text="PNG, JPEG, GIF or WebP.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    alt_text = _text("What the image shows", help_text="Read aloud by screen readers.")
    caption = _text("Caption")


class CaseImageForm(forms.Form):
    alt_text = _text("What the image shows")
    caption = _text("Caption")
    order = forms.IntegerField(label="Place", min_value=1, help_text="1 is shown first.")


def formset_rows(formset, fields: tuple[str, ...]) -> tuple[list[dict], list]:
    """The rows of a valid formset in the order asked (its Order column, then as
    listed), without the removed and the wholly empty ones: (their values, their
    forms, to put each row's problems on)."""
    chosen = []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        if not any((data.get(name) or "").strip() for name in fields):
            continue
        order = data.get("ORDER")
        chosen.append(((order is None, order or 0, index), form))
    chosen.sort(key=lambda entry: entry[0])
    row_forms = [form for _, form in chosen]
    rows = [
        {name: form.cleaned_data.get(name) or "" for name in (*fields, "id")} for form in row_forms
    ]
    return rows, row_forms


def problems_show(problems, *, form, rows: dict[str, list] | None = None) -> None:
    """Put each package problem beside its field: "Title is missing", "Answer: is 12
    characters long…"; a problem of a list's row on that row's form; the rest on
    the form as a whole, in the package's own words."""
    for problem in problems:
        loc = problem.loc
        target, name = form, loc[0] if loc else None
        if rows and name in rows and len(loc) >= 3 and isinstance(loc[1], int):
            row_forms = rows[name]
            target, name = (row_forms[loc[1]], loc[2]) if loc[1] < len(row_forms) else (form, None)
        if name in target.fields:
            label = target.fields[name].label
            words = (
                f"{label} is missing" if problem.kind == "missing" else f"{label}: {problem.text}"
            )
            target.add_error(name, words)
        else:
            form.add_error(None, str(problem))


# --- Holidays and closures ----------------------------------------------------------------


class _DateInput(forms.DateInput):
    input_type = "date"


class ClosureForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, help_text="e.g. Thanksgiving")
    starts_on = forms.DateField(label="First day", widget=_DateInput)
    ends_on = forms.DateField(
        label="Last day", required=False, widget=_DateInput, help_text="Empty for one day."
    )


class ClosureFileForm(forms.Form):
    file = forms.FileField(
        label="Holidays file (.csv, .xlsx or .ics)",
        help_text="A spreadsheet with the columns name, date and (optional) ends_on, dates "
        "written like 2026-12-25 or 12/25/2026; or a calendar file (.ics) of the holidays. "
        "Nothing is added until "
        "you confirm the preview.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.ics,text/csv,text/calendar"}),
    )
