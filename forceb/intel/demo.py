"""Demo intelligence for ``forceb seed-demo``: the hub's collections, a slice of ATT&CK,
indicators contributed by members (some anonymously, some AMBER), sightings and subscriptions.

Idempotent: collections are found by alias, objects have fixed ids (a second run stores nothing
new), subscriptions are found by owner and name. Everything is fictional except ATT&CK.
"""

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from forceb.core.choices import TLP

from . import actions, stix
from .models import Collection, StixObject, Subscription

NAMESPACE = uuid.UUID("3d0c1a7e-2b4f-4e9a-8c61-5a7b9d2e4f10")
ATTACK_FILE = "intel/attack/enterprise-attack-v15.json.gz"
# Techniques seen in attacks on the financial sector (phishing, credential theft, ransomware...).
TECHNIQUES = ["T1566", "T1566.001", "T1566.002", "T1078", "T1110", "T1190", "T1486", "T1059", "T1071", "T1204",
              "T1539", "T1557", "T1133", "T1021", "T1041"]
CAMPAIGN_NAMES = ["Jade Tide credential phishing", "Paper Lantern ransomware", "Night Market card skimming",
                  "Typhoon Ledger supply-chain intrusion"]
DOMAINS = ["secure-login-{n}.example", "ebank-verify-{n}.example", "otp-check-{n}.example", "invoice-{n}.example"]


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, key)}"


def _collection(hub_user, alias: str, title: str, **kwargs) -> Collection:
    found = Collection.objects.filter(alias=alias).first()
    return found or actions.create_collection(hub_user, title=title, alias=alias, **kwargs)


def seed(context) -> None:
    hub_user = context.users["demo-hub-analyst"]
    members = context.members
    analysts = {org.slug: context.admin_of(org) for org in members}
    shared = _collection(hub_user, "sector-indicators", "Sector indicators",
                         description="Indicators and campaigns shared by members and the hub",
                         readers=[*members, context.supervisor], writers=members)
    anonymous = _collection(hub_user, "anonymous-contributions", "Anonymous contributions",
                            description="Republished by the hub; the source is kept only in the audit trail",
                            readers=members, writers=members, anonymous=True)
    sightings = _collection(hub_user, "sector-sightings", "Sector sightings",
                            description="Who saw what, counted without names", readers=members, writers=members,
                            anonymous=True)
    _attack_slice(hub_user, shared, context)
    rng = context.rng_for("intel")
    start = datetime(2026, 9, 1, tzinfo=UTC)
    indicators = []
    for n in range(120):
        org = members[n % len(members)]
        seen = start + timedelta(hours=n * 9)
        stamp = seen.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        domain = rng.choice(DOMAINS).format(n=n)
        tlp = rng.choices([TLP.GREEN, TLP.AMBER, TLP.CLEAR, TLP.AMBER_STRICT], weights=[6, 3, 1, 1])[0]
        technique = rng.choice(TECHNIQUES)
        obj = {"type": "indicator", "spec_version": "2.1", "id": _id("indicator", f"demo-{n}"),
               "created": stamp, "modified": stamp, "name": f"Phishing domain {domain}",
               "description": f"{rng.choice(CAMPAIGN_NAMES)}; technique {technique}",
               "indicator_types": ["malicious-activity"], "pattern_type": "stix", "valid_from": stamp,
               "pattern": f"[domain-name:value = '{domain}']", "confidence": rng.choice([30, 60, 85, 95]),
               "object_marking_refs": [stix.TLP2_MARKING[tlp]]}
        target = anonymous if n % 7 == 0 else shared
        indicators.append((org, obj))
        if not StixObject.objects.filter(collection=target, stix_id=obj["id"]).exists():
            actions.add_objects(analysts[org.slug], target, [obj])
        context.progress("intelligence", n + 1, 120)
    for n, (org, obj) in enumerate(indicators[:40]):
        # A generator per indicator: what one skipped sighting does not draw cannot shift the next.
        drawn = context.rng_for(f"intel:sightings:{n}")
        for other in drawn.sample(members, 3):
            if other == org or StixObject.objects.filter(collection=sightings, type="sighting",
                                                         contributor=other, sighting_of=obj["id"]).exists():
                continue
            first = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(days=n % 30)
            actions.report_sighting(analysts[other.slug], sightings, sighting_of=obj["id"],
                                    count=drawn.randint(1, 40), first_seen=first, last_seen=first + timedelta(days=2))
    for org in members[:6]:
        user = analysts[org.slug]
        for name, fields in (("Phishing against us", {"terms": ["T1566"]}),
                             ("What we use", {"from_inventory": True}),
                             ("High-confidence indicators", {"types": ["indicator"], "min_confidence": 80})):
            if not Subscription.objects.filter(owner=org, name=name).exists():
                actions.save_subscription(user, Subscription(name=name, collection=shared, **fields))


def _attack_slice(hub_user, collection: Collection, context) -> None:
    """The financial sector's usual ATT&CK techniques, from the local ATT&CK bundle if present."""
    path = Path(settings.FORCEB_SHARED_DATA) / ATTACK_FILE
    if not path.exists() or StixObject.objects.filter(collection=collection, type="attack-pattern").exists():
        return
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        objects = json.load(handle)["objects"]
    wanted = []
    for obj in objects:
        refs = obj.get("external_references", [])
        if obj.get("type") == "attack-pattern" and any(r.get("external_id") in TECHNIQUES for r in refs):
            wanted.append(stix.upgrade_from_20(obj))
    marking = [o for o in objects if o.get("type") == "marking-definition"]
    actions.add_objects(hub_user, collection, [stix.upgrade_from_20(o) for o in marking] + wanted)
