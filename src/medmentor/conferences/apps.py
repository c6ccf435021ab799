from django.apps import AppConfig

# The pages (URL names) only conference programs have: for a program of another kind
# they are a 404 (programs.kinds.require_page).
CONFERENCE_PAGES = (
    "conference-home",
    "conference-plan",
    "conference-report",
    "conference-help",
    "conference-session",
    "conference-run-sheet",
    "conference-ask",
    "conference-tick",
    "conference-check-in",
    "conference-cancel",
    "conference-feedback",
    "conference-answer",
)


class ConferencesConfig(AppConfig):
    """Peer-support conferences (seed 001): sessions, run sheets, storytellers."""

    name = "medmentor.conferences"
    label = "conferences"

    def ready(self) -> None:
        from medmentor.conferences import selectors
        from medmentor.meetings.services import UNLOGGED_KINDS
        from medmentor.programs import kinds
        from medmentor.programs.models import ProgramKind

        kinds.register(
            kind=ProgramKind.CONFERENCE,
            # The residents' page: sessions ahead, the safety promise, where to get help.
            landing=kinds.MenuEntry("Conference", "conference-home", "conference"),
            menu=[
                kinds.MenuEntry("Conference report", "conference-report", "conference-report"),
                kinds.MenuEntry("Where to get help", "conference-help", "conference-help"),
            ],
            pages=CONFERENCE_PAGES,
            home_items=selectors.attention_items,
        )
        # Nothing is written about what was said: the sessions' meetings are not logged
        # and ask nobody "did you meet?" (attendance is counted here instead).
        UNLOGGED_KINDS.add(ProgramKind.CONFERENCE)
