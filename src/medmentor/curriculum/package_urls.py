"""The director's curriculum pages (package_views): overview, package download and import."""

from django.urls import path

from medmentor.curriculum import package_views

urlpatterns = [
    path(
        "<slug:slug>/curriculum/",
        package_views.curriculum_overview,
        name="curriculum-overview",
    ),
    path(
        "<slug:slug>/curriculum/package.zip",
        package_views.curriculum_export,
        name="curriculum-export",
    ),
    path(
        "<slug:slug>/curriculum/import/",
        package_views.curriculum_import,
        name="curriculum-import",
    ),
]
