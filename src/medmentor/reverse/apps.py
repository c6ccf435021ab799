from django.apps import AppConfig

# The pages (URL names) only reverse mentoring programs have: for a program of another
# kind they are a 404 (programs.kinds.require_page).
REVERSE_PAGES = (
    "reverse-home",
    "reverse-consent",
    "reverse-feedback",
    "reverse-feedback-withdraw",
    "reverse-group-feedback",
    "reverse-review",
    "reverse-review-answer",
    "reverse-release",
    "reverse-pooled",
    "reverse-session-book",
    "reverse-session",
    "reverse-session-log",
    "reverse-session-note",
    "reverse-report",
    "reverse-setup",
    "reverse-evaluation-setup",
)


class ReverseConfig(AppConfig):
    """Reverse mentoring (seed 002): seven-domain feedback, then 1-2-1 sessions."""

    name = "medmentor.reverse"
    label = "reverse"

    def ready(self) -> None:
        from medmentor.programs import kinds
        from medmentor.programs.models import ProgramKind, Role
        from medmentor.reverse import selectors
        from medmentor.reverse.models import RELEASE_THRESHOLD

        kinds.register(
            kind=ProgramKind.REVERSE,
            # Fellows, consultants and the facilitator open it first; for the director,
            # the counts.
            landing=kinds.MenuEntry("Reverse mentoring", "reverse-home", "reverse"),
            menu=[
                kinds.MenuEntry("Who works with whom", "reverse-setup", "reverse-setup"),
                kinds.MenuEntry("Evaluation", "reverse-report", "reverse-report"),
            ],
            pages=REVERSE_PAGES,
            home_items=selectors.attention_items,
            # Fellows (the mentors) hold SENIOR, consultants (the mentees) JUNIOR.
            role_labels={
                Role.SENIOR: selectors.FELLOW_LABEL,
                Role.JUNIOR: selectors.CONSULTANT_LABEL,
            },
        )
        kinds.register_creation(
            kind=ProgramKind.REVERSE,
            fields=("description",),
            intro="Junior doctors (fellows) give consultants structured feedback in seven "
            "domains, pooled and de-identified, then meet them 1-2-1 as their mentors; "
            "pre and post questionnaires measure the change.",
            notes=(
                f"Feedback on a consultant is released only once at least "
                f"{RELEASE_THRESHOLD} fellows gave it (privacy rule 3); this is fixed, not "
                "a setting.",
                "The facilitator, who reviews and releases the feedback, is named later on "
                "“Who works with whom”, once the program's people are added.",
            ),
        )
