"""The intelligence REST API: searches and details pass through the TLP rule (hidden objects are
404 and never listed), subscriptions are the organisation's own, sightings go through the action."""

import pytest

from forceb.core.choices import TLP
from forceb.intel import actions, stix
from forceb.intel.models import StixObject, Subscription

from .conftest import indicator

API = "/api/intel"


def attack_pattern(technique: str) -> dict:
    return {"type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--7e33a43e-e34b-40ec-89da-36c9bb2cacd5",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "Phishing",
            "external_references": [{"source_name": "mitre-attack", "external_id": technique}]}


def relationship(source: str, target: str) -> dict:
    return {"type": "relationship", "spec_version": "2.1", "id": "relationship--1f8f3b1c-7f5a-4d1e-9c55-9d0b1c2e3f40",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "relationship_type": "indicates", "source_ref": source, "target_ref": target}


@pytest.fixture
def marked(shared):
    """One indicator at each TLP level contributed by the bank's analyst, tied to a technique."""
    shared.by_tlp = {}
    for n, level in enumerate(TLP.values):
        obj = indicator(10 + n, tlp=level, name=f"marked {level}")
        actions.add_objects(shared.bank_analyst, shared.collection, [obj])
        shared.by_tlp[level] = StixObject.objects.get(stix_id=obj["id"])
    green = shared.by_tlp[TLP.GREEN]
    actions.add_objects(shared.bank_analyst, shared.collection,
                        [attack_pattern("T1566.001"), relationship(green.stix_id, attack_pattern("x")["id"])])
    return shared


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize(("who", "sees"), [
    ("bank_analyst", {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}),
    ("hub_analyst", {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT"}),
    ("insurer_analyst", {"CLEAR", "GREEN", "AMBER"}),
    ("supervisor", {"CLEAR", "GREEN"}),
])
def test_object_search_lists_only_what_tlp_lets_one_read(marked, who, sees):
    client = marked.client(getattr(marked, who))
    listed = names(client.get(f"{API}/objects/", {"type": "indicator", "q": "marked"}))
    assert listed == {f"marked {level}" for level in sees}
    for level, row in marked.by_tlp.items():
        expected = 200 if level in sees else 404
        assert client.get(f"{API}/objects/{row.pk}/").status_code == expected


def test_search_by_tlp_text_and_technique(marked):
    client = marked.client(marked.insurer_analyst)
    assert names(client.get(f"{API}/objects/", {"tlp": "AMBER"})) == {"marked AMBER"}
    assert names(client.get(f"{API}/objects/", {"q": "MARKED CLEAR"})) == {"marked CLEAR"}
    # T1566 finds the sub-technique's attack pattern and the indicator a relationship ties to it.
    found = names(client.get(f"{API}/objects/", {"technique": "t1566", "type": "indicator,attack-pattern"}))
    assert found == {"Phishing", "marked GREEN"}


def test_detail_draws_readable_relationships(marked):
    green = marked.by_tlp[TLP.GREEN]
    body = marked.client(marked.insurer_analyst).get(f"{API}/objects/{green.pk}/").json()
    assert body["object"]["id"] == green.stix_id
    [link] = body["relationships"]
    assert (link["relationship_type"], link["direction"], link["other"]["name"]) == ("indicates", "outgoing",
                                                                                       "Phishing")


def test_an_outsider_reads_no_collection_and_no_object(marked):
    other = actions.create_collection(marked.hub_analyst, title="Hub only")
    client = marked.client(marked.insurer_analyst)
    assert str(other.uuid) not in {c["uuid"] for c in client.get(f"{API}/collections/").json()["results"]}
    assert client.get(f"{API}/collections/{other.pk}/").status_code == 404
    assert names(client.get(f"{API}/objects/", {"collection": str(other.uuid)})) == set()


def test_subscriptions_are_the_organisations_own(marked):
    bank = marked.client(marked.bank_analyst)
    created = bank.post(f"{API}/subscriptions/", {"name": "phishing", "collection": str(marked.collection.uuid),
                                                  "terms": ["marked"], "types": ["indicator"]}, format="json")
    assert created.status_code == 201, created.content
    sub = Subscription.objects.get(pk=created.json()["id"])
    assert sub.owner == marked.bank and sub.matches.count() == len(TLP.values)
    insurer = marked.client(marked.insurer_analyst)
    assert insurer.get(f"{API}/subscriptions/{sub.pk}/").status_code == 404
    assert insurer.delete(f"{API}/subscriptions/{sub.pk}/").status_code == 404
    assert insurer.get(f"{API}/subscriptions/").json()["results"] == []
    hidden = actions.create_collection(marked.hub_analyst, title="Hub only")
    refused = bank.post(f"{API}/subscriptions/", {"name": "x", "collection": str(hidden.uuid)}, format="json")
    assert refused.status_code == 400
    assert bank.delete(f"{API}/subscriptions/{sub.pk}/").status_code == 204
    assert not Subscription.objects.filter(pk=sub.pk).exists()


def test_sightings_are_reported_through_the_action_and_counted_without_names(marked):
    sightings = actions.create_collection(marked.hub_analyst, title="Sightings", readers=[marked.bank, marked.insurer],
                                          writers=[marked.bank, marked.insurer])
    green = marked.by_tlp[TLP.GREEN]
    for who, count in (("bank_analyst", 2), ("insurer_analyst", 3)):
        response = marked.client(getattr(marked, who)).post(
            f"{API}/sightings/", {"collection": str(sightings.uuid), "sighting_of": green.stix_id, "count": count},
            format="json")
        assert response.status_code == 201, response.content
        assert "where_sighted_refs" not in response.json()["object"]
    bank = marked.client(marked.bank_analyst)
    assert [row["object"]["count"] for row in bank.get(f"{API}/sightings/").json()] == [2]
    summary = bank.get(f"{API}/objects/{green.pk}/sightings/").json()
    assert (summary["organisations"], summary["sightings"]) == (2, 5)
    assert stix.organisation_identity_id("insurer-b") not in str(summary)
    # A sighting of an object one may not read is refused as if it did not exist.
    red = marked.by_tlp[TLP.RED]
    refused = marked.client(marked.insurer_analyst).post(
        f"{API}/sightings/", {"collection": str(sightings.uuid), "sighting_of": red.stix_id}, format="json")
    assert refused.status_code == 404


def test_correlation_respects_access(marked):
    bank, insurer = marked.client(marked.bank_analyst), marked.client(marked.insurer_analyst)
    red_value = "198.51.100.14"  # the TLP:RED indicator's address (indicator 14)
    assert [o["name"] for o in bank.get(f"{API}/correlate/", {"value": red_value}).json()["others"]] == ["marked RED"]
    assert insurer.get(f"{API}/correlate/", {"value": red_value}).json()["others"] == []
    assert insurer.get(f"{API}/correlate/").status_code == 400


def test_leaderboard_per_quarter(marked):
    client = marked.client(marked.supervisor)
    rows = client.get(f"{API}/leaderboard/").json()
    assert rows and rows[0]["organisation"] == marked.bank.name and rows[0]["points"] > 0
    assert client.get(f"{API}/leaderboard/", {"quarter": 5}).status_code == 400
    assert client.get(f"{API}/leaderboard/", {"year": 2000, "quarter": 1}).json() == []
