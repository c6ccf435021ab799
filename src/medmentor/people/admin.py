"""Raw access to institutions, services and people for operations (is_staff) only.

Program directors and coordinators are not staff: they use the program pages. The
operations account is a separate person with no enrollment (docs/deploy.md).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.urls import path

from medmentor.people.models import Institution, Person, Service
from medmentor.people.signals import person_deletion_refused


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "institution")
    list_filter = ("institution",)
    search_fields = ("name", "institution__name")
    list_select_related = ("institution",)


class PersonCreationForm(forms.ModelForm):
    """The admin's "add person" form, keyed by email, with no password field.

    Nobody sets a password for someone else (docs/privacy.md, "No one acts as another
    person"): the new person gets a one-time sign-in link by email and, if they want a
    password, chooses it themselves. (The email is sent by site/admin.py, which registers
    this admin with that step: `people` does not import `messaging`.)
    """

    class Meta:
        model = Person
        fields = ("email", "full_name", "training_level", "institution")

    def clean_email(self):
        # Emails are stored lower-case and are unique whatever their case, as at sign-in.
        email = self.cleaned_data["email"].strip().lower()
        if Person.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A person with this email address already exists.")
        return email

    def save(self, commit=True):
        person = super().save(commit=False)
        person.set_unusable_password()
        if commit:
            person.save()
        return person


class PersonChangeForm(forms.ModelForm):
    """A person's details; never their password, email or sign-in times (see PersonAdmin)."""

    class Meta:
        model = Person
        fields = (
            "full_name",
            "training_level",
            "institution",
            "specialty",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )
        help_texts = {
            "is_staff": "May open this admin site: operations accounts only, never a person "
            "enrolled in a program (directors use the program pages).",
        }

    def clean(self):
        cleaned = super().clean()
        # Operations accounts are separate from the people in programs (docs/deploy.md):
        # a director made staff could open the admin, a superuser could do anything there.
        raising = [
            name
            for name in ("is_staff", "is_superuser")
            if cleaned.get(name) and not (getattr(self.instance, name, False))
        ]
        if raising and self.instance.pk and self.instance.enrollments.exists():
            raise forms.ValidationError(
                f"{self.instance.email} is enrolled in a program, so they cannot be made "
                f"{' or '.join(name.replace('is_', '') for name in raising)}: people in "
                "programs use the program pages, and the admin is for separate operations "
                "accounts (docs/deploy.md)."
            )
        return cleaned


SETTING_PASSWORDS_REFUSED = (
    "medmentor does not let anyone set another person's password: it would let them sign "
    "in as that person. They can ask for a sign-in link on the sign-in page; operations "
    "change their own password at /admin/password_change/ or with "
    "`medmentor changepassword` (docs/deploy.md)."
)


@admin.register(Person)
class PersonAdmin(UserAdmin):
    """People, for the operations account (is_staff). Three things are never here:

    - setting a password for someone (the page Django's UserAdmin has at
      <id>/password/ answers 403, and the add form has no password): whoever sets
      another's password can sign in as them;
    - changing an existing person's email: pointed at the changer's own address, the
      emailed sign-in link would sign the changer in as them;
    - last sign-in times (`last_login`), shown nowhere and not filterable: when a
      learner last signed in is their own.
    """

    form = PersonChangeForm
    add_form = PersonCreationForm
    add_form_template = None  # Django's asks for a password first; ours has none
    list_display = ("email", "full_name", "training_level", "institution", "is_staff", "is_active")
    list_filter = ("training_level", "institution", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name", "specialty")
    ordering = ("full_name", "email")
    list_select_related = ("institution",)
    fieldsets = (
        (None, {"fields": ("email",)}),
        ("Who they are", {"fields": ("full_name", "training_level", "institution", "specialty")}),
        (
            "Access",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Dates", {"fields": ("date_joined",)}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "training_level", "institution"),
                "description": "The new person gets a one-time sign-in link by email.",
            },
        ),
    )
    readonly_fields = ("date_joined",)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("email", *self.readonly_fields)

    def get_urls(self):
        urls = [url for url in super().get_urls() if not str(url.name).endswith("_password_change")]
        # Kept as a path that refuses in words, so that the address Django admins know
        # answers 403 instead of falling through to "object not found".
        refused = path(
            "<id>/password/",
            self.admin_site.admin_view(self.user_change_password),
            name="people_person_password_refused",
        )
        return [refused, *urls]

    def user_change_password(self, request, id, form_url=""):
        return TemplateResponse(
            request,
            "admin/people/person/password_refused.html",
            {**self.admin_site.each_context(request), "reason": SETTING_PASSWORDS_REFUSED},
            status=403,
        )

    def lookup_allowed(self, lookup, value, request=None):
        # ?last_login__gte=… on the list would tell who signed in when, one filter at a time.
        return not lookup.startswith("last_login") and super().lookup_allowed(
            lookup, value, request
        )

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for _receiver, reasons in person_deletion_refused.send(sender=Person, people=list(objs)):
            protected = [*protected, *reasons]
        return to_delete, model_count, perms_needed, protected
