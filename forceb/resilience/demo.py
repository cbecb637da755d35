"""Demo data of operational resilience, laid over the demo sector's inventory.

For every member: an approved BIA per business service (one approved more than a year ago, so
the review flag shows), backup layers per system in three patterns (an immutable offline DR copy;
a DR replica reachable with production's admin credentials, which ransomware takes too; a cloud
copy whose switchover test is stale), and recovery evidence for its suppliers. The hub publishes
the built-in scenario library; the first member has a completed drill with a full notification
timeline (and an earlier one, so MTTR has two quarters) and a planned one.

Everything is derived from the inventory in a fixed order, so the same inventory gives the same
demo; every write goes through the resilience actions.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from forceb.core.choices import OrganizationKind
from forceb.core.models import Organization
from forceb.inventory.models import BusinessService, SupplierRelationship, System

from . import actions
from .choices import ChainParty, DrillEventKind
from .models import BusinessImpactAnalysis, Drill, Scenario, SupplierRecoveryEvidence

#: criticality -> (minutes at which impact turns intolerable, RPO minutes)
TOLERANCE = {"critical": (240, 15), "high": (1440, 60), "medium": (4320, 240), "low": (10080, 1440)}
LADDER = (60, 240, 1440, 4320, 10080)
#: Stated recovery of a supplier by kind (minutes), and the test that shows it, when there was one.
SUPPLIER_RECOVERY = {"core-banking": (480, 720), "cloud": (240, None), "telecom": (120, 180),
                     "payment-processor": (240, 240)}


def _impacts(tolerance: int) -> list[dict]:
    """Impact rising over time, reaching level 4 exactly at the tolerance."""
    rows = []
    for at in LADDER:
        level = 4 if at >= tolerance else (2 if at * 4 >= tolerance else 1)
        rows.append({"at_minutes": at, "financial": min(5, level + (at > tolerance)), "customers": level,
                     "regulatory": max(0, level - 1), "reputation": max(0, level - 1)})
    return rows


def _seed_bias(org: Organization, now: datetime) -> None:
    services = list(BusinessService.objects.filter(owner=org).order_by("name"))
    for index, service in enumerate(services):
        tolerance, rpo = TOLERANCE.get(service.criticality, TOLERANCE["medium"])
        bia = actions.record_bia(None, service, impacts=_impacts(tolerance), rto_minutes=tolerance // 2,
                                 rpo_minutes=rpo, notes="Board-approved impact analysis (demo).")
        stale = index == len(services) - 1 and len(services) > 1
        actions.approve_bia(None, bia, at=now - timedelta(days=400 if stale else 30 + index))


def _seed_layers(org: Organization, today: date) -> None:
    for index, system in enumerate(System.objects.filter(owner=org).order_by("name")):
        layers = [{"name": "local snapshots", "kind": "local", "recovery_point_minutes": 15, "restore_minutes": 45,
                   "shares": ["site", "admin_domain"], "last_switchover_test": today - timedelta(days=20)}]
        pattern = index % 3
        if pattern == 0:
            layers.append({"name": "vault copy", "kind": "remote", "recovery_point_minutes": 60,
                           "restore_minutes": 240, "immutable": True, "offline": True, "site": "DR site",
                           "admin_domain": "vault", "last_switchover_test": today - timedelta(days=60)})
        elif pattern == 1:
            # Replicated with production's credentials: fast, but ransomware encrypts it too.
            layers.append({"name": "DR replica", "kind": "remote", "recovery_point_minutes": 5,
                           "restore_minutes": 60, "site": "DR site", "shares": ["admin_domain"],
                           "last_switchover_test": today - timedelta(days=90)})
        elif system.cloud_provider_id:
            layers.append({"name": "cloud archive", "kind": "cloud", "recovery_point_minutes": 1440,
                           "restore_minutes": 720, "immutable": True, "shares": ["provider"],
                           "region": system.region or "", "admin_domain": "cloud-backup",
                           "last_switchover_test": today - timedelta(days=420)})
        else:
            layers.append({"name": "third-site tapes", "kind": "third-site", "recovery_point_minutes": 1440,
                           "restore_minutes": 1440, "offline": True, "site": "tape store",
                           "admin_domain": "vault", "last_switchover_test": today - timedelta(days=420)})
        for layer in layers:
            if layer.get("shares") and "site" in layer["shares"] and not system.site:
                layer["shares"] = [d for d in layer["shares"] if d != "site"]
            if "admin_domain" in layer.get("shares", ()) and not system.admin_domain:
                layer["shares"] = [d for d in layer["shares"] if d != "admin_domain"]
            if "provider" in layer.get("shares", ()) and not system.cloud_provider_id:
                layer["shares"] = [d for d in layer["shares"] if d != "provider"]
        actions.set_backup_layers(None, system, layers)


def _seed_evidence(org: Organization, today: date) -> None:
    known = set(SupplierRecoveryEvidence.objects.filter(owner=org).values_list("supplier_id", flat=True))
    for relationship in SupplierRelationship.objects.filter(owner=org).exclude(supplier_id__in=known) \
            .select_related("supplier"):
        stated, tested = SUPPLIER_RECOVERY.get(relationship.supplier.kind, (1440, None))
        actions.record_supplier_evidence(None, org, relationship.supplier, stated_recovery_minutes=stated,
                                         tested_recovery_minutes=tested, evidence_date=today - timedelta(days=100),
                                         reference="Supplier DR test report (demo)")


def _seed_drills(org: Organization, today: date) -> None:
    ransomware = Scenario.objects.filter(name="ransomware-main-domain", published=True).first()
    site = Scenario.objects.filter(name="primary-site-loss", published=True).first()
    services = list(BusinessService.objects.filter(owner=org, criticality__in=["critical", "high"])
                    .order_by("name")[:3])
    if ransomware is None or site is None or not services:
        return
    earlier = actions.plan_drill(None, name="Site loss walkthrough", scenario=site, owner=org,
                                 planned_date=today - timedelta(days=200))
    start = timezone.make_aware(datetime.combine(earlier.planned_date, time(9, 0)))
    actions.record_drill_event(None, earlier, kind=DrillEventKind.INJECT, at=start, party=ChainParty.MEMBER,
                               description="Fire alarm: main data centre evacuated")
    actions.record_drill_result(None, earlier, ended_at=start + timedelta(hours=8), measurements=[
        {"service": s.pk, "recovery_minutes": 300 + 60 * i} for i, s in enumerate(services)])

    drill = actions.plan_drill(None, name="Ransomware exercise with the sector chain", scenario=ransomware,
                               owner=org, planned_date=today - timedelta(days=14),
                               notes="Tabletop and technical restore of the core services.")
    start = timezone.make_aware(datetime.combine(drill.planned_date, time(9, 0)))
    timeline = [
        (0, DrillEventKind.INJECT, ChainParty.MEMBER, "", "EDR alerts: files encrypted on core-banking servers"),
        (20, DrillEventKind.DECISION, ChainParty.MEMBER, "", "Crisis team convened; isolate the admin domain"),
        (35, DrillEventKind.NOTIFICATION_SENT, ChainParty.MEMBER, ChainParty.GROUP_CSIRT, "Incident report #1"),
        (50, DrillEventKind.NOTIFICATION_RECEIVED, ChainParty.GROUP_CSIRT, ChainParty.MEMBER, "Acknowledged"),
        (70, DrillEventKind.NOTIFICATION_SENT, ChainParty.GROUP_CSIRT, ChainParty.INDUSTRY_ASSOCIATION,
         "Sector alert requested"),
        (95, DrillEventKind.NOTIFICATION_RECEIVED, ChainParty.INDUSTRY_ASSOCIATION, ChainParty.GROUP_CSIRT,
         "Alert relayed to the association's members"),
        (100, DrillEventKind.NOTIFICATION_SENT, ChainParty.INDUSTRY_ASSOCIATION, ChainParty.HUB,
         "Indicators shared with F-ISAC"),
        (130, DrillEventKind.NOTIFICATION_RECEIVED, ChainParty.HUB, ChainParty.INDUSTRY_ASSOCIATION,
         "F-ISAC early warning issued"),
        (150, DrillEventKind.DECISION, ChainParty.MEMBER, "", "Restore from the vault copy, not the DR replica"),
    ]
    for minute, kind, party, counterpart, text in timeline:
        actions.record_drill_event(None, drill, kind=kind, at=start + timedelta(minutes=minute), party=party,
                                   counterpart=counterpart, description=text)
    actions.record_drill_result(None, drill, ended_at=start + timedelta(hours=7), measurements=[
        {"service": s.pk, "recovery_minutes": 200 + 90 * i, "data_lost_minutes": 60} for i, s in enumerate(services)
    ], findings=[
        {"title": "DR replica shares production's admin domain: move it to a separate credential domain",
         "assignee": "Infrastructure", "due_date": today + timedelta(days=60)},
        {"title": "Group CSIRT took 15 minutes to acknowledge: add an on-call rota",
         "assignee": "Group CSIRT", "due_date": today + timedelta(days=30)},
    ])
    actions.plan_drill(None, name="Cloud provider outage exercise", owner=org, planned_date=today + timedelta(days=45),
                       scenario=Scenario.objects.get(name="cloud-provider-outage", published=True))


def seed(context=None) -> None:
    """Add the resilience layer to the demo sector (idempotent: a seeded member is left alone)."""
    now = timezone.now()
    today = timezone.localdate()
    if not Scenario.objects.filter(published=True).exists():
        actions.publish_default_library()
    members = Organization.objects.filter(kind=OrganizationKind.MEMBER).order_by("slug")
    for index, org in enumerate(members):
        if BusinessImpactAnalysis.objects.filter(owner=org).exists() or Drill.objects.filter(owner=org).exists():
            continue
        _seed_bias(org, now)
        _seed_layers(org, today)
        _seed_evidence(org, today)
        if index == 0:
            _seed_drills(org, today)
