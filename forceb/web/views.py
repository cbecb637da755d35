"""Web pages of the platform itself: sign-in, the dashboard of each role, the audit trail, and
plotly.js served from its Python package."""


from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views import View

from forceb.core import access, audit
from forceb.core import queries as core_queries
from forceb.core.choices import ADMIN_ROLES, OrganizationKind, Role
from forceb.inventory import queries as inventory_queries

from . import charts
from .filters import AuditEntryFilter
from .forms import LoginForm
from .links import detail_url

TRAIL_READERS = (*ADMIN_ROLES, Role.AUDITOR)


@access.policy(access.PUBLIC)
class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@access.policy(access.SIGNED_IN)
@login_required
def home(request):
    """The dashboard of the person's role: each role sees its own view of the sector."""
    user = request.user
    for roles, build in DASHBOARDS:
        if user.role in roles and user.organization_id:
            template, context = build(user)
            return render(request, template, context)
    return render(request, "web/home_empty.html")


def member_dashboard(user):
    org = user.organization_id
    counts = inventory_queries.own_counts(user)
    shares = core_queries.shares(user).filter(revoked_at__isnull=True)
    return "web/home_member.html", {
        "counts": counts,
        "services": inventory_queries.own_services_by_criticality(user),
        "key_suppliers": inventory_queries.relationships(user).filter(owner_id=org, criticality__in=["critical", "high"]),
        "notifications": core_queries.notifications(user)[:8],
        "shared": describe_shares(shares.filter(shared_by_id=org)[:10]),
        "received": describe_shares(shares.exclude(owner_id=org)[:10]),
        "charts": {
            "services": charts.donut("Business services by criticality", counts["services_by_criticality"]),
            "systems": charts.bar("Systems by hosting", counts["systems_by_hosting"]),
        },
    }


def hub_dashboard(user):
    overview = inventory_queries.sector_overview(user)
    received = core_queries.shares(user).filter(revoked_at__isnull=True).exclude(owner_id=user.organization_id)
    by_tlp = dict(received.values_list("tlp").annotate(n=Count("pk", distinct=True)))
    return "web/home_hub.html", {
        "overview": overview,
        "members": core_queries.organizations(user).filter(kind=OrganizationKind.MEMBER)
        .annotate(people=Count("users")).order_by("sector", "tier", "name"),
        "received": describe_shares(received[:25]),
        "received_count": received.count(),
        "charts": {
            "members": charts.stacked("Members by sector and tier", overview.members_by_sector_tier),
            "tlp": charts.donut("What was shared with the hub, by TLP", by_tlp),
        },
    }


def supervisor_dashboard(user):
    overview = inventory_queries.sector_overview(user)
    received = core_queries.shares(user).filter(revoked_at__isnull=True).exclude(owner_id=user.organization_id)
    concentration = {f"{supplier} ({supplier.registry_id})": n for supplier, _, n in overview.concentration}
    return "web/home_supervisor.html", {
        "overview": overview,
        "reported": describe_shares(received[:15]),
        "charts": {
            "members": charts.stacked("Members by sector and tier", overview.members_by_sector_tier),
            "critical": charts.bar("Critical business services by sector", overview.critical_services_by_sector),
            "concentration": charts.bar("Registry suppliers used by the most members", concentration,
                                        height=max(260, 26 * len(concentration) + 70), horizontal=True),
        },
    }


def auditor_dashboard(user):
    member = user.organization.kind == OrganizationKind.MEMBER
    return "web/home_auditor.html", {
        "counts": inventory_queries.own_counts(user) if member else None,
        "entries": core_queries.audit_entries(user).select_related("organization")[:15],
    }


def admin_dashboard(user):
    organizations = core_queries.organizations(user).annotate(people=Count("users")).order_by("kind", "name")
    by_kind = dict(organizations.order_by().values_list("kind").annotate(n=Count("pk")))
    return "web/home_admin.html", {
        "organizations": organizations,
        "people": core_queries.people(user).order_by("organization__name", "username"),
        "charts": {"kinds": charts.bar("Organisations by kind",
                                       {label: by_kind.get(kind, 0) for kind, label in KIND_SHORT.items()})},
    }


KIND_SHORT = {OrganizationKind.MEMBER: "Members", OrganizationKind.HUB: "Hub", OrganizationKind.SUPERVISOR: "Supervisor"}

DASHBOARDS = (
    ({Role.MEMBER_ADMIN, Role.MEMBER_ANALYST}, member_dashboard),
    ({Role.HUB_ANALYST}, hub_dashboard),
    ({Role.SUPERVISOR}, supervisor_dashboard),
    ({Role.AUDITOR}, auditor_dashboard),
    ({Role.PLATFORM_ADMIN}, admin_dashboard),
)


def describe_shares(shares) -> list[dict]:
    """Shares with the name and page of what they share, fetched in one query per kind of object."""
    shares = list(shares.prefetch_related("recipient_orgs", "recipient_users"))
    wanted: dict[int, set] = {}
    for share in shares:
        wanted.setdefault(share.content_type_id, set()).add(share.object_id)
    objects = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for obj in model._default_manager.filter(pk__in=ids):
            objects[(type_id, obj.pk)] = obj
    rows = []
    for share in shares:
        obj = objects.get((share.content_type_id, share.object_id))
        recipients = [str(o) for o in share.recipient_orgs.all()] + [u.username for u in share.recipient_users.all()]
        if share.community:
            recipients.append("community")
        rows.append({"share": share, "object": obj, "kind": share.content_type.name,
                     "url": detail_url(share.content_type.app_label + "." + share.content_type.model, share.object_id)
                     if obj is not None else "",
                     "recipients": ", ".join(recipients)})
    return rows


@access.policy(access.roles(*TRAIL_READERS))
@login_required
def audit_trail(request):
    """The audit trail the person may read, filtered, with a button to verify the whole chain."""
    entries = core_queries.audit_entries(request.user).select_related("organization")
    filterset = AuditEntryFilter(request.GET or None, queryset=entries)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else entries
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"filter_form": filterset.form, "page": page}
    partial = request.htmx and not request.htmx.boosted
    response = render(request, "web/_audit_table.html" if partial else "web/audit.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@access.policy(access.roles(*TRAIL_READERS))
class AuditVerify(LoginRequiredMixin, View):
    """Walk the whole hash chain now (``forceb audit verify`` does the same from the shell)."""

    def post(self, request):
        report = audit.verify()
        template = "web/_verify_result.html" if request.htmx else "web/verify.html"
        return render(request, template, {"report": report})
