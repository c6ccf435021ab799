"""Every write of peer groups: keyword-only functions, one transaction each, each
checking who acts (programs.access, and the group-level facts in groups.selectors)."""

from medmentor.groups.services.cycle import (
    apologies_send,
    attendance_mark_self,
    attendance_take,
    commitment_check,
    group_meeting_cancel,
    group_series_plan,
    presenter_swap_answer,
    presenter_swap_ask,
    rotation_refresh,
)
from medmentor.groups.services.formation import (
    GROUP_PROFILE_COLUMNS,
    formation_publish,
    formation_run_create,
    group_profiles_import,
)
from medmentor.groups.services.membership import (
    GroupError,
    agreement_accept,
    agreement_current,
    agreement_update,
    group_create,
    group_join,
    group_member_add,
    group_open_set,
    group_settings_for,
    group_settings_update,
    membership_end,
)
from medmentor.groups.services.space import log_entry_add, thread_digests_enqueue_due, thread_post

__all__ = [
    "GROUP_PROFILE_COLUMNS",
    "GroupError",
    "agreement_accept",
    "agreement_current",
    "agreement_update",
    "apologies_send",
    "attendance_mark_self",
    "attendance_take",
    "commitment_check",
    "formation_publish",
    "formation_run_create",
    "group_create",
    "group_join",
    "group_meeting_cancel",
    "group_member_add",
    "group_open_set",
    "group_profiles_import",
    "group_series_plan",
    "group_settings_for",
    "group_settings_update",
    "log_entry_add",
    "membership_end",
    "presenter_swap_answer",
    "presenter_swap_ask",
    "rotation_refresh",
    "thread_digests_enqueue_due",
    "thread_post",
]
