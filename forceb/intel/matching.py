"""Which STIX objects a subscription wants: plain Python over plain data, no ORM.

A subscription states demand by type of object, by terms (ATT&CK technique ids, malware and
threat-actor names, CVE ids, vendors and products, sectors) and by floors and ceilings (minimum
confidence, most restrictive TLP it accepts). Terms are looked for, case-insensitively, in the
properties where STIX names things; a term matches a longer name that contains it (``T1566``
matches ``T1566.001``). An indicator's STIX pattern is searched as written and also through the
values its comparisons name, unescaped by the pattern parser (``O\\'Brien`` is found as
``O'Brien``, each member of an ``IN`` set on its own).
"""

from dataclasses import dataclass, field

from . import patterns
from .stix import TLP_RANK

# Properties whose values name what an object is about.
NAMING_PROPERTIES = ("name", "description", "pattern", "aliases", "labels", "indicator_types", "malware_types",
                     "threat_actor_types", "tool_types", "sectors", "goals", "x_mitre_aliases", "value", "product",
                     "vendor", "cpe", "x_opencti_cvss_base_severity")


@dataclass(frozen=True)
class Criteria:
    types: frozenset[str] = frozenset()
    terms: tuple[str, ...] = ()
    max_tlp: str | None = None
    min_confidence: int | None = None
    extra_terms: tuple[str, ...] = field(default=())  # e.g. the member's suppliers and components
    # Demand stated only by terms (what the member uses): with no terms, nothing is wanted.
    needs_terms: bool = False

    def all_terms(self) -> tuple[str, ...]:
        return tuple(t.lower() for t in (*self.terms, *self.extra_terms) if t.strip())


def searchable_text(obj: dict) -> str:
    """The lower-cased text of the naming properties and external references of an object."""
    parts: list[str] = []
    for name in NAMING_PROPERTIES:
        value = obj.get(name)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(v for v in value if isinstance(v, str))
    for comparison in patterns.of_indicator(obj).comparisons:
        parts.extend(comparison.values)
    for ref in obj.get("external_references", ()):
        if isinstance(ref, dict):
            parts.extend(str(ref.get(key, "")) for key in ("source_name", "external_id", "description"))
    for phase in obj.get("kill_chain_phases", ()):
        if isinstance(phase, dict):
            parts.append(str(phase.get("phase_name", "")))
    return "\n".join(parts).lower()


def matches(obj: dict, tlp: str, criteria: Criteria) -> bool:
    if criteria.types and obj.get("type") not in criteria.types:
        return False
    if criteria.max_tlp and TLP_RANK[tlp] > TLP_RANK[criteria.max_tlp]:
        return False
    if criteria.min_confidence is not None:
        confidence = obj.get("confidence")
        if not isinstance(confidence, int) or confidence < criteria.min_confidence:
            return False
    terms = criteria.all_terms()
    if not terms and criteria.needs_terms:
        return False
    if terms:
        text = searchable_text(obj)
        return any(term in text for term in terms)
    return True
