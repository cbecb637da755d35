"""The project's URLs with the resilience API and pages mounted where the lead is asked to mount
them (``forceb/config/urls.py`` and ``forceb/web/urls.py`` are not this app's to edit)."""

from django.urls import include, path

from forceb.config import urls as project
from forceb.web import urls as web

urlpatterns = [
    path("api/", include(([*project.api_patterns, path("resilience/", include("forceb.resilience.api.urls"))],
                          "api"))),
    path("", include(([*web.urlpatterns, path("resilience/", include("forceb.resilience.urls"))], "web"))),
    *[p for p in project.urlpatterns[1:] if getattr(p, "namespace", None) != "web"],
]
