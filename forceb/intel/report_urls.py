"""Routes of the threat-posture report (included by the project's urls under ``intel/report/``)."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("", report_views.posture, name="intel-report"),
    path("pdf/", report_views.posture_pdf, name="intel-report-pdf"),
]
