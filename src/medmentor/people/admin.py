"""Raw access to institutions, services and people for staff (is_staff) only."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from medmentor.people.models import Institution, Person, Service


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


class PersonCreationForm(AdminUserCreationForm):
    """Django's admin "add user" form, keyed by email instead of a username."""

    class Meta:
        model = Person
        fields = ("email", "full_name", "training_level", "institution")

    def clean_email(self):
        # Emails are stored lower-case and are unique whatever their case, as at sign-in.
        email = self.cleaned_data["email"].strip().lower()
        if Person.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A person with this email address already exists.")
        return email


class PersonChangeForm(UserChangeForm):
    class Meta:
        model = Person
        fields = "__all__"


@admin.register(Person)
class PersonAdmin(UserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ("email", "full_name", "training_level", "institution", "is_staff", "is_active")
    list_filter = ("training_level", "institution", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name", "specialty")
    ordering = ("full_name", "email")
    list_select_related = ("institution",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
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
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "training_level",
                    "institution",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
