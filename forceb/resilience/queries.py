"""Reads of operational resilience, narrowed by the tenancy chokepoint.

The sector views (concentration, blast radius, sector MTTR) read every member's graph but give out
aggregates only: counts per supplier, never a member's services, systems or names, so that a
member's details stay its own (architecture: the supervisor sees aggregates).
"""

from collections import defaultdict
from datetime import timedelta
from statistics import mean
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from forceb.core.choices import Role
from forceb.core.models import Organization

from . import loader
from . import scenarios as library
from . import simulate as engine
from .choices import BIA_REVIEW_DAYS, CHAIN_ORDER, BiaStatus, DrillEventKind
from .models import (
    BackupLayer,
    BusinessImpactAnalysis,
    Drill,
    DrillAction,
    DrillMeasurement,
    Scenario,
    SupplierRecoveryEvidence,
)

#: Who sees the sector's aggregates: the hub and the supervisor.
SECTOR_ROLES = (Role.HUB_ANALYST, Role.PLATFORM_ADMIN, Role.SUPERVISOR)


def bias(user):
    return (BusinessImpactAnalysis.objects.restrict(user)
            .select_related("owner", "service", "approved_by").prefetch_related("impacts"))


def bias_due_for_review(user):
    """Approved BIAs whose approval is more than a year old."""
    cutoff = timezone.now() - timedelta(days=BIA_REVIEW_DAYS)
    return bias(user).filter(status=BiaStatus.APPROVED, approved_at__lt=cutoff)


def backup_layers(user):
    return BackupLayer.objects.restrict(user).select_related("owner", "system", "provider")


def supplier_evidence(user):
    return SupplierRecoveryEvidence.objects.restrict(user).select_related("owner", "supplier")


def scenarios(user):
    """The scenario rows a person sees: the hub's published library and their organisation's."""
    return Scenario.objects.library(user).select_related("owner")


def drills(user):
    return (Drill.objects.restrict(user).select_related("owner", "scenario")
            .prefetch_related("events", Prefetch("measurements",
                                                 DrillMeasurement.objects.select_related("service")), "actions"))


def drill_actions(user):
    return DrillAction.objects.restrict(user).select_related("owner", "drill")


def library_for(user, org: Organization | None = None) -> list[Scenario]:
    """The scenarios one may simulate, one per name: the organisation's own over the hub's."""
    if user is not None:
        rows = Scenario.objects.library(user)
        own_id = user.organization_id
    else:
        own_id = org.pk if org is not None else None
        rows = Scenario.objects.filter(Q(published=True) | Q(owner_id=own_id))
    chosen: dict[str, Scenario] = {}
    for row in rows.order_by("name", "pk"):
        if row.name not in chosen or row.owner_id == own_id:
            chosen[row.name] = row
    return list(chosen.values())


def engine_scenario(row: Scenario) -> library.Scenario:
    return library.library_from_dict({"scenarios": [row.parameters]})[0]


def heatmap(user) -> dict[str, Any]:
    """Every scenario of the person's library over their organisation's services: per cell the time
    to recover and whether anything is breached (``null`` minutes: no recovery)."""
    rows = library_for(user)
    if user.organization is None or not rows:
        return {"scenarios": [], "services": [], "cells": []}
    loaded = loader.load([user.organization])
    compiled = engine.compile_graph(loaded.graph)
    services = list(loaded.graph.services)
    cells = []
    for row in rows:
        result = engine.simulate(compiled, engine_scenario(row), org=user.organization.slug, explain=False)
        outcome = {o.id: o for o in result.services}
        cells.append([{"minutes": outcome[s.id].time_to_recover_minutes if outcome[s.id].affected else 0,
                       "data_lost_minutes": outcome[s.id].data_lost_minutes if outcome[s.id].affected else 0,
                       "breached": outcome[s.id].breached,
                       "breached_tolerance": bool(outcome[s.id].breached_tolerance)} for s in services])
    return {
        "scenarios": [{"name": r.name, "title": r.title or r.name} for r in rows],
        "services": [{"id": loaded.service_pk[s.id], "name": s.name, "criticality": s.criticality,
                      "impact_tolerance_minutes": s.impact_tolerance_minutes} for s in services],
        "cells": cells,
    }


def export_library(user, org=None) -> dict[str, Any]:
    """The scenario library and the current BIAs as one document (``import_scenarios`` reads it back).

    A person exports their library and their organisation's BIAs; the operator (``user`` None)
    the hub's library and every member's BIAs, or one member's view with ``org``.
    """
    document = library.library_to_dict(engine_scenario(row) for row in library_for(user, org))
    rows = BusinessImpactAnalysis.objects.select_related("owner", "service").prefetch_related("impacts")
    if user is not None:
        rows = rows.restrict(user).filter(owner_id=user.organization_id)
    elif org is not None:
        rows = rows.filter(owner=org)
    current: dict[int, BusinessImpactAnalysis] = {}
    for bia in rows.exclude(status=BiaStatus.SUPERSEDED).order_by("service_id", "version"):
        # The approved version, unless a newer draft is on its way to replace it.
        current[bia.service_id] = bia
    document["bias"] = [_bia_document(b) for b in sorted(current.values(), key=lambda b: (b.owner.slug,
                                                                                          b.service.name))]
    return document


