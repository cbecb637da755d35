from forceb.core.api.routers import Router

from . import views

app_name = "sbom"

router = Router()
router.register("sboms", views.SbomViewSet, basename="sbom")
router.register("components", views.ComponentViewSet, basename="component")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("advisories", views.AdvisoryViewSet, basename="advisory")
router.register("feeds", views.FeedStateViewSet, basename="feed")
router.register("sector", views.SectorViewSet, basename="sector")
router.register("dashboard", views.DashboardViewSet, basename="dashboard")

urlpatterns = router.urls
