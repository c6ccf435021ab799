"""Director and coordinator pages of a program: the people page, roster and schedule
imports, weeks and pairs; and the "new program" page.

Included at "programs/"; the dashboard ("program-detail") and the pair's workspace
live in medmentor.curriculum, one-to-one matching in medmentor.mentoring. "new/" comes
before every "<slug>/" page (and "new" is a short name no program may take).
"""

from django.urls import path

from medmentor.programs import people_views, program_new_views, views

urlpatterns = [
    path("new/", program_new_views.program_new, name="program-new"),
    path("<slug:slug>/people/", people_views.program_people, name="program-people"),
    path("<slug:slug>/people/add/", people_views.program_person_add, name="program-person-add"),
    path("<slug:slug>/people/<int:person_id>/", people_views.program_person, name="program-person"),
    path(
        "<slug:slug>/people/<int:person_id>/roles/",
        people_views.program_person_roles,
        name="program-person-roles",
    ),
    path(
        "<slug:slug>/people/<int:person_id>/end/",
        people_views.program_person_end,
        name="program-person-end",
    ),
    path("<slug:slug>/roster/import/", views.roster_import, name="roster-import"),
    path("<slug:slug>/schedule/import/", views.schedule_import, name="schedule-import"),
    path("<slug:slug>/weeks/", views.program_weeks, name="program-weeks"),
    path("<slug:slug>/pairs/add/", views.pair_add, name="pair-add"),
    path("<slug:slug>/pairs/<int:pair_id>/remove/", views.pair_remove, name="pair-remove"),
]
