"""The scenario library as data: severe but plausible disruptions, with JSON import/export.

A :class:`Scenario` is a named list of :class:`Effect` s (one effect, or several for a
composite); each effect names *what* fails (the scope: admin domains, sites, a provider's
regions, providers, suppliers or kinds of supplier) and, where it matters, *for how long*.
The simulation engine (``simulate.py``) turns the effects into failed systems, suppliers
and backup layers.

Effect types (their exact meaning is in ``docs/resilience.md``):

``ransomware``
    encrypts every system in the named admin domains and every *mutable online* backup
    layer in them; immutable or offline layers survive.  Encrypted data comes back only
    from a surviving backup layer.
``site_loss``
    loses the named sites: systems there and layers kept there.  ``destroys_data`` (true by
    default) means the site is gone; false means it is unavailable for the duration.
``region_outage``
    a cloud provider's regions are unavailable: systems and suppliers hosted there, layers
    kept there.
``provider_outage``
    a whole cloud provider is unavailable (itself, everything hosted on it, layers on it).
``supplier_outage`` / ``telecom_outage``
    suppliers (named, or every supplier of the given kinds; a telecom outage defaults to
    every telecom) are unavailable for the duration, or for their own stated recovery time
    when the scenario gives none.
``supplier_compromise``
    suppliers are compromised: down as in an outage, losing data back to their stated
    recovery point, and (``spreads``, true by default) ransomware reaches the admin domains
    of the members' systems that connect to them directly.

Scope selectors: a name is matched literally across the graph; ``"*"`` means every admin
domain (site, region) that production systems use; ``"@largest"`` means, for each member
on its own, the one holding most of that member's systems (its main site, main admin
domain, main cloud provider, main region), so one library serves every member.

Durations are minutes; an effect without one takes the scenario's ``duration_minutes``;
without either, an outage lasts until recovery from backups (systems) or the supplier's
stated recovery time (suppliers).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from forceb.resilience.graph import SUPPLIER_KINDS, Finding

FORMAT = "forceb-resilience-scenarios"
VERSION = 1
ALL = "*"
LARGEST = "@largest"

EFFECT_TYPES = (
    "ransomware",
    "site_loss",
    "region_outage",
    "provider_outage",
    "supplier_outage",
    "telecom_outage",
    "supplier_compromise",
)

#: Which fields each effect type accepts (besides ``type``); used by the schema and export.
EFFECT_FIELDS: dict[str, tuple[str, ...]] = {
    "ransomware": ("admin_domains",),
    "site_loss": ("sites", "destroys_data", "duration_minutes"),
    "region_outage": ("provider", "regions", "duration_minutes"),
    "provider_outage": ("providers", "duration_minutes"),
    "supplier_outage": ("suppliers", "supplier_kinds", "duration_minutes"),
    "telecom_outage": ("suppliers", "duration_minutes"),
    "supplier_compromise": ("suppliers", "supplier_kinds", "spreads", "duration_minutes"),
}
_REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "ransomware": ("admin_domains",),
    "site_loss": ("sites",),
    "region_outage": ("provider", "regions"),
    "provider_outage": ("providers",),
    "supplier_outage": (),
    "telecom_outage": (),
    "supplier_compromise": (),
}


@dataclass(frozen=True, slots=True)
class Effect:
    """One thing that fails in a scenario (see the module docstring for each type)."""

    type: str
    admin_domains: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    provider: str | None = None
    regions: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    supplier_kinds: tuple[str, ...] = ()
    destroys_data: bool = True
    spreads: bool = True
    duration_minutes: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        for name in EFFECT_FIELDS.get(self.type, ()):
            value = getattr(self, name)
            if value is None or value == ():
                continue
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named, severe but plausible disruption: one effect or a composite of several."""

    name: str
    effects: tuple[Effect, ...]
    title: str = ""
    description: str = ""
    duration_minutes: float | None = None
    tags: tuple[str, ...] = ()

    def duration_of(self, effect: Effect) -> float | None:
        """The effect's duration, falling back to the scenario's (None: open-ended)."""
        return effect.duration_minutes if effect.duration_minutes is not None else self.duration_minutes

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        if self.duration_minutes is not None:
            out["duration_minutes"] = self.duration_minutes
        if self.tags:
            out["tags"] = list(self.tags)
        out["effects"] = [e.to_dict() for e in self.effects]
        return out


