from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from medmentor.api.api import api, api_root, unknown_api_path

admin.site.site_header = "medmentor — program data"
admin.site.site_title = "medmentor admin"

urlpatterns = [
    path("", include("medmentor.site.urls")),
    path("profile/", include("medmentor.people.urls")),
    path("programs/", include("medmentor.programs.urls")),
    path("programs/", include("medmentor.curriculum.urls")),
    path("programs/", include("medmentor.mentoring.urls")),
    path("programs/", include("medmentor.groups.urls")),
    path("programs/", include("medmentor.reverse.urls")),
    path("programs/", include("medmentor.conferences.urls")),
    path("programs/", include("medmentor.qualitative.urls")),
    path("", include("medmentor.surveys.urls")),
    path("", include("medmentor.meetings.urls")),
    path("", include("medmentor.conferences.link_urls")),
    path("api/", api_root, name="api-root"),
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_api_path),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages without our layout (an image, a PDF).
    path(
        "favicon.ico",
        RedirectView.as_view(url=f"{settings.STATIC_URL}medmentor/favicon.svg", permanent=True),
    ),
]

if settings.DEBUG:
    # Case images in the demo; production serves MEDIA_ROOT from the web server.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
