"""Pages of operational resilience. No ``app_name``: mounted inside the ``web`` namespace
(``path("resilience/", include("forceb.resilience.urls"))`` in ``forceb/web/urls.py``), as the
inventory's pages are, so every page name reads ``web:resilience-...``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="resilience-overview"),
    path("simulate/", views.simulation, name="resilience-simulate"),
    path("heatmap/", views.heatmap, name="resilience-heatmap"),
    path("sector/", views.sector, name="resilience-sector"),
    path("drills/new/", views.drill_plan, name="resilience-drill-plan"),
    path("drills/<int:pk>/", views.drill_detail, name="resilience-drill"),
    path("drills/<int:pk>/events/", views.drill_event, name="resilience-drill-event"),
    path("drills/<int:pk>/result/", views.drill_result, name="resilience-drill-result"),
    path("systems/<int:pk>/layers/", views.system_layers, name="resilience-system-layers"),
    path("systems/<int:pk>/layers/add/", views.layer_add, name="resilience-layer-add"),
    path("layers/<int:pk>/edit/", views.layer_edit, name="resilience-layer-edit"),
    path("layers/<int:pk>/delete/", views.layer_delete, name="resilience-layer-delete"),
    path("evidence/", views.evidence_edit, name="resilience-evidence"),
    path("bias/new/", views.bia_create, name="resilience-bia-create"),
    path("bias/<int:pk>/", views.bia_detail, name="resilience-bia"),
    path("bias/<int:pk>/approve/", views.bia_approve, name="resilience-bia-approve"),
]
