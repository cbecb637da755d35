"""Who may reach a route, declared where the route is written.

Every view of the UI and API carries an ``access_policy``; the isolation test in
``tests/security`` walks every route, fails on one without a policy, and checks each policy's
promise for every role against objects of the person's own and of another organisation.

- ``PUBLIC``: anyone, signed in or not (sign-in page, API schema and docs).
- ``SIGNED_IN``: any signed-in person; what the page shows is narrowed by ``restrict``/``queries``.
- ``roles(...)``: only these roles; others get 404, as if the page did not exist.
- ``owned(Model)``: a page or endpoint about one owned object (URL kwarg ``pk``); objects outside
  the person's reach answer 404.
"""

from dataclasses import dataclass

from django.http import Http404

from .choices import Role


@dataclass(frozen=True)
class AccessPolicy:
    kind: str
    roles: frozenset = frozenset()
    model: type | None = None
    write_roles: frozenset = frozenset()

    def allows_role(self, role: str) -> bool:
        return self.kind != "roles" or role in self.roles


PUBLIC = AccessPolicy("public")
SIGNED_IN = AccessPolicy("signed-in")


def roles(*allowed: str) -> AccessPolicy:
    return AccessPolicy("roles", roles=frozenset(Role(r) for r in allowed))


def owned(model, write_roles=()) -> AccessPolicy:
    return AccessPolicy("owned", model=model, write_roles=frozenset(write_roles))


def policy(access: AccessPolicy):
    """Decorate a view function or class with its access policy (enforcing ``roles``)."""

    def decorate(view):
        if isinstance(view, type):
            view.access_policy = access
            if access.kind == "roles":
                original = view.dispatch

                def dispatch(self, request, *args, **kwargs):
                    require_role(request.user, access)
                    return original(self, request, *args, **kwargs)

                view.dispatch = dispatch
            return view

        def wrapped(request, *args, **kwargs):
            if access.kind == "roles":
                require_role(request.user, access)
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        wrapped.__module__ = view.__module__
        wrapped.access_policy = access
        return wrapped

    return decorate


def require_role(user, access: AccessPolicy) -> None:
    if user.is_authenticated and not access.allows_role(user.role):
        raise Http404("no such page")


def policy_of(callback) -> AccessPolicy | None:
    """The policy of a resolved URL callback: function views, class-based views and DRF viewsets.

    A viewset's extra action may narrow its viewset's policy with
    ``@action(..., access_policy=access.roles(...))``: DRF passes it to that route's view as an
    init keyword, so it wins over the class attribute.
    """
    initkwargs = getattr(callback, "initkwargs", None) or {}
    if initkwargs.get("access_policy") is not None:
        return initkwargs["access_policy"]
    for holder in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        found = getattr(holder, "access_policy", None) if holder is not None else None
        if found is not None:
            return found
    return None
