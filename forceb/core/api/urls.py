from forceb.core.api.routers import Router

from . import views

app_name = "core"

router = Router()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("users", views.UserViewSet, basename="user")
router.register("tokens", views.ApiTokenViewSet, basename="token")
router.register("shares", views.ShareViewSet, basename="share")
router.register("audit", views.AuditEntryViewSet, basename="audit")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
