from django.apps import AppConfig


class GroupsConfig(AppConfig):
    """Small peer groups (seed 003): agreement, meetings, rotation, the group's log and thread."""

    name = "medmentor.groups"
    label = "groups"
