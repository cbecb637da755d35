"""Pages of the Joint Defense SOC. No ``app_name``: mounted inside the ``web`` namespace
(``path("soc/", include("forceb.soc.urls"))`` in ``forceb/web/urls.py``), so every page name reads
``web:soc-...``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ticket_list, name="soc-tickets"),
    path("new/", views.ticket_new, name="soc-ticket-new"),
    path("<int:pk>/", views.ticket_detail, name="soc-ticket"),
    path("<int:pk>/triage/", views.ticket_triage, name="soc-ticket-triage"),
]
