from django.urls import path

from forceb.core.api.routers import Router

from . import views

app_name = "soc"

router = Router()
router.register("tickets", views.TicketViewSet, basename="ticket")

urlpatterns = [
    *router.urls,
    path("intel-objects/<int:pk>/tickets/", views.IntelObjectTicketsView.as_view(), name="intel-object-tickets"),
]
