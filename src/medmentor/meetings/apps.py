from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "medmentor.meetings"
    label = "meetings"

    def ready(self) -> None:
        from medmentor.meetings.we_met import we_met_link_mint
        from medmentor.messaging.personal_links import personal_link_kind_register

        # After-meeting emails hold a placeholder; the worker mints the "we met" /
        # "we didn't meet" link at delivery, for a participant of that meeting only.
        personal_link_kind_register(kind="we-met", minter=we_met_link_mint)
