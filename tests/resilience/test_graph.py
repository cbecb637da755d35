"""The plain-data ecosystem graph: parsing, validation findings, all-or-nothing import."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forceb.resilience.graph import (
    BackupLayer,
    BusinessService,
    Dependency,
    Graph,
    GraphValidationError,
    Supplier,
    System,
    load_graph,
    merge_graphs,
    parse_graph,
    validate,
)

TODAY = dt.date(2026, 6, 1)


def good() -> dict:
    return {
        "services": [{"id": "pay", "org": "bank", "name": "Payments", "criticality": "critical",
                      "impact_tolerance_minutes": 240, "rto_minutes": 120, "rpo_minutes": 15}],
        "systems": [
            {"id": "app", "org": "bank", "hosting": "on-premises", "site": "bank/dc1", "admin_domain": "bank/corp"},
            {"id": "web", "org": "bank", "hosting": "cloud", "provider": "cloudx", "region": "eu-1",
             "admin_domain": "bank/cloud"},
        ],
        "suppliers": [
            {"id": "cloudx", "name": "CloudX", "kind": "cloud-provider", "recovery_time_minutes": 240},
            {"id": "pp", "name": "Processor", "kind": "payment-processor", "recovery_time_minutes": 120,
             "provider": "cloudx", "region": "eu-1"},
            {"id": "pp2", "kind": "payment-processor", "recovery_time_minutes": 60},
        ],
        "dependencies": [
            {"source": "pay", "target": "app"},
            {"source": "pay", "target": "web"},
            {"source": "app", "target": "pp", "alternatives": ["pp2"], "switchover_minutes": 30},
        ],
        "backup_layers": [
            {"id": "app-dr", "system": "app", "kind": "remote", "recovery_point_minutes": 5, "restore_minutes": 60,
             "site": "bank/dc2", "admin_domain": "bank/vault", "last_switchover_test": "2026-03-01"},
            {"id": "web-bk", "system": "web", "kind": "cloud", "recovery_point_minutes": 60, "restore_minutes": 30,
             "immutable": True, "shares": ["provider", "region", "admin_domain"],
             "last_switchover_test": "2026-05-01"},
        ],
    }


def errors(findings) -> set[tuple[str, str, str | None]]:
    return {(f.code, f.item, f.field) for f in findings if f.severity == "error"}


def test_a_good_graph_loads_and_round_trips():
    graph = load_graph(good(), today=TODAY)
    assert [s.id for s in graph.services] == ["pay"]
    assert graph.dependencies[2].alternatives == ("pp2",)
    assert graph.backup_layers[0].last_switchover_test == dt.date(2026, 3, 1)
    assert graph.backup_layers[1].shares == frozenset({"provider", "region", "admin_domain"})
    assert load_graph(graph.to_dict(), today=TODAY) == graph
    assert graph.orgs == ["bank"]
    assert not errors(validate(graph, today=TODAY))


def test_dangling_references_name_item_and_field():
    data = good()
    data["dependencies"].append({"source": "pay", "target": "ghost"})
    data["dependencies"].append({"source": "app", "target": "pp", "alternatives": ["nobody"],
                                 "switchover_minutes": 5})
    data["systems"][1]["provider"] = "no-cloud"
    data["backup_layers"].append({"id": "orphan", "system": "gone", "kind": "local"})
    with pytest.raises(GraphValidationError) as exc:
        load_graph(data, today=TODAY)
    found = errors(exc.value.findings)
    assert {("dangling-reference", "pay->ghost", "target"), ("dangling-reference", "app->pp", "alternatives[0]"),
            ("dangling-reference", "web", "provider"), ("dangling-reference", "orphan", "system")} <= found
    assert "pay->ghost.target" in str(exc.value)


def test_duplicate_ids_across_kinds_and_layers():
    data = good()
    data["systems"].append({"id": "pay", "org": "bank"})  # same id as a service
    data["backup_layers"].append(dict(data["backup_layers"][0]))
    with pytest.raises(GraphValidationError) as exc:
        load_graph(data, today=TODAY)
    found = errors(exc.value.findings)
    assert ("duplicate-id", "pay", "id") in found and ("duplicate-id", "app-dr", "id") in found
    assert "already used by a service" in str(exc.value)


@pytest.mark.parametrize(
    ("section", "index", "field", "value", "code"),
    [
        ("services", 0, "rto_minutes", -1, "negative-time"),
        ("services", 0, "rto_minutes", 500, "inconsistent-time"),  # RTO above tolerance 240
        ("suppliers", 0, "recovery_time_minutes", -30, "negative-time"),
        ("dependencies", 2, "switchover_minutes", -2, "negative-time"),
        ("backup_layers", 0, "restore_minutes", -5, "negative-time"),
        ("backup_layers", 0, "last_switchover_test", "2027-01-01", "inconsistent-value"),  # future
        ("services", 0, "rto_minutes", "two hours", "invalid-type"),
        ("services", 0, "criticality", "vital", "invalid-value"),
        ("systems", 0, "hosting", "moon", "invalid-value"),
        ("systems", 0, "provider", "cloudx", "inconsistent-value"),  # on-premises with a provider
        ("backup_layers", 0, "kind", "floppy", "invalid-value"),
        ("backup_layers", 0, "shares", ["planet"], "invalid-value"),
    ],
)
def test_bad_values_are_errors_naming_item_and_field(section, index, field, value, code):
    data = good()
    data[section][index][field] = value
    with pytest.raises(GraphValidationError) as exc:
        load_graph(data, today=TODAY)
    item = data[section][index].get("id") or f"{data[section][index]['source']}->{data[section][index]['target']}"
    assert any(f.code == code and f.item == item for f in exc.value.findings if f.severity == "error"), exc.value


def test_inconsistent_layer_domains():
    data = good()
    data["backup_layers"][0]["shares"] = ["provider"]  # app is on-premises: no provider to share
    data["backup_layers"][1]["region"] = "eu-2"  # says it shares the region, names another
    with pytest.raises(GraphValidationError) as exc:
        load_graph(data, today=TODAY)
    found = errors(exc.value.findings)
    assert ("inconsistent-value", "app-dr", "shares") in found
    assert ("inconsistent-value", "web-bk", "region") in found


def test_invalid_dependencies():
    data = good()
    data["services"].append({"id": "other", "org": "insurer"})
    data["dependencies"] += [
        {"source": "app", "target": "pay"},  # a system cannot depend on a service
        {"source": "pp", "target": "app"},  # a supplier cannot depend on a member's system
        {"source": "other", "target": "app"},  # across members
        {"source": "app", "target": "app"},  # itself
        {"source": "pay", "target": "web", "switchover_minutes": 10},  # switchover without alternative
    ]
    with pytest.raises(GraphValidationError) as exc:
        load_graph(data, today=TODAY)
    found = errors(exc.value.findings)
    assert {("invalid-dependency", "app->pay", "target"), ("invalid-dependency", "pp->app", "target"),
            ("invalid-dependency", "other->app", "target"), ("invalid-dependency", "app->app", "target"),
            ("inconsistent-value", "pay->web", "switchover_minutes")} <= found


def test_structural_errors_and_unknown_fields():
    data = good()
    data["services"].append({"org": "bank"})  # no id
    data["services"].append("not an object")
    data["systems"][0]["colour"] = "blue"
    data["extra"] = []
    graph, findings = parse_graph(data)
    found = errors(findings)
    assert ("missing-field", "services[1]", "id") in found
    assert ("invalid-type", "services[2]", None) in found
    assert ("unknown-field", "app", "colour") in found
    assert ("unknown-field", "graph", "extra") in found
    assert len(graph.services) == 1  # the broken ones are not built
    assert errors(parse_graph([])[1]) == {("invalid-type", "graph", None)}


def test_nothing_half_imported():
    data = good()
    data["services"][0]["rpo_minutes"] = -1
    with pytest.raises(GraphValidationError) as exc:
        load_graph(data, today=TODAY)
    # every error is listed, not just the first one; warnings do not block an import
    data["systems"][0]["hosting"] = "moon"
    with pytest.raises(GraphValidationError) as exc:
        load_graph(data, today=TODAY)
    assert len([f for f in exc.value.findings if f.severity == "error"]) == 2


def test_missing_data_is_reported_as_warnings():
    graph = Graph(
        services=(BusinessService("s", "o"),),
        systems=(System("x", "o"),),
        suppliers=(Supplier("p", kind="telepathy"),),
        dependencies=(Dependency("s", "x"), Dependency("x", "p", alternatives=("s",))),
        backup_layers=(BackupLayer("l", "x", "local"),),
    )
    findings = validate(graph, today=TODAY)
    messages = {f.message for f in findings if f.severity == "warning"}
    assert {"service s has no RTO", "service s has no RPO", "service s has no impact tolerance",
            "supplier p has no stated recovery time", "system x has no site",
            "layer l has no measured restore time; it is not counted",
            "layer l has no successful switchover test"} <= messages
    assert any(f.code == "invalid-value" and f.item == "p" and f.severity == "warning" for f in findings)
    # an alternative must be something the source may depend on
    assert ("invalid-dependency", "x->p", "alternatives[0]") in errors(findings)


def test_stale_switchover_test():
    data = good()
    data["backup_layers"][0]["last_switchover_test"] = "2024-01-01"
    findings = validate(parse_graph(data)[0], today=TODAY)
    assert any(f.code == "stale-test" and f.item == "app-dr" for f in findings)


def test_layer_domain_defaults():
    system = System("x", "o", site="dc1", admin_domain="corp", provider="c", region="r")
    local = BackupLayer("a", "x", "local")
    remote = BackupLayer("b", "x", "remote", site="dc2", admin_domain="vault")
    assert (local.effective("site", system), local.effective("admin_domain", system)) == ("dc1", "corp")
    assert (remote.effective("site", system), remote.effective("admin_domain", system)) == ("dc2", "vault")
    assert local.effective("provider", system) is None
    assert BackupLayer("c", "x", "cloud", shares=frozenset({"provider"})).effective("provider", system) == "c"


def test_merge_graphs_dedupes_identical_suppliers_and_reports_clashes():
    vendor = Supplier("v", "Vendor", "core-banking", 60)
    a = Graph(services=(BusinessService("a1", "a"),), suppliers=(vendor,))
    b = Graph(services=(BusinessService("b1", "b"),), suppliers=(vendor,))
    merged = merge_graphs(a, b)
    assert merged.suppliers == (vendor,) and merged.orgs == ["a", "b"]
    clash = merge_graphs(a, Graph(suppliers=(Supplier("v", "Vendor", "core-banking", 999),)))
    assert ("duplicate-id", "v", "id") in errors(validate(clash, today=TODAY))


minutes = st.one_of(st.none(), st.integers(0, 10_000))


@settings(max_examples=60, deadline=None)
@given(tol=minutes, rto=minutes, rpo=minutes, crit=st.sampled_from([None, "critical", "low"]))
def test_property_services_round_trip_and_rto_rule(tol, rto, rpo, crit):
    data = {"services": [{"id": "s", "org": "o", "criticality": crit, "impact_tolerance_minutes": tol,
                          "rto_minutes": rto, "rpo_minutes": rpo}]}
    data["services"][0] = {k: v for k, v in data["services"][0].items() if v is not None}
    graph, findings = parse_graph(data)
    assert not findings
    inconsistent = tol is not None and rto is not None and rto > tol
    assert any(f.code == "inconsistent-time" for f in validate(graph, today=TODAY)) is inconsistent
    assert parse_graph(graph.to_dict())[0] == graph
