"""The director's dashboard, the pair's workspace and the case page, with their actions."""

from django.urls import path

from medmentor.curriculum import views

urlpatterns = [
    path("<slug:slug>/", views.program_detail, name="program-detail"),
    path("<slug:slug>/this-week/", views.workspace, name="workspace"),
    path("<slug:slug>/cases/<int:case_id>/", views.case, name="case"),
    path("<slug:slug>/cases/<int:case_id>/style/", views.case_style, name="case-style"),
    path("<slug:slug>/cases/<int:case_id>/review/", views.case_review, name="case-review"),
    path(
        "<slug:slug>/questions/<int:question_id>/reveal/",
        views.answer_reveal,
        name="answer-reveal",
    ),
]
