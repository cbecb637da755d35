"""Plain-data model of a member's (or the whole sector's) ICT ecosystem.

This module is the input side of the resilience engine (``simulate.py``): frozen
dataclasses, free of Django and of the ORM, that the inventory layer builds from its
models (or that :func:`load_graph` reads from JSON-like dicts), plus :func:`validate`,
which reports every problem as a :class:`Finding` naming the item and the field.

The graph has five kinds of items:

* :class:`BusinessService` -- what a member delivers to its customers; carries the
  business-impact-analysis numbers (impact tolerance, RTO, RPO; any may be unknown).
* :class:`System` -- an ICT system of a member, with the failure domains it lives in
  (site, cloud provider and region, administrative domain / credentials).
* :class:`Supplier` -- a third party, identified sector-wide (the same core-banking
  vendor has the same id in every member's graph), with its own stated recovery time.
* :class:`Dependency` -- "source needs target": service -> system, service -> service,
  service -> supplier, system -> system, system -> supplier, supplier -> supplier
  (fourth parties); optionally with documented alternatives and a switchover time.
* :class:`BackupLayer` -- a way to bring a system back: local, remote DR site, third
  site or cloud, with its recovery point, measured restore time, immutability, whether it
  is offline, and the failure domains it shares with production.

Ids of services, systems and suppliers share one namespace (a dependency names its ends
by id alone); backup layers have their own.  All times are in minutes.  Failure-domain
names (sites, regions, admin domains) are compared as plain strings across the whole
graph, so a colocation site shared by several members is one string; give private domains
org-qualified names (``"bank-a/corp-ad"``) when several members' graphs are merged.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CRITICALITIES = ("critical", "high", "medium", "low")
HOSTINGS = ("on-premises", "cloud", "hybrid")
LAYER_KINDS = ("local", "remote", "third-site", "cloud")
FAILURE_DOMAINS = ("site", "provider", "region", "admin_domain")
SUPPLIER_KINDS = (
    "cloud-provider",
    "core-banking",
    "telecom",
    "payment-processor",
    "api-partner",
    "software",
    "managed-service",
    "data-centre",
    "other",
)
SEVERITIES = ("error", "warning", "info")
#: A switchover test older than this is reported as stale.
STALE_TEST_DAYS = 365

#: Which kinds of item may depend on which (source kind -> allowed target kinds).
ALLOWED_DEPENDENCIES = {
    "service": ("service", "system", "supplier"),
    "system": ("system", "supplier"),
    "supplier": ("supplier",),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in the input or in a simulation, naming the item (and field) concerned.

    ``severity`` is ``error`` (the item is wrong and is left out of a simulation; imports
    refuse it), ``warning`` (missing or doubtful data the simulation works around) or
    ``info``.  ``org`` is the owning member, or None for sector-wide items (suppliers).
    """

    severity: str
    code: str
    item: str
    message: str
    field: str | None = None
    org: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "item": self.item,
            "field": self.field,
            "org": self.org,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"{self.item}.{self.field}" if self.field else self.item
        return f"{self.severity}: {where}: {self.message}"


