"""MISP JSON events to and from STIX 2.1, as plain data (no ORM).

Import: each attribute of a type with a STIX pattern equivalent becomes an indicator; the event
becomes a report that refers to them; the event's TLP tag becomes the TLP 2.0 marking of every
object. Export: indicators whose pattern is one simple comparison become attributes of one event,
the most restrictive marking its TLP tag. What has no equivalent is reported, not guessed.
"""

import re
import uuid
from datetime import UTC, datetime

from forceb.core.choices import TLP

from . import patterns
from .stix import TLP2_MARKING, TLP_RANK, format_timestamp, marking_tlp

# MISP attribute type -> (STIX pattern object path, observable type for the name)
ATTRIBUTE_PATTERNS = {
    "ip-src": "ipv4-addr:value", "ip-dst": "ipv4-addr:value", "domain": "domain-name:value",
    "hostname": "domain-name:value", "url": "url:value", "email-src": "email-addr:value",
    "email-dst": "email-addr:value", "md5": "file:hashes.MD5", "sha1": "file:hashes.'SHA-1'",
    "sha256": "file:hashes.'SHA-256'", "filename": "file:name",
}
# (observable type, property path as the pattern parser reads it) -> (MISP attribute type, category)
PATTERN_ATTRIBUTES = {
    ("ipv4-addr", ("value",)): ("ip-dst", "Network activity"),
    ("domain-name", ("value",)): ("domain", "Network activity"),
    ("url", ("value",)): ("url", "Network activity"),
    ("email-addr", ("value",)): ("email-src", "Payload delivery"),
    ("file", ("hashes", "MD5")): ("md5", "Payload delivery"),
    ("file", ("hashes", "SHA-1")): ("sha1", "Payload delivery"),
    ("file", ("hashes", "SHA-256")): ("sha256", "Payload delivery"),
    ("file", ("name",)): ("filename", "Payload delivery"),
}
TLP_TAGS = {"tlp:clear": TLP.CLEAR, "tlp:white": TLP.CLEAR, "tlp:green": TLP.GREEN, "tlp:amber": TLP.AMBER,
            "tlp:amber+strict": TLP.AMBER_STRICT, "tlp:red": TLP.RED}
TAG_OF_TLP = {TLP.CLEAR: "tlp:clear", TLP.GREEN: "tlp:green", TLP.AMBER: "tlp:amber",
              TLP.AMBER_STRICT: "tlp:amber+strict", TLP.RED: "tlp:red"}
NAMESPACE = uuid.UUID("0f9a1d6e-4f35-4d8c-9a2e-7b1c5e3d2a10")


class NotAnEvent(ValueError):
    pass


def _stamp(value) -> str:
    if isinstance(value, str) and value.isdigit():
        return format_timestamp(datetime.fromtimestamp(int(value), tz=UTC))
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return value + "T00:00:00.000000Z"
    return format_timestamp(datetime.now(UTC))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def event_to_stix(document: dict) -> tuple[list[dict], list[str]]:
    """STIX objects for one MISP event, and what was left out (attribute types without an
    equivalent), by attribute."""
    event = document.get("Event", document) if isinstance(document, dict) else None
    if not isinstance(event, dict) or "Attribute" not in event and "info" not in event:
        raise NotAnEvent("not a MISP event: a JSON object with 'Event' (info, Attribute)")
    tags = {t.get("name", "").lower() for t in event.get("Tag", []) if isinstance(t, dict)}
    levels = [TLP_TAGS[t] for t in tags if t in TLP_TAGS]
    tlp = max(levels, key=TLP_RANK.get) if levels else None
    markings = [TLP2_MARKING[tlp]] if tlp else []
    created = _stamp(event.get("timestamp") or event.get("date"))
    objects, skipped = [], []
    for attribute in event.get("Attribute", []):
        path = ATTRIBUTE_PATTERNS.get(attribute.get("type"))
        value = attribute.get("value")
        if path is None or not isinstance(value, str):
            skipped.append(f"{attribute.get('type')}: {str(value)[:80]}")
            continue
        ident = attribute.get("uuid") or str(uuid.uuid5(NAMESPACE, f"{attribute.get('type')}|{value}"))
        stamp = _stamp(attribute.get("timestamp")) if attribute.get("timestamp") else created
        indicator = {
            "type": "indicator", "spec_version": "2.1", "id": f"indicator--{ident}",
            "created": stamp, "modified": stamp, "name": f"{attribute['type']}: {value}"[:250],
            "pattern": f"[{path} = '{_escape(value)}']", "pattern_type": "stix", "valid_from": stamp,
            "indicator_types": ["malicious-activity"],
        }
        if attribute.get("comment"):
            indicator["description"] = attribute["comment"]
        if markings:
            indicator["object_marking_refs"] = markings
        objects.append(indicator)
    report_id = event.get("uuid") or str(uuid.uuid5(NAMESPACE, event.get("info", "")))
    report = {"type": "report", "spec_version": "2.1", "id": f"report--{report_id}", "created": created,
              "modified": created, "name": event.get("info") or "MISP event", "published": created,
              "report_types": ["threat-report"],
              "object_refs": [o["id"] for o in objects] or [f"indicator--{uuid.uuid5(NAMESPACE, report_id)}"]}
    if markings:
        report["object_marking_refs"] = markings
    if objects:
        objects.append(report)
    return objects, skipped


def stix_to_event(objects: list[dict], *, info: str, now: datetime | None = None) -> tuple[dict, int]:
    """One MISP event holding the simple indicators among ``objects``; how many were left out."""
    now = now or datetime.now(UTC)
    attributes, left_out, levels = [], 0, []
    for obj in objects:
        if obj.get("type") != "indicator":
            continue
        reading = patterns.of_indicator(obj)
        comparison = reading.comparisons[0] if reading.is_single_comparison else None
        mapped = PATTERN_ATTRIBUTES.get((comparison.object_type, comparison.path)) if comparison else None
        if mapped is None:
            left_out += 1
            continue
        level = marking_tlp(obj)
        if level:
            levels.append(level)
        attribute_type, category = mapped
        attributes.append({
            "type": attribute_type, "category": category, "to_ids": True,
            "value": comparison.values[0],
            "uuid": obj["id"].split("--", 1)[1], "comment": obj.get("description", "")[:1000],
            "timestamp": str(int(datetime.now(UTC).timestamp())),
        })
    tags = [{"name": TAG_OF_TLP[max(levels, key=TLP_RANK.get)]}] if levels else []
    event = {"Event": {"uuid": str(uuid.uuid4()), "info": info, "date": now.strftime("%Y-%m-%d"),
                       "timestamp": str(int(now.timestamp())), "analysis": "2", "threat_level_id": "2",
                       "distribution": "0", "published": False, "Attribute": attributes, "Tag": tags}}
    return event, left_out
