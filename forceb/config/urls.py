from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from forceb.core import access

api_patterns = [
    path("core/", include("forceb.core.api.urls")),
    path("inventory/", include("forceb.inventory.api.urls")),
    path("intel/", include("forceb.intel.api.urls")),
    path("sbom/", include("forceb.sbom.api.urls")),
    path("resilience/", include("forceb.resilience.api.urls")),
    path("soc/", include("forceb.soc.api.urls")),
]

# The schema and its readers are public: they describe the API, they hold no data.
for view in (SpectacularAPIView, SpectacularSwaggerSplitView, SpectacularRedocView):
    view.access_policy = access.PUBLIC

urlpatterns = [
    path("api/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("taxii2/", include("forceb.intel.taxii.urls")),
    path("intel/report/", include("forceb.intel.report_urls")),
    path("", include("forceb.web.urls")),
]
