"""The director's raw access to program data, for staff (is_staff) only.

Only the tables of this app are here; a learner's private progress lives in
curriculum and is never registered in the admin (docs/privacy.md, rule 1).
"""

from django.contrib import admin

from medmentor.programs.models import (
    EmailTemplate,
    Enrollment,
    Pair,
    Program,
    ProgramWeek,
    ServiceBlock,
)


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ("person",)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "institution", "service", "starts_on")
    list_filter = ("kind", "institution")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("institution", "service")
    inlines = [EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("person", "role", "program", "joined_on", "left_on")
    list_filter = ("role", "program")
    search_fields = ("person__email", "person__full_name", "program__name")
    autocomplete_fields = ("person",)
    list_select_related = ("person", "program")


@admin.register(ServiceBlock)
class ServiceBlockAdmin(admin.ModelAdmin):
    list_display = ("person", "service", "starts_on", "ends_on", "program")
    list_filter = ("program", "service")
    search_fields = ("person__email", "person__full_name", "service__name")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("person",)
    list_select_related = ("person", "service", "program")


class PairInline(admin.TabularInline):
    model = Pair
    extra = 0
    autocomplete_fields = ("junior", "senior")


@admin.register(ProgramWeek)
class ProgramWeekAdmin(admin.ModelAdmin):
    list_display = ("__str__", "program", "starts_on")
    list_filter = ("program",)
    date_hierarchy = "starts_on"
    list_select_related = ("program",)
    inlines = [PairInline]


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ("junior", "senior", "week", "origin", "is_removed")
    list_filter = ("origin", "is_removed", "week__program")
    search_fields = (
        "junior__email",
        "junior__full_name",
        "senior__email",
        "senior__full_name",
    )
    autocomplete_fields = ("junior", "senior")
    list_select_related = ("junior", "senior", "week")


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ("program", "key", "subject", "updated_at")
    list_filter = ("key", "program")
    search_fields = ("subject", "program__name")
    list_select_related = ("program",)
