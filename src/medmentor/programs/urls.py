"""Director and coordinator pages of a program: roster and schedule imports, weeks and
pairs, one-to-one matching.

Included at "programs/"; the dashboard ("program-detail") and the pair's workspace
live in medmentor.curriculum.
"""

from django.urls import path

from medmentor.programs import views

urlpatterns = [
    path("<slug:slug>/roster/import/", views.roster_import, name="roster-import"),
    path("<slug:slug>/schedule/import/", views.schedule_import, name="schedule-import"),
    path("<slug:slug>/weeks/", views.program_weeks, name="program-weeks"),
    path("<slug:slug>/pairs/add/", views.pair_add, name="pair-add"),
    path("<slug:slug>/pairs/<int:pair_id>/remove/", views.pair_remove, name="pair-remove"),
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
]
