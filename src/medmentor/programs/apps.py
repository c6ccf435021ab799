from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "medmentor.programs"
    label = "programs"

    def ready(self) -> None:
        import datetime

        from medmentor.programs import kinds
        from medmentor.programs.models import ProgramKind, Weekday

        # The case-review program's service, schedule and weekly email settings live on
        # the program here (programs), so this app says what creating one asks for; the
        # curriculum app registers the kind's pages.
        kinds.register_creation(
            kind=ProgramKind.CASE_REVIEW,
            fields=("service", "weekly_email_weekday", "weekly_email_time", "description"),
            defaults={
                "weekly_email_weekday": Weekday.MONDAY,
                "weekly_email_time": datetime.time(7, 0),
            },
            intro="Juniors and seniors on one clinical service are paired each week from "
            "the service schedule and review a must-see case a day together; a weekly "
            "email tells everyone on service what to read.",
        )
