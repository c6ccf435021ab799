from django.apps import AppConfig


class ReverseConfig(AppConfig):
    """Reverse mentoring (seed 002): seven-domain feedback, then 1-2-1 sessions."""

    name = "medmentor.reverse"
    label = "reverse"
