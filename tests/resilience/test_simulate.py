"""The simulation engine on hand-built graphs whose answers are worked out in the comments,
plus property tests.  Plain pytest, no database."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forceb.resilience.graph import BackupLayer, BusinessService, Dependency, Graph, Supplier, System
from forceb.resilience.scenarios import Effect, Scenario
from forceb.resilience.simulate import (
    blast_radius,
    compile_graph,
    concentration,
    simulate,
    simulate_library,
)

TODAY = dt.date(2026, 6, 1)


def sc(name: str, *effects: Effect, duration: float | None = None) -> Scenario:
    return Scenario(name=name, effects=tuple(effects), duration_minutes=duration)


def run(graph: Graph, scenario: Scenario, org: str | None = None):
    result = simulate(compile_graph(graph, today=TODAY), scenario, org=org)
    return result, {s.id: s for s in result.services}


def kinds(outcome) -> list[str]:
    return [r["kind"] for r in outcome.reasons]


# --------------------------------------------------------------------------- ransomware


def ransomware_graph(with_vault: bool) -> Graph:
    # bank: service pay -> system app -> system db; both in admin domain "corp" at site dc1.
    layers = [
        # local snapshot: names no admin domain, so it shares production's "corp" -> encrypted
        BackupLayer("db-snap", "db", "local", recovery_point_minutes=15, restore_minutes=30),
        # remote DR copy, declared to share the admin domain -> encrypted as well
        BackupLayer("app-dr", "app", "remote", 60, 60, shares=frozenset({"admin_domain"}), site="dc2"),
    ]
    if with_vault:
        layers += [
            # immutable and offline: survives although it shares the admin domain
            BackupLayer("db-vault", "db", "third-site", 1440, 600, immutable=True, offline=True,
                        shares=frozenset({"admin_domain"}), site="dc3"),
            BackupLayer("app-golden", "app", "remote", 60, 90, immutable=True, site="dc2", admin_domain="corp"),
        ]
    return Graph(
        services=(BusinessService("pay", "bank", "Payments", "critical", 240, 120, 60),),
        systems=(
            System("app", "bank", "App", "on-premises", site="dc1", admin_domain="corp"),
            System("db", "bank", "DB", "on-premises", site="dc1", admin_domain="corp"),
        ),
        dependencies=(Dependency("pay", "app"), Dependency("app", "db")),
        backup_layers=tuple(layers),
    )


RANSOMWARE = sc("rw", Effect("ransomware", admin_domains=("corp",)))


def test_ransomware_without_immutable_layer_is_unrecoverable():
    # db-snap and app-dr are mutable online layers in "corp": both encrypted.  app and db
    # are encrypted (destroyed) and nothing survives: no recovery, all data lost.
    result, out = run(ransomware_graph(with_vault=False), RANSOMWARE)
    pay = out["pay"]
    assert pay.affected and not pay.recoverable
    assert pay.time_to_recover_minutes is None and pay.data_lost_minutes is None
    assert pay.breached_tolerance is pay.breached_rto is pay.breached_rpo is True
    assert pay.breached is True
    assert "no_recovery_path" in kinds(pay)
    lost = [r for r in pay.reasons if r["kind"] == "layer_lost"]
    assert [r["layer"] for r in lost] == ["app-dr"]  # the time chain stops at app, unrecoverable
    assert "mutable online" in lost[0]["text"]
    assert result.to_dict()["services"][0]["breached"] is True


def test_ransomware_with_immutable_offline_layer_recovers_from_it():
    # Layers surviving: db-vault (immutable, offline: 600 min, RP 1440) and app-golden
    # (immutable: 90 min, RP 60).  db = (600, 1440), app = max(own 90, db 600) = 600 and
    # data max(60, 1440) = 1440.  pay: 600 min > tolerance 240 and RTO 120; 1440 > RPO 60.
    _, out = run(ransomware_graph(with_vault=True), RANSOMWARE)
    pay = out["pay"]
    assert pay.time_to_recover_minutes == 600
    assert pay.data_lost_minutes == 1440
    assert (pay.breached_tolerance, pay.breached_rto, pay.breached_rpo) == (True, True, True)
    # The time chain: pay needs app (600), app needs db (600), db restored from the vault.
    time_chain = [r for r in pay.reasons if r["chain"] == "time"]
    assert [(r["kind"], r.get("dependency") or r.get("layer")) for r in time_chain if r["kind"] != "hit"] == [
        ("dependency_failed", "app"),
        ("dependency_failed", "db"),
        ("layer_lost", "db-snap"),
        ("restored_from_layer", "db-vault"),
    ]


def test_ransomware_in_another_admin_domain_hits_nothing():
    _, out = run(ransomware_graph(with_vault=False), sc("rw", Effect("ransomware", admin_domains=("other",))))
    assert out["pay"].time_to_recover_minutes == 0 and not out["pay"].breached and not out["pay"].affected


# --------------------------------------------------------------------------- shared provider region


def region_graph() -> Graph:
    return Graph(
        services=(
            BusinessService("a-online", "bank-a", "Online banking A", "critical", 120, 60, 15),
            BusinessService("b-online", "bank-b", "Online banking B", "critical", 180, 120, 30),
        ),
        systems=(
            System("a-web", "bank-a", "", "cloud", provider="cloudx", region="eu-1", admin_domain="a/cloud"),
            System("b-web", "bank-b", "", "cloud", provider="cloudx", region="eu-1", admin_domain="b/cloud"),
            System("b-core", "bank-b", "", "on-premises", site="b-dc1", admin_domain="b/corp"),
        ),
        suppliers=(
            Supplier("cloudx", "CloudX", "cloud-provider", recovery_time_minutes=720),
            Supplier("kyc", "KYC SaaS", "api-partner", 60, 0, provider="cloudx", region="eu-1"),
        ),
        dependencies=(
            Dependency("a-online", "a-web"),
            Dependency("b-online", "b-web"),
            Dependency("b-online", "b-core"),
            Dependency("b-core", "kyc"),
        ),
        backup_layers=(
            # bank A keeps a warm standby in another region of the same provider
            BackupLayer("a-web-dr", "a-web", "cloud", 5, 45, provider="cloudx", region="eu-2", admin_domain="a/cloud"),
            # bank B's backup lives in the same region as production
            BackupLayer("b-web-bk", "b-web", "cloud", 15, 30, shares=frozenset({"provider", "region", "admin_domain"})),
        ),
    )


REGION = sc("eu1", Effect("region_outage", provider="cloudx", regions=("eu-1",)), duration=240)


def test_region_outage_of_a_shared_provider():
    # a-web: wait 240 or fail over to eu-2 in 45 min losing 5 -> (45, 5): within 120/60/15.
    # b-web: its backup is in eu-1 too (lost) -> waits 240.  kyc (hosted in eu-1) is down
    # for the scenario's 240 as well, so b-core is out 240.  b-online 240 > 180 and 120.
    result, out = run(region_graph(), REGION)
    a, b = out["a-online"], out["b-online"]
    assert (a.time_to_recover_minutes, a.data_lost_minutes, a.breached) == (45, 5, False)
    assert (b.time_to_recover_minutes, b.data_lost_minutes) == (240, 0)
    assert (b.breached_tolerance, b.breached_rto, b.breached_rpo, b.breached) == (True, True, False, True)
    assert "restored_from_layer" in kinds(a)
    assert any(r["kind"] == "layer_lost" and r["layer"] == "b-web-bk" for r in b.reasons) or any(
        r["kind"] == "dependency_failed" and r["dependency"] == "b-core" for r in b.reasons
    )
    # Same answers member by member as for the whole sector.
    for org in ("bank-a", "bank-b"):
        _, per = run(region_graph(), REGION, org=org)
        for sid, s in per.items():
            assert (s.time_to_recover_minutes, s.data_lost_minutes, s.breached) == (
                out[sid].time_to_recover_minutes, out[sid].data_lost_minutes, out[sid].breached)
    assert {s.org for s in result.services} == {"bank-a", "bank-b"}


def test_region_outage_without_duration_uses_providers_stated_recovery_time():
    # no duration: the region is out for CloudX's stated 720 min; kyc is hosted there, also 720.
    _, out = run(region_graph(), sc("eu1", Effect("region_outage", provider="cloudx", regions=("eu-1",))))
    assert out["b-online"].time_to_recover_minutes == 720
    assert out["a-online"].time_to_recover_minutes == 45


def test_largest_selectors_resolve_per_member():
    # Both members' main (only) region is cloudx/eu-1, so '@largest' equals the named scenario.
    named = run(region_graph(), REGION)[1]
    largest = run(region_graph(), sc("l", Effect("region_outage", provider="@largest", regions=("@largest",)),
                                    duration=240))[1]
    assert {k: v.time_to_recover_minutes for k, v in named.items()} == {
        k: v.time_to_recover_minutes for k, v in largest.items()}


# --------------------------------------------------------------------------- fourth party


def fourth_party_graph() -> Graph:
    return Graph(
        services=(BusinessService("loans", "bank", "Loans", "critical", 480, 240, 60),),
        systems=(System("loan-app", "bank", "", "on-premises", site="dc1", admin_domain="corp"),),
        suppliers=(
            Supplier("core-vendor", "Core vendor", "core-banking", recovery_time_minutes=120),
            Supplier("colo", "Colocation", "data-centre", recovery_time_minutes=600),
        ),
        dependencies=(Dependency("loans", "loan-app"), Dependency("loan-app", "core-vendor"),
                      Dependency("core-vendor", "colo")),
    )


def test_fourth_party_failure_propagates_through_the_supplier():
    # colo fails for its stated 600 min; the core vendor depends on it (a fourth party of the
    # bank) and has no alternative, so it is out 600 too (its own 120 does not cap that);
    # loan-app and loans: 600 > tolerance 480 and RTO 240; no data lost (an outage).
    _, out = run(fourth_party_graph(), sc("colo-down", Effect("supplier_outage", suppliers=("colo",))))
    loans = out["loans"]
    assert (loans.time_to_recover_minutes, loans.data_lost_minutes) == (600, 0)
    assert (loans.breached_tolerance, loans.breached_rto, loans.breached_rpo) == (True, True, False)
    chain = [(r["kind"], r.get("dependency")) for r in loans.reasons]
    assert chain[:3] == [("dependency_failed", "loan-app"), ("dependency_failed", "core-vendor"),
                         ("dependency_failed", "colo")]
    assert loans.reasons[-1]["kind"] == "supplier_recovery" and "stated recovery time" in loans.reasons[-1]["text"]


def test_concentration_counts_direct_and_fourth_party_dependencies():
    rows = {r.supplier: r for r in concentration(compile_graph(fourth_party_graph(), today=TODAY))}
    assert (rows["core-vendor"].members_direct, rows["core-vendor"].critical_services_direct) == (1, 1)
    assert (rows["colo"].members_direct, rows["colo"].members_total) == (0, 1)
    assert (rows["colo"].critical_services_direct, rows["colo"].critical_services_total) == (0, 1)


def test_blast_radius_uses_stated_recovery_times():
    # core-vendor alone: out its stated 120 <= 480: no breach.  colo: 600 > 480: one breach.
    rows = blast_radius(compile_graph(fourth_party_graph(), today=TODAY))
    assert [r.supplier for r in rows] == ["colo", "core-vendor"]
    colo, core = rows
    assert (colo.outage_minutes, colo.members_breached, colo.critical_services_breached, colo.members) == (
        600, 1, 1, ["bank"])
    assert (core.outage_minutes, core.members_affected, core.members_breached) == (120, 1, 0)


# --------------------------------------------------------------------------- cycle


def cycle_graph() -> Graph:
    return Graph(
        services=(BusinessService("s", "bank", "", "high", 480, 240, 60),),
        systems=(
            System("a", "bank", "", "on-premises", site="dc1", admin_domain="corp"),
            System("b", "bank", "", "on-premises", site="dc1", admin_domain="corp"),
            System("c", "bank", "", "on-premises", site="dc2", admin_domain="corp"),
        ),
        dependencies=(Dependency("s", "a"), Dependency("a", "b"), Dependency("b", "a"), Dependency("b", "c")),
    )


def test_cycle_is_a_finding_and_recovers_together():
    # c is unavailable 120 min; b needs c, a needs b, b needs a: the cycle settles at 120
    # (the least fixed point), not at infinity.  s: 120 <= 240.
    result, out = run(cycle_graph(), sc("dc2", Effect("site_loss", sites=("dc2",), destroys_data=False),
                                        duration=120))
    assert out["s"].time_to_recover_minutes == 120 and not out["s"].breached
    assert any(f.code == "cycle" and "a, b" in f.message for f in result.findings)


def test_cycle_untouched_by_the_scenario_stays_up():
    _, out = run(cycle_graph(), sc("none", Effect("site_loss", sites=("elsewhere",))))
    assert out["s"].time_to_recover_minutes == 0 and not out["s"].affected


def test_cycle_member_hit_directly():
    # dc1 destroyed: a and b have no backup layers -> unrecoverable, whatever the cycle.
    _, out = run(cycle_graph(), sc("dc1", Effect("site_loss", sites=("dc1",))))
    assert out["s"].time_to_recover_minutes is None and out["s"].breached


# --------------------------------------------------------------------------- alternatives


def alternative_graph(**dep) -> Graph:
    return Graph(
        services=(BusinessService("cards", "bank", "Cards", "critical", 120, 60, 0),),
        systems=(System("switch", "bank", "", "on-premises", site="dc1", admin_domain="corp"),),
        suppliers=(
            Supplier("pp-1", "Processor 1", "payment-processor", 480),
            Supplier("pp-2", "Processor 2", "payment-processor", 480),
        ),
        dependencies=(Dependency("cards", "switch"), Dependency("switch", "pp-1", **dep)),
    )


PP1_DOWN = sc("pp1", Effect("supplier_outage", suppliers=("pp-1",)), duration=360)


def test_documented_alternative_saves_the_service():
    # pp-1 down 360; switching to pp-2 (up) takes 45: min(360, max(45, 0)) = 45 <= 60.
    _, out = run(alternative_graph(alternatives=("pp-2",), switchover_minutes=45), PP1_DOWN)
    cards = out["cards"]
    assert (cards.time_to_recover_minutes, cards.breached) == (45, False)
    used = [r for r in cards.reasons if r["kind"] == "alternative_used"]
    assert used and used[0]["alternative"] == "pp-2" and used[0]["switchover_minutes"] == 45


def test_alternative_down_too_does_not_help():
    # Both processors out 360: the alternative gives max(45, 360) = 360, no better.
    both = sc("pp", Effect("supplier_outage", supplier_kinds=("payment-processor",)), duration=360)
    _, out = run(alternative_graph(alternatives=("pp-2",), switchover_minutes=45), both)
    assert out["cards"].time_to_recover_minutes == 360 and out["cards"].breached


def test_alternative_without_switchover_time_is_not_counted():
    graph = alternative_graph(alternatives=("pp-2",))
    result, out = run(graph, PP1_DOWN)
    assert out["cards"].time_to_recover_minutes == 360
    assert any(f.code == "missing-data" and f.field == "switchover_minutes" for f in result.findings)


def test_documented_workaround():
    _, out = run(alternative_graph(workaround=True, switchover_minutes=90), PP1_DOWN)
    assert out["cards"].time_to_recover_minutes == 90 and out["cards"].breached_rto is True
    assert out["cards"].breached_tolerance is False


# --------------------------------------------------------------------------- RPO vs RTO


def test_rpo_breached_while_rto_holds():
    # dc1 is destroyed; the DR copy at dc2 restores in 30 min but replicates every 60 min:
    # 30 <= RTO 240 and tolerance 480, yet 60 > RPO 5.
    graph = Graph(
        services=(BusinessService("trading", "bank", "", "critical", 480, 240, 5),),
        systems=(System("oms", "bank", "", "on-premises", site="dc1", admin_domain="corp"),),
        dependencies=(Dependency("trading", "oms"),),
        backup_layers=(
            BackupLayer("oms-local", "oms", "local", 1, 5),  # local: same site, lost with it
            BackupLayer("oms-dr", "oms", "remote", 60, 30, site="dc2", admin_domain="dr"),
        ),
    )
    _, out = run(graph, sc("dc1", Effect("site_loss", sites=("dc1",))))
    t = out["trading"]
    assert (t.time_to_recover_minutes, t.data_lost_minutes) == (30, 60)
    assert (t.breached_tolerance, t.breached_rto, t.breached_rpo, t.breached) == (False, False, True, True)
    restored = [r for r in t.reasons if r["kind"] == "restored_from_layer"]
    assert restored[0]["layer"] == "oms-dr" and restored[0]["data_lost_minutes"] == 60
    assert any(r["kind"] == "layer_lost" and r["layer"] == "oms-local" for r in t.reasons)


def test_faster_option_wins_then_less_data():
    # Outage of 100 min with data intact vs a layer restoring in 100 min losing 10: equally
    # fast, so waiting (no data lost) is chosen; a layer restoring in 20 wins on time.
    def graph(restore):
        return Graph(
            services=(BusinessService("s", "o", "", "low", 1000, 1000, 1000),),
            systems=(System("x", "o", "", "on-premises", site="dc1", admin_domain="d"),),
            dependencies=(Dependency("s", "x"),),
            backup_layers=(BackupLayer("l", "x", "remote", 10, restore, site="dc2", admin_domain="e"),),
        )
    scenario = sc("dc1", Effect("site_loss", sites=("dc1",), destroys_data=False), duration=100)
    assert (run(graph(100), scenario)[1]["s"].data_lost_minutes) == 0
    out = run(graph(20), scenario)[1]["s"]
    assert (out.time_to_recover_minutes, out.data_lost_minutes) == (20, 10)


# --------------------------------------------------------------------------- missing data, bad input


def test_unknown_tolerances_are_findings_not_crashes():
    graph = Graph(
        services=(BusinessService("s", "bank", "Savings"),),
        systems=(System("x", "bank", "", "on-premises", site="dc1", admin_domain="corp"),),
        dependencies=(Dependency("s", "x"),),
    )
    result, out = run(graph, sc("dc1", Effect("site_loss", sites=("dc1",))))
    s = out["s"]
    assert s.time_to_recover_minutes is None
    assert (s.breached_tolerance, s.breached_rto, s.breached_rpo, s.breached) == (None, None, None, False)
    messages = {f.message for f in result.findings}
    assert {"service s has no RTO", "service s has no RPO", "service s has no impact tolerance"} <= messages


def test_broken_items_are_left_out_and_reported():
    graph = Graph(
        services=(BusinessService("s", "bank", "", "high", 60, -5, 10),),  # negative RTO
        systems=(System("x", "bank", "", "on-premises", site="dc1", admin_domain="corp"),
                 System("x", "bank", "duplicate")),
        dependencies=(Dependency("s", "x"), Dependency("s", "ghost"), Dependency("x", "s")),
        backup_layers=(BackupLayer("l", "nowhere", "local", 5, 5),),
    )
    cg = compile_graph(graph, today=TODAY)
    codes = {(f.code, f.item) for f in cg.findings if f.severity == "error"}
    assert {("negative-time", "s"), ("duplicate-id", "x"), ("dangling-reference", "s->ghost"),
            ("invalid-dependency", "x->s"), ("dangling-reference", "l")} <= codes
    result = simulate(cg, sc("dc1", Effect("site_loss", sites=("dc1",))), org="bank")
    s = result.services[0]
    assert s.rto_minutes is None and s.breached_rto is None and s.breached_tolerance is True


def test_garbage_values_never_crash():
    graph = Graph(
        services=(BusinessService("s", "bank", None, 7, "soon", math.nan, -1),),  # type: ignore[arg-type]
        systems=(System("x", "bank", hosting="moon", site=3, admin_domain=["a"]),),  # type: ignore[arg-type]
        dependencies=(Dependency("s", "x", alternatives=(None,), switchover_minutes="x"),),  # type: ignore[arg-type]
        backup_layers=(BackupLayer("l", "x", "local", None, True),),  # type: ignore[arg-type]
    )
    cg = compile_graph(graph, today=TODAY)
    assert any(f.severity == "error" for f in cg.findings)
    for scenario in (RANSOMWARE, sc("all", Effect("ransomware", admin_domains=("*",)))):
        assert simulate(cg, scenario).services[0].id == "s"


def test_unknown_org_gives_an_empty_result_with_a_finding():
    result = simulate(compile_graph(cycle_graph(), today=TODAY), RANSOMWARE, org="nobody")
    assert result.services == [] and result.findings[0].code == "unknown-org"


# --------------------------------------------------------------------------- supplier compromise, composites


def test_supplier_compromise_spreads_ransomware_to_connected_domains():
    # The core vendor is compromised: out its stated 240 min, losing its stated RP of 30;
    # ransomware spreads into "corp" (core-gw connects to it), encrypting core-gw and ledger;
    # ledger comes back from its immutable copy (300 min, RP 60); core-gw has none.
    graph = Graph(
        services=(BusinessService("acc", "bank", "", "critical", 480, 240, 30),
                  BusinessService("rep", "bank", "", "low", 4320, 2880, 1440)),
        systems=(System("core-gw", "bank", "", "on-premises", site="dc1", admin_domain="corp"),
                 System("ledger", "bank", "", "on-premises", site="dc1", admin_domain="corp"),
                 System("bi", "bank", "", "on-premises", site="dc1", admin_domain="analytics")),
        suppliers=(Supplier("cbv", "Core vendor", "core-banking", 240, 30),),
        dependencies=(Dependency("acc", "core-gw"), Dependency("core-gw", "cbv"), Dependency("rep", "ledger"),
                      Dependency("rep", "bi")),
        backup_layers=(BackupLayer("ledger-imm", "ledger", "third-site", 60, 300, immutable=True, site="dc3",
                                   admin_domain="corp"),),
    )
    scenario = sc("cbv", Effect("supplier_compromise", suppliers=("cbv",)))
    _, out = run(graph, scenario)
    assert out["acc"].time_to_recover_minutes is None
    assert (out["rep"].time_to_recover_minutes, out["rep"].data_lost_minutes) == (300, 60)
    # Without spreading: acc waits for the vendor, 240 min, and loses the vendor's 30.
    _, out = run(graph, sc("cbv", Effect("supplier_compromise", suppliers=("cbv",), spreads=False)))
    assert (out["acc"].time_to_recover_minutes, out["acc"].data_lost_minutes) == (240, 30)
    assert out["rep"].affected is False


def test_composite_is_at_least_as_bad_as_each_part():
    graph = region_graph()
    a = sc("a", Effect("region_outage", provider="cloudx", regions=("eu-1",)), duration=240)
    b = sc("b", Effect("site_loss", sites=("b-dc1",)))
    both = sc("ab", *a.effects, *b.effects, duration=240)
    ra, rb, rab = (simulate_library(compile_graph(graph, today=TODAY), [x]) [0] for x in (a, b, both))
    for x, y, z in zip(ra.services, rb.services, rab.services, strict=True):
        tx, ty, tz = (math.inf if v is None else v for v in
                      (x.time_to_recover_minutes, y.time_to_recover_minutes, z.time_to_recover_minutes))
        assert tz >= max(tx, ty)


def test_telecom_outage_defaults_to_every_telecom():
    graph = Graph(
        services=(BusinessService("s", "o", "", "high", 60, 60, 60),),
        systems=(System("x", "o", "", "on-premises", site="dc", admin_domain="d"),),
        suppliers=(Supplier("t1", "", "telecom", 30), Supplier("t2", "", "telecom", 30)),
        dependencies=(Dependency("s", "x"), Dependency("x", "t1", alternatives=("t2",), switchover_minutes=5)),
    )
    _, out = run(graph, sc("tel", Effect("telecom_outage"), duration=300))
    assert out["s"].time_to_recover_minutes == 300
    _, out = run(graph, sc("tel", Effect("telecom_outage", suppliers=("t1",)), duration=300))
    assert out["s"].time_to_recover_minutes == 5


def test_results_are_memoised_per_scenario_and_repeatable():
    cg = compile_graph(region_graph(), today=TODAY)
    first = simulate(cg, REGION).to_dict()
    assert cg.failure_set(REGION) is cg.failure_set(REGION)
    assert simulate(cg, REGION).to_dict() == first


# --------------------------------------------------------------------------- properties

ADMIN = ("d0", "d1")
SITES = ("s0", "s1", "s2")


@st.composite
def random_graphs(draw):
    n_sys = draw(st.integers(1, 7))
    n_sup = draw(st.integers(0, 3))
    n_svc = draw(st.integers(1, 4))
    systems = tuple(
        System(f"x{i}", "o", "", "on-premises", site=draw(st.sampled_from(SITES)),
               admin_domain=draw(st.sampled_from(ADMIN)))
        for i in range(n_sys)
    )
    suppliers = tuple(Supplier(f"p{i}", "", "software", draw(st.sampled_from([None, 30, 300]))) for i in range(n_sup))
    services = tuple(
        BusinessService(f"v{i}", "o", "", "critical", *draw(st.tuples(*[st.sampled_from([None, 60, 600])] * 3)))
        for i in range(n_svc)
    )
    nodes_sys = [s.id for s in systems]
    nodes_sup = [s.id for s in suppliers]
    deps = {}
    for v in services:
        for t in draw(st.lists(st.sampled_from(nodes_sys + nodes_sup), min_size=1, max_size=3)):
            deps[(v.id, t)] = Dependency(v.id, t)
    for x in nodes_sys:  # arbitrary system edges: cycles allowed
        for t in draw(st.lists(st.sampled_from(nodes_sys + nodes_sup), max_size=2)):
            if t != x:
                alt = draw(st.sampled_from([None, *nodes_sup]))
                if alt is not None and alt != t and draw(st.booleans()):
                    deps[(x, t)] = Dependency(x, t, (alt,), False, draw(st.sampled_from([0, 20, 500])))
                else:
                    deps[(x, t)] = Dependency(x, t)
    for p in nodes_sup:
        for t in draw(st.lists(st.sampled_from(nodes_sup), max_size=1)):
            if t != p:
                deps[(p, t)] = Dependency(p, t)
    layers = tuple(
        BackupLayer(f"l{i}", draw(st.sampled_from(nodes_sys)), draw(st.sampled_from(["local", "remote"])),
                    draw(st.sampled_from([0, 15, 240])), draw(st.sampled_from([10, 100, 1000])),
                    immutable=draw(st.booleans()), site=draw(st.sampled_from((None, *SITES))),
                    admin_domain=draw(st.sampled_from((None, *ADMIN))))
        for i in range(draw(st.integers(0, 5)))
    )
    return Graph(services, systems, suppliers, tuple(deps.values()), layers)


@st.composite
def random_scenarios(draw, graph: Graph | None = None):
    effects = []
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(["ransomware", "site_loss", "site_outage", "supplier_outage"]))
        if kind == "ransomware":
            effects.append(Effect("ransomware", admin_domains=(draw(st.sampled_from(ADMIN + ("*",))),)))
        elif kind == "site_loss":
            effects.append(Effect("site_loss", sites=(draw(st.sampled_from(SITES)),)))
        elif kind == "site_outage":
            effects.append(Effect("site_loss", sites=(draw(st.sampled_from(SITES)),), destroys_data=False,
                                  duration_minutes=draw(st.sampled_from([None, 50, 500]))))
        else:
            effects.append(Effect("supplier_outage", suppliers=("p0", "p1", "p2")[: draw(st.integers(1, 3))],
                                  duration_minutes=draw(st.sampled_from([None, 45]))))
    return Scenario("random", tuple(effects))


def times(result) -> dict[str, float]:
    return {s.id: math.inf if s.time_to_recover_minutes is None else s.time_to_recover_minutes
            for s in result.services}


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(random_graphs(), random_scenarios())
def test_property_a_surviving_layer_never_slows_recovery(graph, scenario):
    before = times(simulate(compile_graph(graph, today=TODAY), scenario))
    # A layer in a site, admin domain and provider no scenario names, immutable and offline.
    for system in graph.systems:
        extra = BackupLayer(f"safe-{system.id}", system.id, "third-site", 30, 200, immutable=True, offline=True,
                            site="bunker", admin_domain="vault")
        bigger = Graph(graph.services, graph.systems, graph.suppliers, graph.dependencies,
                       (*graph.backup_layers, extra))
        after = times(simulate(compile_graph(bigger, today=TODAY), scenario))
        assert all(after[k] <= before[k] for k in before)


@PROPERTY
@given(random_graphs())
def test_property_a_scenario_hitting_nothing_breaches_nothing(graph):
    nothing = sc("nothing", Effect("site_loss", sites=("no-such-site",)),
                 Effect("ransomware", admin_domains=("no-such-domain",)),
                 Effect("supplier_outage", suppliers=("no-such-supplier",)))
    result = simulate(compile_graph(graph, today=TODAY), nothing)
    assert all(s.time_to_recover_minutes == 0 and s.data_lost_minutes == 0 for s in result.services)
    assert not any(s.breached or s.affected or s.reasons for s in result.services)


@PROPERTY
@given(random_graphs(), random_scenarios(), random_scenarios())
def test_property_more_effects_never_recover_faster(graph, a, b):
    cg = compile_graph(graph, today=TODAY)
    ta, tb = times(simulate(cg, a)), times(simulate(cg, b))
    tab = times(simulate(cg, Scenario("ab", a.effects + b.effects)))
    assert all(tab[k] >= max(ta[k], tb[k]) for k in ta)


def reference_times(graph: Graph, scenario: Scenario) -> dict[str, float]:
    """A deliberately naive reference: resolve the hits from the dataclasses, then iterate
    every item's value to a fixed point from zero, with no ordering or sparsity."""
    INF = math.inf
    systems = {s.id: s for s in graph.systems}
    suppliers = {s.id: s for s in graph.suppliers}
    own: dict[str, float] = {}
    killed: set[str] = set()
    destroyed: set[str] = set()
    down: dict[str, float] = {}
    for e in scenario.effects:
        duration = scenario.duration_of(e)
        if e.type == "ransomware":
            # '*': every admin domain production systems use (not a vault only backups use)
            doms = {s.admin_domain for s in graph.systems} if "*" in e.admin_domains else set(e.admin_domains)
            destroyed |= {s.id for s in graph.systems if s.admin_domain in doms}
            killed |= {b.id for b in graph.backup_layers if not (b.immutable or b.offline)
                       and b.effective("admin_domain", systems[b.system]) in doms}
        elif e.type == "site_loss":
            hit = {s.id for s in graph.systems if s.site in e.sites}
            if e.destroys_data:
                destroyed |= hit
            else:
                for x in hit:
                    down[x] = max(down.get(x, 0), INF if duration is None else duration)
            killed |= {b.id for b in graph.backup_layers if b.effective("site", systems[b.system]) in e.sites}
        elif e.type == "supplier_outage":
            for p in e.suppliers:
                if p in suppliers:
                    rt = suppliers[p].recovery_time_minutes
                    m = duration if duration is not None else (INF if rt is None else rt)
                    own[p] = max(own.get(p, 0), m)
    for x in destroyed | set(down):
        best = INF if x in destroyed else down[x]
        for b in graph.backup_layers:
            if b.system == x and b.id not in killed:
                best = min(best, b.restore_minutes)
        own[x] = best
    value = dict.fromkeys([*systems, *suppliers, *(s.id for s in graph.services)], 0.0)
    for _ in range(100):
        new = {}
        for k in value:
            t = own.get(k, 0.0)
            for d in graph.dependencies:
                if d.source != k:
                    continue
                v = value[d.target]
                if d.alternatives and d.switchover_minutes is not None:
                    v = min([v] + [max(d.switchover_minutes, value[a]) for a in d.alternatives])
                t = max(t, v)
            new[k] = t
        if new == value:
            break
        value = new
    return {s.id: value[s.id] for s in graph.services}


@PROPERTY
@given(random_graphs(), random_scenarios())
def test_property_engine_matches_naive_fixed_point(graph, scenario):
    assert times(simulate(compile_graph(graph, today=TODAY), scenario)) == reference_times(graph, scenario)


@pytest.mark.parametrize("explain", [True, False])
def test_explain_flag_only_changes_reasons(explain):
    cg = compile_graph(ransomware_graph(with_vault=True), today=TODAY)
    s = simulate(cg, RANSOMWARE, explain=explain).services[0]
    assert s.time_to_recover_minutes == 600 and bool(s.reasons) is explain
