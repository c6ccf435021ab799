from django.apps import AppConfig

# The pages (URL names) and API operations only case-review programs have: the service
# schedule, weeks and pairs (programs' pages), the curriculum and the weekly email. For
# a program of another kind they are a 404 (programs.kinds.require_page).
CASE_REVIEW_PAGES = (
    "schedule-import",
    "program-weeks",
    "pair-add",
    "pair-remove",
    "curriculum-overview",
    "curriculum-export",
    "curriculum-import",
    "curriculum-edit",
    "program-calendar",
    "curriculum-week-add",
    "curriculum-week",
    "curriculum-week-move",
    "curriculum-week-copy",
    "curriculum-week-remove",
    "curriculum-case-add",
    "curriculum-case",
    "curriculum-case-remove",
    "curriculum-image-add",
    "curriculum-image",
    "email-note",
    "email-template",
    "email-preview",
    "email-test",
    "api:week_pairs",
    "api:week_pair_add",
    "api:week_pair_remove",
    "api:program_weeks",
    "api:week_cases",
    "api:program_participation",
)


class CurriculumConfig(AppConfig):
    name = "medmentor.curriculum"
    label = "curriculum"

    def ready(self) -> None:
        from medmentor.curriculum import selectors
        from medmentor.programs import kinds
        from medmentor.programs.models import ProgramKind

        kinds.register(
            kind=ProgramKind.CASE_REVIEW,
            menu=[
                kinds.MenuEntry("Service schedule", "schedule-import", "schedule"),
                kinds.MenuEntry("Weeks and pairs", "program-weeks", "weeks"),
                kinds.MenuEntry("Curriculum", "curriculum-overview", "curriculum"),
                kinds.MenuEntry("Weekly email", "email-note", "email"),
            ],
            pages=CASE_REVIEW_PAGES,
            home_items=selectors.attention_items,
        )
