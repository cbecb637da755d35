"""Role-based permission for the REST API; which rows a role reaches is decided by ``restrict``."""

from rest_framework import permissions

from . import access
from .choices import WRITER_ROLES


class RolePermission(permissions.BasePermission):
    """Reads need a signed-in person; writes need a role that writes (``view.write_roles``);
    a ``roles(...)`` access policy hides the endpoint (404) from every other role."""

    message = "Your role may not change this."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated or not user.is_active:
            return False
        policy = getattr(view, "access_policy", None)
        if policy is not None:
            access.require_role(user, policy)
        if request.method in permissions.SAFE_METHODS:
            return True
        return user.role in getattr(view, "write_roles", WRITER_ROLES)
