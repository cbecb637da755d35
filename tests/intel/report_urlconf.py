"""The project's routes plus the threat-posture report's, as the lead is asked to include them
(``path("intel/report/", include("forceb.intel.report_urls"))``)."""

from django.urls import include, path

from forceb.config.urls import urlpatterns as project

urlpatterns = [path("intel/report/", include("forceb.intel.report_urls")), *project]
