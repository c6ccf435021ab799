"""The director's curriculum editor (editor_views): weeks, cases, questions, images;
and the program's holidays and closures (calendar_views)."""

from django.urls import path

from medmentor.curriculum import calendar_views, editor_views

urlpatterns = [
    path("<slug:slug>/calendar/", calendar_views.program_calendar, name="program-calendar"),
    path("<slug:slug>/curriculum/edit/", editor_views.curriculum_edit, name="curriculum-edit"),
    path(
        "<slug:slug>/curriculum/weeks/add/",
        editor_views.curriculum_week_add,
        name="curriculum-week-add",
    ),
    path(
        "<slug:slug>/curriculum/weeks/<int:week_id>/",
        editor_views.curriculum_week,
        name="curriculum-week",
    ),
    path(
        "<slug:slug>/curriculum/weeks/<int:week_id>/move/",
        editor_views.curriculum_week_move,
        name="curriculum-week-move",
    ),
    path(
        "<slug:slug>/curriculum/weeks/<int:week_id>/copy/",
        editor_views.curriculum_week_copy,
        name="curriculum-week-copy",
    ),
    path(
        "<slug:slug>/curriculum/weeks/<int:week_id>/remove/",
        editor_views.curriculum_week_remove,
        name="curriculum-week-remove",
    ),
    path(
        "<slug:slug>/curriculum/weeks/<int:week_id>/cases/add/",
        editor_views.curriculum_case_add,
        name="curriculum-case-add",
    ),
    path(
        "<slug:slug>/curriculum/cases/<int:case_id>/",
        editor_views.curriculum_case,
        name="curriculum-case",
    ),
    path(
        "<slug:slug>/curriculum/cases/<int:case_id>/remove/",
        editor_views.curriculum_case_remove,
        name="curriculum-case-remove",
    ),
    path(
        "<slug:slug>/curriculum/cases/<int:case_id>/images/add/",
        editor_views.curriculum_image_add,
        name="curriculum-image-add",
    ),
    path(
        "<slug:slug>/curriculum/images/<int:image_id>/",
        editor_views.curriculum_image,
        name="curriculum-image",
    ),
]
