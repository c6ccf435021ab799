"""Case-review program pages: the pair's workspace and the director's dashboard
(workspace_urls), curriculum packages (package_urls), the curriculum editor
(editor_urls), the weekly email (email_urls)."""

from django.urls import include, path

urlpatterns = [
    path("", include("medmentor.curriculum.workspace_urls")),
    path("", include("medmentor.curriculum.package_urls")),
    path("", include("medmentor.curriculum.editor_urls")),
    path("", include("medmentor.curriculum.email_urls")),
]
