"""The researcher's REFI-QDA exchange (exchange_views): page, .qdpx and .qdc downloads."""

from django.urls import path

from medmentor.qualitative import exchange_views

Q = "<slug:slug>/qualitative/exchange/"

urlpatterns = [
    path(Q, exchange_views.exchange_page, name="qualitative-exchange"),
    path(Q + "project.qdpx", exchange_views.qdpx_download, name="qualitative-qdpx-export"),
    path(Q + "codebook.qdc", exchange_views.qdc_download, name="qualitative-qdc-export"),
]
