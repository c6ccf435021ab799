"""Director and coordinator pages of a program: roster and schedule imports, weeks and
pairs.

Included at "programs/"; the dashboard ("program-detail") and the pair's workspace
live in medmentor.curriculum, one-to-one matching in medmentor.mentoring.
"""

from django.urls import path

from medmentor.programs import views

urlpatterns = [
    path("<slug:slug>/roster/import/", views.roster_import, name="roster-import"),
    path("<slug:slug>/schedule/import/", views.schedule_import, name="schedule-import"),
    path("<slug:slug>/weeks/", views.program_weeks, name="program-weeks"),
    path("<slug:slug>/pairs/add/", views.pair_add, name="pair-add"),
    path("<slug:slug>/pairs/<int:pair_id>/remove/", views.pair_remove, name="pair-remove"),
]
