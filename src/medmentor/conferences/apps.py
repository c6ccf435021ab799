from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    """Peer-support conferences (seed 001): sessions, run sheets, storytellers."""

    name = "medmentor.conferences"
    label = "conferences"
