"""Peer-group pages, included at "programs/"."""

from django.urls import path

from medmentor.groups import views

G = "<slug:slug>/groups/<int:group_id>"

urlpatterns = [
    path("<slug:slug>/groups/", views.groups, name="groups"),
    path("<slug:slug>/groups/settings/", views.settings_update, name="groups-settings"),
    path("<slug:slug>/groups/new/", views.group_create, name="groups-create"),
    path("<slug:slug>/groups/agreement/", views.agreement, name="groups-agreement"),
    path("<slug:slug>/groups/agreement/edit/", views.agreement_edit, name="groups-agreement-edit"),
    path(
        "<slug:slug>/groups/profiles/import/", views.profiles_import, name="groups-profiles-import"
    ),
    path(
        "<slug:slug>/groups/profiles/template.csv",
        views.profiles_template,
        name="groups-profiles-template",
    ),
    path("<slug:slug>/groups/formation/", views.formation, name="groups-formation"),
    path(
        "<slug:slug>/groups/formation/<int:run_id>/",
        views.formation_run,
        name="groups-formation-run",
    ),
    path(
        "<slug:slug>/groups/formation/<int:run_id>/publish/",
        views.formation_publish,
        name="groups-formation-publish",
    ),
    path("<slug:slug>/groups/survey/", views.survey_invite, name="groups-survey-invite"),
    path(f"{G}/", views.group_detail, name="groups-detail"),
    path(f"{G}/members/", views.member_add, name="groups-member-add"),
    path(f"{G}/open/", views.group_open, name="groups-open"),
    path(f"{G}/facilitator/", views.facilitator_change, name="groups-facilitator"),
    path(f"{G}/join/", views.group_join, name="groups-join"),
    path(f"{G}/leave/", views.group_leave, name="groups-leave"),
    path(f"{G}/series/", views.series_plan, name="groups-series-plan"),
    path(
        f"{G}/meetings/<int:meeting_id>/cancel/",
        views.meeting_cancel,
        name="groups-meeting-cancel",
    ),
    path(
        f"{G}/meetings/<int:meeting_id>/attendance/",
        views.attendance,
        name="groups-attendance",
    ),
    path(f"{G}/meetings/<int:meeting_id>/attended/", views.attended, name="groups-attended"),
    path(f"{G}/meetings/<int:meeting_id>/apologies/", views.apologies, name="groups-apologies"),
    path(f"{G}/swaps/", views.swap_ask, name="groups-swap-ask"),
    path(f"{G}/swaps/<int:swap_id>/", views.swap_answer, name="groups-swap-answer"),
    path(f"{G}/log/", views.log_add, name="groups-log-add"),
    path(f"{G}/thread/", views.thread_post, name="groups-thread-post"),
]

PEER_GROUP_PAGES = tuple(pattern.name for pattern in urlpatterns)
