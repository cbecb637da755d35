"""Template context shared by every page: the navigation of the signed-in person's role."""

from django.urls import reverse

from forceb.core.choices import ADMIN_ROLES, OrganizationKind, Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    nav = [("web:home", "Dashboard")]
    if user.organization_id and user.organization.kind == OrganizationKind.MEMBER:
        nav += [("web:service-list", "Services"), ("web:system-list", "Systems"),
                ("web:relationship-list", "Suppliers"), ("web:dependency-list", "Dependencies")]
    nav += [("web:supplier-list", "Registry"), ("web:sbom-dashboard", "SBOM"), ("web:resilience-overview", "Resilience"),
            ("web:intel-browse", "Intelligence")]
    nav += [("web:soc-tickets", "SOC tickets")]
    if user.role in ADMIN_ROLES or user.role == Role.AUDITOR:
        nav += [("web:audit", "Audit trail")]
    items = []
    for name, label in nav:
        url = reverse(name)
        # The dashboard is "/", a prefix of everything, so it is current only on itself.
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "current": current})
    return {"nav": items}
