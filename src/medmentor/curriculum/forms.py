"""Forms of the curriculum pages: uploading a curriculum package and confirming it."""

from django import forms

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
