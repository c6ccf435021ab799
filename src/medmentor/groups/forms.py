"""Forms of the peer-group pages: each field's errors in words that name it."""

import datetime

from django import forms

from medmentor.groups.models import LARGEST_GROUP, LogKind
from medmentor.groups.services.formation import ATTRIBUTES, SUBGROUP_ATTRIBUTES
from medmentor.programs.models import Weekday

_ATTRIBUTE_CHOICES = [(name, name.replace("_", " ").capitalize()) for name in ATTRIBUTES]


def _size_limit_field() -> forms.Field:
    return forms.IntegerField(
        label="Most members in a group",
        min_value=2,
        max_value=LARGEST_GROUP,
        help_text="No group ever has more (the seed's groups: at most eight).",
        error_messages={
            "required": "Give the most members a group may have, e.g. 8.",
            "invalid": "Write the most members in a group as a whole number, e.g. 8.",
        },
    )


def _one_group_field() -> forms.Field:
    return forms.BooleanField(
        label="One group per member",
        required=False,
        help_text="Untick to let a person belong to two groups of the program.",
    )


def _cadence_field(*, required: bool = True) -> forms.Field:
    return forms.IntegerField(
        required=required,
        label="Groups meet every how many weeks",
        min_value=1,
        max_value=8,
        help_text="2 for every other week; facilitators plan their group's meetings from this.",
        error_messages={
            "required": "Give how often the groups meet, in weeks, e.g. 2.",
            "invalid": "Write how often the groups meet as a whole number of weeks, e.g. 2.",
        },
    )


def creation_fields() -> dict:
    """What the "new program" page asks of a peer-group program (programs.kinds)."""
    return {
        "group_size_limit": _size_limit_field,
        "one_group_per_member": _one_group_field,
        "meeting_interval_weeks": _cadence_field,
    }


class GroupSettingsForm(forms.Form):
    group_size_limit = forms.IntegerField(
        label="Most members in a group", min_value=2, max_value=LARGEST_GROUP
    )
    one_group_per_member = forms.BooleanField(label="One group per member", required=False)
    attendance_level_percent = forms.IntegerField(
        label="Attendance members agree to (%)", min_value=0, max_value=100
    )
    # Blank leaves the cadence as it is.
    meeting_interval_weeks = _cadence_field(required=False)


class AgreementForm(forms.Form):
    text = forms.CharField(
        label="Agreement", widget=forms.Textarea(attrs={"rows": 8}), max_length=10_000
    )


class GroupCreateForm(forms.Form):
    name = forms.CharField(label="Group name", max_length=120)
    subgroup = forms.CharField(
        label="Subgroup (place, specialty or interest)", max_length=120, required=False
    )


class MemberAddForm(forms.Form):
    person = forms.ModelChoiceField(label="Member", queryset=None, empty_label="Choose a person")
    is_facilitator = forms.BooleanField(label="Facilitator", required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class FacilitatorForm(forms.Form):
    person = forms.ModelChoiceField(
        label="New facilitator",
        queryset=None,
        empty_label="Choose a member",
        error_messages={
            "required": "Choose the member who facilitates the group from now on.",
            "invalid_choice": "Choose one of the group's members listed.",
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda person: person.full_name


class FormationForm(forms.Form):
    similar = forms.MultipleChoiceField(
        label="Alike within a group",
        choices=_ATTRIBUTE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    diverse = forms.MultipleChoiceField(
        label="Varied within a group",
        choices=_ATTRIBUTE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    subgroup_by = forms.ChoiceField(
        label="Subgroups by",
        choices=[("", "No subgroups")]
        + [(name, name.capitalize()) for name in SUBGROUP_ATTRIBUTES],
        required=False,
    )


class SeriesForm(forms.Form):
    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int, initial=3)
    local_time = forms.TimeField(
        label="Time", initial=datetime.time(18, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    starts_on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    interval_weeks = forms.IntegerField(
        label="Every how many weeks", min_value=1, max_value=8, initial=2
    )
    count = forms.IntegerField(label="Number of meetings", min_value=1, max_value=105, initial=12)
    place = forms.CharField(label="Place", max_length=200, required=False)


class LogEntryForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=LogKind.choices)
    text = forms.CharField(label="Entry", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ThreadForm(forms.Form):
    body = forms.CharField(
        label="Message", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


def errors_in_words(form: forms.Form) -> str:
    """Every error of `form`, each after its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else "The form"
        parts.extend(f"{label}: {error}" for error in errors)
    return " ".join(parts)
