"""Reads of the inventory, narrowed by the tenancy chokepoint.

One exception, made on purpose and kept in one function: ``sector_overview`` counts across
every member for the hub, the supervisor and the platform admin. It returns numbers only (no
member's service, system or relationship), which is what the blueprint lets the supervisor see
unless a member reports the object itself.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q

from forceb.core.choices import OrganizationKind, Role, Sector, Tier
from forceb.core.models import Organization

from .choices import CRITICALITY_RANK, Criticality, Hosting
from .models import BusinessService, Dependency, Supplier, SupplierRelationship, System

#: Roles that read the sector's aggregates.
SECTOR_READERS = frozenset({Role.HUB_ANALYST, Role.SUPERVISOR, Role.PLATFORM_ADMIN})
#: How deep the dependency picture follows systems and suppliers from a service.
MAX_GRAPH_DEPTH = 12


def dashboard(user) -> dict:
    services = BusinessService.objects.restrict(user)
    return {
        "services": services.count(),
        "services_by_criticality": dict(services.values_list("criticality").annotate(n=Count("pk"))),
        "systems": System.objects.restrict(user).count(),
        "suppliers": SupplierRelationship.objects.restrict(user).count(),
        "dependencies": Dependency.objects.restrict(user).count(),
    }


def services(user, action: str = "view"):
    return BusinessService.objects.restrict(user, action).select_related("owner")


def systems(user, action: str = "view"):
    return System.objects.restrict(user, action).select_related("owner", "cloud_provider")


def relationships(user, action: str = "view"):
    return SupplierRelationship.objects.restrict(user, action).select_related("owner", "supplier")


def dependencies(user, action: str = "view"):
    return Dependency.objects.restrict(user, action).select_related(
        "owner", "source_service", "source_system", "source_supplier", "target_system", "target_supplier")


def suppliers(user):
    """The registry is sector-wide: every signed-in person reads all of it."""
    if not user.is_authenticated:
        return Supplier.objects.none()
    return Supplier.objects.all()


def own_services_by_criticality(user) -> list[BusinessService]:
    """The organisation's own services, most critical first (the member's dashboard)."""
    rows = list(BusinessService.objects.restrict(user).filter(owner_id=user.organization_id))
    return sorted(rows, key=lambda s: (CRITICALITY_RANK.get(s.criticality, 9), s.name))


def own_counts(user) -> dict:
    """Counts of the organisation's own inventory, grouped the way its dashboard draws them."""
    own = Q(owner_id=user.organization_id)
    service_rows = BusinessService.objects.restrict(user).filter(own).values_list("criticality").annotate(n=Count("pk"))
    system_rows = System.objects.restrict(user).filter(own).values_list("hosting").annotate(n=Count("pk"))
    by_criticality = dict(service_rows)
    by_hosting = dict(system_rows)
    return {
        "services_by_criticality": {c.label: by_criticality.get(c.value, 0) for c in Criticality},
        "systems_by_hosting": {h.label: by_hosting.get(h.value, 0) for h in Hosting},
        "services": sum(by_criticality.values()),
        "systems": sum(by_hosting.values()),
        "relationships": SupplierRelationship.objects.restrict(user).filter(own).count(),
        "dependencies": Dependency.objects.restrict(user).filter(own).count(),
    }


@dataclass
class SectorOverview:
    members: int = 0
    members_by_sector_tier: dict = field(default_factory=dict)  # sector label -> {tier label: n}
    critical_services_by_sector: dict = field(default_factory=dict)  # sector label -> n
    concentration: list = field(default_factory=list)  # (supplier, kind label, members using it)


