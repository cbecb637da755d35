"""Builds the engine's plain-data graph (``graph.Graph``) from the inventory and resilience tables.

A handful of bulk ``values()`` queries whatever the size (no per-row queries), for one member or
for the whole sector. Ids are stable, readable names rather than database keys, so reasons read
well and scenario documents travel between installations:

- a registry supplier is ``<registry kind>:<registry id>`` (``tax-id:12345678``), the same in every
  member's graph, as the engine expects of sector-wide items;
- a service is ``svc:<member>/<name>``, a system ``sys:<member>/<name>`` (names are unique per member);
- sites and admin domains are qualified by the member (``bank-a/corp-ad``): free-text names such as
  "Main DC" would otherwise merge different members' sites in the sector graph. A site shared by
  several members (a colocation) is modelled as a data-centre supplier instead.

Access is not decided here: callers (``actions.simulate``, the sector queries) decide whose data
may be loaded.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from forceb.core.choices import OrganizationKind
from forceb.core.models import Organization
from forceb.inventory.choices import DependencyKind
from forceb.inventory.models import BusinessService, Dependency, Supplier, System

from . import graph as g
from .choices import ENGINE_SUPPLIER_KIND
from .models import BackupLayer, SupplierRecoveryEvidence


def supplier_key(registry_kind: str, registry_id: str) -> str:
    return f"{registry_kind}:{registry_id}"


def service_key(org_slug: str, name: str) -> str:
    return f"svc:{org_slug}/{name}"


def system_key(org_slug: str, name: str) -> str:
    return f"sys:{org_slug}/{name}"


def _text(value: str | None) -> str | None:
    return value or None


def _scoped(org_slug: str, value: str | None) -> str | None:
    return f"{org_slug}/{value}" if value else None


@dataclass
class LoadedGraph:
    """The engine's graph plus the way back from its ids to database rows (for the UI)."""

    graph: g.Graph
    service_pk: dict[str, int] = field(default_factory=dict)
    system_pk: dict[str, int] = field(default_factory=dict)
    supplier_pk: dict[str, int] = field(default_factory=dict)


