"""The store's invariants: versions, flags, date_added order, duplicates, observables, CLI."""

import gzip
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from stix2validator import ValidationOptions, validate_instance

from forceb.intel import actions, stix
from forceb.intel.models import Collection, StixObject

from .conftest import indicator


def flags(collection, stix_id):
    rows = StixObject.objects.filter(collection=collection, stix_id=stix_id).order_by("version")
    return [(r.version_text, r.is_first, r.is_latest) for r in rows]


def test_versions_arriving_out_of_order_keep_first_and_latest_right(shared):
    target = indicator(1)["id"]
    for month in ("02", "01", "03"):
        actions.add_objects(shared.bank_analyst, shared.collection,
                            [indicator(1, modified=f"2024-{month}-01T00:00:00.000Z")])
    assert flags(shared.collection, target) == [
        ("2024-01-01T00:00:00.000Z", True, False),
        ("2024-02-01T00:00:00.000Z", False, False),
        ("2024-03-01T00:00:00.000Z", False, True),
    ]


def test_versions_in_one_envelope_are_flagged_together(shared):
    objs = [indicator(1, modified=f"2024-0{m}-01T00:00:00.000Z") for m in (3, 1, 2)]
    actions.add_objects(shared.bank_analyst, shared.collection, objs)
    assert [f[1:] for f in flags(shared.collection, objs[0]["id"])] == [(True, False), (False, False), (False, True)]


def test_date_added_strictly_increases_within_a_collection(shared):
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(n) for n in range(50)])
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(n) for n in range(50, 60)])
    added = list(StixObject.objects.filter(collection=shared.collection).order_by("pk")
                 .values_list("date_added", flat=True))
    assert all(later - earlier >= timedelta(microseconds=1) for earlier, later in zip(added, added[1:], strict=False))


def test_duplicates_are_stored_once(shared):
    first = actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1), indicator(1)])
    again = actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    assert (first.stored, first.duplicates, again.stored, again.duplicates) == (1, 1, 0, 1)
    assert StixObject.objects.count() == 1


def test_observables_have_one_version(shared):
    ip = {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
          "value": "198.51.100.3"}
    actions.add_objects(shared.bank_analyst, shared.collection, [ip, ip])
    actions.add_objects(shared.bank_analyst, shared.collection, [ip])
    row = StixObject.objects.get()
    assert row.is_latest and row.is_first
    assert row.version_text == stix.format_timestamp(row.date_added)


def test_stored_text_is_the_canonical_json(shared):
    obj = indicator(1)
    actions.add_objects(shared.bank_analyst, shared.collection, [obj])
    assert json.loads(StixObject.objects.get().body) == obj


def test_timestamps_parse_to_microseconds_and_back():
    assert stix.format_timestamp(stix.parse_timestamp("2024-01-02T03:04:05.123456789Z")) == \
        "2024-01-02T03:04:05.123456Z"
    assert stix.format_timestamp(stix.parse_timestamp("2024-01-02T03:04:05Z")) == "2024-01-02T03:04:05.000000Z"
    for bad in ("2024-01-02", "2024-01-02T03:04:05+01:00", "2024-13-02T03:04:05Z", ""):
        with pytest.raises(stix.InvalidTimestamp):
            stix.parse_timestamp(bad)


def test_validation_names_object_and_property():
    bad = indicator(1, pattern_type="sigma-ish")
    del bad["created"]
    messages = [p.message for p in stix.validate(bad)]
    assert any("created" in m for m in messages)
    assert all(p.object_id == bad["id"] for p in stix.validate(bad))
    assert stix.validate("not an object")[0].message.startswith("an object must be")
    assert "id" in stix.validate({"type": "indicator", "id": "indicator--nope"})[0].message


