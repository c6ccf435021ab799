from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "medmentor.surveys"
    label = "surveys"

    def ready(self) -> None:
        from medmentor.messaging.personal_links import personal_link_kind_register
        from medmentor.surveys.invitations import invitation_link_mint

        # Survey emails hold a placeholder; the worker mints the answering link at
        # delivery, for the invitation's own person only (messaging/personal_links.py).
        personal_link_kind_register(kind="survey", minter=invitation_link_mint)