class GraphValidationError(ValueError):
    """Raised by :func:`load_graph` when the input has errors; nothing is returned then."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        errors = [f for f in findings if f.severity == "error"]
        shown = "\n".join(f"  {f}" for f in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} error(s) in the ecosystem graph:\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class BusinessService:
    """A business service of one member with its impact tolerance, RTO and RPO (minutes)."""

    id: str
    org: str
    name: str = ""
    criticality: str | None = None
    impact_tolerance_minutes: float | None = None
    rto_minutes: float | None = None
    rpo_minutes: float | None = None


@dataclass(frozen=True, slots=True)
class System:
    """An ICT system of one member and the failure domains its production runs in.

    ``provider`` is the id of the :class:`Supplier` hosting it (cloud or hybrid systems).
    """

    id: str
    org: str
    name: str = ""
    hosting: str | None = None
    provider: str | None = None
    region: str | None = None
    site: str | None = None
    admin_domain: str | None = None


@dataclass(frozen=True, slots=True)
class Supplier:
    """A third party, identified sector-wide, with its own stated recovery capability.

    ``provider``/``region`` say where the supplier itself is hosted (a SaaS on a cloud
    provider), which makes that provider one of its fourth parties.
    """

    id: str
    name: str = ""
    kind: str = "other"
    recovery_time_minutes: float | None = None
    recovery_point_minutes: float | None = None
    provider: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Dependency:
    """``source`` needs ``target`` to work.

    ``alternatives`` are ids of documented substitutes for ``target`` (another telecom, a
    second payment processor); ``workaround`` says a documented alternative exists that is
    not an item of the graph (a manual procedure).  ``switchover_minutes`` is the time to
    switch to any of them; without it the alternatives are not counted.
    """

    source: str
    target: str
    alternatives: tuple[str, ...] = ()
    workaround: bool = False
    switchover_minutes: float | None = None

    @property
    def label(self) -> str:
        return f"{self.source}->{self.target}"


@dataclass(frozen=True, slots=True)
class BackupLayer:
    """One backup or recovery layer of a system.

    ``recovery_point_minutes`` is the data lost when restoring from it (backup interval or
    replication lag); ``restore_minutes`` the restore (or failover) time measured in tests.
    ``shares`` lists the failure domains (see :data:`FAILURE_DOMAINS`) the layer shares
    with the system's production; for a domain not shared, the layer's own ``site``,
    ``provider``, ``region`` or ``admin_domain`` says where it is (None: in no domain a
    scenario can name).
    """

    id: str
    system: str
    kind: str
    recovery_point_minutes: float | None = None
    restore_minutes: float | None = None
    immutable: bool = False
    offline: bool = False
    shares: frozenset[str] = frozenset()
    site: str | None = None
    provider: str | None = None
    region: str | None = None
    admin_domain: str | None = None
    last_switchover_test: dt.date | None = None

    def shares_domain(self, domain: str) -> bool:
        """Whether the layer is in production's ``domain``: declared in ``shares``, or
        assumed when nothing says otherwise (no admin domain named: the same credentials;
        a local layer with no site named: the same site)."""
        if domain in self.shares:
            return True
        if domain == "admin_domain":
            return self.admin_domain is None
        if domain == "site":
            return self.kind == "local" and self.site is None
        return False

    def effective(self, domain: str, system: System | None) -> str | None:
        """The layer's location in ``domain``: production's when shared, else its own."""
        if self.shares_domain(domain):
            return getattr(system, domain) if system is not None else None
        return getattr(self, domain)


@dataclass(frozen=True, slots=True)
class Graph:
    """A member's ecosystem, or several members' merged into the sector's."""

    services: tuple[BusinessService, ...] = ()
    systems: tuple[System, ...] = ()
    suppliers: tuple[Supplier, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    backup_layers: tuple[BackupLayer, ...] = ()

    @property
    def orgs(self) -> list[str]:
        seen: dict[str, None] = {}
        for item in (*self.services, *self.systems):
            seen.setdefault(item.org, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form read back by :func:`load_graph` (unset fields left out)."""
        return {
            "services": [_item_to_dict(s) for s in self.services],
            "systems": [_item_to_dict(s) for s in self.systems],
            "suppliers": [_item_to_dict(s) for s in self.suppliers],
            "dependencies": [_item_to_dict(d) for d in self.dependencies],
            "backup_layers": [_item_to_dict(b) for b in self.backup_layers],
        }


def merge_graphs(*graphs: Graph) -> Graph:
    """Merge members' graphs into one sector graph.

    Suppliers are sector-wide: identical supplier records appear once; two different
    records with the same id are both kept so that :func:`validate` reports the clash.
    """
    suppliers: dict[str, list[Supplier]] = {}
    for g in graphs:
        for s in g.suppliers:
            same = suppliers.setdefault(s.id, [])
            if s not in same:
                same.append(s)
    return Graph(
        services=tuple(s for g in graphs for s in g.services),
        systems=tuple(s for g in graphs for s in g.systems),
        suppliers=tuple(s for group in suppliers.values() for s in group),
        dependencies=tuple(d for g in graphs for d in g.dependencies),
        backup_layers=tuple(b for g in graphs for b in g.backup_layers),
    )


# --------------------------------------------------------------------------- parsing

_TIME_FIELDS = {
    "services": ("impact_tolerance_minutes", "rto_minutes", "rpo_minutes"),
    "systems": (),
    "suppliers": ("recovery_time_minutes", "recovery_point_minutes"),
    "dependencies": ("switchover_minutes",),
    "backup_layers": ("recovery_point_minutes", "restore_minutes"),
}
_STR_FIELDS = {
    "services": ("org", "name", "criticality"),
    "systems": ("org", "name", "hosting", "provider", "region", "site", "admin_domain"),
    "suppliers": ("name", "kind", "provider", "region"),
    "dependencies": (),
    "backup_layers": ("kind", "site", "provider", "region", "admin_domain"),
}
_BOOL_FIELDS = {"dependencies": ("workaround",), "backup_layers": ("immutable", "offline")}
_REQUIRED = {
    "services": ("id", "org"),
    "systems": ("id", "org"),
    "suppliers": ("id",),
    "dependencies": ("source", "target"),
    "backup_layers": ("id", "system", "kind"),
}
_CLASSES: dict[str, type] = {
    "services": BusinessService,
    "systems": System,
    "suppliers": Supplier,
    "dependencies": Dependency,
    "backup_layers": BackupLayer,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _item_to_dict(item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in item.__dataclass_fields__:
        value = getattr(item, name)
        default = item.__dataclass_fields__[name].default
        if value is None or (value == default and name not in ("id", "org", "kind")):
            continue
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[name] = value
    return out


def _label(section: str, index: int, raw: Mapping[str, Any]) -> str:
    if section == "dependencies":
        src, tgt = raw.get("source"), raw.get("target")
        if isinstance(src, str) and isinstance(tgt, str):
            return f"{src}->{tgt}"
    elif isinstance(raw.get("id"), str) and raw.get("id"):
        return raw["id"]
    return f"{section}[{index}]"


def parse_graph(data: Any) -> tuple[Graph, list[Finding]]:
    """Read the dict form (see :meth:`Graph.to_dict`) leniently.

    Returns the graph of every item that could be built and a finding for each field of
    the wrong type (set to None) and each item that could not be built (left out).
    Semantic checks are :func:`validate`'s job.
    """
    findings: list[Finding] = []
    if not isinstance(data, Mapping):
        return Graph(), [Finding("error", "invalid-type", "graph", "the graph must be an object")]
    unknown = set(data) - set(_CLASSES)
    for key in sorted(unknown, key=str):
        findings.append(Finding("error", "unknown-field", "graph", f"unknown section {key!r}", str(key)))
    built: dict[str, list[Any]] = {}
    for section, cls in _CLASSES.items():
        raw_items = data.get(section, [])
        built[section] = []
        if not isinstance(raw_items, list):
            findings.append(Finding("error", "invalid-type", section, "must be a list"))
            continue
        for index, raw in enumerate(raw_items):
            item = _parse_item(section, cls, index, raw, findings)
            if item is not None:
                built[section].append(item)
    graph = Graph(**{k: tuple(v) for k, v in built.items()})
    return graph, findings


def _parse_item(section: str, cls: type, index: int, raw: Any, findings: list[Finding]) -> Any:
    if not isinstance(raw, Mapping):
        findings.append(Finding("error", "invalid-type", f"{section}[{index}]", "must be an object"))
        return None
    label = _label(section, index, raw)
    org = raw.get("org") if isinstance(raw.get("org"), str) else None
    fields = cls.__dataclass_fields__
    kwargs: dict[str, Any] = {}
    ok = True
    for key in raw:
        if key not in fields:
            findings.append(Finding("error", "unknown-field", label, f"unknown field {key!r}", str(key), org))
    for name in _REQUIRED[section]:
        value = raw.get(name)
        if not isinstance(value, str) or not value:
            findings.append(Finding("error", "missing-field", label, "required, a non-empty string", name, org))
            ok = False
        else:
            kwargs[name] = value
    for name in _STR_FIELDS[section]:
        if name in kwargs or name not in raw or raw[name] is None:
            continue
        if isinstance(raw[name], str):
            kwargs[name] = raw[name]
        else:
            findings.append(Finding("error", "invalid-type", label, "must be a string", name, org))
    for name in _TIME_FIELDS[section]:
        value = raw.get(name)
        if value is None:
            continue
        if _is_number(value) and math.isfinite(value):
            kwargs[name] = value
        else:
            findings.append(Finding("error", "invalid-type", label, "must be a finite number of minutes", name, org))
    for name in _BOOL_FIELDS.get(section, ()):
        value = raw.get(name)
        if value is None:
            continue
        if isinstance(value, bool):
            kwargs[name] = value
        else:
            findings.append(Finding("error", "invalid-type", label, "must be true or false", name, org))
    if section == "dependencies" and raw.get("alternatives") is not None:
        alts = raw["alternatives"]
        if isinstance(alts, list) and all(isinstance(a, str) and a for a in alts):
            kwargs["alternatives"] = tuple(alts)
        else:
            findings.append(Finding("error", "invalid-type", label, "must be a list of ids", "alternatives"))
    if section == "backup_layers":
        shares = raw.get("shares")
        if shares is not None:
            if isinstance(shares, list) and all(isinstance(s, str) for s in shares):
                kwargs["shares"] = frozenset(shares)
            else:
                findings.append(Finding("error", "invalid-type", label, "must be a list of failure domains", "shares"))
        tested = raw.get("last_switchover_test")
        if tested is not None:
            try:
                kwargs["last_switchover_test"] = dt.date.fromisoformat(tested)
            except (TypeError, ValueError):
                findings.append(
                    Finding("error", "invalid-type", label, "must be a date YYYY-MM-DD", "last_switchover_test")
                )
    return cls(**kwargs) if ok else None


def load_graph(data: Any, *, today: dt.date | None = None) -> Graph:
    """Parse and validate; raise :class:`GraphValidationError` if anything is an error.

    All-or-nothing: either every item is well-formed and consistent and the graph is
    returned, or nothing is and the exception lists every error (warnings do not block).
    """
    graph, findings = parse_graph(data)
    findings += validate(graph, today=today)
    if any(f.severity == "error" for f in findings):
        raise GraphValidationError(findings)
    return graph


# --------------------------------------------------------------------------- validation


def _check_time(
    findings: list[Finding], label: str, name: str, value: Any, org: str | None, *, what: str = ""
) -> bool:
    """Report a wrong or negative time; return True when the value is usable (or None)."""
    if value is None:
        return True
    if not _is_number(value) or not math.isfinite(value):
        findings.append(Finding("error", "invalid-type", label, "must be a finite number of minutes", name, org))
        return False
    if value < 0:
        findings.append(Finding("error", "negative-time", label, f"negative time {value}", name, org))
        return False
    return True


def _check_enum(
    findings: list[Finding], label: str, name: str, value: Any, allowed: Iterable[str], org: str | None
) -> None:
    if value is not None and value not in allowed:
        findings.append(
            Finding("error", "invalid-value", label, f"{value!r} is not one of {', '.join(allowed)}", name, org)
        )


def validate(graph: Graph, *, today: dt.date | None = None) -> list[Finding]:
    """Every problem of ``graph`` as findings; never raises.

    Errors: duplicate ids, dangling references, dependencies in a direction the model does
    not allow (or across members), negative times, inconsistent values (RTO above the impact
    tolerance, a layer said to share a domain production is not in, a test dated in the
    future...).  Warnings: missing data the simulation has to work around ("service X has no
    RTO").  Info: things worth knowing (a system without any backup layer).
    """
    today = today or dt.date.today()
    findings: list[Finding] = []
    kinds: dict[str, str] = {}
    items: dict[str, Any] = {}

    def register(kind: str, item: Any, org: str | None) -> None:
        if not isinstance(item.id, str) or not item.id:
            findings.append(Finding("error", "invalid-id", f"{kind}:{item.id!r}", "id must be a non-empty string"))
            return
        if item.id in kinds:
            findings.append(
                Finding("error", "duplicate-id", item.id, f"duplicate id, already used by a {kinds[item.id]}", "id", org)
            )
            return
        kinds[item.id] = kind
        items[item.id] = item

    for s in graph.services:
        register("service", s, s.org)
    for s in graph.systems:
        register("system", s, s.org)
    for s in graph.suppliers:
        register("supplier", s, None)

    def ref(label: str, name: str, target: Any, want: tuple[str, ...], org: str | None) -> bool:
        if target is None:
            return True
        if target not in kinds:
            findings.append(Finding("error", "dangling-reference", label, f"refers to unknown id {target!r}", name, org))
            return False
        if kinds[target] not in want:
            findings.append(
                Finding(
                    "error", "dangling-reference", label,
                    f"refers to {target!r}, a {kinds[target]}, not a {' or '.join(want)}", name, org,
                )
            )
            return False
        return True

    for s in graph.services:
        org = s.org
        if not isinstance(org, str) or not org:
            findings.append(Finding("error", "missing-field", s.id, "org is required", "org"))
        _check_enum(findings, s.id, "criticality", s.criticality, CRITICALITIES, org)
        if s.criticality is None:
            findings.append(Finding("warning", "missing-data", s.id, f"service {s.id} has no criticality", "criticality", org))
        usable = {}
        for name, what in (
            ("impact_tolerance_minutes", "impact tolerance"),
            ("rto_minutes", "RTO"),
            ("rpo_minutes", "RPO"),
        ):
            value = getattr(s, name)
            if value is None:
                findings.append(Finding("warning", "missing-data", s.id, f"service {s.id} has no {what}", name, org))
            elif _check_time(findings, s.id, name, value, org):
                usable[name] = value
        tol, rto = usable.get("impact_tolerance_minutes"), usable.get("rto_minutes")
        if tol is not None and rto is not None and rto > tol:
            findings.append(
                Finding(
                    "error", "inconsistent-time", s.id,
                    f"RTO {rto} min exceeds the impact tolerance {tol} min (RTO must be <= tolerance)", "rto_minutes", org,
                )
            )

    for s in graph.systems:
        org = s.org
        if not isinstance(org, str) or not org:
            findings.append(Finding("error", "missing-field", s.id, "org is required", "org"))
        _check_enum(findings, s.id, "hosting", s.hosting, HOSTINGS, org)
        ref(s.id, "provider", s.provider, ("supplier",), org)
        if s.hosting == "on-premises" and s.provider is not None:
            findings.append(
                Finding("error", "inconsistent-value", s.id, "an on-premises system has no cloud provider", "provider", org)
            )
        if s.hosting in ("cloud", "hybrid") and s.provider is None:
            findings.append(
                Finding("warning", "missing-data", s.id, f"{s.hosting} system {s.id} has no provider", "provider", org)
            )
        if s.region is not None and s.provider is None:
            findings.append(Finding("error", "inconsistent-value", s.id, "a region needs a provider", "region", org))
        if s.admin_domain is None:
            findings.append(
                Finding(
                    "warning", "missing-data", s.id,
                    f"system {s.id} has no admin domain: ransomware scenarios cannot reach it", "admin_domain", org,
                )
            )
        if s.site is None and s.hosting in (None, "on-premises", "hybrid"):
            findings.append(Finding("warning", "missing-data", s.id, f"system {s.id} has no site", "site", org))
        if s.hosting is None:
            findings.append(Finding("warning", "missing-data", s.id, f"system {s.id} has no hosting", "hosting", org))

    for s in graph.suppliers:
        if s.kind not in SUPPLIER_KINDS:
            findings.append(
                Finding("warning", "invalid-value", s.id, f"unknown supplier kind {s.kind!r}, treated as 'other'", "kind")
            )
        ref(s.id, "provider", s.provider, ("supplier",), None)
        if s.provider == s.id:
            findings.append(Finding("error", "invalid-dependency", s.id, "a supplier cannot host itself", "provider"))
        if s.region is not None and s.provider is None:
            findings.append(Finding("error", "inconsistent-value", s.id, "a region needs a provider", "region"))
        for name in ("recovery_time_minutes", "recovery_point_minutes"):
            _check_time(findings, s.id, name, getattr(s, name), None)
        if s.recovery_time_minutes is None:
            findings.append(
                Finding(
                    "warning", "missing-data", s.id,
                    f"supplier {s.id} has no stated recovery time", "recovery_time_minutes",
                )
            )

    def org_of(node_id: str) -> str | None:
        item = items.get(node_id)
        return getattr(item, "org", None) if item is not None else None

    seen_edges: set[tuple[str, str]] = set()
    for d in graph.dependencies:
        label = d.label
        org = org_of(d.source) if isinstance(d.source, str) else None
        ends_ok = True
        for name in ("source", "target"):
            value = getattr(d, name)
            if value not in kinds:
                findings.append(Finding("error", "dangling-reference", label, f"refers to unknown id {value!r}", name, org))
                ends_ok = False
        if ends_ok:
            if d.source == d.target:
                findings.append(Finding("error", "invalid-dependency", label, "an item cannot depend on itself", "target", org))
            src_kind, tgt_kind = kinds[d.source], kinds[d.target]
            if tgt_kind not in ALLOWED_DEPENDENCIES[src_kind]:
                findings.append(
                    Finding("error", "invalid-dependency", label, f"a {src_kind} cannot depend on a {tgt_kind}", "target", org)
                )
            tgt_org = org_of(d.target)
            if org is not None and tgt_org is not None and tgt_org != org:
                findings.append(
                    Finding(
                        "error", "invalid-dependency", label,
                        f"{d.source} (member {org}) cannot depend on {d.target} of member {tgt_org}; "
                        "what members share is modelled as a supplier", "target", org,
                    )
                )
            if (d.source, d.target) in seen_edges:
                findings.append(Finding("warning", "duplicate-dependency", label, "dependency listed twice", None, org))
            seen_edges.add((d.source, d.target))
        for i, alt in enumerate(d.alternatives):
            name = f"alternatives[{i}]"
            if alt not in kinds:
                findings.append(Finding("error", "dangling-reference", label, f"refers to unknown id {alt!r}", name, org))
            elif alt in (d.source, d.target):
                findings.append(
                    Finding("error", "invalid-dependency", label, "an alternative must differ from source and target", name, org)
                )
            elif d.source in kinds and kinds[alt] not in ALLOWED_DEPENDENCIES[kinds[d.source]]:
                findings.append(
                    Finding(
                        "error", "invalid-dependency", label,
                        f"a {kinds[d.source]} cannot depend on alternative {alt!r}, a {kinds[alt]}", name, org,
                    )
                )
            elif org is not None and org_of(alt) not in (None, org):
                findings.append(
                    Finding("error", "invalid-dependency", label, f"alternative {alt!r} belongs to another member", name, org)
                )
        if _check_time(findings, label, "switchover_minutes", d.switchover_minutes, org):
            has_alt = bool(d.alternatives) or d.workaround
            if d.switchover_minutes is not None and not has_alt:
                findings.append(
                    Finding(
                        "error", "inconsistent-value", label,
                        "a switchover time without any documented alternative", "switchover_minutes", org,
                    )
                )
            if has_alt and d.switchover_minutes is None:
                findings.append(
                    Finding(
                        "warning", "missing-data", label,
                        "documented alternatives without a switchover time are not counted", "switchover_minutes", org,
                    )
                )

    layer_ids: set[str] = set()
    systems_with_layers: set[str] = set()
    for b in graph.backup_layers:
        system = items.get(b.system) if kinds.get(b.system) == "system" else None
        org = getattr(system, "org", None)
        label = b.id if isinstance(b.id, str) and b.id else f"layer of {b.system}"
        if not isinstance(b.id, str) or not b.id:
            findings.append(Finding("error", "invalid-id", label, "id must be a non-empty string", "id", org))
        elif b.id in layer_ids:
            findings.append(Finding("error", "duplicate-id", label, "duplicate backup layer id", "id", org))
        layer_ids.add(b.id)
        if ref(label, "system", b.system, ("system",), org):
            systems_with_layers.add(b.system)
        _check_enum(findings, label, "kind", b.kind, LAYER_KINDS, org)
        for name, what in (("recovery_point_minutes", "recovery point"), ("restore_minutes", "measured restore time")):
            value = getattr(b, name)
            if value is None:
                findings.append(
                    Finding("warning", "missing-data", label, f"layer {label} has no {what}; it is not counted", name, org)
                )
            else:
                _check_time(findings, label, name, value, org)
        for domain in sorted(b.shares or (), key=str):
            if domain not in FAILURE_DOMAINS:
                findings.append(
                    Finding(
                        "error", "invalid-value", label,
                        f"{domain!r} is not a failure domain ({', '.join(FAILURE_DOMAINS)})", "shares", org,
                    )
                )
        ref(label, "provider", b.provider, ("supplier",), org)
        if system is not None:
            for domain in FAILURE_DOMAINS:
                own, prod = getattr(b, domain), getattr(system, domain)
                if domain in b.shares:
                    if prod is None:
                        findings.append(
                            Finding(
                                "error", "inconsistent-value", label,
                                f"shares the {domain} of production, but system {system.id} has none", "shares", org,
                            )
                        )
                    elif own is not None and own != prod:
                        findings.append(
                            Finding(
                                "error", "inconsistent-value", label,
                                f"shares production's {domain} {prod!r} but names another one, {own!r}", domain, org,
                            )
                        )
                elif own is not None and own == prod:
                    findings.append(
                        Finding(
                            "warning", "inconsistent-value", label,
                            f"is in production's {domain} {prod!r} without saying it shares it; treated as shared",
                            "shares", org,
                        )
                    )
            if "admin_domain" not in b.shares and b.admin_domain is None and system.admin_domain is not None:
                findings.append(
                    Finding(
                        "info", "assumed-shared", label,
                        f"layer {label} names no admin domain: assumed to share production's "
                        f"{system.admin_domain!r}", "admin_domain", org,
                    )
                )
        if b.region is not None and b.provider is None and "provider" not in b.shares:
            findings.append(Finding("error", "inconsistent-value", label, "a region needs a provider", "region", org))
        tested = b.last_switchover_test
        if tested is None:
            findings.append(
                Finding("warning", "untested", label, f"layer {label} has no successful switchover test", "last_switchover_test", org)
            )
        elif isinstance(tested, dt.date):
            if tested > today:
                findings.append(
                    Finding("error", "inconsistent-value", label, f"switchover test dated in the future ({tested})",
                            "last_switchover_test", org)
                )
            elif (today - tested).days > STALE_TEST_DAYS:
                findings.append(
                    Finding(
                        "warning", "stale-test", label,
                        f"last successful switchover test {tested} is more than a year old", "last_switchover_test", org,
                    )
                )
        else:
            findings.append(Finding("error", "invalid-type", label, "must be a date", "last_switchover_test", org))

    for s in graph.systems:
        if isinstance(s.id, str) and s.id not in systems_with_layers and kinds.get(s.id) == "system":
            findings.append(Finding("info", "no-backup", s.id, f"system {s.id} has no backup layer", None, s.org))
    return findings
