from django import forms

from medmentor.people.services import BIO_MAX, CONTACT_MAX


class ProfileForm(forms.Form):
    """A person's own profile; the service checks the photo's bytes and the lengths."""

    full_name = forms.CharField(
        label="Your name",
        max_length=200,
        help_text="As it appears in emails and on pages, in every program.",
        error_messages={"required": "Your name cannot be blank."},
    )
    contact_preference = forms.CharField(
        label="How to reach you",
        max_length=CONTACT_MAX,
        required=False,
        help_text="e.g. “Email, I reply within a day” or “Text me after 17:00”.",
    )
    languages = forms.CharField(
        label="Languages you speak",
        max_length=600,
        required=False,
        help_text="Separated by commas, e.g. English, Spanish.",
    )
    bio = forms.CharField(
        label="About you",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=BIO_MAX,
        required=False,
        help_text=f"A few sentences, at most {BIO_MAX} characters: where you are from, what "
        "you are working towards.",
    )
    photo = forms.FileField(
        label="Photo",
        required=False,
        help_text="Optional. JPEG, PNG or WebP, at most 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(required=False, label="Remove my photo")
