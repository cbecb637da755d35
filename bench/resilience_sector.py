"""Benchmark: the resilience engine over a synthetic sector, against networkx, in one run.

    .venv/bin/python bench/resilience_sector.py [--members 400] [--seed 7] [--skip-baseline]

Builds a sector the size of a real one (400 members, 20,000 business services, 100,000
systems, 3,000 suppliers, about 500,000 dependency edges) with realistic concentration (a
few cloud providers, core-banking vendors and telecoms shared by many members), then times

1. the whole default scenario library for every member (``simulate(..., org=member)``),
2. the sector concentration ranking and every supplier's blast radius,

with ``forceb.resilience.simulate`` and with a straightforward networkx implementation of
the same propagation rules (per member: subgraph, condensation, evaluation in topological
order; per supplier: ancestors, evaluation in topological order), checks that both give
the same numbers for every service, member and supplier, and prints both timings and
their ratio.  Sizes scale with ``--members`` for quick runs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

import networkx as nx
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forceb.resilience.graph import (  # noqa: E402
    BackupLayer,
    BusinessService,
    Dependency,
    Graph,
    Supplier,
    System,
)
from forceb.resilience.scenarios import ALL, DEFAULT_LIBRARY, LARGEST, Scenario  # noqa: E402
from forceb.resilience.simulate import (  # noqa: E402
    INF,
    blast_radius,
    compile_graph,
    concentration,
    outage_scenario,
    simulate,
)

# --------------------------------------------------------------------------- synthetic sector

TOLERANCE = {"critical": 240, "high": 480, "medium": 1440, "low": 4320}


def _zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (k + 1) ** s for k in range(n)]


def build_sector(members: int = 400, seed: int = 7) -> Graph:
    """A deterministic synthetic sector; sizes scale with ``members`` (400 = full size)."""
    rng = random.Random(seed)
    scale = members / 400
    n_services = round(20_000 * scale)
    n_systems = round(100_000 * scale)
    n_suppliers = max(60, round(3_000 * scale))

    suppliers: list[Supplier] = []
    sup_deps: list[Dependency] = []
    regions = ["eu-west", "eu-central", "eu-north", "us-east"]
    clouds = [f"cloud-{k}" for k in range(6)]
    cloud_w = [0.35, 0.3, 0.15, 0.1, 0.05, 0.05]
    for k, c in enumerate(clouds):
        suppliers.append(Supplier(c, f"Cloud {k}", "cloud-provider", rng.choice([120, 240, 480, 720])))
    def hosted() -> tuple[str | None, str | None]:
        if rng.random() < 0.6:
            return rng.choices(clouds, cloud_w)[0], rng.choice(regions[:3])
        return None, None

    groups = [("core-banking", 15), ("telecom", 8), ("payment-processor", 12), ("data-centre", 20)]
    rest = n_suppliers - len(clouds) - sum(c for _, c in groups)
    groups += [("managed-service", rest // 10), ("api-partner", rest * 3 // 10)]
    groups += [("software", n_suppliers - len(clouds) - sum(c for _, c in groups))]
    by_kind: dict[str, list[str]] = {"cloud-provider": clouds}
    for kind, count in groups:
        ids = by_kind.setdefault(kind, [])
        for k in range(count):
            sid = f"{kind}-{k}"
            provider, region = hosted() if kind not in ("telecom", "data-centre") else (None, None)
            rt = None if rng.random() < 0.03 else rng.choice([60, 120, 240, 480, 1440])
            rp = None if rng.random() < 0.1 else rng.choice([0, 5, 15, 60, 240])
            suppliers.append(Supplier(sid, f"{kind} {k}", kind, rt, rp, provider, region))
            ids.append(sid)
    weights = {kind: _zipf_weights(len(ids)) for kind, ids in by_kind.items()}

    def pick(kind: str) -> str:
        return rng.choices(by_kind[kind], weights[kind])[0]

    # Fourth parties: suppliers depend on telecoms, data centres and software; acyclic by
    # construction (only on earlier kinds or lower numbers), plus a few deliberate cycles.
    order = {s.id: k for k, s in enumerate(suppliers)}
    for s in suppliers[len(clouds):]:
        for _ in range(rng.randint(1, 5)):
            kind = rng.choice(["telecom", "data-centre", "software", "software", "cloud-provider"])
            t = pick(kind)
            if order[t] < order[s.id] and not any(d.source == s.id and d.target == t for d in sup_deps[-5:]):
                alts: tuple[str, ...] = ()
                sw = None
                if kind == "telecom" and rng.random() < 0.5:
                    alt = pick("telecom")
                    if alt != t:
                        alts, sw = (alt,), rng.choice([30, 60, 120])
                sup_deps.append(Dependency(s.id, t, alts, False, sw))
    for k in range(3):
        sw_ids = by_kind["software"]
        a, b = sw_ids[len(sw_ids) // 4 + k], sw_ids[len(sw_ids) // 2 + k]
        sup_deps.append(Dependency(a, b))
        sup_deps.append(Dependency(b, a))

    # Member sizes: lognormal, scaled to the totals.
    raw = [rng.lognormvariate(0, 0.8) for _ in range(members)]
    total = sum(raw)
    svc_counts = [max(3, round(n_services * w / total)) for w in raw]
    svc_counts[0] += n_services - sum(svc_counts)
    sys_counts = [max(10, round(n_systems * w / total)) for w in raw]
    sys_counts[0] += n_systems - sum(sys_counts)

    services: list[BusinessService] = []
    systems: list[System] = []
    deps: list[Dependency] = list(sup_deps)
    layers: list[BackupLayer] = []
    colos = [f"colo-{k}" for k in range(5)]
    for m in range(members):
        org = f"m{m:03d}"
        sites = [f"{org}/dc{k}" for k in range(rng.randint(2, 3))]
        if rng.random() < 0.15:
            sites[0] = rng.choice(colos)
        main_cloud = rng.choices(clouds, cloud_w)[0]
        main_region = rng.choice(regions)
        core = pick("core-banking")
        telecom_a, telecom_b = pick("telecom"), pick("telecom")
        payment = pick("payment-processor")
        mine = [pick(rng.choice(["software", "api-partner", "managed-service"])) for _ in range(rng.randint(8, 40))]
        domains = [f"{org}/corp", f"{org}/cloud"]
        n_sys = sys_counts[m]
        infra = max(3, n_sys // 10)
        mids = max(infra + 3, n_sys * 4 // 10)
        ids = [f"{org}/sys{k}" for k in range(n_sys)]
        for k, sid in enumerate(ids):
            r = rng.random()
            if r < 0.55:
                sys_ = System(sid, org, sid, "on-premises", None, None,
                              sites[0] if rng.random() < 0.7 else sites[1], domains[0])
            elif r < 0.9:
                sys_ = System(sid, org, sid, "cloud", main_cloud if rng.random() < 0.85 else pick("cloud-provider"),
                              main_region if rng.random() < 0.8 else rng.choice(regions), None,
                              domains[1] if rng.random() < 0.7 else domains[0])
            else:
                sys_ = System(sid, org, sid, "hybrid", main_cloud, main_region, sites[0], domains[0])
            systems.append(sys_)
            # dependencies on lower tiers (a DAG), with rare back edges (cycles)
            if k >= infra:
                lower = infra if k < mids else mids
                for _ in range(rng.randint(1, 6)):
                    deps.append(Dependency(sid, ids[rng.randrange(lower)]))
                if rng.random() < 0.004:
                    deps.append(Dependency(ids[rng.randrange(infra)], sid))
            else:
                if k > 0:
                    deps.append(Dependency(sid, ids[rng.randrange(k)]))
                alt = telecom_b != telecom_a and rng.random() < 0.5
                deps.append(Dependency(sid, telecom_a, (telecom_b,) if alt else (), False,
                                       rng.choice([15, 60, 240]) if alt else None))
            if k == infra:
                deps.append(Dependency(sid, core))
            elif k == infra + 1:
                deps.append(Dependency(sid, payment, (), rng.random() < 0.3,
                                       None if rng.random() < 0.7 else 120))
            elif k > infra + 1 and rng.random() < 0.8:
                deps.append(Dependency(sid, rng.choice(mine)))
            # backup layers
            if sys_.hosting == "on-premises" or rng.random() < 0.5:
                layers.append(BackupLayer(f"{sid}/snap", sid, "local", rng.choice([15, 60, 240]),
                                          rng.choice([15, 30, 60, 120])))
            if rng.random() < 0.6:
                separate = rng.random() < 0.3
                layers.append(BackupLayer(
                    f"{sid}/dr", sid, "remote", rng.choice([5, 15, 60]), rng.choice([60, 120, 240, 480]),
                    shares=frozenset() if separate else frozenset({"admin_domain"}),
                    site=sites[-1], admin_domain=f"{org}/vault" if separate else None,
                ))
            if rng.random() < 0.3:
                layers.append(BackupLayer(f"{sid}/tape", sid, "third-site", 1440, rng.choice([720, 1440, 2880]),
                                          immutable=True, offline=True, site=f"{org}/vault-site",
                                          admin_domain=f"{org}/vault"))
            if rng.random() < 0.25:
                cloud = rng.choices(clouds, cloud_w)[0]
                layers.append(BackupLayer(f"{sid}/cloud", sid, "cloud", rng.choice([60, 240, 1440]),
                                          rng.choice([240, 480, 960]), immutable=rng.random() < 0.5,
                                          provider=cloud, region=rng.choice(regions),
                                          admin_domain=f"{org}/cloud-backup"))
        for k in range(svc_counts[m]):
            crit = rng.choices(list(TOLERANCE), [0.2, 0.3, 0.3, 0.2])[0]
            tol = TOLERANCE[crit] * rng.choice([0.5, 1, 1, 2])
            missing = rng.random() < 0.02
            services.append(BusinessService(
                f"{org}/svc{k}", org, f"service {k}", crit, None if missing else tol,
                round(tol * rng.choice([0.25, 0.5, 1.0])), rng.choice([0, 5, 15, 60, 240, 1440]),
            ))
            for _ in range(rng.randint(3, 7)):
                deps.append(Dependency(f"{org}/svc{k}", ids[rng.randrange(infra, n_sys)]))
            if crit == "critical":
                deps.append(Dependency(f"{org}/svc{k}", ids[infra]))
    # the generator may repeat an edge; keep the first
    seen: set[tuple[str, str]] = set()
    unique = []
    for d in deps:
        if (d.source, d.target) not in seen:
            seen.add((d.source, d.target))
            unique.append(d)
    return Graph(tuple(services), tuple(systems), tuple(suppliers), tuple(unique), tuple(layers))


# --------------------------------------------------------------------------- networkx baseline


class NxBaseline:
    """The same propagation rules written the straightforward way on a networkx DiGraph:
    node and edge attributes, per member a subgraph and its condensation in topological
    order, every node evaluated; per supplier its ancestors.  Written from the rules in
    docs/resilience.md, sharing no code with the engine (only the input dataclasses)."""

    def __init__(self, graph: Graph):
        G = nx.DiGraph()
        self.services = {s.id: s for s in graph.services}
        self.systems = {s.id: s for s in graph.systems}
        self.suppliers = {s.id: s for s in graph.suppliers}
        for s in graph.services:
            G.add_node(s.id, kind="service", org=s.org)
        for s in graph.systems:
            G.add_node(s.id, kind="system", org=s.org)
        for s in graph.suppliers:
            G.add_node(s.id, kind="supplier", org=None)
        for d in graph.dependencies:
            G.add_edge(d.source, d.target, primary=True, alts=d.alternatives if d.switchover_minutes is not None
                       else (), wa=d.workaround and d.switchover_minutes is not None, sw=d.switchover_minutes)
        for d in graph.dependencies:
            if d.switchover_minutes is not None:
                for a in d.alternatives:
                    if not G.has_edge(d.source, a):
                        G.add_edge(d.source, a, primary=False)
        self.G = G
        self.layers: dict[str, list[BackupLayer]] = {}
        for b in graph.backup_layers:
            self.layers.setdefault(b.system, []).append(b)
        self.org_systems: dict[str, list[System]] = {}
        for s in graph.systems:
            self.org_systems.setdefault(s.org, []).append(s)
        self.org_services: dict[str, list[BusinessService]] = {}
        for s in graph.services:
            self.org_services.setdefault(s.org, []).append(s)
        self._member_order: dict[str, list[list[str]]] = {}
        self.hosted: dict[str, list[Supplier]] = {}
        for x in graph.suppliers:
            if x.provider:
                self.hosted.setdefault(x.provider, []).append(x)
        self.orgs_on: dict[str, set[str]] = {}  # provider -> members with systems or layers on it
        for x in graph.systems:
            if x.provider:
                self.orgs_on.setdefault(x.provider, set()).add(x.org)
        for b in graph.backup_layers:
            p = self.eff(b, "provider")
            if p:
                self.orgs_on.setdefault(p, set()).add(self.systems[b.system].org)

    # -- hits --------------------------------------------------------------------

    def eff(self, b: BackupLayer, domain: str) -> str | None:
        return b.effective(domain, self.systems[b.system])

    def duration(self, supplier: str, d: float | None) -> float:
        if d is not None:
            return d
        rt = self.suppliers[supplier].recovery_time_minutes
        return INF if rt is None else rt

    @staticmethod
    def largest(counter: Counter) -> str | None:
        return min(counter, key=lambda k: (-counter[k], k)) if counter else None

    def hits(self, scenario: Scenario, org: str):
        systems = self.org_systems.get(org, [])
        layers = [b for s in systems for b in self.layers.get(s.id, ())]
        destroyed: set[str] = set()
        down: dict[str, float] = {}
        killed: set[str] = set()
        sup: dict[str, tuple[float, float]] = {}

        def sup_hit(s: str, t: float, lost: float) -> None:
            old = sup.get(s, (0.0, 0.0))
            sup[s] = (max(old[0], t), max(old[1], lost))

        def sys_hit(ids, minutes):
            for x in ids:
                if minutes is None:
                    destroyed.add(x)
                else:
                    down[x] = max(down.get(x, -1.0), minutes)

        def ransomware(domains):
            sys_hit([s.id for s in systems if s.admin_domain in domains], None)
            killed.update(b.id for b in layers if not (b.immutable or b.offline) and self.eff(b, "admin_domain") in domains)

        def provider(p, d, regions=None):
            m = self.duration(p, d)
            if regions is None:
                sup_hit(p, m, 0.0)
                for x in self.hosted.get(p, ()):
                    sup_hit(x.id, m, 0.0)
                sys_hit([s.id for s in systems if s.provider == p], m)
                killed.update(b.id for b in layers if self.eff(b, "provider") == p)
            else:
                for x in self.hosted.get(p, ()):
                    if x.region in regions:
                        sup_hit(x.id, m, 0.0)
                sys_hit([s.id for s in systems if s.provider == p and s.region in regions], m)
                killed.update(b.id for b in layers if self.eff(b, "provider") == p and self.eff(b, "region") in regions)

        main_host = self.largest(Counter(s.provider for s in systems if s.provider))
        for eff in scenario.effects:
            d = scenario.duration_of(eff)
            if eff.type == "ransomware":
                have = Counter(s.admin_domain for s in systems if s.admin_domain)
                doms = set()
                for v in eff.admin_domains:
                    doms |= set(have) if v == ALL else ({self.largest(have)} if v == LARGEST else {v})
                ransomware(doms)
            elif eff.type == "site_loss":
                have = Counter(s.site for s in systems if s.site)
                sites = set()
                for v in eff.sites:
                    sites |= set(have) if v == ALL else ({self.largest(have)} if v == LARGEST else {v})
                sys_hit([s.id for s in systems if s.site in sites],
                        None if eff.destroys_data else (INF if d is None else d))
                killed.update(b.id for b in layers if self.eff(b, "site") in sites)
            elif eff.type == "region_outage":
                p = main_host if eff.provider == LARGEST else eff.provider
                if p is None:
                    continue
                have = Counter(s.region for s in systems if s.provider == p and s.region)
                regions = set()
                for v in eff.regions:
                    regions |= set(have) if v == ALL else ({self.largest(have)} if v == LARGEST else {v})
                provider(p, d, regions)
            elif eff.type == "provider_outage":
                for v in eff.providers:
                    p = main_host if v == LARGEST else v
                    if p is not None:
                        provider(p, d)
            else:
                kinds = eff.supplier_kinds or (("telecom",) if eff.type == "telecom_outage" and not eff.suppliers else ())
                chosen = [x for x in eff.suppliers if x in self.suppliers]
                chosen += [x.id for x in self.suppliers.values() if x.kind in kinds and x.id not in chosen]
                for x in chosen:
                    lost = 0.0
                    if eff.type == "supplier_compromise":
                        rp = self.suppliers[x].recovery_point_minutes
                        lost = INF if rp is None else rp
                    sup_hit(x, self.duration(x, d), lost)
                    if x in self.hosted or org in self.orgs_on.get(x, ()):
                        provider(x, d)
                if eff.type == "supplier_compromise" and eff.spreads:
                    doms = {s.admin_domain for s in systems if s.admin_domain and any(
                        self.G.has_edge(s.id, x) and self.G.edges[s.id, x]["primary"] for x in chosen)}
                    ransomware(doms)
        own: dict[str, tuple[float, float]] = dict(sup)
        for x in destroyed | set(down):
            best = (INF, INF) if x in destroyed else (down[x], 0.0)
            for b in self.layers.get(x, ()):
                if b.id not in killed and b.restore_minutes is not None and b.recovery_point_minutes is not None:
                    best = min(best, (float(b.restore_minutes), float(b.recovery_point_minutes)))
            own[x] = best
        return own

    # -- propagation ----------------------------------------------------------------

    def evaluate(self, n: str, own, values) -> tuple[float, float]:
        t, lost = own.get(n, (0.0, 0.0))
        for target, data in self.G.succ[n].items():
            if not data["primary"]:
                continue
            v = values.get(target, (0.0, 0.0))
            if v == (0.0, 0.0):
                continue
            sw = data["sw"]
            if data["wa"]:
                v = min(v, (sw, 0.0))
            for a in data["alts"]:
                av = values.get(a, (0.0, 0.0))
                v = min(v, (max(sw, av[0]), av[1]))
            t, lost = max(t, v[0]), max(lost, v[1])
        return (t, lost)

    def run_components(self, components, own, values) -> None:
        for members in components:
            if len(members) == 1 and not self.G.has_edge(members[0], members[0]):
                values[members[0]] = self.evaluate(members[0], own, values)
                continue
            for _ in range(4 * len(members) + 8):
                changed = False
                for n in members:
                    v = self.evaluate(n, own, values)
                    if v != values.get(n, (0.0, 0.0)):
                        values[n] = v
                        changed = True
                if not changed:
                    break

    def member_order(self, org: str) -> list[list[str]]:
        order = self._member_order.get(org)
        if order is None:
            nodes = {s.id for s in self.org_services.get(org, [])} | {s.id for s in self.org_systems.get(org, [])}
            reach = set(nodes)
            for n in nodes:
                reach |= nx.descendants(self.G, n)
            cond = nx.condensation(self.G.subgraph(reach))
            order = [sorted(cond.nodes[c]["members"]) for c in reversed(list(nx.topological_sort(cond)))]
            self._member_order[org] = order
        return order

    def simulate(self, scenario: Scenario, org: str) -> dict[str, tuple[float, float]]:
        own = self.hits(scenario, org)
        values: dict[str, tuple[float, float]] = {}
        self.run_components(self.member_order(org), own, values)
        return {s.id: values.get(s.id, (0.0, 0.0)) for s in self.org_services.get(org, [])}

    # -- sector ---------------------------------------------------------------------

    def concentration(self, critical=("critical",)) -> dict[str, tuple[int, ...]]:
        primary = nx.DiGraph()
        primary.add_nodes_from(self.G)
        primary.add_edges_from((a, b) for a, b, d in self.G.edges(data=True) if d["primary"])
        for x in (*self.systems.values(), *self.suppliers.values()):
            if x.provider:
                primary.add_edge(x.id, x.provider)
        direct = primary.copy()
        direct.remove_edges_from([(a, b) for a, b in primary.edges if a in self.suppliers])
        rows = {}
        for s in self.suppliers:
            out = []
            for g in (direct, primary):
                svcs = [self.services[n] for n in nx.ancestors(g, s) if n in self.services]
                out.append((len({v.org for v in svcs}), len(svcs), sum(1 for v in svcs if v.criticality in critical)))
            (md, sd, cd), (mt, st, ct) = out
            rows[s] = (md, mt, sd, st, cd, ct)
        return rows

    def blast_radius(self, critical=("critical",)) -> dict[str, tuple[int, ...]]:
        cond = nx.condensation(self.G)
        rank = {}
        for k, c in enumerate(reversed(list(nx.topological_sort(cond)))):
            for n in cond.nodes[c]["members"]:
                rank[n] = k
        rows = {}
        for s in self.suppliers:
            scenario = outage_scenario(s)
            own: dict[str, tuple[float, float]] = {}
            hosted = {x.id for x in self.hosted.get(s, ())}
            orgs = {self.G.nodes[a]["org"] for h in (s, *hosted) for a in nx.ancestors(self.G, h)} - {None}
            orgs |= self.orgs_on.get(s, set())
            for org in sorted(orgs):
                own.update(self.hits(scenario, org))
            if not orgs:
                own.update(self.hits(scenario, ""))
            # everything that can reach a hit item: one traversal through a temporary sink
            self.G.add_node("__hit__", kind=None, org=None)
            self.G.add_edges_from(((n, "__hit__") for n in own), primary=False)
            affected = set(own) | nx.ancestors(self.G, "__hit__")
            self.G.remove_node("__hit__")
            components: dict[int, list[str]] = {}
            for n in affected:
                components.setdefault(rank[n], []).append(n)
            values: dict[str, tuple[float, float]] = {}
            self.run_components([sorted(components[k]) for k in sorted(components)], own, values)
            members_aff, members_br = set(), set()
            svc_aff = svc_br = crit_br = 0
            for n, v in values.items():
                svc = self.services.get(n)
                if svc is None or v == (0.0, 0.0):
                    continue
                members_aff.add(svc.org)
                svc_aff += 1
                over = svc.impact_tolerance_minutes is not None and v[0] > svc.impact_tolerance_minutes
                if over or (svc.rto_minutes is not None and v[0] > svc.rto_minutes) or (
                        svc.rpo_minutes is not None and v[1] > svc.rpo_minutes):
                    svc_br += 1
                if over and svc.criticality in critical:
                    crit_br += 1
                    members_br.add(svc.org)
            rows[s] = (len(members_aff), len(members_br), svc_aff, svc_br, crit_br)
        return rows


# --------------------------------------------------------------------------- main


def _timer() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - start[0], time.process_time() - start[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-baseline", action="store_true", help="time the engine only")
    parser.add_argument("--baseline-blast-sample", type=int, default=0,
                        help="networkx blast radius for only N suppliers (0: all)")
    args = parser.parse_args(argv)
    console = Console(width=120)
    today = __import__("datetime").date(2026, 6, 1)

    start = _timer()
    graph = build_sector(args.members, args.seed)
    build = _since(start)
    console.print(
        f"synthetic sector: {len(graph.orgs)} members, {len(graph.services):,} services, {len(graph.systems):,} "
        f"systems, {len(graph.suppliers):,} suppliers, {len(graph.dependencies):,} dependencies, "
        f"{len(graph.backup_layers):,} backup layers (built in {build[0]:.1f} s); load average "
        f"{os.getloadavg()[0]:.1f} at start; "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, networkx {nx.__version__}"
    )
    library = list(DEFAULT_LIBRARY)
    timings: dict[str, dict[str, tuple[float, float]]] = {"engine": {}, "networkx": {}}

    # -- the engine
    start = _timer()
    cg = compile_graph(graph, today=today)
    timings["engine"]["compile"] = _since(start)
    start = _timer()
    engine_results: dict[tuple[str, str], dict[str, tuple[float, float, bool]]] = {}
    for scenario in library:
        for org in cg.orgs:
            result = simulate(cg, scenario, org=org)
            engine_results[scenario.name, org] = {
                s.id: (INF if s.time_to_recover_minutes is None else s.time_to_recover_minutes,
                       INF if s.data_lost_minutes is None else s.data_lost_minutes, s.breached)
                for s in result.services
            }
    timings["engine"]["library"] = _since(start)
    start = _timer()
    reasons = 0
    for scenario in library:
        for org in cg.orgs:
            reasons += sum(len(s.reasons) for s in simulate(cg, scenario, org=org).services)
    explained = _since(start)
    start = _timer()
    conc = concentration(cg)
    timings["engine"]["concentration"] = _since(start)
    start = _timer()
    blast = blast_radius(cg)
    timings["engine"]["blast radius"] = _since(start)

    breaches = Counter()
    for (name, _), services in engine_results.items():
        breaches[name] += sum(1 for v in services.values() if v[2])
    table = Table(title="Services breaching a tolerance, RTO or RPO, per scenario (engine)")
    table.add_column("scenario")
    table.add_column("breached", justify="right")
    for scenario in library:
        table.add_row(scenario.name, f"{breaches[scenario.name]:,} / {len(graph.services):,}")
    console.print(table)
    top = Table(title="Top suppliers: concentration and blast radius")
    for col in ("supplier", "kind", "members (direct/total)", "critical services (total)", "critical breached",
                "members breached"):
        top.add_column(col)
    blast_by = {r.supplier: r for r in blast}
    for r in conc[:8]:
        b = blast_by[r.supplier]
        top.add_row(r.supplier, r.kind, f"{r.members_direct}/{r.members_total}", f"{r.critical_services_total:,}",
                    f"{b.critical_services_breached:,}", str(b.members_breached))
    console.print(top)

    agree = True
    if not args.skip_baseline:
        start = _timer()
        base = NxBaseline(graph)
        timings["networkx"]["compile"] = _since(start)
        start = _timer()
        mismatches = 0
        for scenario in library:
            for org in cg.orgs:
                values = base.simulate(scenario, org)
                services = {s.id: s for s in base.org_services[org]}
                for sid, (t, lost) in values.items():
                    s = services[sid]
                    breached = any(lim is not None and val > lim for val, lim in (
                        (t, s.impact_tolerance_minutes), (t, s.rto_minutes), (lost, s.rpo_minutes)))
                    if engine_results[scenario.name, org][sid] != (t, lost, breached):
                        mismatches += 1
                        if mismatches <= 5:
                            console.print(f"[red]mismatch[/] {scenario.name} {sid}: engine "
                                          f"{engine_results[scenario.name, org][sid]} networkx {(t, lost, breached)}")
        timings["networkx"]["library"] = _since(start)
        start = _timer()
        base_conc = base.concentration()
        timings["networkx"]["concentration"] = _since(start)
        for r in conc:
            mine = (r.members_direct, r.members_total, r.services_direct, r.services_total,
                    r.critical_services_direct, r.critical_services_total)
            if base_conc[r.supplier] != mine:
                mismatches += 1
                console.print(f"[red]concentration mismatch[/] {r.supplier}: {mine} vs {base_conc[r.supplier]}")
        start = _timer()
        if args.baseline_blast_sample:
            keep = {r.supplier for r in conc[: args.baseline_blast_sample]}
            base.suppliers_all, base.suppliers = base.suppliers, {k: v for k, v in base.suppliers.items() if k in keep}
            base_blast = base.blast_radius()
            base.suppliers = base.suppliers_all
        else:
            base_blast = base.blast_radius()
        timings["networkx"]["blast radius"] = _since(start)
        for sid, row in base_blast.items():
            b = blast_by[sid]
            mine = (b.members_affected, b.members_breached, b.services_affected, b.services_breached,
                    b.critical_services_breached)
            if row != mine:
                mismatches += 1
                console.print(f"[red]blast radius mismatch[/] {sid}: {mine} vs {row}")
        agree = mismatches == 0
        console.print(("[green]engine and networkx agree[/] on " if agree else f"[red]{mismatches} mismatches[/] in ")
                      + f"{len(engine_results) * 0 + sum(len(v) for v in engine_results.values()):,} service outcomes, "
                      f"{len(conc):,} concentration rows and {len(base_blast):,} blast-radius rows")

    result = Table(title="Resilience simulation: wall seconds (CPU seconds)")
    result.add_column("step")
    result.add_column("forceb engine", justify="right")
    result.add_column("networkx", justify="right")
    result.add_column("ratio wall", justify="right")
    result.add_column("ratio CPU", justify="right")
    steps = ["compile", "library", "concentration", "blast radius"]
    totals = {k: (sum(v[s][0] for s in steps if s in v), sum(v[s][1] for s in steps if s in v))
              for k, v in timings.items()}
    labels = {"compile": "compile / build graph",
              "library": f"library ({len(library)} scenarios) x {len(cg.orgs)} members",
              "concentration": "concentration ranking", "blast radius": f"blast radius ({len(blast):,} suppliers)"}
    for step in [*steps, "total"]:
        e = totals["engine"] if step == "total" else timings["engine"].get(step)
        n = totals["networkx"] if step == "total" else timings["networkx"].get(step)
        n_text = f"{n[0]:.1f} ({n[1]:.1f})" if n and n[0] else "-"
        ratio = f"{n[0] / e[0]:.1f}x" if n and n[0] and e and e[0] else "-"
        ratio_cpu = f"{n[1] / e[1]:.1f}x" if n and n[1] and e and e[1] else "-"
        result.add_row(labels.get(step, step), f"{e[0]:.1f} ({e[1]:.1f})", n_text, ratio, ratio_cpu)
    console.print(result)
    console.print(f"The library again with the reasons of every service built ({reasons:,} reasons): "
                  f"{explained[0]:.1f} s wall ({explained[1]:.1f} s CPU); reasons are otherwise built on access.")
    if args.baseline_blast_sample:
        console.print(f"(networkx blast radius over the top {args.baseline_blast_sample} suppliers only)")
    console.print(f"load average at the end: {os.getloadavg()[0]:.1f} (wall time includes waiting for the CPU "
                  "when other processes share it; CPU seconds do not)")
    return 0 if agree else 1


if __name__ == "__main__":  # pragma: no cover - benchmark entry point
    raise SystemExit(main())
