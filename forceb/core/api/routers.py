from rest_framework import routers

from forceb.core import access


class APIRootView(routers.APIRootView):
    """Lists the endpoints of one app's API."""

    access_policy = access.SIGNED_IN


class Router(routers.DefaultRouter):
    """The router every app's API uses, so that its root view carries an access policy too."""

    APIRootView = APIRootView
