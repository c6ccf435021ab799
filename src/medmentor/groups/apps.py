from django.apps import AppConfig


class GroupsConfig(AppConfig):
    """Small peer groups (seed 003): agreement, meetings, rotation, the group's log and thread."""

    name = "medmentor.groups"
    label = "groups"

    def ready(self) -> None:
        from medmentor.groups import selectors
        from medmentor.groups.forms import creation_fields
        from medmentor.groups.models import DEFAULT_GROUP_SIZE_LIMIT
        from medmentor.groups.services import group_settings_for_new_program
        from medmentor.groups.urls import PEER_GROUP_PAGES
        from medmentor.programs import kinds
        from medmentor.programs.models import ProgramKind

        kinds.register(
            kind=ProgramKind.PEER_GROUP,
            # The members' home and, for the director, the groups' overview.
            landing=kinds.MenuEntry("Groups", "groups", "groups"),
            menu=[kinds.MenuEntry("Form groups", "groups-formation", "formation")],
            pages=PEER_GROUP_PAGES,
            home_items=selectors.attention_items,
        )
        # The group rules a new program is asked for (kept in GroupSettings).
        kinds.register_creation(
            kind=ProgramKind.PEER_GROUP,
            fields=("description",),
            questions=creation_fields(),
            defaults={
                "group_size_limit": DEFAULT_GROUP_SIZE_LIMIT,
                "one_group_per_member": True,
                "meeting_interval_weeks": 2,
            },
            intro="Small confidential groups of at most eight meet on a fixed cadence "
            "(“every other Thursday”), each member bringing a problem in turn; a large "
            "network is split into subgroups and groups from a profiles file.",
            after_create=group_settings_for_new_program,
        )
