"""Pages of the intelligence hub. No ``app_name``: mounted inside the ``web`` namespace
(``path("intel/", include("forceb.intel.urls"))`` in ``forceb/web/urls.py``), so every page name
reads ``web:intel-...``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.browse, name="intel-browse"),
    path("objects/<int:pk>/", views.detail, name="intel-object"),
    path("objects/<int:pk>/sighting/", views.report_sighting, name="intel-object-sighting"),
    path("subscriptions/", views.subscriptions, name="intel-subscriptions"),
    path("subscriptions/<int:pk>/", views.subscription, name="intel-subscription"),
    path("subscriptions/<int:pk>/edit/", views.subscription_edit, name="intel-subscription-edit"),
    path("subscriptions/<int:pk>/webhook/", views.subscription_webhook, name="intel-subscription-webhook"),
    path("subscriptions/<int:pk>/webhook/clear/", views.subscription_webhook_clear,
         name="intel-subscription-webhook-clear"),
    path("subscriptions/<int:pk>/webhook/test/", views.subscription_webhook_test,
         name="intel-subscription-webhook-test"),
    path("subscriptions/<int:pk>/delete/", views.subscription_delete, name="intel-subscription-delete"),
    path("sightings/", views.sightings, name="intel-sightings"),
    path("leaderboard/", views.leaderboard, name="intel-leaderboard"),
]
