"""Where an object's page is: one table from model to detail route, for pages that show objects
of several apps (shares, audit entries, the dependency picture)."""

from django.urls import NoReverseMatch, reverse

#: Model label → name of its detail route. Apps with pages add their models here.
DETAIL_ROUTES = {
    "inventory.businessservice": "web:service-detail",
    "inventory.system": "web:system-detail",
    "inventory.supplier": "web:supplier-detail",
    "inventory.supplierrelationship": "web:relationship-detail",
    "inventory.dependency": "web:dependency-detail",
}


def detail_url(model_label: str, pk) -> str:
    """The detail page of ``model_label`` #``pk``, or "" when that model has no page."""
    route = DETAIL_ROUTES.get(model_label)
    if route is None or pk in (None, ""):
        return ""
    try:
        return reverse(route, kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


def url_of(obj) -> str:
    return detail_url(obj._meta.label_lower, obj.pk)
