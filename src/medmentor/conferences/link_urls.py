"""The ask email's one-click answer links, at the site root (they name no program:
the link is the proof of who answers, as meetings' "we met" links)."""

from django.urls import path

from medmentor.conferences import views

urlpatterns = [
    path("conference/answer/<str:token>/", views.answer_link, name="conference-answer-link"),
]
