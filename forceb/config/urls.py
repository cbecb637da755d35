from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

api_patterns = [
    path("core/", include("forceb.core.api.urls")),
    path("inventory/", include("forceb.inventory.api.urls")),
    path("intel/", include("forceb.intel.api.urls")),
]

urlpatterns = [
    path("api/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("taxii2/", include("forceb.intel.taxii.urls")),
    path("", include("forceb.web.urls")),
]
