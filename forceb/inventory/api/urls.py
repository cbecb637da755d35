from django.urls import path

from forceb.core.api.routers import Router

from . import views

app_name = "inventory"

router = Router()
router.register("services", views.BusinessServiceViewSet, basename="service")
router.register("systems", views.SystemViewSet, basename="system")
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("relationships", views.SupplierRelationshipViewSet, basename="relationship")
router.register("dependencies", views.DependencyViewSet, basename="dependency")

urlpatterns = [
    path("import/", views.InventoryImportView.as_view(), name="import"),
    path("export/", views.InventoryExportView.as_view(), name="export"),
    path("schema/", views.InventorySchemaView.as_view(), name="schema"),
    *router.urls,
]
