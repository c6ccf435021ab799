from django.apps import AppConfig


class GroupsConfig(AppConfig):
    """Small peer groups (seed 003): agreement, meetings, rotation, the group's log and thread."""

    name = "medmentor.groups"
    label = "groups"

    def ready(self) -> None:
        from medmentor.groups import selectors
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
