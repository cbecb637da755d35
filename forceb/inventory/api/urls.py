from rest_framework.routers import DefaultRouter

from . import views

app_name = "inventory"

router = DefaultRouter()
router.register("services", views.BusinessServiceViewSet, basename="service")
router.register("systems", views.SystemViewSet, basename="system")
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("relationships", views.SupplierRelationshipViewSet, basename="relationship")
router.register("dependencies", views.DependencyViewSet, basename="dependency")

urlpatterns = router.urls
