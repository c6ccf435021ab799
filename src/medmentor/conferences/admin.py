"""Raw access to conference data, for the operations account (is_staff) only.

Sessions and their run sheets are read-only here (they change through the conference
pages, which send the calendar updates); the help list may be corrected. Who was asked
to take a part and what they answered, and attendance, have no admin page: the first
is the facilitator's and the director's, the second is only ever counted.
"""

from django.contrib import admin
from django.db import models

from medmentor.admin_site import ReadOnlyAdmin
from medmentor.conferences.models import ConferenceSession, HelpResource, Segment


class SegmentInline(ReadOnlyAdmin, admin.TabularInline):
    model = Segment
    extra = 0
    fields = ("position", "kind", "title", "minutes", "led_by")


@admin.register(ConferenceSession)
class ConferenceSessionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("meeting", "program", "facilitator", "created_at")
    list_filter = ("program",)
    list_select_related = ("meeting", "program", "facilitator")
    inlines = [SegmentInline]


@admin.register(HelpResource)
class HelpResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "program", "position")
    list_filter = ("program",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
