"""MISP JSON interchange: events in, events out, TLP carried both ways."""

import io
import json

import pytest
from django.core.management import call_command

from forceb.core.choices import TLP
from forceb.intel import actions, misp, stix

from .conftest import indicator

EVENT = {"Event": {
    "uuid": "5e4b2a1c-9f0e-4c5a-8f3b-1a2b3c4d5e6f", "info": "Phishing wave against online banking",
    "date": "2024-05-01", "timestamp": "1714521600",
    "Tag": [{"name": "tlp:amber"}, {"name": "type:OSINT"}],
    "Attribute": [
        {"type": "ip-dst", "category": "Network activity", "value": "203.0.113.7", "to_ids": True,
         "uuid": "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "timestamp": "1714521600", "comment": "C2"},
        {"type": "domain", "value": "login-bank.example", "uuid": "7b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"},
        {"type": "sha256", "value": "a" * 64},
        {"type": "url", "value": "http://login-bank.example/it's"},
        {"type": "regkey", "value": "HKLM\\Software\\Bad"},
    ]}}


def test_event_becomes_valid_stix_with_its_tlp():
    objects, skipped = misp.event_to_stix(EVENT)
    assert [o["type"] for o in objects] == ["indicator"] * 4 + ["report"]
    assert skipped == ["regkey: HKLM\\Software\\Bad"]
    assert all(stix.validate(o) == [] for o in objects), [stix.validate(o) for o in objects]
    assert {stix.marking_tlp(o) for o in objects} == {TLP.AMBER}
    assert objects[0]["pattern"] == "[ipv4-addr:value = '203.0.113.7']"
    assert objects[0]["id"] == "indicator--6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert objects[-1]["object_refs"] == [o["id"] for o in objects[:-1]]


def test_round_trip_keeps_values_and_tlp():
    objects, _ = misp.event_to_stix(EVENT)
    event, left_out = misp.stix_to_event(objects, info="back")
    values = [(a["type"], a["value"]) for a in event["Event"]["Attribute"]]
    assert ("ip-dst", "203.0.113.7") in values
    assert ("url", "http://login-bank.example/it's") in values
    assert ("sha256", "a" * 64) in values
    assert event["Event"]["Tag"] == [{"name": "tlp:amber"}]
    assert left_out == 0


def test_complex_patterns_are_left_out_not_guessed():
    complex_one = indicator(1, pattern="[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.example']")
    event, left_out = misp.stix_to_event([complex_one, indicator(2)], info="x")
    assert left_out == 1
    assert len(event["Event"]["Attribute"]) == 1


def test_not_an_event_is_refused():
    with pytest.raises(misp.NotAnEvent):
        misp.event_to_stix([1, 2])


def test_cli_import_then_export_follows_tlp(shared, tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(EVENT))
    call_command("intel", "misp-import", str(path), "--collection", str(shared.collection.uuid),
                 "--as", "bank-analyst", stdout=io.StringIO(), stderr=io.StringIO())
    assert shared.collection.stix_objects.count() == 5
    out = tmp_path / "out.json"
    call_command("intel", "misp-export", "--collection", str(shared.collection.uuid), "--as", "insurer-analyst",
                 "-o", str(out), stderr=io.StringIO())
    assert len(json.loads(out.read_text())["Event"]["Attribute"]) == 4
    call_command("intel", "misp-export", "--collection", str(shared.collection.uuid), "-o", str(out),
                 stderr=io.StringIO())
    assert json.loads(out.read_text())["Event"]["Attribute"] == []  # AMBER: not without a reader


def test_misp_import_of_an_event_stored_alongside_stix(shared):
    objects, _ = misp.event_to_stix(EVENT)
    result = actions.add_objects(shared.bank_analyst, shared.collection, objects)
    assert result.stored == 5
