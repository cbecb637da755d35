"""The scenario library: schema, JSON import/export, errors naming scenario and field."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forceb.resilience.scenarios import (
    DEFAULT_LIBRARY,
    EFFECT_FIELDS,
    EFFECT_TYPES,
    SCENARIO_SCHEMA,
    Effect,
    Scenario,
    ScenarioImportError,
    by_name,
    default_library,
    dumps_library,
    library_from_dict,
    library_to_dict,
    loads_library,
    validate_library,
    with_parameters,
)


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCENARIO_SCHEMA)


def test_default_library_covers_the_required_scenarios():
    names = {s.name for s in DEFAULT_LIBRARY}
    types = {e.type for s in DEFAULT_LIBRARY for e in s.effects}
    assert set(EFFECT_TYPES) <= types
    assert {"ransomware", "primary-site-loss", "cloud-region-outage", "cloud-provider-outage", "telecom-outage",
            "core-banking-vendor-outage", "payment-processor-outage", "core-banking-vendor-compromise"} <= names
    assert any(len(s.effects) > 1 for s in DEFAULT_LIBRARY)  # composites
    assert len(names) == len(DEFAULT_LIBRARY)
    assert default_library() == list(DEFAULT_LIBRARY) and default_library() is not default_library()


def test_export_validates_and_round_trips():
    document = library_to_dict(DEFAULT_LIBRARY)
    jsonschema.validate(document, SCENARIO_SCHEMA)
    assert [s["name"] for s in document["scenarios"]] == [s.name for s in DEFAULT_LIBRARY]
    assert library_from_dict(document) == list(DEFAULT_LIBRARY)
    assert loads_library(dumps_library(DEFAULT_LIBRARY)) == list(DEFAULT_LIBRARY)


def test_minimal_document_and_extra_top_level_keys():
    # the CLI's export adds BIAs next to 'scenarios'; the importer takes the scenarios
    doc = {"scenarios": [{"name": "x", "effects": [{"type": "ransomware", "admin_domains": ["*"]}]}],
           "bias": []}
    (scenario,) = library_from_dict(doc)
    assert scenario == Scenario("x", (Effect("ransomware", admin_domains=("*",)),))


def broken(**changes) -> dict:
    doc = library_to_dict(DEFAULT_LIBRARY[:3])
    for path, value in changes.items():
        target = doc["scenarios"]
        *head, last = path.split("__")
        for part in head:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is KeyError:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return doc


@pytest.mark.parametrize(
    ("changes", "item", "field", "words"),
    [
        ({"1__effects__0__admin_domains": []}, "ransomware-main-domain", "effects[0].admin_domains", "non-empty"),
        ({"2__effects__0__type": "meteor"}, "primary-site-loss", "effects[0].type", "meteor"),
        ({"2__effects__0__sites": KeyError}, "primary-site-loss", "effects[0]", "'sites' is a required"),
        ({"0__effects__0__duration_minutes": 10}, "ransomware", "effects[0]", "duration_minutes"),
        ({"2__duration_minutes": -5}, "primary-site-loss", "duration_minutes", "-5"),
        ({"2__name": "Bad Name"}, "Bad Name", "name", "does not match"),
        ({"0__colour": "red"}, "ransomware", None, "colour"),
        ({"1__name": "ransomware"}, "ransomware", "name", "already used"),
        ({"0__effects": []}, "ransomware", "effects", "non-empty"),
    ],
)
def test_import_errors_name_scenario_and_field(changes, item, field, words):
    with pytest.raises(ScenarioImportError) as exc:
        library_from_dict(broken(**changes))
    assert any(f.item == item and f.field == field and words in f.message for f in exc.value.findings), [
        str(f) for f in exc.value.findings]


def test_semantic_rules_beyond_the_schema():
    doc = {"scenarios": [
        {"name": "a", "effects": [{"type": "supplier_outage"}]},
        {"name": "b", "effects": [{"type": "region_outage", "provider": "*", "regions": ["x"]}]},
        {"name": "c", "effects": [{"type": "supplier_compromise", "supplier_kinds": ["lawyer"]}]},
    ]}
    findings = validate_library(doc)
    assert {(f.item, f.field) for f in findings} >= {("a", "effects[0]"), ("b", "effects[0].provider"),
                                                     ("c", "effects[0].supplier_kinds[0]")}


def test_nothing_half_imported():
    doc = library_to_dict(DEFAULT_LIBRARY)
    doc["scenarios"][-1]["effects"][0]["type"] = "nope"
    with pytest.raises(ScenarioImportError) as exc:
        library_from_dict(doc)
    assert len(exc.value.findings) == 1 and exc.value.findings[0].item == DEFAULT_LIBRARY[-1].name
    assert DEFAULT_LIBRARY[-1].name in str(exc.value)


def test_malformed_documents():
    with pytest.raises(ScenarioImportError) as exc:
        loads_library("{not json")
    assert exc.value.findings[0].code == "invalid-json"
    for doc in ([], {}, {"scenarios": {}}, {"scenarios": [None]}, {"scenarios": [{"name": "x"}]}):
        with pytest.raises(ScenarioImportError):
            library_from_dict(doc)


def test_with_parameters_changes_duration_and_scope():
    base = by_name(DEFAULT_LIBRARY, "ransomware")
    narrowed = with_parameters(base, name="ransomware-corp", admin_domains=["bank/corp"])
    assert narrowed.effects[0].admin_domains == ("bank/corp",) and narrowed.name == "ransomware-corp"
    longer = with_parameters(by_name(DEFAULT_LIBRARY, "telecom-outage"), duration_minutes=2880)
    assert longer.duration_minutes == 2880 and longer.duration_of(longer.effects[0]) == 2880
    with pytest.raises(TypeError):
        with_parameters(base, colour="red")
    with pytest.raises(ScenarioImportError):
        with_parameters(base, admin_domains=[])
    with pytest.raises(KeyError, match="known: ransomware"):
        by_name(DEFAULT_LIBRARY, "asteroid")


def test_effect_fields_match_the_schema():
    then = {b["if"]["properties"]["type"]["const"]: b["then"] for b in SCENARIO_SCHEMA["$defs"]["effect"]["allOf"]}
    for kind, fields in EFFECT_FIELDS.items():
        assert set(then[kind]["properties"]) == {"type", *fields}


names = st.lists(st.from_regex(r"[a-z0-9/@*-]{1,12}", fullmatch=True), min_size=1, max_size=3, unique=True)
durations = st.one_of(st.none(), st.integers(0, 100_000))


@st.composite
def effects(draw):
    kind = draw(st.sampled_from(EFFECT_TYPES))
    values = {
        "admin_domains": draw(names), "sites": draw(names), "provider": draw(st.sampled_from(["c1", "@largest"])),
        "regions": draw(names), "providers": draw(names), "suppliers": draw(names),
        "supplier_kinds": draw(st.lists(st.sampled_from(["telecom", "core-banking"]), min_size=1, unique=True)),
        "destroys_data": draw(st.booleans()), "spreads": draw(st.booleans()), "duration_minutes": draw(durations),
    }
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in EFFECT_FIELDS[kind]}
    return Effect(kind, **kw)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
                          st.lists(effects(), min_size=1, max_size=3), durations),
                min_size=1, max_size=4, unique_by=lambda t: t[0]))
def test_property_json_round_trip(items):
    library = [Scenario(name, tuple(effs), title=name.upper(), duration_minutes=d) for name, effs, d in items]
    text = dumps_library(library)
    assert loads_library(text) == library
    assert json.loads(text) == library_to_dict(library)
    # and a mutated copy is either valid or refused as a whole
    doc = copy.deepcopy(library_to_dict(library))
    doc["scenarios"][0]["effects"][0]["type"] = "unknown"
    with pytest.raises(ScenarioImportError):
        library_from_dict(doc)
