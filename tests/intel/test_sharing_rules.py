"""TLP on every read path (objects, one object, versions, manifest, export) and anonymous
contribution: the hub republishes, only the audit trail keeps the source."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied

from forceb.core.choices import TLP, AuditAction
from forceb.core.models import AuditEntry
from forceb.intel import actions, exports, stix

from .conftest import TAXII, indicator

LEVELS = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]
# What each reader sees of objects the bank contributed at each level.
EXPECTED = {
    "bank_analyst": {TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED},  # contributor (RED: its author)
    "bank_auditor": {TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT},  # same org, not RED's author
    "insurer_analyst": {TLP.CLEAR, TLP.GREEN, TLP.AMBER},
    "hub_analyst": {TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT},
    "supervisor": {TLP.CLEAR, TLP.GREEN},
}


@pytest.fixture
def marked(shared):
    """One indicator per TLP level, contributed by the bank analyst."""
    shared.by_level = {level: indicator(n, tlp=level) for n, level in enumerate(LEVELS)}
    actions.add_objects(shared.bank_analyst, shared.collection, list(shared.by_level.values()))
    shared.level_of = {obj["id"]: level for level, obj in shared.by_level.items()}
    return shared


def get(sector, person, path, **params):
    client = sector.client(getattr(sector, person))
    base = f"/taxii2/hub/collections/{sector.collection.uuid}/"
    return client.get(base + path, params, HTTP_ACCEPT=TAXII)


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_objects_and_manifest_follow_tlp(marked, person):
    objects = json.loads(get(marked, person, "objects/").content).get("objects", [])
    assert {marked.level_of[o["id"]] for o in objects} == EXPECTED[person]
    manifest = json.loads(get(marked, person, "manifest/").content).get("objects", [])
    assert {marked.level_of[r["id"]] for r in manifest} == EXPECTED[person]


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_one_object_and_its_versions_follow_tlp(marked, person):
    for level, obj in marked.by_level.items():
        one = get(marked, person, f"objects/{obj['id']}/")
        versions = get(marked, person, f"objects/{obj['id']}/versions/")
        expected = 200 if level in EXPECTED[person] else 404
        assert (one.status_code, versions.status_code) == (expected, expected), (person, level)


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_export_follows_tlp(marked, person):
    out = io.StringIO()
    exports.write_bundle(out, marked.collection, getattr(marked, person))
    bundle = json.loads(out.getvalue())
    assert {marked.level_of[o["id"]] for o in bundle["objects"]} == EXPECTED[person]


def test_export_without_a_person_holds_only_clear_and_green(marked):
    out = io.StringIO()
    exports.write_bundle(out, marked.collection)
    assert {marked.level_of[o["id"]] for o in json.loads(out.getvalue())["objects"]} == {TLP.CLEAR, TLP.GREEN}


def test_red_reaches_the_people_its_author_names(marked):
    red = marked.collection.stix_objects.get(stix_id=marked.by_level[TLP.RED]["id"])
    assert get(marked, "insurer_analyst", f"objects/{red.stix_id}/").status_code == 404
    with pytest.raises(PermissionDenied):
        actions.name_red_recipients(marked.hub_analyst, red, [marked.insurer_analyst])
    actions.name_red_recipients(marked.bank_analyst, red, [marked.insurer_analyst])
    assert get(marked, "insurer_analyst", f"objects/{red.stix_id}/").status_code == 200
    assert get(marked, "insurer_admin", f"objects/{red.stix_id}/").status_code == 404


def test_unmarked_objects_take_the_collection_default(shared):
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    assert shared.collection.stix_objects.get().tlp == TLP.GREEN


def test_most_restrictive_marking_wins():
    both = indicator(1, object_marking_refs=[stix.TLP2_MARKING[TLP.GREEN], stix.TLP2_MARKING[TLP.RED]])
    assert stix.marking_tlp(both) == TLP.RED
    tlp1_white = indicator(1, object_marking_refs=["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"])
    assert stix.marking_tlp(tlp1_white) == TLP.CLEAR
    assert stix.marking_tlp(indicator(1)) is None


def test_anonymous_contribution_is_republished_by_the_hub(shared):
    me = {"type": "identity", "spec_version": "2.1", "id": "identity--1f3a1f39-3c0b-4a5a-9d5f-2c5e6c8a9b10",
          "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
          "name": "Bank A", "identity_class": "organization"}
    obj = indicator(1, created_by_ref=me["id"])
    result = actions.add_objects(shared.bank_analyst, shared.collection, [me, obj], anonymous=True)
    served = json.loads(get(shared, "insurer_analyst", "objects/").content)["objects"]
    assert [o["id"] for o in served] == [obj["id"]]  # the contributor's identity object is left out
    hub_identity = stix.hub_identity(shared.hub.name, shared.hub.slug)["id"]
    assert served[0]["created_by_ref"] == hub_identity
    assert "Bank A" not in json.dumps(served)
    entry = AuditEntry.objects.filter(action=AuditAction.IMPORT).latest("seq")
    assert entry.after["contributor"] == "bank-a"
    assert entry.after["anonymous"] is True
    assert entry.after["objects"] == [f"{obj['id']}@{obj['modified']}"]
    assert entry.after["status"] == str(result.status.uuid)


def test_anonymous_collection_anonymises_every_contribution(shared):
    shared.collection.anonymous = True
    shared.collection.save()
    actions.add_objects(shared.bank_analyst, shared.collection,
                        [indicator(1, created_by_ref="identity--1f3a1f39-3c0b-4a5a-9d5f-2c5e6c8a9b10")])
    row = shared.collection.stix_objects.get()
    assert row.anonymous is True
    assert row.contributor == shared.bank  # kept for the audit trail, never served
    assert json.loads(row.body)["created_by_ref"] == stix.hub_identity(shared.hub.name, shared.hub.slug)["id"]
