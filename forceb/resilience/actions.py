"""Every write of operational resilience, and the simulation run that UI, API and CLI share.

Each action owns its transaction; the audit trail is written by the core's signal handlers. Errors
are ``ValidationError`` keyed by the item they concern (``impacts[2] (at 240 min)``,
``scenarios[3] (telecom-outage)``), so a person can find what to fix; an import stores nothing
unless everything is valid. ``actor`` None is the platform operator at the command line.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from forceb.core import actions as core_actions
from forceb.core.choices import ADMIN_ROLES, OrganizationKind
from forceb.core.models import Notification, Organization
from forceb.inventory.models import BusinessService, Supplier, System

from . import loader, queries
from . import scenarios as library
from . import simulate as engine
from .choices import BIA_REVIEW_DAYS, ActionStatus, BiaStatus, DrillStatus
from .models import (
    BackupLayer,
    BusinessImpactAnalysis,
    Drill,
    DrillAction,
    DrillEvent,
    DrillMeasurement,
    ImpactAssessment,
    Scenario,
    SupplierRecoveryEvidence,
)

LEVEL_FIELDS = ("financial", "customers", "regulatory", "reputation")


def _require_writer(actor, owner_id: int, what: str) -> None:
    """Only a writing person of the owning organisation changes its resilience data."""
    if actor is None:
        return
    if not actor.can_write or actor.organization_id != owner_id:
        raise PermissionDenied(f"{what} is not your organisation's to change")


def _minutes(errors: dict, key: str, value: Any, *, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            errors.setdefault(key, []).append("required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        errors.setdefault(key, []).append(f"{value!r} is not a whole number of minutes")
        return None
    if value < 0:
        errors.setdefault(key, []).append(f"negative time {value}")
        return None
    return int(value)


# --------------------------------------------------------------------------- business impact analysis


def derive_tolerance(impacts: Iterable[Mapping[str, Any]], intolerable_level: int) -> int | None:
    """The impact tolerance: the first assessed time at which any impact reaches the intolerable level."""
    for row in sorted(impacts, key=lambda r: r["at_minutes"]):
        if max(row.get(f, 0) for f in LEVEL_FIELDS) >= intolerable_level:
            return row["at_minutes"]
    return None


def _clean_impacts(raw_impacts: Iterable[Mapping[str, Any]], errors: dict) -> list[dict]:
    impacts, seen = [], set()
    for i, raw in enumerate(raw_impacts):
        at = raw.get("at_minutes") if isinstance(raw, Mapping) else None
        key = f"impacts[{i}]" + (f" (at {at} min)" if at is not None else "")
        if not isinstance(raw, Mapping):
            errors.setdefault(key, []).append("must be an object")
            continue
        row = {"at_minutes": _minutes(errors, key, at, required=True)}
        if row["at_minutes"] is not None:
            if row["at_minutes"] in seen:
                errors.setdefault(key, []).append("this point in time is assessed twice")
            seen.add(row["at_minutes"])
        for name in LEVEL_FIELDS:
            level = raw.get(name, 0)
            if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 5:
                errors.setdefault(key, []).append(f"{name}: {level!r} is not a level from 0 to 5")
            row[name] = level
        for name in ("financial_amount", "customers_affected"):
            value = raw.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                errors.setdefault(key, []).append(f"{name}: {value!r} is not a positive amount")
            row[name] = value
        impacts.append(row)
    return impacts


@transaction.atomic
def record_bia(actor, service: BusinessService, *, impacts: Iterable[Mapping[str, Any]] = (),
               rto_minutes: int | None = None, rpo_minutes: int | None = None,
               impact_tolerance_minutes: int | None = None, intolerable_level: int = 4,
               notes: str = "") -> BusinessImpactAnalysis:
    """A new draft version of ``service``'s BIA; the tolerance is derived from the impacts unless stated."""
    _require_writer(actor, service.owner_id, f"service {service}")
    errors: dict[str, list[str]] = {}
    rows = _clean_impacts(impacts, errors)
    rto = _minutes(errors, "rto_minutes", rto_minutes)
    rpo = _minutes(errors, "rpo_minutes", rpo_minutes)
    tolerance = _minutes(errors, "impact_tolerance_minutes", impact_tolerance_minutes)
    if isinstance(intolerable_level, bool) or not isinstance(intolerable_level, int) \
            or not 1 <= intolerable_level <= 5:
        errors.setdefault("intolerable_level", []).append("a level from 1 to 5")
    if errors:
        raise ValidationError(errors)
    if tolerance is None:
        tolerance = derive_tolerance(rows, intolerable_level)
    if rto is not None and tolerance is not None and rto > tolerance:
        raise ValidationError({"rto_minutes": f"BIA of {service}: RTO {rto} min exceeds the impact tolerance "
                                              f"{tolerance} min"})
    latest = BusinessImpactAnalysis.objects.filter(service=service).aggregate(v=Max("version"))["v"] or 0
    bia = core_actions.save_object(BusinessImpactAnalysis(
        owner_id=service.owner_id, service=service, version=latest + 1, intolerable_level=intolerable_level,
        impact_tolerance_minutes=tolerance, rto_minutes=rto, rpo_minutes=rpo, notes=notes))
    for row in rows:
        core_actions.save_object(ImpactAssessment(bia=bia, **row))
    return bia


