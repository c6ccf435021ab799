"""Reverse mentoring pages, included at "programs/"."""

from django.urls import path

from medmentor.reverse import views

urlpatterns = [
    path("<slug:slug>/reverse/", views.home, name="reverse-home"),
    path("<slug:slug>/reverse/consent/", views.consent, name="reverse-consent"),
    path(
        "<slug:slug>/reverse/feedback/<int:consultant_id>/",
        views.feedback,
        name="reverse-feedback",
    ),
    path(
        "<slug:slug>/reverse/feedback/<int:consultant_id>/withdraw/",
        views.feedback_withdraw,
        name="reverse-feedback-withdraw",
    ),
    path("<slug:slug>/reverse/group/", views.group_feedback, name="reverse-group-feedback"),
    path("<slug:slug>/reverse/review/", views.review, name="reverse-review"),
    path(
        "<slug:slug>/reverse/review/<int:answer_id>/",
        views.review_answer,
        name="reverse-review-answer",
    ),
    path(
        "<slug:slug>/reverse/release/<int:consultant_id>/",
        views.release,
        name="reverse-release",
    ),
    path(
        "<slug:slug>/reverse/consultants/<int:consultant_id>/feedback/",
        views.pooled,
        name="reverse-pooled",
    ),
    path(
        "<slug:slug>/reverse/consultants/<int:consultant_id>/sessions/book/",
        views.session_book,
        name="reverse-session-book",
    ),
    path("<slug:slug>/reverse/sessions/<int:session_id>/", views.session, name="reverse-session"),
    path(
        "<slug:slug>/reverse/sessions/<int:session_id>/log/",
        views.session_log,
        name="reverse-session-log",
    ),
    path(
        "<slug:slug>/reverse/sessions/<int:session_id>/note/",
        views.session_note,
        name="reverse-session-note",
    ),
    path("<slug:slug>/reverse/report/", views.report, name="reverse-report"),
    path("<slug:slug>/reverse/setup/", views.setup, name="reverse-setup"),
    path(
        "<slug:slug>/reverse/report/survey/",
        views.evaluation_setup,
        name="reverse-evaluation-setup",
    ),
]
