"""Every route of the project, walked from ``forceb.config.urls``, with its access policy."""

from dataclasses import dataclass
from functools import cached_property

from django.urls import URLPattern, URLResolver, get_resolver

from forceb.core.access import AccessPolicy, policy_of

# Prefixes of machine interfaces: they answer 401/403 instead of sending people to the login page.
API_PREFIXES = ("/api/", "/taxii2/")
TAXII_PREFIX = "/taxii2/"
TAXII_ACCEPT = "application/taxii+json;version=2.1"


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str | None
    callback: object
    kwargs: frozenset

    @property
    def policy(self) -> AccessPolicy | None:
        return policy_of(self.callback)

    @property
    def id(self) -> str:
        return self.name or self.pattern

    @cached_property
    def drf_actions(self) -> dict | None:
        """The method → action map of a DRF viewset route, else None."""
        return getattr(self.callback, "actions", None)

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    def allows(self, method: str) -> bool:
        method = method.lower()
        view_class = self.view_class
        if self.drf_actions is not None:
            return method in self.drf_actions and method in view_class.http_method_names
        if view_class is not None:
            return method in view_class.http_method_names and hasattr(view_class, method)
        return True  # a function view: it decides by itself


def walk(patterns=None, prefix: str = "", namespaces: tuple = ()) -> list[Route]:
    """All URL patterns, recursively; DRF's format-suffix twins (``.json``) are folded away."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes = []
    for entry in patterns:
        kwargs = frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            for route in walk(entry.url_patterns, prefix + str(entry.pattern), inner):
                routes.append(Route(route.pattern, route.name, route.callback, route.kwargs | kwargs))
        elif isinstance(entry, URLPattern):
            if "format" in kwargs:
                continue
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            routes.append(Route(prefix + str(entry.pattern), name, entry.callback, kwargs))
    return routes