@transaction.atomic
def approve_bia(actor, bia: BusinessImpactAnalysis, *, at: datetime | None = None) -> BusinessImpactAnalysis:
    """Approve a BIA version; its tolerance, RTO and RPO become the service's (measure 28).

    ``at`` records an approval given earlier (a board decision taken on paper); default now."""
    _require_writer(actor, bia.owner_id, str(bia))
    if actor is not None and actor.role not in ADMIN_ROLES:
        raise PermissionDenied("a BIA is approved by an administrator of the organisation")
    if bia.status != BiaStatus.DRAFT:
        raise ValidationError(f"{bia} is {bia.get_status_display().lower()}, not a draft")
    BusinessImpactAnalysis.objects.filter(service=bia.service_id, status=BiaStatus.APPROVED).exclude(
        pk=bia.pk).update(status=BiaStatus.SUPERSEDED)
    bia.status = BiaStatus.APPROVED
    bia.approved_by = actor
    if at is not None and at > timezone.now():
        raise ValidationError({"approved_at": "an approval cannot be dated in the future"})
    bia.approved_at = at or timezone.now()
    core_actions.save_object(bia)
    service = bia.service
    service.impact_tolerance_minutes = bia.impact_tolerance_minutes
    service.rto_minutes = bia.rto_minutes
    service.rpo_minutes = bia.rpo_minutes
    core_actions.save_object(service)
    return bia


@transaction.atomic
def update_draft_bia(actor, bia: BusinessImpactAnalysis, **changes) -> BusinessImpactAnalysis:
    """Correct a draft's numbers or notes; an approved version is the record and stays as it is."""
    _require_writer(actor, bia.owner_id, str(bia))
    if bia.status != BiaStatus.DRAFT:
        raise ValidationError(f"{bia} is {bia.get_status_display().lower()}: record a new version instead")
    service = changes.pop("service", bia.service)
    if service.pk != bia.service_id:
        raise ValidationError({"service": f"{bia} stays with its service; record a BIA of the other service"})
    editable = {"intolerable_level", "impact_tolerance_minutes", "rto_minutes", "rpo_minutes", "notes"}
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError({name: "not editable" for name in sorted(unknown)})
    for name, value in changes.items():
        setattr(bia, name, value)
    return core_actions.save_object(bia)


@transaction.atomic
def delete_draft_bia(actor, bia: BusinessImpactAnalysis) -> None:
    """Discard a draft; approved and superseded versions stay as the record of what was decided."""
    _require_writer(actor, bia.owner_id, str(bia))
    if bia.status != BiaStatus.DRAFT:
        raise ValidationError(f"{bia} is {bia.get_status_display().lower()}: only drafts are deleted")
    core_actions.delete_object(bia)


# --------------------------------------------------------------------------- backup layers


def _supplier(value: Any) -> Supplier | None:
    """A registry supplier from its instance, primary key or ``<registry kind>:<registry id>``."""
    if value is None or value == "" or isinstance(value, Supplier):
        return value or None
    if isinstance(value, int):
        return Supplier.objects.filter(pk=value).first()
    kind, _, registry_id = str(value).partition(":")
    return Supplier.objects.filter(registry_kind=kind, registry_id=registry_id).first()


