"""The meetings' forms: parse and check the shape of what was typed; the services
decide what is allowed."""

from django import forms

REPEAT_CHOICES = [("once", "Once"), ("weekly", "Repeats every few weeks")]


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Mentoring meeting")
    participants = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, required=True
    )
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For a series: the first date it may meet.",
    )
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(min_value=5, max_value=24 * 60, initial=60)
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, initial="once", widget=forms.RadioSelect)
    interval_weeks = forms.IntegerField(
        min_value=1, max_value=8, initial=2, required=False, label="Every how many weeks"
    )
    until = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        label="Last date (for a series)",
    )
    place = forms.CharField(max_length=200, required=False)
    video_url = forms.URLField(required=False, label="Video link", assume_scheme="https")
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people
        self.fields["participants"].label_from_instance = lambda p: p.full_name

    def clean(self):
        data = super().clean()
        if data.get("repeat") == "weekly":
            if not data.get("until"):
                self.add_error("until", "A series needs its last date.")
            if not data.get("interval_weeks"):
                self.add_error("interval_weeks", "Say every how many weeks (1 to 8).")
        return data


class MeetingEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(min_value=5, max_value=24 * 60)
    place = forms.CharField(max_length=200, required=False)
    video_url = forms.URLField(required=False, label="Video link", assume_scheme="https")
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class MeetingLogForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60, label="How long (minutes)")
    topics = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Only the people in this meeting see this.",
    )
