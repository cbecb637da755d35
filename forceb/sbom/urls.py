"""Pages of the SBOM capability, included in the ``web:`` namespace (names start with ``sbom-``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="sbom-dashboard"),
    path("sboms/", views.sbom_list, name="sbom-list"),
    path("sboms/<int:pk>/", views.sbom_detail, name="sbom-detail"),
    path("sboms/<int:pk>/export/<slug:fmt>/", views.sbom_export, name="sbom-export"),
    path("findings/<int:pk>/", views.finding_detail, name="sbom-finding"),
    path("components/", views.component_search, name="sbom-components"),
    path("sector/", views.sector, name="sbom-sector"),
    path("feeds/", views.feeds, name="sbom-feeds"),
]
