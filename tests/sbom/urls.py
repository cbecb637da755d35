"""The project's URLs with the SBOM API and pages mounted, until the lead mounts them for real.

Used with ``override_settings(ROOT_URLCONF="tests.sbom.urls")``; once ``forceb/config/urls.py`` and
``forceb/web/urls.py`` include them, this adds nothing twice.
"""

from django.urls import include, path

from forceb.config import urls as config
from forceb.web import urls as web_urls


def _mounted(patterns, prefix: str) -> bool:
    return any(str(p.pattern) == prefix for p in patterns)


api = list(config.api_patterns)
if not _mounted(api, "sbom/"):
    api.append(path("sbom/", include("forceb.sbom.api.urls")))
web = list(web_urls.urlpatterns)
if not _mounted(web, "sbom/"):
    web.append(path("sbom/", include("forceb.sbom.urls")))

urlpatterns = [
    path("api/", include((api, "api"))),
    *[p for p in config.urlpatterns if str(p.pattern) not in ("api/", "")],
    path("", include((web, "web"))),
]