class ScenarioImportError(ValueError):
    """Raised when a library fails validation; nothing of it is returned then.

    ``findings`` name the scenario (its name, or ``scenarios[i]``) and the field path.
    """

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        shown = "\n".join(f"  {f}" for f in findings[:50])
        more = f"\n  ... and {len(findings) - 50} more" if len(findings) > 50 else ""
        super().__init__(f"{len(findings)} error(s) in the scenario library:\n{shown}{more}")


# --------------------------------------------------------------------------- schema

_MINUTES = {"type": "number", "minimum": 0, "description": "minutes"}
_DURATION = {
    "anyOf": [_MINUTES, {"type": "null"}],
    "description": "minutes the effect lasts; null or absent: the scenario's duration, else open-ended",
}
_NAMES = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "minItems": 1,
    "uniqueItems": True,
}
_EFFECT_PROPERTIES: dict[str, dict[str, Any]] = {
    "admin_domains": {**_NAMES, "description": "admin domain names, '*' (all) or '@largest' (each member's main one)"},
    "sites": {**_NAMES, "description": "site names, '*' or '@largest'"},
    "provider": {"type": "string", "minLength": 1, "description": "cloud provider supplier id or '@largest'"},
    "regions": {**_NAMES, "description": "region names of the provider, '*' or '@largest'"},
    "providers": {**_NAMES, "description": "cloud provider supplier ids or '@largest'"},
    "suppliers": {**_NAMES, "description": "supplier ids"},
    "supplier_kinds": {
        "type": "array",
        "items": {"enum": list(SUPPLIER_KINDS)},
        "minItems": 1,
        "uniqueItems": True,
        "description": "every supplier of these kinds fails",
    },
    "destroys_data": {"type": "boolean", "description": "site_loss: the site is gone (default true)"},
    "spreads": {"type": "boolean", "description": "supplier_compromise: ransomware reaches connected systems"},
    "duration_minutes": _DURATION,
}

