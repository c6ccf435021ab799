"""Raw access to reverse mentoring set-up, for the operations account only. The
feedback, its answers and the consultants' notes are private to their owners and have
no admin pages (privacy rule 3)."""

from django.contrib import admin

from medmentor.reverse.models import Consent, Facilitator, Release, WorkingRelationship


@admin.register(WorkingRelationship)
class WorkingRelationshipAdmin(admin.ModelAdmin):
    list_display = ("fellow", "consultant", "consultant_supervises", "is_mentor", "program")
    list_filter = ("program",)
    raw_id_fields = ("fellow", "consultant")
    list_select_related = ("fellow", "consultant", "program")


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("consultant", "program", "consented_at", "withdrawn_at")
    list_filter = ("program",)
    raw_id_fields = ("consultant",)
    # The time is set on saving: a form prefilled with "now" would differ between two
    # renders of the same page.
    fields = ("program", "consultant", "withdrawn_at")
    list_select_related = ("consultant", "program")


@admin.register(Facilitator)
class FacilitatorAdmin(admin.ModelAdmin):
    list_display = ("person", "program")
    raw_id_fields = ("person",)


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("consultant", "program", "released_at")
    raw_id_fields = ("consultant",)
    fields = ("program", "consultant")