def _validation_corpus() -> list[dict]:
    """Valid objects of several kinds and deliberately broken ones."""
    ok = indicator(1, tlp="AMBER")
    observed = {"type": "observed-data", "spec_version": "2.1", "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
                "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                "first_observed": "2024-01-01T00:00:00Z", "last_observed": "2024-01-01T00:00:00Z",
                "number_observed": 1, "object_refs": ["ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"]}
    return [
        ok, observed,
        {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
         "value": "198.51.100.3"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
         "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
         "relationship_type": "indicates", "source_ref": ok["id"],
         "target_ref": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"},
        {"type": "x-forceb-note", "spec_version": "2.1", "id": "x-forceb-note--6b6e5a36-8a2b-4c1a-9f0e-2f5e6d7c8b9a",
         "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z"},
        stix.sighting(sighting_of=ok["id"], count=2, first_seen=stix.parse_timestamp("2024-01-01T00:00:00Z"),
                      last_seen=stix.parse_timestamp("2024-01-02T00:00:00Z"),
                      now=stix.parse_timestamp("2024-01-03T00:00:00Z")),
        dict(ok, created="yesterday"),
        dict(ok, pattern="[ipv4-addr:value = ]"),
        dict(ok, valid_until="2020-01-01T00:00:00Z"),
        dict(ok, external_references="x"),
        dict(observed, object_refs=["not-an-id"]),
        {k: v for k, v in ok.items() if k != "pattern"},
    ]


def _errors(objects, options) -> list[list[str]]:
    return [[str(e) for e in validate_instance(obj, options).errors] for obj in objects]


def test_cached_schemas_give_the_validators_own_verdicts(monkeypatch):
    """stix2-validator's validators are built once (stix.py); the errors must be exactly those
    of the validator left as it ships, object by object, with and without SHOULD checks."""
    corpus = _validation_corpus()
    cached = _errors(corpus, stix._OPTIONS), _errors(corpus, ValidationOptions(version="2.1"))
    monkeypatch.setattr(stix._validator_module, "load_validator", stix._UNCACHED_LOAD_VALIDATOR)
    shipped = _errors(corpus, stix._OPTIONS), _errors(corpus, ValidationOptions(version="2.1"))
    assert cached == shipped
    assert [bool(errors) for errors in shipped[0]] == [False] * 6 + [True] * 6
    monkeypatch.undo()
    assert [bool(stix.validate(obj)) for obj in corpus] == [False] * 6 + [True] * 6


def test_an_object_the_validator_cannot_check_is_refused_not_a_crash():
    # STIX 2.1 still allows observed-data's deprecated embedded ``objects``; stix2-validator
    # 3.3's checks of them fail with KeyError('id').
    embedded = {"type": "observed-data", "spec_version": "2.1", "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
                "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                "first_observed": "2024-01-01T00:00:00Z", "last_observed": "2024-01-01T00:00:00Z",
                "number_observed": 1, "objects": {"0": {"type": "ipv4-addr", "value": "198.51.100.3"}}}
    [problem] = stix.validate(embedded)
    assert problem.object_id == embedded["id"]
    assert "stix2-validator could not check" in problem.message


def test_parallel_validation_finds_the_same_problems():
    objects = [indicator(n) for n in range(40)]
    objects[7] = dict(objects[7], valid_from="never")
    assert stix.validate_many(objects, workers=2) == stix.validate_many(objects, workers=1)
    assert stix.PARALLEL_FROM > 40  # small lists stay in-process


def test_upgrade_from_stix_20_adds_what_21_requires():
    malware20 = {"type": "malware", "id": "malware--2a3f1e47-1c9d-4b9e-8c57-0e8f3a4b5c6d",
                 "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
                 "name": "BadThing", "labels": ["malware"]}
    assert stix.validate(malware20)
    upgraded = stix.upgrade_from_20(malware20)
    assert upgraded["spec_version"] == "2.1" and upgraded["is_family"] is True
    assert stix.validate(upgraded) == []


def test_cli_collection_create_import_export(shared, tmp_path):
    out = io.StringIO()
    call_command("intel", "collection", "create", "Fraud indicators", "--readers", "bank-a,insurer-b",
                 "--writers", "bank-a", stdout=out)
    coll = Collection.objects.get(uuid=out.getvalue().strip())
    assert set(coll.readers.values_list("slug", flat=True)) == {"bank-a", "insurer-b"}
    assert coll.owner == shared.hub
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps({"type": "bundle", "id": "bundle--0e4d4a51-3a2c-4c5f-9b43-2f1f0f1a5d11",
                                  "objects": [indicator(n) for n in range(3)]}))
    call_command("intel", "import", str(bundle), "--collection", str(coll.uuid), "--as", "bank-analyst",
                 stdout=io.StringIO(), stderr=io.StringIO())
    assert coll.stix_objects.count() == 3
    exported = tmp_path / "out.json"
    call_command("intel", "export", "--collection", str(coll.uuid), "--as", "insurer-analyst", "-o", str(exported),
                 stderr=io.StringIO())
    assert sorted(o["id"] for o in json.loads(exported.read_text())["objects"]) == \
        sorted(indicator(n)["id"] for n in range(3))


