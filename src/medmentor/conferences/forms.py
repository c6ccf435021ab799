"""The conferences' forms: parse and check the shape of what was typed; the services
decide what is allowed."""

from django import forms

REPEAT_CHOICES = [("once", "Once"), ("series", "A series: every few weeks")]


class SessionPlanForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Peer-support conference")
    facilitator = forms.ModelChoiceField(
        queryset=None, help_text="A resident who runs the session (third year, in seed 001)."
    )
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For a series: the first date; it meets on this weekday.",
    )
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(min_value=15, max_value=240, initial=60, label="Length (minutes)")
    place = forms.CharField(
        max_length=200, required=False, label="Room", help_text="Or a video link."
    )
    video_url = forms.URLField(required=False, label="Video link", assume_scheme="https")
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, initial="once", widget=forms.RadioSelect)
    interval_weeks = forms.IntegerField(
        min_value=1, max_value=8, initial=4, required=False, label="Every how many weeks"
    )
    count = forms.IntegerField(
        min_value=1, max_value=52, required=False, label="How many sessions (for a series)"
    )

    def __init__(self, *args, residents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = residents
        self.fields["facilitator"].label_from_instance = lambda p: p.full_name

    def clean(self):
        data = super().clean()
        if not (data.get("place") or data.get("video_url")) and not self.errors:
            self.add_error("place", "Say where the session is: a room, or a video link.")
        if data.get("repeat") == "series":
            if not data.get("count"):
                self.add_error("count", "A series needs its number of sessions.")
            if not data.get("interval_weeks"):
                self.add_error("interval_weeks", "Say every how many weeks (1 to 8).")
        return data


# The conference kind's questions on the "new program" page (programs.kinds.register_creation):
# where every new session of the program starts.


def session_minutes_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Usual session length (minutes)",
        min_value=15,
        max_value=240,
        initial=60,
        help_text="15 to 240 minutes; seed 001's conference took an hour of the teaching slot.",
        error_messages={"required": "Give the usual length of a session, e.g. 60."},
    )


def session_place_field() -> forms.CharField:
    return forms.CharField(
        label="Usual room",
        max_length=200,
        required=False,
        help_text="Where sessions usually meet, or leave blank for a video link.",
    )


def session_video_url_field() -> forms.URLField:
    return forms.URLField(
        label="Usual video link",
        required=False,
        assume_scheme="https",
        help_text="For virtual sessions, e.g. https://meet.example.org/peer-support.",
        error_messages={"invalid": "Write the video link as a web address (https://…)."},
    )