def _bia_document(bia: BusinessImpactAnalysis) -> dict[str, Any]:
    return {
        "service": f"{bia.owner.slug}/{bia.service.name}",
        "version": bia.version,
        "status": bia.status,
        "approved_at": bia.approved_at.isoformat() if bia.approved_at else None,
        "intolerable_level": bia.intolerable_level,
        "impact_tolerance_minutes": bia.impact_tolerance_minutes,
        "rto_minutes": bia.rto_minutes,
        "rpo_minutes": bia.rpo_minutes,
        "notes": bia.notes,
        "impacts": [{"at_minutes": i.at_minutes, "financial": i.financial, "customers": i.customers,
                     "regulatory": i.regulatory, "reputation": i.reputation,
                     "financial_amount": float(i.financial_amount) if i.financial_amount is not None else None,
                     "customers_affected": i.customers_affected} for i in bia.impacts.all()],
    }


# --------------------------------------------------------------------------- sector aggregates


def may_see_sector(user) -> bool:
    return user is not None and user.is_authenticated and user.role in SECTOR_ROLES


def concentration(user, limit: int | None = None) -> list[dict[str, Any]]:
    """Per registry supplier, how many members, services and critical services depend on it,
    directly and through fourth parties, ranked (sector roles only; counts only)."""
    if not may_see_sector(user):
        return []
    loaded = loader.load()
    rows = [r.to_dict() for r in engine.concentration(loaded.graph)]
    rows = [r for r in rows if r["services_total"]]
    return rows[:limit] if limit else rows


def blast_radius(user, *, limit: int = 25, duration_minutes: float | None = None) -> list[dict[str, Any]]:
    """For the most concentrated suppliers, what their failure does to the sector: members and
    critical services breaching tolerance, ranked. Members are counted, not named."""
    if not may_see_sector(user):
        return []
    loaded = loader.load()
    compiled = engine.compile_graph(loaded.graph)
    top = [r.supplier for r in engine.concentration(compiled) if r.services_total][:limit]
    rows = []
    for row in engine.blast_radius(compiled, suppliers=top, duration_minutes=duration_minutes):
        data = row.to_dict()
        del data["members"]
        rows.append(data)
    return rows


# --------------------------------------------------------------------------- drills


def _quarter(moment) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def mttr_per_quarter(user) -> list[dict[str, Any]]:
    """Mean time to recover per quarter, from drill measurements: the person's organisation's, or
    for the hub and the supervisor the sector's (aggregates only)."""
    if may_see_sector(user):
        measurements = DrillMeasurement.objects.all()
    else:
        measurements = DrillMeasurement.objects.filter(drill__in=Drill.objects.restrict(user).values("pk"))
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in measurements.values("drill_id", "drill__ended_at", "drill__planned_date", "recovery_minutes",
                                   "impact_tolerance_minutes"):
        moment = row["drill__ended_at"] or row["drill__planned_date"]
        groups[_quarter(moment)].append(row)
    out = []
    for quarter in sorted(groups):
        rows = groups[quarter]
        known = [r for r in rows if r["impact_tolerance_minutes"] is not None]
        out.append({
            "quarter": quarter,
            "drills": len({r["drill_id"] for r in rows}),
            "measurements": len(rows),
            "mean_recovery_minutes": round(mean(r["recovery_minutes"] for r in rows), 1),
            "max_recovery_minutes": max(r["recovery_minutes"] for r in rows),
            "within_tolerance": sum(1 for r in known if r["recovery_minutes"] <= r["impact_tolerance_minutes"]),
            "breached_tolerance": sum(1 for r in known if r["recovery_minutes"] > r["impact_tolerance_minutes"]),
        })
    return out


def notification_chain(drill: Drill) -> list[dict[str, Any]]:
    """How the notification travelled along member -> group CSIRT -> industry association -> hub:
    per hop, when it was first sent and first received, and the minutes it took."""
    events = sorted(drill.events.all(), key=lambda e: e.at)
    start = drill.started_at or (events[0].at if events else None)
    hops = []
    for sender, receiver in zip(CHAIN_ORDER, CHAIN_ORDER[1:], strict=False):
        sent = next((e.at for e in events if e.kind == DrillEventKind.NOTIFICATION_SENT
                     and e.party == sender and e.counterpart == receiver), None)
        received = next((e.at for e in events if e.kind == DrillEventKind.NOTIFICATION_RECEIVED
                         and e.party == receiver and e.counterpart == sender), None)
        hops.append({
            "from": sender.value, "to": receiver.value, "sent_at": sent, "received_at": received,
            "minutes": round((received - sent).total_seconds() / 60, 1) if sent and received else None,
            "minutes_from_start": round((received - start).total_seconds() / 60, 1) if received and start else None,
            "complete": received is not None,
        })
    return hops
