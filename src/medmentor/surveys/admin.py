"""Survey instruments, items, scales and waves in the admin, read only: they are changed
in the survey editor (/programs/<slug>/surveys/<id>/edit/), which refuses any change to
codes that submitted answers already use. An admin form would not know that rule.

Invitations, responses and answers are not registered: who was invited and who is done
is participation per person, and answers leave only through the report and the exports
(privacy rule 2, docs/surveys.md).
"""

from django.contrib import admin

from medmentor.admin_site import ReadOnlyAdmin
from medmentor.surveys.models import Instrument, Item, Scale, ScaleItem, Wave


class ItemInline(ReadOnlyAdmin, admin.StackedInline):
    model = Item
    fk_name = "instrument"
    extra = 0
    fields = (
        ("order", "page", "key"),
        "text",
        ("kind", "required"),
        ("points", "anchors"),
        "numeric_max",
        "choices",
        ("show_if_item", "show_if_values"),
    )


class WaveInline(ReadOnlyAdmin, admin.TabularInline):
    model = Wave
    extra = 0
    fields = ("kind", "opens_at", "closes_at", "declined_count")
    readonly_fields = ("declined_count",)


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("title", "program", "anonymity")
    list_filter = ("anonymity",)
    search_fields = ("title",)
    list_select_related = ("program",)
    exclude = ("code_salt",)
    inlines = [WaveInline, ItemInline]


class ScaleItemInline(ReadOnlyAdmin, admin.TabularInline):
    model = ScaleItem
    extra = 0


@admin.register(Scale)
class ScaleAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "instrument", "scoring", "item_min", "item_max", "max_missing")
    list_select_related = ("instrument",)
    inlines = [ScaleItemInline]
