from forceb.core.api.routers import Router

from . import views

app_name = "resilience"

router = Router()
router.register("bias", views.BusinessImpactAnalysisViewSet, basename="bia")
router.register("backup-layers", views.BackupLayerViewSet, basename="backup-layer")
router.register("supplier-evidence", views.SupplierRecoveryEvidenceViewSet, basename="supplier-evidence")
router.register("scenarios", views.ScenarioViewSet, basename="scenario")
router.register("simulate", views.SimulationViewSet, basename="simulate")
router.register("heatmap", views.HeatmapViewSet, basename="heatmap")
router.register("sector/concentration", views.ConcentrationViewSet, basename="concentration")
router.register("sector/blast-radius", views.BlastRadiusViewSet, basename="blast-radius")
router.register("mttr", views.MttrViewSet, basename="mttr")
router.register("drills", views.DrillViewSet, basename="drill")
router.register("drill-actions", views.DrillActionViewSet, basename="drill-action")

urlpatterns = router.urls
