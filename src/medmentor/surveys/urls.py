"""Survey pages. Included at the site root: respondents' pages under surveys/, the
program's survey pages under programs/<slug>/surveys/."""

from django.urls import path

from medmentor.surveys import editor_views, views

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
    # The survey editor (surveys.editor_views): directors and coordinators.
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/",
        editor_views.survey_editor,
        name="survey-editor",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/copy/",
        editor_views.survey_editor_copy,
        name="survey-editor-copy",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/waves/add/",
        editor_views.survey_editor_wave_add,
        name="survey-editor-wave-add",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/waves/<int:wave_id>/",
        editor_views.survey_editor_wave,
        name="survey-editor-wave",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/items/add/",
        editor_views.survey_editor_item_add,
        name="survey-editor-item-add",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/items/<int:item_id>/",
        editor_views.survey_editor_item,
        name="survey-editor-item",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/items/<int:item_id>/delete/",
        editor_views.survey_editor_item_delete,
        name="survey-editor-item-delete",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/items/<int:item_id>/move/",
        editor_views.survey_editor_item_move,
        name="survey-editor-item-move",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/scales/add/",
        editor_views.survey_editor_scale_add,
        name="survey-editor-scale-add",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/scales/<int:scale_id>/",
        editor_views.survey_editor_scale,
        name="survey-editor-scale",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:instrument_id>/edit/scales/<int:scale_id>/delete/",
        editor_views.survey_editor_scale_delete,
        name="survey-editor-scale-delete",
    ),
]
