"""The project's URLs with the resilience API and pages mounted where the lead will mount them
(``forceb/config/urls.py`` and ``forceb/web/urls.py`` are not this app's to edit)."""

from django.urls import include, path

from forceb.config import urls as project

urlpatterns = [
    path("api/", include(([*project.api_patterns, path("resilience/", include("forceb.resilience.api.urls"))],
                          "api"))),
    # UI_MOUNT
    *project.urlpatterns[1:],
]
