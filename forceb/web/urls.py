from django.contrib.auth import views as auth_views
from django.urls import path

from forceb.core import access

from . import views

app_name = "web"

auth_views.LogoutView.access_policy = access.SIGNED_IN

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
]
