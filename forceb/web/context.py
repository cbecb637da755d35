"""Template context shared by every page: the navigation of the signed-in person's role."""

from forceb.core.choices import OrganizationKind


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    nav = [("web:home", "Dashboard")]
    if user.organization_id and user.organization.kind == OrganizationKind.MEMBER:
        nav += [("web:service-list", "Services"), ("web:system-list", "Systems"),
                ("web:supplier-list", "Suppliers"), ("web:dependency-list", "Dependencies")]
    else:
        nav += [("web:supplier-list", "Supplier registry")]
    return {"nav": nav}
