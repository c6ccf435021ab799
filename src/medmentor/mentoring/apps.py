from django.apps import AppConfig

# The pages (URL names) and API operations only one-to-one programs have: for a program
# of another kind they are a 404 (programs.kinds.require_page).
ONE_TO_ONE_PAGES = (
    "mentoring-pairs",
    "mentoring-profile",
    "mentoring-goal-add",
    "mentoring-goal-progress",
    "mentoring-photo",
    "matching",
    "matching-profiles-import",
    "matching-profiles-template",
    "matching-run",
    "matching-pair-lock",
    "matching-swap",
    "matching-publish",
    "matching-conflict-add",
    "matching-conflict-remove",
    "mentoring-health",
    "mentoring-nudge",
    "mentoring-repair",
    "mentoring-check-send",
    "mentoring-check",
    "mentoring-reflections",
    "mentoring-reflection-consent",
    "mentoring-reflections-export",
    "api:matching_run_create",
    "api:matching_run_detail",
    "api:matching_run_publish",
)


class MentoringConfig(AppConfig):
    """One-to-one near-peer mentoring (seed 004): matching and mentorships."""

    name = "medmentor.mentoring"
    label = "mentoring"

    def ready(self) -> None:
        from medmentor.mentoring import selectors
        from medmentor.programs import kinds
        from medmentor.programs.models import ProgramKind

        kinds.register(
            kind=ProgramKind.ONE_TO_ONE,
            # The pair's home: what mentors and mentees open first, and for the
            # director the pairs' overview.
            landing=kinds.MenuEntry("Pairs", "mentoring-pairs", "pairs"),
            menu=[
                kinds.MenuEntry("Matching", "matching", "matching"),
                kinds.MenuEntry("Health", "mentoring-health", "health"),
            ],
            pages=ONE_TO_ONE_PAGES,
            home_items=selectors.attention_items,
        )
        kinds.register_creation(
            kind=ProgramKind.ONE_TO_ONE,
            fields=("description",),
            intro="Mentors and mentees are matched once, from their profiles and "
            "preferences, and meet as pairs through the year with goals and check-ins.",
        )
