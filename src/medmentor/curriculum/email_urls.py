"""The weekly email editor and the program's outbox (directors and coordinators)."""

from django.urls import path

from medmentor.curriculum import email_views

urlpatterns = [
    path("<slug:slug>/email/", email_views.email_note, name="email-note"),
    path("<slug:slug>/email/template/", email_views.email_template, name="email-template"),
    path("<slug:slug>/email/preview/", email_views.email_preview, name="email-preview"),
    path("<slug:slug>/email/test/", email_views.email_test, name="email-test"),
    path("<slug:slug>/outbox/", email_views.outbox_list, name="outbox"),
    path(
        "<slug:slug>/outbox/<int:message_id>/",
        email_views.outbox_message,
        name="outbox-message",
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/retry/",
        email_views.outbox_retry,
        name="outbox-retry",
    ),
]
