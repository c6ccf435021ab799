"""Meeting pages: a program's meetings under programs/<slug>/meetings/; the personal
calendar feed and the "we met" links at the site root (they name no program)."""

from django.urls import path

from medmentor.meetings import views

urlpatterns = [
    path("programs/<slug:slug>/meetings/", views.meetings, name="meetings"),
    path("programs/<slug:slug>/meetings/plan/", views.meeting_plan, name="meeting-plan"),
    path(
        "programs/<slug:slug>/meetings/<int:meeting_id>/",
        views.meeting_detail,
        name="meeting-detail",
    ),
    path(
        "programs/<slug:slug>/meetings/<int:meeting_id>/edit/",
        views.meeting_edit,
        name="meeting-edit",
    ),
    path(
        "programs/<slug:slug>/meetings/<int:meeting_id>/cancel/",
        views.meeting_cancel,
        name="meeting-cancel",
    ),
    path(
        "programs/<slug:slug>/meetings/<int:meeting_id>/log/",
        views.meeting_log,
        name="meeting-log",
    ),
    path("meetings/we-met/<str:token>/", views.we_met, name="meeting-we-met"),
    path("meetings/calendar/", views.calendar_settings, name="calendar-settings"),
    path("meetings/calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