SCENARIO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:forceb:resilience:scenarios:1",
    "title": "FORCE-B resilience scenario library",
    "description": "Severe but plausible scenarios for the resilience simulation (docs/resilience.md).",
    "type": "object",
    "required": ["scenarios"],
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "scenarios": {"type": "array", "items": {"$ref": "#/$defs/scenario"}},
    },
    "$defs": {
        "scenario": {
            "type": "object",
            "required": ["name", "effects"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,99}$"},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "duration_minutes": _DURATION,
                "tags": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True},
                "effects": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/effect"}},
            },
        },
        "effect": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"enum": list(EFFECT_TYPES)}},
            "allOf": [
                {
                    "if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
                    "then": {
                        "required": list(_REQUIRED_FIELDS[kind]),
                        "additionalProperties": False,
                        "properties": {
                            "type": True,
                            **{name: _EFFECT_PROPERTIES[name] for name in EFFECT_FIELDS[kind]},
                        },
                    },
                }
                for kind in EFFECT_TYPES
            ],
        },
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(SCENARIO_SCHEMA)


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def validate_library(data: Any) -> list[Finding]:
    """Every schema and consistency error of a library document, each naming the scenario
    (by name when it has one) and the field path; empty when the document is valid."""
    findings: list[Finding] = []
    scenarios = data.get("scenarios") if isinstance(data, Mapping) else None

    def item_of(index: int) -> str:
        if isinstance(scenarios, list) and index < len(scenarios):
            raw = scenarios[index]
            if isinstance(raw, Mapping) and isinstance(raw.get("name"), str) and raw["name"]:
                return raw["name"]
        return f"scenarios[{index}]"

    for error in sorted(_VALIDATOR.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        parts = list(error.absolute_path)
        if len(parts) >= 2 and parts[0] == "scenarios" and isinstance(parts[1], int):
            item, rest = item_of(parts[1]), parts[2:]
        else:
            item, rest = "library", parts
        findings.append(Finding("error", "schema", item, error.message, _path(rest) or None))
    if not isinstance(scenarios, list):
        return findings
    # Consistency rules the schema does not express; guarded, as the schema may have failed.
    seen: dict[str, int] = {}
    for index, raw in enumerate(scenarios):
        if not isinstance(raw, Mapping):
            continue
        name = raw.get("name")
        item = item_of(index)
        if isinstance(name, str):
            if name in seen:
                findings.append(
                    Finding("error", "duplicate-name", item, f"scenario name already used by scenarios[{seen[name]}]", "name")
                )
            seen.setdefault(name, index)
        effects = raw.get("effects")
        for j, eff in enumerate(effects if isinstance(effects, list) else ()):
            if not isinstance(eff, Mapping):
                continue
            if eff.get("type") in ("supplier_outage", "supplier_compromise") and not (
                eff.get("suppliers") or eff.get("supplier_kinds")
            ):
                findings.append(Finding("error", "schema", item, "needs 'suppliers' or 'supplier_kinds'", f"effects[{j}]"))
            if eff.get("type") == "region_outage" and eff.get("provider") == ALL:
                findings.append(
                    Finding("error", "schema", item, "provider must be a supplier id or '@largest'", f"effects[{j}].provider")
                )
    return findings


def _effect_from_dict(raw: Mapping[str, Any]) -> Effect:
    kwargs: dict[str, Any] = {}
    for name, value in raw.items():
        kwargs[name] = tuple(value) if isinstance(value, list) else value
    return Effect(**kwargs)


def library_from_dict(data: Any) -> list[Scenario]:
    """Build the scenarios of a library document; raise :class:`ScenarioImportError` listing
    every error if any (all-or-nothing: no scenario is returned from a faulty document)."""
    findings = validate_library(data)
    if findings:
        raise ScenarioImportError(findings)
    out = []
    for raw in data["scenarios"]:
        out.append(
            Scenario(
                name=raw["name"],
                title=raw.get("title", ""),
                description=raw.get("description", ""),
                duration_minutes=raw.get("duration_minutes"),
                tags=tuple(raw.get("tags", ())),
                effects=tuple(_effect_from_dict(e) for e in raw["effects"]),
            )
        )
    return out


def library_to_dict(scenarios: Iterable[Scenario]) -> dict[str, Any]:
    """The JSON-ready library document (validates against :data:`SCENARIO_SCHEMA`)."""
    return {"format": FORMAT, "version": VERSION, "scenarios": [s.to_dict() for s in scenarios]}


def loads_library(text: str | bytes) -> list[Scenario]:
    """Parse JSON text; malformed JSON is reported as a :class:`ScenarioImportError` too."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ScenarioImportError([Finding("error", "invalid-json", "library", str(exc))]) from exc
    return library_from_dict(data)


def dumps_library(scenarios: Iterable[Scenario], *, indent: int | None = 2) -> str:
    return json.dumps(library_to_dict(scenarios), indent=indent, ensure_ascii=False)


def by_name(scenarios: Iterable[Scenario], name: str) -> Scenario:
    """The scenario called ``name``; KeyError naming the known ones otherwise."""
    scenarios = list(scenarios)
    for s in scenarios:
        if s.name == name:
            return s
    raise KeyError(f"no scenario {name!r}; known: {', '.join(s.name for s in scenarios)}")


def with_parameters(scenario: Scenario, *, name: str | None = None, duration_minutes: Any = ..., **scope: Any) -> Scenario:
    """A copy of ``scenario`` with another duration and/or scope.

    ``scope`` sets a field (``admin_domains=["bank-a/corp"]``, ``sites=[...]``,
    ``provider=...``) on every effect that accepts it; ``duration_minutes`` sets the
    scenario's duration (effects keep their own unless they have none).
    """
    unknown = set(scope) - set(_EFFECT_PROPERTIES) - {"duration_minutes"}
    if unknown:
        raise TypeError(f"unknown scope field(s): {', '.join(sorted(unknown))}")
    effects = []
    for eff in scenario.effects:
        changes = {
            k: (tuple(v) if isinstance(v, list | tuple) else v)
            for k, v in scope.items()
            if k in EFFECT_FIELDS.get(eff.type, ())
        }
        effects.append(dataclasses.replace(eff, **changes))
    changes: dict[str, Any] = {"effects": tuple(effects)}
    if name is not None:
        changes["name"] = name
    if duration_minutes is not ...:
        changes["duration_minutes"] = duration_minutes
    result = dataclasses.replace(scenario, **changes)
    findings = validate_library(library_to_dict([result]))
    if findings:
        raise ScenarioImportError(findings)
    return result


# --------------------------------------------------------------------------- default library

HOUR = 60

DEFAULT_LIBRARY: tuple[Scenario, ...] = (
    Scenario(
        name="ransomware",
        title="Ransomware across the estate",
        description="Attackers hold domain-admin credentials and encrypt every system in every "
        "production admin domain, with the mutable online backups those credentials reach.",
        effects=(Effect("ransomware", admin_domains=(ALL,)),),
        tags=("ransomware", "cyber"),
    ),
    Scenario(
        name="ransomware-main-domain",
        title="Ransomware in the main admin domain",
        description="Encryption of every system in the member's largest admin domain and of the "
        "mutable online backups in that domain.",
        effects=(Effect("ransomware", admin_domains=(LARGEST,)),),
        tags=("ransomware", "cyber"),
    ),
    Scenario(
        name="primary-site-loss",
        title="Loss of the primary data centre",
        description="The member's main site is destroyed (fire, flood): its systems and the backups "
        "kept there are gone.",
        effects=(Effect("site_loss", sites=(LARGEST,), destroys_data=True),),
        tags=("site",),
    ),
    Scenario(
        name="primary-site-outage",
        title="Primary data centre unavailable for a day",
        description="Power or access loss at the main site for 24 hours; data intact.",
        duration_minutes=24 * HOUR,
        effects=(Effect("site_loss", sites=(LARGEST,), destroys_data=False),),
        tags=("site",),
    ),
    Scenario(
        name="cloud-region-outage",
        title="Outage of the main cloud region",
        description="The member's most used region of its main cloud provider is down for 8 hours.",
        duration_minutes=8 * HOUR,
        effects=(Effect("region_outage", provider=LARGEST, regions=(LARGEST,)),),
        tags=("cloud",),
    ),
    Scenario(
        name="cloud-provider-outage",
        title="Outage of the main cloud provider",
        description="The member's main cloud provider is down in every region for 24 hours, with "
        "every supplier hosted on it.",
        duration_minutes=24 * HOUR,
        effects=(Effect("provider_outage", providers=(LARGEST,)),),
        tags=("cloud", "third-party"),
    ),
    Scenario(
        name="telecom-outage",
        title="Nationwide telecom outage",
        description="Every telecom carrier in the graph is down for 8 hours at once (a switch to "
        "another carrier does not help).",
        duration_minutes=8 * HOUR,
        effects=(Effect("telecom_outage"),),
        tags=("telecom", "third-party"),
    ),
    Scenario(
        name="core-banking-vendor-outage",
        title="Core-banking vendor outage",
        description="Core-banking vendors are down for their own stated recovery time.",
        effects=(Effect("supplier_outage", supplier_kinds=("core-banking",)),),
        tags=("third-party",),
    ),
    Scenario(
        name="payment-processor-outage",
        title="Payment processor outage",
        description="Payment processors are down for 6 hours.",
        duration_minutes=6 * HOUR,
        effects=(Effect("supplier_outage", supplier_kinds=("payment-processor",)),),
        tags=("third-party", "payments"),
    ),
    Scenario(
        name="core-banking-vendor-compromise",
        title="Supply-chain compromise of the core-banking vendor",
        description="The vendor is compromised: down for its stated recovery time, losing data back "
        "to its stated recovery point, and ransomware spreads over its connections into the "
        "admin domains of the systems that connect to it.",
        effects=(Effect("supplier_compromise", supplier_kinds=("core-banking",), spreads=True),),
        tags=("third-party", "cyber", "supply-chain"),
    ),
    Scenario(
        name="ransomware-during-cloud-outage",
        title="Ransomware while the main cloud provider is down",
        description="Composite: the main admin domain is encrypted while the main cloud provider is "
        "out for 24 hours, so cloud backups cannot help.",
        duration_minutes=24 * HOUR,
        effects=(
            Effect("ransomware", admin_domains=(LARGEST,)),
            Effect("provider_outage", providers=(LARGEST,)),
        ),
        tags=("composite", "ransomware", "cloud"),
    ),
    Scenario(
        name="regional-disaster",
        title="Regional disaster: primary site lost and telecoms down",
        description="Composite: the main site is destroyed and every telecom is down for 24 hours.",
        duration_minutes=24 * HOUR,
        effects=(
            Effect("site_loss", sites=(LARGEST,), destroys_data=True),
            Effect("telecom_outage"),
        ),
        tags=("composite", "site", "telecom"),
    ),
)


def default_library() -> list[Scenario]:
    """The built-in severe-but-plausible library (a fresh list; the items are immutable)."""
    return list(DEFAULT_LIBRARY)
