"""Pages of the intelligence hub. No ``app_name``: mounted inside the ``web`` namespace
(``path("intel/", include("forceb.intel.urls"))`` in ``forceb/web/urls.py``), so every page name
reads ``web:intel-...``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.browse, name="intel-browse"),
    path("objects/<int:pk>/", views.detail, name="intel-object"),
    path("subscriptions/", views.subscriptions, name="intel-subscriptions"),
    path("subscriptions/<int:pk>/delete/", views.subscription_delete, name="intel-subscription-delete"),
    path("sightings/", views.sightings, name="intel-sightings"),
    path("leaderboard/", views.leaderboard, name="intel-leaderboard"),
]
