import datetime
import zoneinfo

from django import forms

from medmentor.people.models import Person, TrainingLevel
from medmentor.programs.kinds import KIND_CREATION_FIELDS
from medmentor.programs.models import Program, Role, Weekday

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


# --- The people page --------------------------------------------------------------------


class PeopleFilterForm(forms.Form):
    """The people page's search: every field optional, read from the address (GET)."""

    q = forms.CharField(required=False, max_length=200, label="Name or email")
    role = forms.ChoiceField(required=False, label="Role")
    level = forms.ChoiceField(required=False, label="Training level")
    status = forms.ChoiceField(required=False, label="Enrollment")

    def __init__(self, *args, statuses: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Any role"), *Role.choices]
        self.fields["level"].choices = [("", "Any level"), *TrainingLevel.choices]
        self.fields["status"].choices = list(statuses.items())


def _role_choices(grantable) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if value in grantable]


class PersonAddForm(forms.Form):
    """One person added to the program in the roles the adding person may give."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Give their email address: it is how they sign in.",
            "invalid": "The email address is not one: write it as name@hospital.org.",
        },
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        required=False,
        help_text="As it should appear in emails and pages. Needed when they are new to "
        "medmentor; someone it knows keeps the name they have.",
    )
    training_level = forms.ChoiceField(
        label="Training level",
        choices=TrainingLevel.choices,
        initial=TrainingLevel.OTHER,
        help_text="For someone new; someone medmentor knows keeps theirs.",
    )
    roles = forms.MultipleChoiceField(
        label="Roles in this program",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role for them in this program."},
    )
    joined_on = forms.DateField(
        label="Joins on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Blank: today.",
        error_messages={"invalid": "Write the day they join as a date, e.g. 2027-01-04."},
    )

    def __init__(self, *args, grantable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = _role_choices(grantable)


class PersonRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles in this program",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one role. To take someone out of the program, end "
            "their enrollment instead."
        },
    )

    def __init__(self, *args, grantable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = _role_choices(grantable)


class EnrollmentEndForm(forms.Form):
    when = forms.ChoiceField(
        label="When",
        widget=forms.RadioSelect,
        choices=[
            ("now", "Now: they lose access to the program at once"),
            ("later", "After a last day"),
        ],
        initial="now",
    )
    last_day = forms.DateField(
        label="Last day in the program",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="They keep access through this day.",
        error_messages={"invalid": "Write the last day as a date, e.g. 2027-06-30."},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") == "later" and not cleaned.get("last_day"):
            self.add_error("last_day", "Give their last day, or choose “Now”.")
        return cleaned


# --- A new program ----------------------------------------------------------------------


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ProgramNewForm(forms.Form):
    """The generic fields of a new program, then the fields its kind asks for
    (programs.kinds.register_creation), nothing else."""

    kind = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(
        label="Program name",
        max_length=200,
        help_text="As people will see it in pages and email subjects.",
        error_messages={"required": "Give the program a name."},
    )
    slug = forms.SlugField(
        label="Short name for web addresses",
        max_length=80,
        required=False,
        help_text="Letters, digits and hyphens, e.g. nm-must-see. Leave blank to make one "
        "from the program name.",
        error_messages={
            "invalid": "The short name may hold only letters, digits, hyphens and "
            "underscores, e.g. nm-must-see."
        },
    )
    institution = forms.ModelChoiceField(
        label="Institution",
        queryset=None,
        empty_label=None,
        help_text="An institution where you direct a program.",
        error_messages={"invalid_choice": "Choose one of the institutions listed."},
    )
    starts_on = forms.DateField(
        label="First Monday",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The Monday of the program's first week.",
        error_messages={
            "required": "Give the Monday of the program's first week.",
            "invalid": "Write the first Monday as a date, e.g. 2027-01-04.",
        },
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Where the program runs: its weeks start on Monday there, and emails go "
        "out at its local time.",
    )
    # The fields a kind may ask for (kinds.KIND_CREATION_FIELDS); removed unless asked.
    service = forms.CharField(
        label="Clinical service",
        max_length=200,
        required=False,
        help_text="The service whose schedule makes the weekly pairs, e.g. Nuclear Medicine. "
        "A service the institution does not have yet is added.",
    )
    weekly_email_weekday = forms.TypedChoiceField(
        label="Weekly email day", coerce=int, choices=Weekday.choices
    )
    weekly_email_time = forms.TimeField(
        label="Weekly email time",
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="In the program's time zone.",
        error_messages={"invalid": "Write the time as hours and minutes, e.g. 07:00."},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the program is and how it works, in your words (optional).",
    )

    def __init__(self, *args, creation, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        for name in KIND_CREATION_FIELDS:
            if name not in creation.fields:
                del self.fields[name]
        for name, make_field in creation.settings_fields.items():
            self.fields[name] = make_field()
        self.fields["institution"].queryset = institutions
        self.fields["time_zone"].choices = _time_zone_choices()


def program_new_initial(*, creation, institutions, today: datetime.date) -> dict:
    """The new program form's defaults: the coming Monday, the time zone of the
    institution's latest program (else New York, the model's default), and the kind's
    own defaults."""
    first = institutions.first()
    latest = first.programs.order_by("-created_at", "-pk").first() if first else None
    initial: dict[str, object] = {
        "kind": creation.kind,
        "institution": first.pk if first else None,
        "starts_on": today + datetime.timedelta(days=(7 - today.weekday()) % 7 or 7),
        "time_zone": latest.time_zone if latest else Program._meta.get_field("time_zone").default,
    }
    for name, value in creation.defaults.items():
        initial[name] = value() if callable(value) else value
    return initial