@transaction.atomic
def set_backup_layers(actor, system: System, layers: Iterable[Mapping[str, Any]]) -> list[BackupLayer]:
    """Replace ``system``'s backup layers by ``layers`` (all of them or, on an error, none)."""
    _require_writer(actor, system.owner_id, f"system {system}")
    BackupLayer.objects.filter(system=system).delete()
    saved, errors = [], {}
    for i, raw in enumerate(layers):
        key = f"layers[{i}]" + (f" ({raw.get('name')})" if raw.get("name") else "")
        layer_errors: dict[str, list[str]] = {}
        provider = _supplier(raw.get("provider"))
        if raw.get("provider") and provider is None:
            layer_errors.setdefault("provider", []).append(f"no supplier {raw.get('provider')!r} in the registry")
        shares = set(raw.get("shares") or ())
        unknown = shares - {"site", "provider", "region", "admin_domain"}
        if unknown:
            layer_errors.setdefault("shares", []).append(f"not failure domains: {', '.join(sorted(unknown))}")
        tested = raw.get("last_switchover_test")
        if isinstance(tested, str):
            tested = parse_date(tested)
        layer = BackupLayer(
            owner_id=system.owner_id, system=system, name=raw.get("name") or "", kind=raw.get("kind") or "",
            recovery_point_minutes=_minutes(layer_errors, "recovery_point_minutes", raw.get("recovery_point_minutes")),
            restore_minutes=_minutes(layer_errors, "restore_minutes", raw.get("restore_minutes")),
            immutable=bool(raw.get("immutable")), offline=bool(raw.get("offline")),
            site=raw.get("site") or "", provider=provider, region=raw.get("region") or "",
            admin_domain=raw.get("admin_domain") or "", last_switchover_test=tested,
            **{f"shares_{d}": d in shares for d in ("site", "provider", "region", "admin_domain")})
        if not layer_errors:
            try:
                layer.full_clean(validate_unique=False)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    layer_errors.setdefault(field, []).extend(messages)
        if any(other.name == layer.name for other in saved):
            layer_errors.setdefault("name", []).append("two layers of the system have this name")
        if layer_errors:
            errors[key] = [f"{field}: {m}" for field, messages in layer_errors.items() for m in messages]
            continue
        saved.append(layer)
    if errors:
        raise ValidationError(errors)
    for layer in saved:
        layer.save()
    return saved


# --------------------------------------------------------------------------- supplier recovery evidence


@transaction.atomic
def record_supplier_evidence(actor, owner: Organization | None, supplier: Supplier, *,
                             stated_recovery_minutes: int | None = None, tested_recovery_minutes: int | None = None,
                             recovery_point_minutes: int | None = None, evidence_date: date | None = None,
                             reference: str = "") -> SupplierRecoveryEvidence:
    """Record (or replace) what a member knows of a supplier's recovery capability (measure 29)."""
    owner = owner if actor is None else actor.organization
    _require_writer(actor, owner.pk, f"evidence of {supplier}")
    row = SupplierRecoveryEvidence.objects.filter(owner=owner, supplier=supplier).first() \
        or SupplierRecoveryEvidence(owner=owner, supplier=supplier)
    row.stated_recovery_minutes, row.tested_recovery_minutes = stated_recovery_minutes, tested_recovery_minutes
    row.recovery_point_minutes, row.evidence_date, row.reference = recovery_point_minutes, evidence_date, reference
    return core_actions.save_object(row)


# --------------------------------------------------------------------------- scenario library


def _kind_of(document: Mapping[str, Any]) -> str:
    types = {e["type"] for e in document["effects"]}
    return types.pop() if len(types) == 1 else "composite"


def _scenario_owner(actor) -> tuple[Organization, bool]:
    """Who owns an imported scenario, and whether it joins the published library: the hub's
    (and the operator's) scenarios are the sector's library, a member's are its own."""
    if actor is None:
        hub = core_actions.hub()
        if hub is None:
            raise ValidationError("no hub organisation exists to publish the library")
        return hub, True
    return actor.organization, actor.organization.kind == OrganizationKind.HUB


@transaction.atomic
def delete_scenario(actor, scenario: Scenario) -> None:
    _require_writer(actor, scenario.owner_id, f"scenario {scenario}")
    if scenario.drills.exists():
        raise ValidationError(f"scenario {scenario} is used by drills; it stays as their record")
    core_actions.delete_object(scenario)


