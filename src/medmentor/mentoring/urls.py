"""The one-to-one matching pages of a program's directors and coordinators.

Included at "programs/", with the same paths and names they had under programs, so
links in emails already sent keep working.
"""

from django.urls import path

from medmentor.mentoring import pair_views, views, views_health

urlpatterns = [
    # The pair's home: the one-to-one kind's landing page (programs.kinds).
    path("<slug:slug>/mentoring/", pair_views.pair_home, name="mentoring-pairs"),
    path("<slug:slug>/mentoring/profile/", pair_views.pair_profile, name="mentoring-profile"),
    path(
        "<slug:slug>/mentoring/pairs/<int:mentorship_id>/goals/",
        pair_views.goal_add,
        name="mentoring-goal-add",
    ),
    path(
        "<slug:slug>/mentoring/goals/<int:goal_id>/",
        pair_views.goal_progress,
        name="mentoring-goal-progress",
    ),
    path(
        "<slug:slug>/mentoring/people/<int:person_id>/photo/",
        pair_views.pair_photo,
        name="mentoring-photo",
    ),
    path("<slug:slug>/matching/", views.matching, name="matching"),
    path(
        "<slug:slug>/matching/profiles/import/",
        views.matching_profiles_import,
        name="matching-profiles-import",
    ),
    path(
        "<slug:slug>/matching/profiles/template.csv",
        views.matching_profiles_template,
        name="matching-profiles-template",
    ),
    path("<slug:slug>/matching/runs/<int:run_id>/", views.matching_run, name="matching-run"),
    path(
        "<slug:slug>/matching/runs/<int:run_id>/pairs/<int:pair_id>/lock/",
        views.matching_pair_lock,
        name="matching-pair-lock",
    ),
    path("<slug:slug>/matching/runs/<int:run_id>/swap/", views.matching_swap, name="matching-swap"),
    path(
        "<slug:slug>/matching/runs/<int:run_id>/publish/",
        views.matching_publish,
        name="matching-publish",
    ),
    path(
        "<slug:slug>/matching/conflicts/",
        views.matching_conflict_add,
        name="matching-conflict-add",
    ),
    path(
        "<slug:slug>/matching/conflicts/<int:conflict_id>/remove/",
        views.matching_conflict_remove,
        name="matching-conflict-remove",
    ),
    # Relationship health and reflections (views_health).
    path("<slug:slug>/mentoring/health/", views_health.mentoring_health, name="mentoring-health"),
    path(
        "<slug:slug>/mentoring/health/pairs/<int:mentorship_id>/nudge/",
        views_health.mentoring_nudge,
        name="mentoring-nudge",
    ),
    path(
        "<slug:slug>/mentoring/health/pairs/<int:mentorship_id>/repair/",
        views_health.mentoring_repair,
        name="mentoring-repair",
    ),
    path(
        "<slug:slug>/mentoring/health/check/",
        views_health.mentoring_check_send,
        name="mentoring-check-send",
    ),
    path("<slug:slug>/mentoring/check/", views_health.mentoring_check, name="mentoring-check"),
    path(
        "<slug:slug>/mentoring/reflections/",
        views_health.mentoring_reflections,
        name="mentoring-reflections",
    ),
    path(
        "<slug:slug>/mentoring/reflections/<int:reflection_id>/consent/",
        views_health.mentoring_reflection_consent,
        name="mentoring-reflection-consent",
    ),
    path(
        "<slug:slug>/mentoring/reflections/export/",
        views_health.mentoring_reflections_export,
        name="mentoring-reflections-export",
    ),
]