def test_cli_import_of_an_invalid_bundle_stores_nothing(shared, tmp_path):
    bad = indicator(2, valid_from="soon")
    bundle = tmp_path / "bad.json"
    bundle.write_text(json.dumps({"type": "bundle", "id": "bundle--0e4d4a51-3a2c-4c5f-9b43-2f1f0f1a5d11",
                                  "objects": [indicator(1), bad]}))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("intel", "import", str(bundle), "--collection", str(shared.collection.uuid),
                     "--as", "bank-analyst", stdout=io.StringIO(), stderr=err)
    assert bad["id"] in err.getvalue()
    assert not StixObject.objects.exists()
    with pytest.raises(CommandError, match="not a STIX bundle"):
        bundle.write_text("[]")
        call_command("intel", "import", str(bundle), "--collection", str(shared.collection.uuid),
                     "--as", "bank-analyst", stdout=io.StringIO(), stderr=io.StringIO())


def test_cli_attack_import_from_a_local_file(shared, tmp_path):
    """The ATT&CK loader on a small STIX 2.0 bundle in ATT&CK's shape (the real one is tested
    against ../shared/data in test_attack_data)."""
    pattern = {"type": "attack-pattern", "id": "attack-pattern--0a3ead4e-6d47-4ccb-854c-a6a4f9d96b22",
               "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
               "name": "Phishing", "external_references": [{"source_name": "mitre-attack", "external_id": "T1566"}]}
    path = tmp_path / "attack.json.gz"
    with gzip.open(path, "wt") as handle:
        json.dump({"type": "bundle", "id": "bundle--0e4d4a51-3a2c-4c5f-9b43-2f1f0f1a5d11", "spec_version": "2.0",
                   "objects": [pattern]}, handle)
    out = io.StringIO()
    call_command("intel", "attack-import", str(path), stdout=out, stderr=io.StringIO())
    coll = Collection.objects.get(alias="mitre-attack-enterprise")
    assert coll.stix_objects.get().type == "attack-pattern"
    assert coll.can_read(shared.insurer_analyst)
    call_command("intel", "attack-import", str(path), stdout=out, stderr=io.StringIO())
    assert coll.stix_objects.count() == 1


@pytest.mark.slow
def test_attack_data_from_shared_loads(shared):
    """A slice of the real ATT&CK v15 bundle (every kind it holds) upgrades to valid STIX 2.1."""
    from tests.conftest import shared_data

    with gzip.open(shared_data("intel", "attack", "enterprise-attack-v15.json.gz"), "rt") as handle:
        objects = json.load(handle)["objects"]
    sample, per_type = [], {}
    for obj in objects:
        if per_type.get(obj["type"], 0) < 15:
            per_type[obj["type"]] = per_type.get(obj["type"], 0) + 1
            sample.append(stix.upgrade_from_20(obj))
    result = actions.add_objects(shared.hub_analyst, shared.collection, sample)
    assert result.stored == len(sample)
    assert len(per_type) >= 12