def load(orgs: Iterable[Organization] | None = None) -> LoadedGraph:
    """The graph of the given members (every member when None).

    Supplier-to-supplier edges (fourth parties) are documented by members; a member's graph holds
    the ones it documented, the sector's graph all of them, each edge once. A supplier's recovery
    time is the member's own evidence (tested over stated); in the sector graph, where members may
    hold different evidence of the same supplier, the longest, so that the sector view errs on the
    side of caution.
    """
    if orgs is None:
        org_ids = None
        slugs = dict(Organization.objects.filter(kind=OrganizationKind.MEMBER).values_list("pk", "slug"))
    else:
        slugs = {o.pk: o.slug for o in orgs}
        org_ids = list(slugs)

    def scope(qs, owner_field="owner_id"):
        return qs if org_ids is None else qs.filter(**{f"{owner_field}__in": org_ids})

    services, service_pk, service_of_pk = [], {}, {}
    for row in scope(BusinessService.objects.all()).values(
            "pk", "owner_id", "name", "criticality", "impact_tolerance_minutes", "rto_minutes", "rpo_minutes"):
        slug = slugs.get(row["owner_id"])
        if slug is None:
            continue
        key = service_key(slug, row["name"])
        service_pk[key], service_of_pk[row["pk"]] = row["pk"], key
        services.append(g.BusinessService(
            id=key, org=slug, name=row["name"], criticality=row["criticality"] or None,
            impact_tolerance_minutes=row["impact_tolerance_minutes"], rto_minutes=row["rto_minutes"],
            rpo_minutes=row["rpo_minutes"]))

    system_rows = list(scope(System.objects.all()).values(
        "pk", "owner_id", "name", "hosting", "cloud_provider_id", "region", "site", "admin_domain"))
    dependency_rows = list(scope(Dependency.objects.all()).values(
        "kind", "source_service_id", "source_system_id", "source_supplier_id", "target_system_id",
        "target_supplier_id", "alternative", "alternative_switchover_minutes"))
    layer_rows = list(scope(BackupLayer.objects.all()).values(
        "pk", "owner_id", "system_id", "name", "kind", "recovery_point_minutes", "restore_minutes", "immutable",
        "offline", "shares_site", "shares_provider", "shares_region", "shares_admin_domain", "site", "provider_id",
        "region", "admin_domain", "last_switchover_test"))

    # Suppliers: every one the loaded rows name (the sector: the whole registry).
    suppliers_qs = Supplier.objects.all()
    if org_ids is not None:
        wanted = {r["cloud_provider_id"] for r in system_rows} | {r["provider_id"] for r in layer_rows}
        wanted |= {r["source_supplier_id"] for r in dependency_rows} | {r["target_supplier_id"] for r in dependency_rows}
        wanted.discard(None)
        suppliers_qs = suppliers_qs.filter(pk__in=wanted)
    supplier_rows = list(suppliers_qs.values("pk", "name", "kind", "registry_kind", "registry_id"))
    supplier_of_pk = {r["pk"]: supplier_key(r["registry_kind"], r["registry_id"]) for r in supplier_rows}
    evidence: dict[int, tuple[int | None, int | None]] = {}
    evidence_qs = SupplierRecoveryEvidence.objects.all()
    if org_ids is not None:
        evidence_qs = evidence_qs.filter(owner_id__in=org_ids, supplier_id__in=list(supplier_of_pk))
    for row in evidence_qs.values(
            "supplier_id", "stated_recovery_minutes", "tested_recovery_minutes", "recovery_point_minutes"):
        rt = row["tested_recovery_minutes"] if row["tested_recovery_minutes"] is not None \
            else row["stated_recovery_minutes"]
        old_rt, old_rp = evidence.get(row["supplier_id"], (None, None))
        evidence[row["supplier_id"]] = (_longest(old_rt, rt), _longest(old_rp, row["recovery_point_minutes"]))
    suppliers = []
    for row in supplier_rows:
        rt, rp = evidence.get(row["pk"], (None, None))
        suppliers.append(g.Supplier(
            id=supplier_of_pk[row["pk"]], name=row["name"], kind=ENGINE_SUPPLIER_KIND.get(row["kind"], row["kind"]),
            recovery_time_minutes=rt, recovery_point_minutes=rp))

    systems, system_pk, system_of_pk = [], {}, {}
    for row in system_rows:
        slug = slugs.get(row["owner_id"])
        if slug is None:
            continue
        key = system_key(slug, row["name"])
        system_pk[key], system_of_pk[row["pk"]] = row["pk"], key
        systems.append(g.System(
            id=key, org=slug, name=row["name"], hosting=row["hosting"] or None,
            provider=supplier_of_pk.get(row["cloud_provider_id"]), region=_text(row["region"]),
            site=_scoped(slug, row["site"]), admin_domain=_scoped(slug, row["admin_domain"])))

    dependencies, seen = [], set()
    for row in dependency_rows:
        if row["kind"] == DependencyKind.SERVICE_SYSTEM:
            ends = service_of_pk.get(row["source_service_id"]), system_of_pk.get(row["target_system_id"])
        elif row["kind"] == DependencyKind.SYSTEM_SYSTEM:
            ends = system_of_pk.get(row["source_system_id"]), system_of_pk.get(row["target_system_id"])
        elif row["kind"] == DependencyKind.SYSTEM_SUPPLIER:
            ends = system_of_pk.get(row["source_system_id"]), supplier_of_pk.get(row["target_supplier_id"])
        else:
            ends = supplier_of_pk.get(row["source_supplier_id"]), supplier_of_pk.get(row["target_supplier_id"])
        if None in ends or ends in seen:
            continue
        seen.add(ends)
        # The inventory documents an alternative in words (another carrier, a manual procedure):
        # for the engine that is a workaround, counted once its switchover time is known.
        dependencies.append(g.Dependency(
            source=ends[0], target=ends[1], workaround=bool(row["alternative"]),
            switchover_minutes=row["alternative_switchover_minutes"] if row["alternative"] else None))

    layers = []
    for row in layer_rows:
        slug, system = slugs.get(row["owner_id"]), system_of_pk.get(row["system_id"])
        if slug is None or system is None:
            continue
        layers.append(g.BackupLayer(
            id=f"layer:{system[4:]}/{row['name']}", system=system, kind=row["kind"],
            recovery_point_minutes=row["recovery_point_minutes"], restore_minutes=row["restore_minutes"],
            immutable=row["immutable"], offline=row["offline"],
            shares=frozenset(d for d in ("site", "provider", "region", "admin_domain") if row[f"shares_{d}"]),
            site=_scoped(slug, row["site"]), provider=supplier_of_pk.get(row["provider_id"]),
            region=_text(row["region"]), admin_domain=_scoped(slug, row["admin_domain"]),
            last_switchover_test=row["last_switchover_test"]))

    return LoadedGraph(
        graph=g.Graph(services=tuple(services), systems=tuple(systems), suppliers=tuple(suppliers),
                      dependencies=tuple(dependencies), backup_layers=tuple(layers)),
        service_pk=service_pk, system_pk=system_pk, supplier_pk={v: k for k, v in supplier_of_pk.items()})


def _longest(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
