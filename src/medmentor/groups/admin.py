"""Raw access to peer-group data, for the operations account (is_staff) only.

Read-only: places in a group change through the services, which keep the size limit.
Deliberately NOT registered (and refused by the admin site, `private_to_owner`): the
group's attendance, presenter turns and swaps, log, thread, digest state and
commitment notices — the group's alone (privacy rule 5). The admin shows of a group
what its director sees: its name, subgroup, room and members.
"""

from django.contrib import admin

from medmentor.admin_site import ReadOnlyAdmin
from medmentor.groups.models import Agreement, GroupSettings, Membership, PeerGroup


class MembershipInline(ReadOnlyAdmin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("person", "is_facilitator", "joined_at", "left_at")
    readonly_fields = fields


@admin.register(PeerGroup)
class PeerGroupAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "program", "subgroup", "member_count", "capacity", "is_open")
    list_filter = ("program", "is_open")
    search_fields = ("name", "subgroup")
    fields = ("program", "name", "subgroup", "capacity", "member_count", "is_open", "created_at")
    readonly_fields = fields
    inlines = [MembershipInline]


@admin.register(GroupSettings)
class GroupSettingsAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "program",
        "group_size_limit",
        "one_group_per_member",
        "attendance_level_percent",
    )


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("program", "version", "created_at")
    list_filter = ("program",)
    readonly_fields = ("program", "version", "text", "created_at", "created_by")
