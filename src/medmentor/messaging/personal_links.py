"""Personal links (sign-in, survey answer, any one-click link), minted at delivery.

The outbox holds no personal link: the personal-links registry fills this module in
(templates get placeholders, and this function replaces each with a link minted for
the recipient alone, right before the worker builds the email). Until it lands, the
row's parts are sent as they are.
"""

from medmentor.messaging.models import OutboxMessage


def personal_links_expand(*, message: OutboxMessage) -> tuple[str, str, str]:
    """The (subject, text_body, html_body) of an outbox row as its recipient gets them.

    The personal-links registry fills this in: each personal-link placeholder is
    replaced by a link minted for `message.person`. The row itself is not changed,
    so the outbox never holds what this returns."""
    return (message.subject, message.text_body, message.html_body)
