"""Fixtures of the intelligence hub: a sector with a shared collection, and STIX objects."""

import uuid

import pytest

from forceb.intel import actions, stix

TAXII = "application/taxii+json;version=2.1"


def indicator(n: int = 0, *, tlp: str | None = None, modified: str = "2024-01-01T00:00:00.000Z",
              stix_id: str | None = None, **extra) -> dict:
    """A valid STIX 2.1 indicator; ``tlp`` adds the TLP 2.0 marking of that level."""
    obj = {
        "type": "indicator", "spec_version": "2.1",
        "id": stix_id or f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'forceb-test-{n}')}",
        "created": "2024-01-01T00:00:00.000Z", "modified": modified,
        "name": f"bad address {n}", "description": "seen in a phishing campaign against banks",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']", "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    }
    if tlp:
        obj["object_marking_refs"] = [stix.TLP2_MARKING[tlp]]
    obj.update(extra)
    return obj


@pytest.fixture
def shared(sector):
    """A hub collection that both members read and the bank writes."""
    collection = actions.create_collection(
        sector.hub_analyst, title="Sector indicators", description="indicators shared across the sector",
        readers=[sector.bank, sector.insurer, sector.supervisor.organization], writers=[sector.bank])
    sector.collection = collection
    return sector


def envelope(*objects) -> dict:
    return {"objects": list(objects)}
