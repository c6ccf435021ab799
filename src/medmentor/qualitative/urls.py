"""Qualitative pages of a program, included at "programs/"."""

from django.urls import include, path

from medmentor.qualitative import views

Q = "<slug:slug>/qualitative/"
D = Q + "documents/<int:document_id>/"

urlpatterns = [
    path(Q, views.overview, name="qualitative"),
    path(Q + "settings/", views.settings_update, name="qualitative-settings"),
    path(Q + "import/", views.document_import, name="qualitative-import"),
    path(D, views.document_page, name="qualitative-document"),
    path(D + "details/", views.document_update, name="qualitative-document-update"),
    path(D + "delete/", views.document_delete, name="qualitative-document-delete"),
    path(D + "review/", views.review, name="qualitative-review"),
    path(D + "review/add/", views.review_add, name="qualitative-review-add"),
    path(D + "highlights/", views.highlight_add, name="qualitative-highlight-add"),
    path(
        D + "highlights/<int:highlight_id>/remove/",
        views.highlight_remove,
        name="qualitative-highlight-remove",
    ),
    path(D + "coding/finish/", views.coding_finish, name="qualitative-coding-finish"),
    path(D + "coding/reopen/", views.coding_reopen, name="qualitative-coding-reopen"),
    path(D + "compare/", views.compare, name="qualitative-compare"),
    path(D + "adjudicate/", views.adjudicate, name="qualitative-adjudicate"),
    path(Q + "memos/", views.memo_add, name="qualitative-memo-add"),
    path(Q + "codebook/", views.codebook, name="qualitative-codebook"),
    path(Q + "codebook/codes/<int:code_id>/", views.code_page, name="qualitative-code"),
    path(Q + "codebook/themes/new/", views.theme_page, name="qualitative-theme-add"),
    path(Q + "codebook/themes/<int:theme_id>/", views.theme_page, name="qualitative-theme"),
    path(Q + "coders/", views.coders, name="qualitative-coders"),
    path(Q + "coders/assignment/", views.coder_assignment, name="qualitative-coder-assignment"),
    path(Q + "agreement/", views.agreement, name="qualitative-agreement"),
    path(Q + "competencies/", views.competencies, name="qualitative-competencies"),
    path(Q + "report/", views.report, name="qualitative-report"),
    path(Q + "report.csv", views.report_csv, name="qualitative-report-csv"),
    path(Q + "report.pdf", views.report_pdf, name="qualitative-report-pdf"),
    # REFI-QDA exchange (.qdpx/.qdc): exchange_urls, owned by that part.
    path("", include("medmentor.qualitative.exchange_urls")),
]
