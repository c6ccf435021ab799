"""Forms of the one-to-one matching pages: a run's settings, a swap, a conflict."""

from django import forms

from medmentor.people.models import Person
from medmentor.programs.forms import person_choices


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
        self.fields["mentor"].choices = person_choices(mentors, "Choose a mentor")
        self.fields["mentee"].choices = person_choices(mentees, "Choose a mentee")
        self.fields["reason"].choices = reasons
        self.fields["mentor"].error_messages["required"] = "Choose a mentor."
        self.fields["mentee"].error_messages["required"] = "Choose a mentee."


class MentoringProfileForm(forms.Form):
    """A person's own words for their pair(s); the service checks the photo's bytes."""

    bio = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=600,
        required=False,
        help_text="A few sentences your mentor or mentee sees: where you are from, what "
        "you are working towards.",
    )
    contact_preference = forms.CharField(
        max_length=200,
        required=False,
        label="How to reach you",
        help_text="e.g. “Email, I reply within a day” or “Text me after 17:00”.",
    )
    photo = forms.FileField(
        required=False,
        help_text="Optional. JPEG, PNG or WebP, at most 2 MB. Only your pair sees it.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(required=False, label="Remove my photo")


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200, label="Goal")
    due_on = forms.DateField(
        required=False, label="By (optional)", widget=forms.DateInput(attrs={"type": "date"})
    )


class GoalProgressForm(forms.Form):
    status = forms.ChoiceField(choices=())
    progress = forms.IntegerField(min_value=0, max_value=100, label="Progress (%)")

    def __init__(self, *args, **kwargs):
        from medmentor.mentoring.models import GoalStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = GoalStatus.choices
