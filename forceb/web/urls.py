from django.contrib.auth import views as auth_views
from django.urls import include, path

from forceb.core import access
from forceb.inventory import urls as inventory_urls

from . import views

app_name = "web"

auth_views.LogoutView.access_policy = access.SIGNED_IN

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("audit/", views.audit_trail, name="audit"),
    path("audit/verify/", views.AuditVerify.as_view(), name="audit-verify"),
    # Included as a plain list so the inventory's page names stay in this ``web:`` namespace.
    path("inventory/", include(inventory_urls.urlpatterns)),
    path("sbom/", include("forceb.sbom.urls")),
    path("resilience/", include("forceb.resilience.urls")),
    path("intel/", include("forceb.intel.urls")),
    path("soc/", include("forceb.soc.urls")),
]
