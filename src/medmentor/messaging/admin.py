"""The outbox in the admin, for staff: read every message and its delivery state,
retry failed ones. Read-only: the worker owns a message's state, and a message once
sent is a record of what went out.

The bodies are shown with the token of every personal sign-in link hidden, as on the
outbox page: whoever reads a weekly email here must not be able to sign in as its
recipient and open their private workspace (docs/privacy.md, rule 1).
"""

from django.contrib import admin, messages
from django.utils.html import format_html

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.selectors import sign_in_tokens_hide
from medmentor.messaging.services import message_id_for_key, outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "to_email", "status", "attempts", "topic", "created_at", "sent_at")
    list_filter = ("status", "topic")
    search_fields = ("to_email", "subject", "key")
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    fields = (
        "key",
        "message_id",
        "topic",
        "person",
        "to_email",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "send_after",
        "sent_at",
        "claimed_by",
        "claimed_at",
        "text_as_sent",
        "html_source_as_sent",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        # Sign-in link emails are left out: each one's times say when that person asked
        # to sign in, which is theirs alone, as their last sign-in is (docs/deploy.md).
        # A peer group's private mail (topic "private:…": commitment notices, presenter
        # reminders, thread digests) is its members' alone, as the group is (rule 5).
        return (
            super()
            .get_queryset(request)
            .exclude(topic="sign-in")
            .exclude(topic__startswith="private:")
            .select_related("person")
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Message-ID")
    def message_id(self, message: OutboxMessage) -> str:
        return message_id_for_key(message.key)

    @admin.display(description="Plain-text part")
    def text_as_sent(self, message: OutboxMessage) -> str:
        return format_html(
            '<pre style="white-space:pre-wrap">{}</pre>', sign_in_tokens_hide(message.text_body)
        )

    @admin.display(description="HTML part (source)")
    def html_source_as_sent(self, message: OutboxMessage) -> str:
        return format_html(
            '<pre style="white-space:pre-wrap">{}</pre>', sign_in_tokens_hide(message.html_body)
        )

    @admin.action(description="Retry the selected failed messages now")
    def retry_now(self, request, queryset) -> None:
        failed = queryset.filter(status__in=[OutboxStatus.FAILED, OutboxStatus.GAVE_UP])
        retried = sum(outbox_retry(message=message) for message in failed)
        self.message_user(request, f"{retried} message(s) will be sent again.", messages.SUCCESS)
