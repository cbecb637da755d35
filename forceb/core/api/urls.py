from rest_framework.routers import DefaultRouter

from . import views

app_name = "core"

router = DefaultRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("users", views.UserViewSet, basename="user")
router.register("tokens", views.ApiTokenViewSet, basename="token")
router.register("shares", views.ShareViewSet, basename="share")
router.register("audit", views.AuditEntryViewSet, basename="audit")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
