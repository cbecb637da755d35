"""Sightings: members say they saw an indicator; the sector learns how widely, not by whom."""

import json
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from forceb.core.choices import TLP
from forceb.intel import actions, queries, stix

from .conftest import TAXII, indicator


@pytest.fixture
def seen(shared):
    """An indicator, and a sightings collection every member writes to and the hub reads."""
    shared.indicator = indicator(1)
    actions.add_objects(shared.hub_analyst, shared.collection, [shared.indicator])
    shared.sightings = actions.create_collection(
        shared.hub_analyst, title="Sightings", readers=[shared.bank, shared.insurer],
        writers=[shared.bank, shared.insurer])
    return shared


def test_anonymous_sightings_add_up_without_naming_anyone(seen):
    day = datetime(2024, 5, 1, tzinfo=UTC)
    actions.report_sighting(seen.bank_analyst, seen.sightings, sighting_of=seen.indicator["id"], count=3,
                            first_seen=day, last_seen=day.replace(day=3))
    actions.report_sighting(seen.insurer_analyst, seen.sightings, sighting_of=seen.indicator["id"], count=2,
                            first_seen=day.replace(day=2), last_seen=day.replace(day=5))
    summary = queries.sighting_summary(seen.hub_analyst, seen.sightings, seen.indicator["id"])
    assert (summary.organisations, summary.sightings) == (2, 5)
    assert (summary.first_seen, summary.last_seen) == ("2024-05-01T00:00:00.000000Z", "2024-05-05T00:00:00.000000Z")
    client = seen.client(seen.hub_analyst)
    served = json.loads(client.get(f"/taxii2/hub/collections/{seen.sightings.uuid}/objects/",
                                   HTTP_ACCEPT=TAXII).content)["objects"]
    assert len(served) == 2
    hub_identity = stix.hub_identity(seen.hub.name, seen.hub.slug)["id"]
    assert {o["created_by_ref"] for o in served} == {hub_identity}
    assert all("where_sighted_refs" not in o for o in served)
    for bank_or_insurer in ("bank-a", "insurer-b"):
        assert stix.organisation_identity_id(bank_or_insurer) not in json.dumps(served)
    assert all(stix.validate(o) == [] for o in served)


def test_a_member_may_choose_to_say_it_saw_it(seen):
    actions.report_sighting(seen.bank_analyst, seen.sightings, sighting_of=seen.indicator["id"], share_identity=True)
    body = json.loads(seen.sightings.stix_objects.get().body)
    assert body["where_sighted_refs"] == [stix.organisation_identity_id("bank-a")]
    assert body["created_by_ref"] == stix.organisation_identity_id("bank-a")


def test_sightings_posted_over_taxii_are_counted(seen):
    sighting = stix.sighting(sighting_of=seen.indicator["id"], count=7, first_seen=datetime(2024, 1, 1, tzinfo=UTC),
                             last_seen=datetime(2024, 1, 2, tzinfo=UTC), now=datetime(2024, 1, 2, tzinfo=UTC))
    response = seen.client(seen.insurer_analyst).post(
        f"/taxii2/hub/collections/{seen.sightings.uuid}/objects/", data=json.dumps({"objects": [sighting]}),
        content_type=TAXII, HTTP_ACCEPT=TAXII)
    assert response.status_code == 202
    summary = queries.sighting_summary(seen.hub_analyst, seen.sightings, seen.indicator["id"])
    assert (summary.organisations, summary.sightings) == (1, 7)


def test_sightings_respect_tlp(seen):
    actions.report_sighting(seen.bank_analyst, seen.sightings, sighting_of=seen.indicator["id"], count=4,
                            marking=TLP.AMBER_STRICT)
    assert queries.sighting_summary(seen.hub_analyst, seen.sightings, seen.indicator["id"]).sightings == 4
    assert queries.sighting_summary(seen.insurer_analyst, seen.sightings, seen.indicator["id"]).sightings == 0


def test_a_sighting_counts_at_least_once_and_ends_after_it_starts(seen):
    with pytest.raises(ValidationError):
        actions.report_sighting(seen.bank_analyst, seen.sightings, sighting_of=seen.indicator["id"], count=0)
    with pytest.raises(ValidationError):
        actions.report_sighting(seen.bank_analyst, seen.sightings, sighting_of=seen.indicator["id"],
                                first_seen=datetime(2024, 2, 1, tzinfo=UTC), last_seen=datetime(2024, 1, 1, tzinfo=UTC))
