from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "medmentor.messaging"
    label = "messaging"

    def ready(self) -> None:
        from medmentor.messaging import personal_links

        # The sign-in kind is messaging's own (it knows people); other apps register
        # theirs in their ready() (docs: messaging/personal_links.py).
        personal_links.personal_link_kind_register(
            kind="sign-in",
            minter=personal_links.sign_in_link_mint,
            batch_minter=personal_links.sign_in_links_mint,
        )
