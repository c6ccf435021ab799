"""Raw access to one-to-one program data, for the operations account (is_staff) only.

Matching runs are made by the matching page, the API or `medmentor match`, and are
read-only here; profiles, conflicts and mentorships may be corrected.
"""

from django.contrib import admin

from medmentor.mentoring.models import (
    MatchingConflict,
    MatchingPair,
    MatchingProfile,
    MatchingRun,
    MatchingUnmatched,
    Mentorship,
)


@admin.register(MatchingProfile)
class MatchingProfileAdmin(admin.ModelAdmin):
    list_display = ("enrollment", "capacity", "site", "specialty")
    list_filter = ("enrollment__program", "enrollment__role")
    search_fields = ("enrollment__person__email", "enrollment__person__full_name")
    raw_id_fields = ("enrollment",)
    list_select_related = ("enrollment__person", "enrollment__program")


@admin.register(MatchingConflict)
class MatchingConflictAdmin(admin.ModelAdmin):
    list_display = ("mentor", "mentee", "reason", "program", "created_at")
    list_filter = ("program", "reason")
    autocomplete_fields = ("mentor", "mentee")
    readonly_fields = ("created_by",)
    list_select_related = ("mentor", "mentee", "program")


class MatchingPairInline(admin.TabularInline):
    model = MatchingPair
    extra = 0
    fields = ("mentee", "mentor", "score", "locked", "kept")
    readonly_fields = ("mentee", "mentor", "score", "kept")


class MatchingUnmatchedInline(admin.TabularInline):
    model = MatchingUnmatched
    extra = 0
    fields = ("person", "side", "reason")
    readonly_fields = fields


@admin.register(MatchingRun)
class MatchingRunAdmin(admin.ModelAdmin):
    """Runs are made by the matching page, the API or `medmentor match`; read-only here."""

    list_display = ("__str__", "program", "status", "matched", "unmatched", "created_at")
    list_filter = ("program", "status", "objective")
    readonly_fields = (
        "program",
        "objective",
        "weights",
        "rules",
        "seed",
        "status",
        "error",
        "created_by",
        "published_at",
        "mentees",
        "mentors",
        "matched",
        "unmatched",
        "total_score",
        "blocking_pairs",
        "tradeoff",
        "warnings",
    )
    inlines = [MatchingPairInline, MatchingUnmatchedInline]
    list_select_related = ("program",)

    def has_add_permission(self, request):
        return False


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ("mentee", "mentor", "program", "started_on", "ended_on")
    list_filter = ("program",)
    search_fields = ("mentee__email", "mentee__full_name", "mentor__email", "mentor__full_name")
    autocomplete_fields = ("mentor", "mentee")
    raw_id_fields = ("run",)
    list_select_related = ("mentor", "mentee", "program")
