"""The site exactly as deployed, plus one trivial signed-in page, for page_latency.py only.

The settings module and the URLconf in one (DJANGO_SETTINGS_MODULE=page_latency_site,
with benchmarks/ on the path): medmentor's settings unchanged but ROOT_URLCONF, and
medmentor's URLs plus `/benchmark/trivial/`: a signed-in page that renders the base
template (the person's name, the sign-out form) around one heading and reads nothing
else. It is what every signed-in page costs before its own content: HTTP, middleware,
the session and the person, the base template. medmentor has no such page (`/api/me` is
JSON and skips templates; the sign-in page renders two forms), so the benchmark brings
its own rather than adding one to the product.
"""

from medmentor.settings import *  # noqa: F403 - the deployed settings, unchanged

ROOT_URLCONF = "page_latency_site"
TRIVIAL_PATH = "/benchmark/trivial/"
TRIVIAL_MARKER = "<h1>Signed in</h1>"

_urlpatterns = None


def _trivial_view():
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.template import engines

    # Compiled once, as the cached template loader keeps the product's templates.
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}Signed in{% endblock %}'
        "{% block content %}" + TRIVIAL_MARKER + "{% endblock %}"
    )

    @login_required
    def trivial(request):
        return HttpResponse(template.render({}, request))

    return trivial


def __getattr__(name: str):
    # The URLconf's patterns are made when Django first resolves a URL (apps loaded);
    # the settings are read before that, so they cannot import medmentor.urls here.
    global _urlpatterns
    if name != "urlpatterns":
        raise AttributeError(name)
    if _urlpatterns is None:
        from django.urls import path

        from medmentor.urls import urlpatterns

        _urlpatterns = [path(TRIVIAL_PATH.lstrip("/"), _trivial_view()), *urlpatterns]
    return _urlpatterns