def _dangling_suppliers(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Supplier ids an effect names that are not in the registry: (field path, id)."""
    names = []
    for j, eff in enumerate(document.get("effects", ())):
        for field in ("suppliers", "providers"):
            names += [(f"effects[{j}].{field}", v) for v in eff.get(field, ())]
        if "provider" in eff:
            names.append((f"effects[{j}].provider", eff["provider"]))
    names = [(path, v) for path, v in names if v not in (library.ALL, library.LARGEST)]
    keys = {v for _, v in names}
    known = {loader.supplier_key(k, i) for k, i in Supplier.objects.filter(
        registry_id__in=[v.partition(":")[2] for v in keys]).values_list("registry_kind", "registry_id")}
    return [(path, v) for path, v in names if v not in known]


def _services_by_key(actor) -> dict[str, BusinessService]:
    qs = BusinessService.objects.select_related("owner")
    if actor is not None:
        qs = qs.restrict(actor, "change")
    return {f"{s.owner.slug}/{s.name}": s for s in qs}


@dataclass
class ImportSummary:
    scenarios_created: int = 0
    scenarios_updated: int = 0
    bias_recorded: int = 0


@transaction.atomic
def import_scenarios(actor, payload: Any) -> ImportSummary:
    """Import a library document (``forceb resilience export``'s format): scenarios, and BIAs
    under ``bias``. Everything is checked first; any error stores nothing and names the item."""
    errors: dict[str, list[str]] = {}
    for finding in library.validate_library(payload):
        key = finding.item if finding.item in ("library",) else f"scenario {finding.item}"
        errors.setdefault(key, []).append(f"{finding.field + ': ' if finding.field else ''}{finding.message}")
    documents = payload.get("scenarios", []) if isinstance(payload, Mapping) else []
    if not errors:
        for document in documents:
            for path, value in _dangling_suppliers(document):
                errors.setdefault(f"scenario {document['name']}", []).append(
                    f"{path}: no supplier {value!r} in the registry")
    raw_bias = payload.get("bias", []) if isinstance(payload, Mapping) else []
    if not isinstance(raw_bias, list):
        errors.setdefault("bias", []).append("must be a list")
        raw_bias = []
    services = _services_by_key(actor) if raw_bias else {}
    planned_bias, seen_services = [], set()
    for i, raw in enumerate(raw_bias):
        name = raw.get("service") if isinstance(raw, Mapping) else None
        key = f"bias[{i}]" + (f" ({name})" if name else "")
        if not isinstance(raw, Mapping):
            errors.setdefault(key, []).append("must be an object")
            continue
        service = services.get(name)
        if service is None:
            errors.setdefault(key, []).append(f"no business service {name!r} you may change (member/name)")
        elif name in seen_services:
            errors.setdefault(key, []).append("a second BIA of the same service")
        seen_services.add(name)
        item_errors: dict[str, list[str]] = {}
        _clean_impacts(raw.get("impacts") or [], item_errors)
        for field in ("rto_minutes", "rpo_minutes", "impact_tolerance_minutes"):
            _minutes(item_errors, field, raw.get(field))
        if not item_errors and raw.get("rto_minutes") is not None:
            tolerance = raw.get("impact_tolerance_minutes")
            if tolerance is None:
                tolerance = derive_tolerance(raw.get("impacts") or [], raw.get("intolerable_level", 4))
            if tolerance is not None and raw["rto_minutes"] > tolerance:
                item_errors.setdefault("rto_minutes", []).append(
                    f"RTO {raw['rto_minutes']} min exceeds the impact tolerance {tolerance} min")
        for field, messages in item_errors.items():
            errors.setdefault(key, []).extend(f"{field}: {m}" for m in messages)
        planned_bias.append((service, raw))
    if errors:
        raise ValidationError(errors)

    summary = ImportSummary()
    owner, published = _scenario_owner(actor) if documents else (None, False)
    if actor is not None and documents and not actor.can_write:
        raise PermissionDenied("your role does not change the scenario library")
    for scenario in library.library_from_dict({"scenarios": documents}):
        document = scenario.to_dict()
        row = Scenario.objects.filter(owner=owner, name=scenario.name).first() or Scenario(owner=owner)
        created = row.pk is None
        row.name, row.title, row.kind = scenario.name, scenario.title, _kind_of(document)
        row.parameters, row.published = document, published
        row.duration_minutes = None if scenario.duration_minutes is None else int(scenario.duration_minutes)
        core_actions.save_object(row)
        if created:
            summary.scenarios_created += 1
        else:
            summary.scenarios_updated += 1
    for service, raw in planned_bias:
        record_bia(actor, service, impacts=raw.get("impacts") or [], rto_minutes=raw.get("rto_minutes"),
                   rpo_minutes=raw.get("rpo_minutes"), impact_tolerance_minutes=raw.get("impact_tolerance_minutes"),
                   intolerable_level=raw.get("intolerable_level", 4), notes=raw.get("notes", ""))
        summary.bias_recorded += 1
    return summary


def publish_default_library(actor=None) -> ImportSummary:
    """Load the engine's built-in severe-but-plausible library as the hub's published library."""
    return import_scenarios(actor, library.library_to_dict(library.default_library()))


# --------------------------------------------------------------------------- simulation


@dataclass
class Simulation:
    """A simulation run with the way back from engine ids to the database (for the UI)."""

    scenario: Scenario
    result: engine.SimulationResult
    loaded: loader.LoadedGraph


def simulation_scope(user, org_slug: str | None) -> Organization | None:
    """Whose graph a person may simulate: their own organisation only. The hub and the supervisor
    see the sector through aggregates (``queries.concentration``/``blast_radius``); the operator
    at the command line may simulate any member or, with no member named, the whole sector."""
    if user is None:
        if org_slug is None:
            return None
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None:
            raise ValidationError({"org": f"no organisation {org_slug!r}"})
        return org
    if org_slug is not None and org_slug != user.organization.slug:
        raise PermissionDenied("you may simulate only your own organisation")
    return user.organization


def simulate(user, scenario_name: str, org: str | None = None) -> Simulation:
    """Run a library scenario over the graph of ``org`` (see :func:`simulation_scope`)."""
    scope = simulation_scope(user, org)
    rows = {row.name: row for row in queries.library_for(user, scope)}
    if scenario_name not in rows:
        known = ", ".join(sorted(rows)) or "none; import one with 'forceb resilience import'"
        raise ValidationError({"scenario": f"no scenario {scenario_name!r} in the library (known: {known})"})
    row = rows[scenario_name]
    loaded = loader.load(None if scope is None else [scope])
    result = engine.simulate(loaded.graph, queries.engine_scenario(row), org=None if scope is None else scope.slug)
    return Simulation(row, result, loaded)


# --------------------------------------------------------------------------- drills


@transaction.atomic
def plan_drill(actor, *, name: str, scenario: Scenario, planned_date: date, owner: Organization | None = None,
               notes: str = "") -> Drill:
    owner = owner if actor is None else actor.organization
    _require_writer(actor, owner.pk, "this drill")
    return core_actions.save_object(Drill(owner=owner, name=name, scenario=scenario, planned_date=planned_date,
                                          notes=notes))


@transaction.atomic
def record_drill_event(actor, drill: Drill, *, kind: str, at: datetime, party: str, counterpart: str = "",
                       description: str = "") -> DrillEvent:
    """Add an entry to the drill's timeline; the first one starts the drill."""
    _require_writer(actor, drill.owner_id, f"drill {drill}")
    if drill.status in (DrillStatus.COMPLETED, DrillStatus.CANCELLED):
        raise ValidationError(f"drill {drill} is {drill.get_status_display().lower()}")
    event = core_actions.save_object(DrillEvent(drill=drill, kind=kind, at=at, party=party,
                                                counterpart=counterpart, description=description))
    if drill.status == DrillStatus.PLANNED or drill.started_at is None or at < drill.started_at:
        drill.status = DrillStatus.RUNNING
        drill.started_at = min(at, drill.started_at or at)
        core_actions.save_object(drill)
    return event


@transaction.atomic
def record_drill_result(actor, drill: Drill, *, measurements: Iterable[Mapping[str, Any]],
                        findings: Iterable[Mapping[str, Any]] = (), ended_at: datetime | None = None) -> Drill:
    """Close a drill: each service's measured recovery beside the simulation's forecast and the
    tolerance, and each finding as a tracked action."""
    _require_writer(actor, drill.owner_id, f"drill {drill}")
    if drill.status in (DrillStatus.COMPLETED, DrillStatus.CANCELLED):
        raise ValidationError(f"drill {drill} is already {drill.get_status_display().lower()}")
    services = {s.pk: s for s in BusinessService.objects.filter(owner_id=drill.owner_id)}
    by_name = {s.name: s for s in services.values()}
    errors: dict[str, list[str]] = {}
    rows = []
    for i, raw in enumerate(measurements):
        ref = raw.get("service")
        service = services.get(ref.pk if isinstance(ref, BusinessService) else ref) or by_name.get(ref)
        key = f"measurements[{i}]" + (f" ({service or ref})" if ref else "")
        if service is None:
            errors.setdefault(key, []).append(f"no business service {ref!r} of {drill.owner}")
        if service is not None and any(r[0] == service for r in rows):
            errors.setdefault(key, []).append("measured twice")
        recovery = _minutes(errors, key, raw.get("recovery_minutes"), required=True)
        lost = _minutes(errors, key, raw.get("data_lost_minutes"))
        rows.append((service, recovery, lost))
    actions = []
    for i, raw in enumerate(findings):
        key = f"findings[{i}]" + (f" ({raw.get('title')})" if raw.get("title") else "")
        if not raw.get("title") or not raw.get("assignee"):
            errors.setdefault(key, []).append("a finding needs a title and an assignee")
        due = raw.get("due_date")
        due = parse_date(due) if isinstance(due, str) else due
        actions.append(DrillAction(owner_id=drill.owner_id, drill=drill, title=raw.get("title") or "",
                                   assignee=raw.get("assignee") or "", due_date=due))
    if errors:
        raise ValidationError(errors)
    forecast = {}
    if rows:
        loaded = loader.load([drill.owner])
        result = engine.simulate(loaded.graph, queries.engine_scenario(drill.scenario), org=drill.owner.slug, explain=False)
        forecast = {loaded.service_pk[s.id]: s.time_to_recover_minutes for s in result.services}
    for service, recovery, lost in rows:
        DrillMeasurement.objects.update_or_create(
            drill=drill, service=service,
            defaults={"recovery_minutes": recovery, "data_lost_minutes": lost,
                      "simulated_minutes": forecast.get(service.pk),
                      "impact_tolerance_minutes": service.impact_tolerance_minutes})
    for action in actions:
        core_actions.save_object(action)
    drill.status = DrillStatus.COMPLETED
    drill.ended_at = ended_at or timezone.now()
    drill.started_at = drill.started_at or drill.ended_at
    core_actions.save_object(drill)
    return drill


@transaction.atomic
def update_drill_action(actor, action: DrillAction, *, status: str | None = None, assignee: str | None = None,
                        due_date: date | None = None) -> DrillAction:
    """Track a remediation action: progress, reassignment, new due date; closing stamps the time."""
    _require_writer(actor, action.owner_id, f"action {action}")
    if status is not None:
        if status not in ActionStatus.values:
            raise ValidationError({"status": f"{status!r} is not one of {', '.join(ActionStatus.values)}"})
        closing = status in (ActionStatus.DONE, ActionStatus.CANCELLED)
        action.closed_at = (action.closed_at or timezone.now()) if closing else None
        action.status = status
    if assignee is not None:
        action.assignee = assignee
    if due_date is not None:
        action.due_date = due_date
    return core_actions.save_object(action)



# --------------------------------------------------------------------------- yearly review


def _review_reasons(bia: BusinessImpactAnalysis, cutoff: datetime) -> list[str]:
    reasons = []
    if bia.status == BiaStatus.APPROVED and bia.approved_at is not None and bia.approved_at < cutoff:
        reasons.append(f"approved {bia.approved_at:%Y-%m-%d}, more than a year ago")
    if bia.status == BiaStatus.DRAFT and bia.created < cutoff:
        reasons.append(f"draft since {bia.created:%Y-%m-%d}, never approved")
    if bia.rto_minutes is not None and bia.impact_tolerance_minutes is not None \
            and bia.rto_minutes > bia.impact_tolerance_minutes:
        reasons.append(f"RTO {bia.rto_minutes} min exceeds the impact tolerance {bia.impact_tolerance_minutes} min")
    return reasons


@transaction.atomic
def review_bias(*, now: datetime | None = None) -> int:
    """The yearly review (measure 28): tell each member which current BIAs are older than a year or
    set an RTO beyond the tolerance. One notification per BIA version, so running it daily repeats
    nothing: a version stays flagged until a new version is recorded or approved. Returns how many
    notifications were sent."""
    cutoff = (now or timezone.now()) - timedelta(days=BIA_REVIEW_DAYS)
    sent = 0
    current = BusinessImpactAnalysis.objects.exclude(status=BiaStatus.SUPERSEDED).select_related("owner", "service")
    for bia in current.order_by("owner_id", "service__name", "version"):
        reasons = _review_reasons(bia, cutoff)
        if not reasons:
            continue
        title = f"BIA review due: {bia.service.name} v{bia.version}"
        link = reverse("web:resilience-bia", kwargs={"pk": bia.pk})
        if Notification.objects.filter(organization_id=bia.owner_id, link=link, title=title).exists():
            continue
        core_actions.notify(bia.owner, title, body="; ".join(reasons) + ".", link=link)
        sent += 1
    return sent
