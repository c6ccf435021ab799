"""The conference pages, included at "programs/"."""

from django.urls import path

from medmentor.conferences import views

urlpatterns = [
    # The residents' page: the conference kind's landing page (programs.kinds).
    path("<slug:slug>/conference/", views.conference_home, name="conference-home"),
    path("<slug:slug>/conference/plan/", views.session_plan, name="conference-plan"),
    path("<slug:slug>/conference/report/", views.conference_report, name="conference-report"),
    path("<slug:slug>/conference/help/", views.help_resources, name="conference-help"),
    path(
        "<slug:slug>/conference/sessions/<int:session_id>/",
        views.session_run,
        name="conference-session",
    ),
    path(
        "<slug:slug>/conference/sessions/<int:session_id>/run-sheet/",
        views.run_sheet,
        name="conference-run-sheet",
    ),
    path(
        "<slug:slug>/conference/sessions/<int:session_id>/ask/",
        views.part_ask,
        name="conference-ask",
    ),
    path(
        "<slug:slug>/conference/sessions/<int:session_id>/tick/",
        views.attendance_tick,
        name="conference-tick",
    ),
    path(
        "<slug:slug>/conference/sessions/<int:session_id>/check-in/",
        views.check_in,
        name="conference-check-in",
    ),
    path(
        "<slug:slug>/conference/sessions/<int:session_id>/cancel/",
        views.session_cancel,
        name="conference-cancel",
    ),
    path(
        "<slug:slug>/conference/sessions/<int:session_id>/feedback/",
        views.feedback_open,
        name="conference-feedback",
    ),
    path(
        "<slug:slug>/conference/parts/<int:part_id>/answer/",
        views.part_answer,
        name="conference-answer",
    ),
]
