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
        from medmentor.conferences import answer_links, forms, selectors, services
        from medmentor.meetings.services import UNLOGGED_KINDS
        from medmentor.messaging.personal_links import personal_link_kind_register
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
        kinds.register_creation(
            kind=ProgramKind.CONFERENCE,
            fields=("description",),
            questions={
                "session_minutes": forms.session_minutes_field,
                "session_place": forms.session_place_field,
                "session_video_url": forms.session_video_url_field,
            },
            intro="Residents run peer-support sessions in the teaching slot: a resident "
            "facilitates, residents share a story, supportive faculty reflect; attendance is "
            "optional and counted, feedback anonymous.",
            notes=(
                "Sessions are planned after the program exists, each with its facilitator "
                "(one of the residents); what you give below is where each new session "
                "starts, and may be changed per session.",
            ),
            after_create=services.conference_created,
        )
        # The ask email's one-click answers hold placeholders; the worker mints each
        # link at delivery for the person asked alone.
        personal_link_kind_register(
            kind=answer_links.KIND, minter=answer_links.part_answer_link_mint
        )
        # Nothing is written about what was said: the sessions' meetings are not logged
        # and ask nobody "did you meet?" (attendance is counted here instead).
        UNLOGGED_KINDS.add(ProgramKind.CONFERENCE)
