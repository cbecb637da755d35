"""The loader builds the engine's plain data from the database, in a few queries, and the
engine's answer over it is the one worked out by hand."""

import pytest

from forceb.resilience import loader
from forceb.resilience import scenarios as library
from forceb.resilience import simulate as engine

from .factories import small_sector

pytestmark = pytest.mark.django_db


def test_member_graph_holds_only_the_members_rows_with_stable_ids(sector):
    small_sector(sector)
    graph = loader.load([sector.bank]).graph
    assert [s.id for s in graph.services] == ["svc:bank-a/Payments"]
    assert [s.id for s in graph.systems] == ["sys:bank-a/Core"]
    core = graph.systems[0]
    # Private failure domains are qualified by the member, so two members' "DC1" never merge.
    assert (core.site, core.admin_domain, core.provider) == ("bank-a/DC1", "bank-a/corp", None)
    suppliers = {s.id: s for s in graph.suppliers}
    assert set(suppliers) == {"tax-id:11111111", "tax-id:22222222"}
    # The inventory's "cloud" is the engine's "cloud-provider"; the tested time beats the stated one.
    assert suppliers["tax-id:22222222"].kind == "cloud-provider"
    assert suppliers["tax-id:11111111"].recovery_time_minutes == 300
    assert {(d.source, d.target) for d in graph.dependencies} == {
        ("svc:bank-a/Payments", "sys:bank-a/Core"), ("sys:bank-a/Core", "tax-id:11111111"),
        ("tax-id:11111111", "tax-id:22222222")}
    layers = {b.id: b for b in graph.backup_layers}
    assert layers["layer:bank-a/Core/snapshots"].shares == frozenset({"site", "admin_domain"})
    vault = layers["layer:bank-a/Core/vault"]
    assert (vault.immutable, vault.offline, vault.site, vault.admin_domain) == (True, True, "bank-a/DC2",
                                                                                 "bank-a/vault")


def test_sector_graph_takes_the_longest_evidence_and_each_fourth_party_edge_once(sector):
    small_sector(sector)
    graph = loader.load().graph
    assert {s.org for s in graph.services} == {"bank-a", "insurer-b"}
    vendor = next(s for s in graph.suppliers if s.id == "tax-id:11111111")
    assert vendor.recovery_time_minutes == 720  # insurer-b's stated 720 over bank-a's tested 300
    policy = next(s for s in graph.systems if s.id == "sys:insurer-b/Policy")
    assert (policy.provider, policy.region) == ("tax-id:22222222", "r1")


def test_ransomware_answer_matches_the_hand_worked_one(sector):
    small_sector(sector)
    graph = loader.load([sector.bank]).graph
    ransomware = library.by_name(library.default_library(), "ransomware")
    payments = engine.simulate(graph, ransomware, org="bank-a").services[0]
    # Core is encrypted with its local snapshots (same admin domain); the immutable offline vault
    # survives: restore 180 min, losing 60 min. Tolerance 240 holds; RTO 120 and RPO 15 do not.
    assert payments.time_to_recover_minutes == 180
    assert payments.data_lost_minutes == 60
    assert (payments.breached_tolerance, payments.breached_rto, payments.breached_rpo) == (False, True, True)
    kinds = {(r["kind"], r.get("layer")) for r in payments.reasons}
    assert ("restored_from_layer", "layer:bank-a/Core/vault") in kinds
    assert ("layer_lost", "layer:bank-a/Core/snapshots") in kinds


def test_sector_concentration_counts_fourth_parties(sector):
    small_sector(sector)
    rows = {r.supplier: r for r in engine.concentration(loader.load().graph)}
    # The vendor: both members directly. The cloud: insurer-b directly (hosting), bank-a only
    # through the vendor's own dependency on it (a fourth party).
    assert (rows["tax-id:11111111"].members_direct, rows["tax-id:11111111"].members_total) == (2, 2)
    assert (rows["tax-id:22222222"].members_direct, rows["tax-id:22222222"].members_total) == (1, 2)


def test_loading_takes_a_fixed_number_of_queries(sector, django_assert_max_num_queries):
    small_sector(sector)
    with django_assert_max_num_queries(7):
        one = loader.load([sector.bank])
    with django_assert_max_num_queries(7):
        whole = loader.load()
    assert len(whole.graph.services) > len(one.graph.services)
    assert one.service_pk["svc:bank-a/Payments"] > 0