def sector_overview(user, *, top: int = 15) -> SectorOverview:
    """Counts across all members, for the readers of the sector's picture; never a member's row."""
    if user.role not in SECTOR_READERS:
        raise PermissionDenied("the sector's aggregates are for the hub, the supervisor and platform admins")
    overview = SectorOverview()
    rows = (Organization.objects.filter(kind=OrganizationKind.MEMBER)
            .values_list("sector", "tier").annotate(n=Count("pk")))
    for sector in Sector:
        overview.members_by_sector_tier[sector.label] = {tier.label: 0 for tier in Tier}
    for sector, tier, n in rows:
        overview.members_by_sector_tier[Sector(sector).label][Tier(tier).label] = n
        overview.members += n
    critical = dict(BusinessService.objects.filter(criticality=Criticality.CRITICAL, owner__kind=OrganizationKind.MEMBER)
                    .values_list("owner__sector").annotate(n=Count("pk")))
    overview.critical_services_by_sector = {s.label: critical.get(s.value, 0) for s in Sector}
    concentrated = (Supplier.objects
                    .annotate(members=Count("relationships__owner", distinct=True,
                                            filter=Q(relationships__owner__kind=OrganizationKind.MEMBER)))
                    .filter(members__gte=2).order_by("-members", "name")[:top])
    overview.concentration = [(s, s.get_kind_display(), s.members) for s in concentrated]
    return overview


@dataclass
class ServiceGraph:
    """The subgraph reachable from one service, as plain rows for ``graph.layout``.

    Nodes are ``(key, label, kind, pk)`` with keys like ``"system:12"``; edges are
    ``(source key, target key, label)``. ``linkable`` holds the keys of nodes the person may open.
    """

    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    linkable: set = field(default_factory=set)
    truncated: bool = False


def service_graph(user, service: BusinessService) -> ServiceGraph:
    """Service → systems → systems → suppliers → fourth parties, as far as the person may see.

    Walks the dependencies level by level: one query per level (bounded by ``MAX_GRAPH_DEPTH``),
    whatever the number of nodes, plus one to learn which systems the person may open.
    """
    graph = ServiceGraph()
    seen: dict[str, tuple] = {}

    def add(kind: str, obj) -> str:
        key = f"{kind}:{obj.pk}"
        if key not in seen:
            seen[key] = (key, str(obj), kind, obj.pk)
            graph.nodes.append(seen[key])
        return key

    root = add("service", service)
    graph.linkable.add(root)
    visible = dependencies(user).select_related("target_system__cloud_provider")
    hosted: set[tuple[str, str]] = set()
    level = visible.filter(source_service=service)
    systems_done: set[int] = set()
    suppliers_done: set[int] = set()
    for _depth in range(MAX_GRAPH_DEPTH):
        next_systems: set[int] = set()
        next_suppliers: set[int] = set()
        for dep in level:
            source = add(dep.kind.split("-")[0], dep.source)
            target_kind = "system" if dep.target_system_id else "supplier"
            target = add(target_kind, dep.target)
            graph.edges.append((source, target, dep.impact))
            if dep.target_system_id:
                next_systems.add(dep.target_system_id)
                provider = dep.target_system.cloud_provider
                if provider is not None and (target, f"supplier:{provider.pk}") not in hosted:
                    hosted.add((target, add("supplier", provider)))
                    next_suppliers.add(provider.pk)
            else:
                next_suppliers.add(dep.target_supplier_id)
        next_systems -= systems_done
        next_suppliers -= suppliers_done
        if not next_systems and not next_suppliers:
            break
        systems_done |= next_systems
        suppliers_done |= next_suppliers
        level = visible.filter(Q(source_system_id__in=next_systems) | Q(source_supplier_id__in=next_suppliers))
    else:
        graph.truncated = True
    graph.edges.extend((source, target, "hosted on") for source, target in sorted(hosted))
    system_ids = [pk for _, _, kind, pk in graph.nodes if kind == "system"]
    graph.linkable |= {f"system:{pk}" for pk in System.objects.restrict(user).filter(pk__in=system_ids)
                       .values_list("pk", flat=True)}
    graph.linkable |= {key for key, _, kind, _ in graph.nodes if kind == "supplier"}
    return graph
