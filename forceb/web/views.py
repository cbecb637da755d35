"""Web pages: sign-in and the role's dashboard."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from forceb.core import access
from forceb.inventory import queries as inventory_queries

from .forms import LoginForm


@access.policy(access.PUBLIC)
class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@access.policy(access.SIGNED_IN)
@login_required
def home(request):
    return render(request, "web/home.html", {"summary": inventory_queries.dashboard(request.user)})
