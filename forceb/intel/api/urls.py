from django.urls import path

from forceb.core.api.routers import Router

from . import views

app_name = "intel"

router = Router()
router.register("objects", views.StixObjectViewSet, basename="object")
router.register("collections", views.CollectionViewSet, basename="collection")
router.register("subscriptions", views.SubscriptionViewSet, basename="subscription")

urlpatterns = [
    path("sightings/", views.SightingsView.as_view(), name="sightings"),
    path("leaderboard/", views.LeaderboardView.as_view(), name="leaderboard"),
    path("correlate/", views.CorrelateView.as_view(), name="correlate"),
    *router.urls,
]
