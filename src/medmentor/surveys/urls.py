"""Survey pages. Included at the site root: respondents' pages under surveys/, the
program's survey pages under programs/<slug>/surveys/."""

from django.urls import path

from medmentor.surveys import views

urlpatterns = [
    path("surveys/answer/<str:token>/", views.survey_answer, name="survey-answer"),
    path("programs/<slug:slug>/surveys/", views.survey_list, name="survey-list"),
    path(
        "programs/<slug:slug>/surveys/library/<slug:key>/copy/",
        views.survey_library_copy,
        name="survey-library-copy",
    ),
    path(
        "programs/<slug:slug>/surveys/import-redcap/",
        views.survey_redcap_import,
        name="survey-redcap-import",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/",
        views.survey_report,
        name="survey-report",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/report.pdf",
        views.survey_report_pdf,
        name="survey-report-pdf",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/export/<str:kind>.csv",
        views.survey_export,
        name="survey-export",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/waves/<int:wave_id>/invite/",
        views.survey_invite,
        name="survey-invite",
    ),
]
