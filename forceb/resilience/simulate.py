"""Scenario simulation over an ecosystem graph: pure Python over plain data, no ORM.

Entry points (``docs/resilience.md`` explains the model in full):

* :func:`compile_graph` -- turn a :class:`~forceb.resilience.graph.Graph` into integer
  adjacency lists, failure-domain indexes and a topological order of its strongly connected
  components; broken items are left out and reported as findings, never raised.
* :func:`simulate` -- one scenario for one member (or the whole sector): per business
  service the expected time to recover, the data lost, breached flags and the reasons.
* :func:`simulate_library` -- several scenarios (a heatmap's rows).
* :func:`concentration` -- per supplier, how many members, services and critical services
  depend on it directly and through fourth parties, ranked.
* :func:`blast_radius` -- per supplier, the members and critical services that breach
  their impact tolerance if it fails, ranked.

The model, in brief.  A scenario *hits* systems (destroyed: data gone; or down for a
duration) and suppliers (down for the scenario's duration or their own stated recovery
time; a compromise also loses data back to their stated recovery point), and *kills* backup
layers that share a failure domain it hits (ransomware kills only mutable online layers).
A directly hit system recovers by the fastest of: waiting the outage out (not possible when
destroyed) or restoring from a surviving backup layer (its measured restore time, losing
its recovery point).  Every item is then unavailable for the longest of its own recovery
and its dependencies' (recovery work runs in parallel from the start); a dependency with
documented alternatives costs the fastest of waiting for the target and switching over.
Data lost is the largest loss along the dependencies actually used.  Values are computed
in topological order of the dependency graph's strongly connected components; inside a
cycle they are iterated to the least fixed point (and the cycle is reported).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from forceb.resilience.graph import ALLOWED_DEPENDENCIES, Finding, Graph, validate
from forceb.resilience.scenarios import ALL, LARGEST, Effect, Scenario

INF = math.inf
SERVICE, SYSTEM, SUPPLIER = 0, 1, 2
_KIND_NAMES = ("service", "system", "supplier")
_ZERO = (0.0, 0.0)
#: Options of a dependency edge: the target itself, a workaround, or alternative k (k >= 1).
_TARGET, _WORKAROUND = 0, -1
#: Recovery option of a directly hit item: wait the outage out, or no way at all; layers >= 0.
_WAIT, _NONE = -1, -2
_CACHE_SIZE = 64


def _minutes(value: Any) -> float | None:
    """A usable time in minutes, or None (missing, negative or not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    if not math.isfinite(value) or value < 0:
        return None
    return value


def _out(value: float) -> float | None:
    """Minutes for the output: None stands for unbounded."""
    return None if value == INF else value


def _fmt(value: float) -> str:
    return "no recovery" if value == INF else f"{value:g} min"


def _fmt_loss(value: float) -> str:
    return "all of it (no usable recovery point)" if value == INF else f"{value:g} min"


# --------------------------------------------------------------------------- compiled graph


class CompiledGraph:
    """A graph in integer form, ready for many fast simulations.

    Build once (``compile_graph``), then simulate any number of scenarios; each scenario's
    supplier-level failure set is memoised.  Thread-safe for concurrent readers.
    """

    def __init__(self, graph: Graph, *, today: dt.date | None = None):
        self.graph = graph
        self.findings: list[Finding] = validate(graph, today=today)
        ids: list[str] = []
        kind: list[int] = []
        org: list[int] = []
        names: list[str] = []
        index: dict[str, int] = {}
        self.orgs: list[str] = []
        self.org_index: dict[str, int] = {}

        def org_no(name: Any) -> int:
            if not isinstance(name, str) or not name:
                return -1
            if name not in self.org_index:
                self.org_index[name] = len(self.orgs)
                self.orgs.append(name)
            return self.org_index[name]

        def add(item: Any, k: int, o: int) -> bool:
            if not isinstance(item.id, str) or not item.id or item.id in index:
                return False
            index[item.id] = len(ids)
            ids.append(item.id)
            kind.append(k)
            org.append(o)
            names.append(item.name if isinstance(item.name, str) else "")
            return True

        services, systems, suppliers = [], [], []
        for s in graph.services:
            o = org_no(s.org)
            if o >= 0 and add(s, SERVICE, o):
                services.append(s)
        for s in graph.systems:
            o = org_no(s.org)
            if o >= 0 and add(s, SYSTEM, o):
                systems.append(s)
        for s in graph.suppliers:
            if add(s, SUPPLIER, -1):
                suppliers.append(s)
        n = len(ids)
        self.n = n
        self.ids, self.kind, self.org, self.names, self.index = ids, kind, org, names, index

        # Services: BIA numbers.
        self.criticality: list[str | None] = [None] * n
        self.tolerance: list[float | None] = [None] * n
        self.rto: list[float | None] = [None] * n
        self.rpo: list[float | None] = [None] * n
        self.services_of: list[list[int]] = [[] for _ in self.orgs]
        for s in services:
            i = index[s.id]
            self.criticality[i] = s.criticality if isinstance(s.criticality, str) else None
            tol, rto, rpo = _minutes(s.impact_tolerance_minutes), _minutes(s.rto_minutes), _minutes(s.rpo_minutes)
            self.tolerance[i], self.rto[i], self.rpo[i] = tol, rto, rpo
            self.services_of[org[i]].append(i)

        # Systems and suppliers: where they run.
        def supplier_ref(value: Any) -> int:
            j = index.get(value) if isinstance(value, str) else None
            return j if j is not None and kind[j] == SUPPLIER else -1

        def text(value: Any) -> str | None:
            return value if isinstance(value, str) and value else None

        self.site: list[str | None] = [None] * n
        self.region: list[str | None] = [None] * n
        self.admin: list[str | None] = [None] * n
        self.host: list[int] = [-1] * n
        for s in systems:
            i = index[s.id]
            self.site[i], self.region[i], self.admin[i] = text(s.site), text(s.region), text(s.admin_domain)
            self.host[i] = supplier_ref(s.provider)
        self.sup_kind: list[str] = [""] * n
        self.sup_rt: list[float | None] = [None] * n
        self.sup_rp: list[float | None] = [None] * n
        self.suppliers_of_kind: dict[str, list[int]] = {}
        self.sup_hosted: dict[int, list[int]] = {}
        self.sup_in_region: dict[tuple[int, str], list[int]] = {}
        for s in suppliers:
            i = index[s.id]
            self.sup_kind[i] = s.kind if isinstance(s.kind, str) else "other"
            self.sup_rt[i], self.sup_rp[i] = _minutes(s.recovery_time_minutes), _minutes(s.recovery_point_minutes)
            self.suppliers_of_kind.setdefault(self.sup_kind[i], []).append(i)
            p = supplier_ref(s.provider)
            if p >= 0 and p != i:
                self.host[i] = p
                self.region[i] = text(s.region)
                self.sup_hosted.setdefault(p, []).append(i)
                if self.region[i] is not None:
                    self.sup_in_region.setdefault((p, self.region[i]), []).append(i)

        # Dependencies: out-edges per node, reverse lists, supplier dependents per member.
        self.out: list[list[int]] = [[] for _ in range(n)]
        self.rev: list[list[int]] = [[] for _ in range(n)]
        self.e_src: list[int] = []
        self.e_tgt: list[int] = []
        #: per edge: None, or (switchover minutes, workaround?, alternative nodes)
        self.e_alt: list[tuple[float, bool, tuple[int, ...]] | None] = []
        succ: list[list[int]] = [[] for _ in range(n)]
        for d in graph.dependencies:
            a = index.get(d.source) if isinstance(d.source, str) else None
            b = index.get(d.target) if isinstance(d.target, str) else None
            if a is None or b is None or a == b:
                continue
            if _KIND_NAMES[kind[b]] not in ALLOWED_DEPENDENCIES[_KIND_NAMES[kind[a]]]:
                continue
            if org[b] >= 0 and org[b] != org[a]:
                continue
            alts: list[int] = []
            for alt in d.alternatives if isinstance(d.alternatives, tuple | list) else ():
                c = index.get(alt) if isinstance(alt, str) else None
                if (
                    c is not None
                    and c not in (a, b)
                    and _KIND_NAMES[kind[c]] in ALLOWED_DEPENDENCIES[_KIND_NAMES[kind[a]]]
                    and org[c] in (-1, org[a])
                ):
                    alts.append(c)
            sw = _minutes(d.switchover_minutes)
            workaround = d.workaround is True
            option = (sw, workaround, tuple(alts)) if sw is not None and (alts or workaround) else None
            e = len(self.e_tgt)
            self.e_src.append(a)
            self.e_tgt.append(b)
            self.e_alt.append(option)
            self.out[a].append(e)
            self.rev[b].append(a)
            succ[a].append(b)
            if option is not None:
                for c in option[2]:
                    self.rev[c].append(a)
                    succ[a].append(c)
        # Items hosted on a provider depend on it (concentration, fourth parties, ordering).
        for i in range(n):
            if self.host[i] >= 0 and kind[i] == SUPPLIER:
                succ[i].append(self.host[i])
        # Dependents of each supplier, by member (systems/services) or as suppliers.
        self.sup_dependents: dict[int, dict[int, list[int]]] = {}
        self.sup_rev: dict[int, list[int]] = {}
        for b in range(n):
            if kind[b] != SUPPLIER:
                continue
            for a in self.rev[b]:
                if kind[a] == SUPPLIER:
                    self.sup_rev.setdefault(b, []).append(a)
                else:
                    self.sup_dependents.setdefault(b, {}).setdefault(org[a], []).append(a)

        # Backup layers (effective failure domains resolved once).
        self.layers_of: dict[int, list[int]] = {}
        self.l_id: list[str] = []
        self.l_kind: list[str] = []
        self.l_rp: list[float | None] = []
        self.l_rt: list[float | None] = []
        self.l_safe: list[bool] = []  # immutable or offline: out of ransomware's reach
        self.l_site: list[str | None] = []
        self.l_host: list[int] = []
        self.l_region: list[str | None] = []
        self.l_admin: list[str | None] = []
        self.l_system: list[int] = []
        by_system = {s.id: s for s in systems}
        seen_layers: set[str] = set()
        for b in graph.backup_layers:
            i = index.get(b.system) if isinstance(b.system, str) else None
            if i is None or kind[i] != SYSTEM or not isinstance(b.id, str) or b.id in seen_layers:
                continue
            seen_layers.add(b.id)
            system = by_system[b.system]
            try:
                eff = {d: b.effective(d, system) for d in ("site", "provider", "region", "admin_domain")}
            except TypeError:
                continue
            li = len(self.l_id)
            self.l_id.append(b.id)
            self.l_kind.append(b.kind if isinstance(b.kind, str) else "")
            self.l_rp.append(_minutes(b.recovery_point_minutes))
            self.l_rt.append(_minutes(b.restore_minutes))
            self.l_safe.append(b.immutable is True or b.offline is True)
            self.l_site.append(text(eff["site"]))
            self.l_host.append(supplier_ref(eff["provider"]))
            self.l_region.append(text(eff["region"]))
            self.l_admin.append(text(eff["admin_domain"]))
            self.l_system.append(i)
            self.layers_of.setdefault(i, []).append(li)

        self._index_domains()
        self._order(succ)
        self.findings_of: dict[str | None, list[Finding]] = {}
        for f in self.findings:
            if f.severity != "info":
                self.findings_of.setdefault(f.org, []).append(f)
        self._cache: dict[Scenario, _FailureSet] = {}
        self._labels: dict[int, str] = {}
        self._lock = threading.Lock()

    # -- indexes -----------------------------------------------------------------

    def _index_domains(self) -> None:
        """Per member: systems and layers by site, admin domain, provider, region; and
        each member's main site, admin domain, provider and region (for '@largest')."""
        m = len(self.orgs)
        self.o_site: list[dict[str, list[int]]] = [{} for _ in range(m)]
        self.o_admin: list[dict[str, list[int]]] = [{} for _ in range(m)]
        self.o_host: list[dict[int, list[int]]] = [{} for _ in range(m)]
        self.o_region: list[dict[tuple[int, str], list[int]]] = [{} for _ in range(m)]
        self.o_l_site: list[dict[str, list[int]]] = [{} for _ in range(m)]
        self.o_l_admin: list[dict[str, list[int]]] = [{} for _ in range(m)]
        self.o_l_host: list[dict[int, list[int]]] = [{} for _ in range(m)]
        self.o_l_region: list[dict[tuple[int, str], list[int]]] = [{} for _ in range(m)]
        self.o_systems: list[list[int]] = [[] for _ in range(m)]
        self.hosting_orgs: dict[int, set[int]] = {}
        for i in range(self.n):
            if self.kind[i] != SYSTEM:
                continue
            o = self.org[i]
            self.o_systems[o].append(i)
            if self.site[i] is not None:
                self.o_site[o].setdefault(self.site[i], []).append(i)
            if self.admin[i] is not None:
                self.o_admin[o].setdefault(self.admin[i], []).append(i)
            p = self.host[i]
            if p >= 0:
                self.o_host[o].setdefault(p, []).append(i)
                self.hosting_orgs.setdefault(p, set()).add(o)
                if self.region[i] is not None:
                    self.o_region[o].setdefault((p, self.region[i]), []).append(i)
        for li, i in enumerate(self.l_system):
            o = self.org[i]
            if self.l_site[li] is not None:
                self.o_l_site[o].setdefault(self.l_site[li], []).append(li)
            if self.l_admin[li] is not None:
                self.o_l_admin[o].setdefault(self.l_admin[li], []).append(li)
            p = self.l_host[li]
            if p >= 0:
                self.o_l_host[o].setdefault(p, []).append(li)
                self.hosting_orgs.setdefault(p, set()).add(o)
                if self.l_region[li] is not None:
                    self.o_l_region[o].setdefault((p, self.l_region[li]), []).append(li)

        def largest(d: dict[Any, list[int]], name: Any = str) -> Any:
            # Most systems first; ties broken by name so the choice is deterministic.
            return min(d, key=lambda k: (-len(d[k]), name(k))) if d else None

        self.main_site = [largest(d) for d in self.o_site]
        self.main_admin = [largest(d) for d in self.o_admin]
        self.main_host = [largest(d, self.ids.__getitem__) for d in self.o_host]
        self.main_region_at: list[dict[int, str]] = []
        for o in range(m):
            per: dict[int, Counter[str]] = {}
            for (p, r), nodes in self.o_region[o].items():
                per.setdefault(p, Counter())[r] += len(nodes)
            self.main_region_at.append({p: min(c, key=lambda r, c=c: (-c[r], r)) for p, c in per.items()})

    def _order(self, succ: list[list[int]]) -> None:
        """Tarjan's SCC algorithm (iterative): ``rank`` orders dependencies before their
        dependents; ``block`` gives the members of each non-trivial SCC (a cycle)."""
        n = self.n
        index = [-1] * n
        low = [0] * n
        on_stack = [False] * n
        stack: list[int] = []
        rank = [0] * n
        self.block: dict[int, tuple[int, ...]] = {}
        self.cycles: list[tuple[int, ...]] = []
        counter = 0
        comp = 0
        for root in range(n):
            if index[root] != -1:
                continue
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack[root] = True
            work = [(root, iter(succ[root]))]
            while work:
                v, it = work[-1]
                for w in it:
                    if index[w] == -1:
                        index[w] = low[w] = counter
                        counter += 1
                        stack.append(w)
                        on_stack[w] = True
                        work.append((w, iter(succ[w])))
                        break
                    if on_stack[w] and index[w] < low[v]:
                        low[v] = index[w]
                else:
                    work.pop()
                    if work:
                        u = work[-1][0]
                        if low[v] < low[u]:
                            low[u] = low[v]
                    if low[v] == index[v]:
                        members = []
                        while True:
                            w = stack.pop()
                            on_stack[w] = False
                            rank[w] = comp
                            members.append(w)
                            if w == v:
                                break
                        comp += 1
                        if len(members) > 1:
                            block = tuple(sorted(members))
                            self.cycles.append(block)
                            for w in members:
                                self.block[w] = block
        self.rank = rank
        #: per node, its targets when no edge has alternatives and it is in no cycle (the
        #: propagation's fast path), else None
        self.plain_targets: list[tuple[int, ...] | None] = [
            None if i in self.block or any(self.e_alt[e] is not None for e in self.out[i])
            else tuple(self.e_tgt[e] for e in self.out[i])
            for i in range(n)
        ]
        for block in self.cycles:
            names = ", ".join(self.ids[w] for w in block[:10]) + (" ..." if len(block) > 10 else "")
            orgs = {self.org[w] for w in block if self.org[w] >= 0}
            o = self.orgs[orgs.pop()] if len(orgs) == 1 else None
            self.findings.append(
                Finding(
                    "warning", "cycle", self.ids[block[0]],
                    f"dependency cycle among {names}: they are assumed to recover together", None, o,
                )
            )

    # -- scenario failure sets -----------------------------------------------------

    def failure_set(self, scenario: Scenario) -> _FailureSet:
        """The scenario's member-independent part, memoised (bounded cache)."""
        with self._lock:
            fs = self._cache.get(scenario)
        if fs is None:
            fs = _FailureSet(self, scenario)
            with self._lock:
                if len(self._cache) >= _CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[scenario] = fs
        return fs

    def supplier_duration(self, s: int, duration: float | None) -> float:
        """How long supplier ``s`` is out: the scenario's duration, else its stated recovery time."""
        if duration is not None:
            return duration
        rt = self.sup_rt[s]
        return INF if rt is None else rt

    def label(self, i: int) -> str:
        """``system core-db (Core database)``: how reasons name an item."""
        label = self._labels.get(i)
        if label is None:
            name = self.names[i]
            label = f"{_KIND_NAMES[self.kind[i]]} {self.ids[i]}" + (f" ({name})" if name and name != self.ids[i] else "")
            self._labels[i] = label
        return label


def compile_graph(graph: Graph, *, today: dt.date | None = None) -> CompiledGraph:
    """Validate and compile ``graph``; findings are in ``.findings`` (errors left out)."""
    return CompiledGraph(graph, today=today)


# --------------------------------------------------------------------------- failure sets


def _names(values: Iterable[str], available: Iterable[Any], main: Any) -> list[Any]:
    """Resolve a selector list against what a member has: names, '*', '@largest'."""
    out: list[Any] = []
    for v in values:
        if v == ALL:
            out.extend(available)
        elif v == LARGEST:
            if main is not None:
                out.append(main)
        else:
            out.append(v)
    return list(dict.fromkeys(out))


class _FailureSet:
    """What a scenario hits beyond any one member's own systems: suppliers (named or by
    kind, providers and their hosted suppliers) and their propagated state, memoised per
    distinct set of per-member supplier hits ('@largest' providers)."""

    def __init__(self, cg: CompiledGraph, scenario: Scenario):
        self.cg = cg
        self.scenario = scenario
        self.findings: list[Finding] = []
        #: supplier -> (minutes, data lost, why) for hits the same for every member
        self.common: dict[int, tuple[float, float, str]] = {}
        self._groups: dict[tuple[Any, ...], dict[int, tuple[float, float]]] = {}
        self._lock = threading.Lock()
        self._noted: set[int] = set()
        #: per effect index, the suppliers it names (by id or kind)
        self.chosen: dict[int, list[int]] = {}
        for k, eff in enumerate(scenario.effects):
            if eff.type in ("supplier_outage", "telecom_outage", "supplier_compromise"):
                self.chosen[k] = self._suppliers_for(eff)
            self._resolve_common(k, eff)

    def _hit(
        self, target: dict[int, tuple[float, float, str]], s: int, minutes: float, lost: float, why: str
    ) -> None:
        old = target.get(s)
        if old is None:
            target[s] = (minutes, lost, why)
        else:
            target[s] = (max(old[0], minutes), max(old[1], lost), old[2] + "; " + why)

    def _note_unknown(self, s: int, duration: float | None, what: str) -> None:
        cg = self.cg
        if duration is None and cg.sup_rt[s] is None and s not in self._noted:
            self._noted.add(s)
            self.findings.append(
                Finding(
                    "warning", "missing-data", cg.ids[s],
                    f"{what}: supplier {cg.ids[s]} has no stated recovery time and the scenario no "
                    "duration; assumed not to recover", "recovery_time_minutes",
                )
            )

    def _suppliers_for(self, eff: Effect) -> list[int]:
        cg = self.cg
        chosen: list[int] = []
        for sid in eff.suppliers:
            j = cg.index.get(sid)
            if j is None or cg.kind[j] != SUPPLIER:
                self.findings.append(
                    Finding("warning", "unknown-scope", self.scenario.name, f"unknown supplier {sid!r}", "suppliers")
                )
            else:
                chosen.append(j)
        kinds = eff.supplier_kinds or (("telecom",) if eff.type == "telecom_outage" and not eff.suppliers else ())
        for k in kinds:
            chosen.extend(cg.suppliers_of_kind.get(k, ()))
        return list(dict.fromkeys(chosen))

    def _provider_hits(
        self, target: dict[int, tuple[float, float, str]], p: int, duration: float | None, why: str, whole: bool,
        regions: Iterable[str] = (),
    ) -> None:
        cg = self.cg
        minutes = cg.supplier_duration(p, duration)
        self._note_unknown(p, duration, why)
        if whole:
            self._hit(target, p, minutes, 0.0, why)
            for s in cg.sup_hosted.get(p, ()):
                self._hit(target, s, minutes, 0.0, f"{why} (hosted on {cg.ids[p]})")
        else:
            for r in regions:
                for s in cg.sup_in_region.get((p, r), ()):
                    self._hit(target, s, minutes, 0.0, f"{why} (hosted in {cg.ids[p]} {r})")

    def _resolve_common(self, k: int, eff: Effect) -> None:
        cg, sc = self.cg, self.scenario
        duration = sc.duration_of(eff)
        if eff.type in ("supplier_outage", "telecom_outage", "supplier_compromise"):
            compromise = eff.type == "supplier_compromise"
            chosen = self.chosen[k]
            if not chosen:
                self.findings.append(
                    Finding("info", "empty-scope", sc.name, f"effect {k} ({eff.type}) matches no supplier", "effects")
                )
            for s in chosen:
                why = f"{eff.type.replace('_', ' ')} of {cg.ids[s]}"
                minutes = cg.supplier_duration(s, duration)
                self._note_unknown(s, duration, sc.name)
                lost = 0.0
                if compromise:
                    rp = cg.sup_rp[s]
                    lost = INF if rp is None else rp
                    if rp is None:
                        self.findings.append(
                            Finding(
                                "warning", "missing-data", cg.ids[s],
                                f"{sc.name}: compromised supplier {cg.ids[s]} has no stated recovery point; "
                                "its data loss is unbounded", "recovery_point_minutes",
                            )
                        )
                self._hit(self.common, s, minutes, lost, why)
                if s in cg.sup_hosted:
                    self._provider_hits(self.common, s, duration, why, whole=True)
        elif eff.type == "provider_outage":
            for pid in eff.providers:
                if pid == LARGEST:
                    continue
                p = cg.index.get(pid)
                if p is None or cg.kind[p] != SUPPLIER:
                    self.findings.append(
                        Finding("warning", "unknown-scope", sc.name, f"unknown provider {pid!r}", "providers")
                    )
                    continue
                self._provider_hits(self.common, p, duration, f"provider outage of {pid}", whole=True)
        elif eff.type == "region_outage" and eff.provider != LARGEST:
            p = cg.index.get(eff.provider or "")
            if p is None or cg.kind[p] != SUPPLIER:
                self.findings.append(
                    Finding("warning", "unknown-scope", sc.name, f"unknown provider {eff.provider!r}", "provider")
                )
                return
            if LARGEST in eff.regions:
                return  # resolved per member
            regions = _names(eff.regions, [r for (q, r) in cg.sup_in_region if q == p], None)
            self._provider_hits(self.common, p, duration, f"region outage of {eff.provider} {'/'.join(regions)}",
                                whole=False, regions=regions)

    def member_suppliers(self, o: int) -> dict[int, tuple[float, float, str]]:
        """Supplier hits that depend on the member ('@largest' provider or region)."""
        cg, sc = self.cg, self.scenario
        extra: dict[int, tuple[float, float, str]] = {}
        for eff in sc.effects:
            duration = sc.duration_of(eff)
            if eff.type == "provider_outage" and LARGEST in eff.providers:
                p = cg.main_host[o]
                if p is not None:
                    self._provider_hits(extra, p, duration, f"provider outage of {cg.ids[p]}", whole=True)
            elif eff.type == "region_outage" and (eff.provider == LARGEST or LARGEST in eff.regions):
                p = cg.main_host[o] if eff.provider == LARGEST else cg.index.get(eff.provider or "")
                if p is None:
                    continue
                regions = _names(eff.regions, [r for (q, r) in cg.o_region[o] if q == p], cg.main_region_at[o].get(p))
                self._provider_hits(extra, p, duration, f"region outage of {cg.ids[p]} {'/'.join(regions)}",
                                    whole=False, regions=regions)
        return extra

    def supplier_values(self, extra: dict[int, tuple[float, float, str]]) -> tuple[
        dict[int, tuple[float, float]], dict[int, tuple[float, float, str]]
    ]:
        """Propagated (minutes, data lost) of every affected supplier, and the direct hits."""
        if extra:
            seeds = dict(self.common)
            for s, (m, lost, why) in extra.items():
                self._hit(seeds, s, m, lost, why)
        else:
            seeds = self.common
        key = tuple(sorted((s, v[0], v[1]) for s, v in extra.items()))
        with self._lock:
            values = self._groups.get(key)
        if values is None:
            cg = self.cg
            own = {s: (m, lost) for s, (m, lost, _) in seeds.items()}
            affected: set[int] = set()
            stack = list(seeds)
            sup_rev = cg.sup_rev
            while stack:
                s = stack.pop()
                if s in affected:
                    continue
                affected.add(s)
                stack.extend(sup_rev.get(s, ()))
            values = {}
            _propagate(cg, sorted(affected, key=cg.rank.__getitem__), values, own, self.findings)
            with self._lock:
                self._groups[key] = values
        return values, seeds


@dataclass(slots=True)
class _MemberRun:
    """One member's resolved hits and propagated values for one scenario."""

    values: dict[int, tuple[float, float]]
    own: dict[int, tuple[float, float]]
    choice: dict[int, int]
    why: dict[int, list[str]]
    killed: dict[int, str]
    sup_seeds: dict[int, tuple[float, float, str]]
    findings: list[Finding]


def _run_member(cg: CompiledGraph, fs: _FailureSet, o: int) -> _MemberRun:
    sc = fs.scenario
    destroyed: set[int] = set()
    down: dict[int, float] = {}
    why: dict[int, list[str]] = {}
    killed: dict[int, str] = {}
    findings: list[Finding] = []
    l_safe = cg.l_safe

    def hit(nodes: Iterable[int], reason: str, minutes: float | None) -> None:
        for i in nodes:
            if minutes is None:
                destroyed.add(i)
            elif minutes > down.get(i, -1.0):
                down[i] = minutes
            why.setdefault(i, []).append(reason)

    def kill(layers: Iterable[int], reason: str, ransomware: bool = False) -> None:
        for li in layers:
            if ransomware and l_safe[li]:
                continue
            if li not in killed:
                killed[li] = reason

    def ransomware(domains: Iterable[str], what: str) -> None:
        for d in domains:
            hit(cg.o_admin[o].get(d, ()), f"{what}: encrypted in admin domain {d}", None)
            kill(cg.o_l_admin[o].get(d, ()), f"{what}: mutable online layer in admin domain {d}, encrypted", True)

    def provider(p: int, duration: float | None, reason: str, regions: Iterable[str] | None = None) -> None:
        minutes = cg.supplier_duration(p, duration)
        if regions is None:
            hit(cg.o_host[o].get(p, ()), reason, minutes)
            kill(cg.o_l_host[o].get(p, ()), f"{reason}: layer kept at {cg.ids[p]}")
        else:
            for r in regions:
                hit(cg.o_region[o].get((p, r), ()), f"{reason} {r}", minutes)
                kill(cg.o_l_region[o].get((p, r), ()), f"{reason}: layer kept in {cg.ids[p]} {r}")

    for k, eff in enumerate(sc.effects):
        duration = sc.duration_of(eff)
        t = eff.type
        if t == "ransomware":
            ransomware(_names(eff.admin_domains, cg.o_admin[o], cg.main_admin[o]), "ransomware")
        elif t == "site_loss":
            sites = _names(eff.sites, cg.o_site[o], cg.main_site[o])
            for s in sites:
                if eff.destroys_data:
                    hit(cg.o_site[o].get(s, ()), f"site {s} lost", None)
                else:
                    hit(cg.o_site[o].get(s, ()), f"site {s} unavailable", INF if duration is None else duration)
                kill(cg.o_l_site[o].get(s, ()), f"site {s} lost: layer kept there")
        elif t == "region_outage":
            p = cg.main_host[o] if eff.provider == LARGEST else cg.index.get(eff.provider or "")
            if p is not None and cg.kind[p] == SUPPLIER:
                at = [r for (q, r) in cg.o_region[o] if q == p] + [r for (q, r) in cg.o_l_region[o] if q == p]
                regions = _names(eff.regions, dict.fromkeys(at), cg.main_region_at[o].get(p))
                provider(p, duration, f"region outage of {cg.ids[p]}", regions)
        elif t == "provider_outage":
            for pid in eff.providers:
                p = cg.main_host[o] if pid == LARGEST else cg.index.get(pid)
                if p is not None and cg.kind[p] == SUPPLIER:
                    provider(p, duration, f"provider outage of {cg.ids[p]}")
        else:  # supplier_outage, telecom_outage, supplier_compromise
            chosen = fs.chosen.get(k, [])
            for s in chosen:
                if s in cg.hosting_orgs and o in cg.hosting_orgs[s]:
                    provider(s, duration, f"{t.replace('_', ' ')} of {cg.ids[s]}")
            if t == "supplier_compromise" and eff.spreads:
                domains: dict[str, None] = {}
                for s in chosen:
                    for a in cg.sup_dependents.get(s, {}).get(o, ()):
                        # spreads over the systems' own connections (not fallbacks never used)
                        if cg.kind[a] == SYSTEM and cg.admin[a] is not None and any(
                            cg.e_tgt[e] == s for e in cg.out[a]
                        ):
                            domains[cg.admin[a]] = None
                ransomware(domains, f"compromise of {', '.join(cg.ids[s] for s in chosen)} spread")

    # Own recovery of each directly hit system: fastest surviving option.
    own: dict[int, tuple[float, float]] = {}
    choice: dict[int, int] = {}
    l_rt, l_rp = cg.l_rt, cg.l_rp
    for i in set(down) | destroyed:
        if i in destroyed:
            best, opt = (INF, INF), _NONE
        else:
            best, opt = (down[i], 0.0), _WAIT
        for li in cg.layers_of.get(i, ()):
            if li in killed:
                continue
            rt, rp = l_rt[li], l_rp[li]
            if rt is None or rp is None:
                continue
            if (rt, rp) < best:
                best, opt = (rt, rp), li
        own[i] = best
        choice[i] = opt

    extra = fs.member_suppliers(o) if fs.scenario.effects else {}
    sup_values, seeds = fs.supplier_values(extra)
    values: dict[int, tuple[float, float]] = dict(sup_values)
    seeds_nodes: list[int] = list(own)
    dependents = cg.sup_dependents
    for s in sup_values:
        seeds_nodes.extend(dependents.get(s, {}).get(o, ()))
    affected: set[int] = set(seeds_nodes)
    rev = cg.rev
    stack = list(affected)
    while stack:
        for j in rev[stack.pop()]:
            if j not in affected:
                affected.add(j)
                stack.append(j)
    _propagate(cg, sorted(affected, key=cg.rank.__getitem__), values, own, findings)
    return _MemberRun(values, own, choice, why, killed, seeds, findings)


def _propagate(
    cg: CompiledGraph,
    order: Sequence[int],
    values: dict[int, tuple[float, float]],
    own: dict[int, tuple[float, float]],
    findings: list[Finding],
) -> None:
    """Evaluate ``order`` (affected nodes, dependencies first) into ``values``.

    A node's value is (minutes unavailable, minutes of data lost): the componentwise max of
    its own recovery and, over its dependencies, the option each edge uses (the target, or
    a switch to an alternative, whichever is faster; ties go to less data lost).
    """
    out, e_tgt, e_alt, block_of = cg.out, cg.e_tgt, cg.e_alt, cg.block
    zero = _ZERO
    get = values.get

    def evaluate(i: int) -> tuple[float, float]:
        t, lost = own.get(i, zero)
        for e in out[i]:
            v = get(e_tgt[e])
            if v is None:
                continue
            alt = e_alt[e]
            if alt is not None:
                sw, workaround, alts = alt
                if workaround and (sw, 0.0) < v:
                    v = (sw, 0.0)
                for a in alts:
                    av = get(a, zero)
                    cand = (sw if sw > av[0] else av[0], av[1])
                    if cand < v:
                        v = cand
            if v[0] > t:
                t = v[0]
            if v[1] > lost:
                lost = v[1]
        return (t, lost)

    plain = cg.plain_targets
    own_get = own.get
    k, n = 0, len(order)
    while k < n:
        i = order[k]
        targets = plain[i]
        if targets is not None:
            # Fast path: no alternatives on any edge, not in a cycle.
            t, lost = own_get(i, zero)
            for b in targets:
                v = get(b)
                if v is not None:
                    if v[0] > t:
                        t = v[0]
                    if v[1] > lost:
                        lost = v[1]
            if t or lost:
                values[i] = (t, lost)
            k += 1
            continue
        block = block_of.get(i)
        if block is None:
            v = evaluate(i)
            if v[0] or v[1]:
                values[i] = v
            k += 1
            continue
        members = order[k : k + len(block)]
        k += len(block)
        # Least fixed point: start from nothing failed inside the cycle and iterate.
        for _ in range(4 * len(members) + 8):
            changed = False
            for j in members:
                v = evaluate(j)
                if v != get(j, zero):
                    values[j] = v
                    changed = True
            if not changed:
                break
        else:
            findings.append(
                Finding(
                    "warning", "no-convergence", cg.ids[members[0]],
                    "recovery values inside a dependency cycle did not settle; the last iterate is used",
                )
            )


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class ServiceOutcome:
    """What a scenario does to one business service.

    Minutes are None when unbounded (no recovery path; data lost without bound or unknown).
    Breach flags are None when the objective is unknown; ``breached`` is True when any of
    them is True.  ``reasons`` are built on first access (most callers look at few).
    """

    id: str
    org: str
    name: str
    criticality: str | None
    affected: bool
    time_to_recover_minutes: float | None
    data_lost_minutes: float | None
    impact_tolerance_minutes: float | None
    rto_minutes: float | None
    rpo_minutes: float | None
    breached_tolerance: bool | None
    breached_rto: bool | None
    breached_rpo: bool | None
    breached: bool
    _reasons: list[dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    _explainer: _Explainer | None = field(default=None, repr=False, compare=False)

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The chain of reasons: dicts with ``kind``, ``node``, ``text`` and, by kind,
        ``dependency``, ``alternative``, ``layer``, ``minutes``... (docs/resilience.md)."""
        if self._reasons is None:
            explainer, self._explainer = self._explainer, None
            self._reasons = explainer.reasons(explainer.cg.index[self.id]) if explainer is not None else []
        return self._reasons

    @property
    def recoverable(self) -> bool:
        return self.time_to_recover_minutes is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "org": self.org,
            "name": self.name,
            "criticality": self.criticality,
            "affected": self.affected,
            "recoverable": self.recoverable,
            "time_to_recover_minutes": self.time_to_recover_minutes,
            "data_lost_minutes": self.data_lost_minutes,
            "impact_tolerance_minutes": self.impact_tolerance_minutes,
            "rto_minutes": self.rto_minutes,
            "rpo_minutes": self.rpo_minutes,
            "breached_tolerance": self.breached_tolerance,
            "breached_rto": self.breached_rto,
            "breached_rpo": self.breached_rpo,
            "breached": self.breached,
            "reasons": self.reasons,
        }


@dataclass(slots=True)
class SimulationResult:
    """One scenario's outcome for one member (``org``) or the whole sector (org None)."""

    scenario: str
    org: str | None
    services: list[ServiceOutcome]
    findings: list[Finding]

    @property
    def summary(self) -> dict[str, int]:
        s = self.services
        return {
            "services": len(s),
            "affected": sum(1 for x in s if x.affected),
            "breached": sum(1 for x in s if x.breached),
            "breached_tolerance": sum(1 for x in s if x.breached_tolerance),
            "unrecoverable": sum(1 for x in s if not x.recoverable),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "org": self.org,
            "summary": self.summary,
            "services": [x.to_dict() for x in self.services],
            "findings": [f.to_dict() for f in self.findings],
        }


def _flag(value: float, limit: float | None) -> bool | None:
    return None if limit is None else value > limit


class _Explainer:
    """Builds the human and structured reasons of one service from a member run."""

    def __init__(self, cg: CompiledGraph, run: _MemberRun):
        self.cg, self.run = cg, run
        self._steps: dict[tuple[int, int, str], tuple[list[dict[str, Any]], int | None, int | None]] = {}
        self._others: dict[int, dict[str, Any]] = {}

    def value(self, i: int) -> tuple[float, float]:
        return self.run.values.get(i, _ZERO)

    def edge_choice(self, e: int) -> tuple[tuple[float, float], int]:
        cg = self.cg
        v, opt = self.value(cg.e_tgt[e]), _TARGET
        alt = cg.e_alt[e]
        if alt is not None and v != _ZERO:
            sw, workaround, alts = alt
            if workaround and (sw, 0.0) < v:
                v, opt = (sw, 0.0), _WORKAROUND
            for k, a in enumerate(alts, 1):
                av = self.value(a)
                cand = (max(sw, av[0]), av[1])
                if cand < v:
                    v, opt = cand, k
        return v, opt

    def edge_reason(self, e: int, chain: str) -> tuple[dict[str, Any], int | None]:
        """The reason for edge ``e`` and the next node to follow (None: stop)."""
        cg = self.cg
        a, b = cg.e_src[e], cg.e_tgt[e]
        v, opt = self.edge_choice(e)
        tv = self.value(b)
        base = {"chain": chain, "node": cg.ids[a], "dependency": cg.ids[b]}
        if opt == _TARGET:
            text = f"{cg.label(a)} depends on {cg.label(b)}, unavailable: {_fmt(tv[0])}"
            if tv[1]:
                text += f", data lost {_fmt_loss(tv[1])}"
            alt = cg.e_alt[e]
            if alt is not None:
                text += " (switching to a documented alternative would not be faster)"
            return {**base, "kind": "dependency_failed", "minutes": _out(tv[0]),
                    "data_lost_minutes": _out(tv[1]), "text": text}, b
        sw = cg.e_alt[e][0]  # type: ignore[index]
        if opt == _WORKAROUND:
            text = (f"{cg.label(a)}: {cg.label(b)} is unavailable ({_fmt(tv[0])}); "
                    f"switched to the documented workaround in {_fmt(sw)}")
            return {**base, "kind": "alternative_used", "alternative": None, "switchover_minutes": sw,
                    "minutes": _out(v[0]), "text": text}, None
        c = cg.e_alt[e][2][opt - 1]  # type: ignore[index]
        text = (f"{cg.label(a)}: {cg.label(b)} is unavailable ({_fmt(tv[0])}); "
                f"switched to documented alternative {cg.label(c)} in {_fmt(sw)}")
        if self.value(c) != _ZERO:
            text += f", itself unavailable for {_fmt(self.value(c)[0])}"
        return {**base, "kind": "alternative_used", "alternative": cg.ids[c], "switchover_minutes": sw,
                "minutes": _out(v[0]), "text": text}, (c if self.value(c) != _ZERO else None)

    def own_reasons(self, i: int, chain: str) -> list[dict[str, Any]]:
        cg, run = self.cg, self.run
        node = cg.ids[i]
        out: list[dict[str, Any]] = []
        if cg.kind[i] == SUPPLIER:
            m, lost, why = run.sup_seeds[i]
            out.append({"chain": chain, "kind": "hit", "node": node, "effect": why,
                        "text": f"{cg.label(i)} hit: {why}"})
            rt = cg.sup_rt[i]
            text = f"{cg.label(i)} is out for {_fmt(m)}"
            if rt is not None and m == rt:
                text += " (its stated recovery time)"
            if lost:
                text += f" and loses {_fmt_loss(lost)} of data"
            out.append({"chain": chain, "kind": "supplier_recovery", "node": node, "minutes": _out(m),
                        "data_lost_minutes": _out(lost), "text": text})
            return out
        for why in run.why.get(i, ()):
            out.append({"chain": chain, "kind": "hit", "node": node, "effect": why, "text": f"{cg.label(i)} hit: {why}"})
        opt = run.choice.get(i, _WAIT)
        for li in cg.layers_of.get(i, ()):
            if li == opt:
                continue
            lid, lkind = cg.l_id[li], cg.l_kind[li]
            if li in run.killed:
                out.append({"chain": chain, "kind": "layer_lost", "node": node, "layer": lid, "layer_kind": lkind,
                            "cause": run.killed[li], "text": f"backup layer {lid} ({lkind}) lost: {run.killed[li]}"})
            elif cg.l_rt[li] is None or cg.l_rp[li] is None:
                out.append({"chain": chain, "kind": "layer_unusable", "node": node, "layer": lid, "layer_kind": lkind,
                            "text": f"backup layer {lid} ({lkind}) not counted: restore time or recovery point unknown"})
            else:
                out.append({"chain": chain, "kind": "layer_not_chosen", "node": node, "layer": lid,
                            "layer_kind": lkind, "restore_minutes": cg.l_rt[li],
                            "data_lost_minutes": cg.l_rp[li],
                            "text": f"backup layer {lid} ({lkind}) survives but is slower "
                            f"({_fmt(cg.l_rt[li])}, data lost {_fmt(cg.l_rp[li])})"})  # type: ignore[arg-type]
        t, lost = run.own[i]
        if opt >= 0:
            out.append({"chain": chain, "kind": "restored_from_layer", "node": node, "layer": cg.l_id[opt],
                        "layer_kind": cg.l_kind[opt], "restore_minutes": t, "data_lost_minutes": lost,
                        "text": f"{cg.label(i)} restored from backup layer {cg.l_id[opt]} ({cg.l_kind[opt]}) "
                        f"in {_fmt(t)}, losing {_fmt_loss(lost)} of data"})
        elif opt == _WAIT:
            out.append({"chain": chain, "kind": "waited_out", "node": node, "minutes": _out(t),
                        "text": f"{cg.label(i)} back when the outage ends: {_fmt(t)}"})
        else:
            out.append({"chain": chain, "kind": "no_recovery_path", "node": node,
                        "text": f"{cg.label(i)} cannot be recovered: no surviving backup layer"})
        return out

    def step(self, i: int, component: int, chain: str) -> tuple[list[dict[str, Any]], int | None, int | None]:
        """Reasons at node ``i`` for ``component`` (0 time, 1 data), the next node to follow
        and the edge taken (memoised: services of a member share most of their chains)."""
        key = (i, component, chain)
        memo = self._steps.get(key)
        if memo is not None:
            return memo
        cg, run = self.cg, self.run
        target = self.value(i)[component]
        own = run.own.get(i) if cg.kind[i] != SUPPLIER else (run.sup_seeds[i][:2] if i in run.sup_seeds else None)
        result: tuple[list[dict[str, Any]], int | None, int | None] = ([], None, None)
        if own is not None and own[component] == target:
            result = (self.own_reasons(i, chain), None, None)
        else:
            for e in cg.out[i]:
                v, _ = self.edge_choice(e)
                if v[component] == target and v != _ZERO:
                    reason, nxt = self.edge_reason(e, chain)
                    result = ([reason], nxt, e)
                    break
        self._steps[key] = result
        return result

    def chain(self, start: int, component: int, chain: str) -> tuple[list[dict[str, Any]], int | None]:
        """Follow the dependency that sets ``component`` down to its root cause."""
        reasons: list[dict[str, Any]] = []
        seen: set[int] = set()
        first_edge = None
        i: int | None = start
        while i is not None:
            seen.add(i)
            step, nxt, e = self.step(i, component, chain)
            reasons.extend(step)
            if first_edge is None:
                first_edge = e
            if nxt is not None and nxt in seen:
                cg = self.cg
                reasons.append({"chain": chain, "kind": "cycle", "node": cg.ids[nxt],
                                "text": f"{cg.label(nxt)} is in a dependency cycle: recovered together"})
                break
            i = nxt
        return reasons, first_edge

    def reasons(self, s: int) -> list[dict[str, Any]]:
        cg = self.cg
        t, lost = self.value(s)
        reasons, first = self.chain(s, 0, "time")
        if lost:
            loss, first_loss = self.chain(s, 1, "data")
            if first_loss != first or not reasons:
                reasons.extend(loss)
        for e in cg.out[s]:
            if e == first or self.value(cg.e_tgt[e]) == _ZERO:
                continue
            reason = self._others.get(e)
            if reason is None:
                reason = self._others[e] = self.edge_reason(e, "other")[0]
            reasons.append(reason)
        return reasons


def _outcomes(cg: CompiledGraph, o: int, run: _MemberRun, explain: bool) -> list[ServiceOutcome]:
    org = cg.orgs[o]
    out: list[ServiceOutcome] = []
    explainer = _Explainer(cg, run) if explain else None
    values = run.values
    for s in cg.services_of[o]:
        t, lost = values.get(s, _ZERO)
        tol, rto, rpo = cg.tolerance[s], cg.rto[s], cg.rpo[s]
        bt, br, bp = _flag(t, tol), _flag(t, rto), _flag(lost, rpo)
        affected = s in values
        out.append(
            ServiceOutcome(
                id=cg.ids[s], org=org, name=cg.names[s], criticality=cg.criticality[s], affected=affected,
                time_to_recover_minutes=_out(t), data_lost_minutes=_out(lost),
                impact_tolerance_minutes=tol, rto_minutes=rto, rpo_minutes=rpo,
                breached_tolerance=bt, breached_rto=br, breached_rpo=bp,
                breached=bool(bt or br or bp),
                _reasons=None if explainer is not None and affected else [],
                _explainer=explainer if affected else None,
            )
        )
    return out


def _compiled(graph: Graph | CompiledGraph) -> CompiledGraph:
    return graph if isinstance(graph, CompiledGraph) else compile_graph(graph)


def simulate(
    graph: Graph | CompiledGraph, scenario: Scenario, *, org: str | None = None, explain: bool = True
) -> SimulationResult:
    """Run ``scenario`` for member ``org`` (every member when None).

    Returns every business service of the member(s) with its expected time to recover,
    data lost, breach flags and (``explain``) reasons, plus the findings that bear on the
    run: the member's own data problems, cycles, unknown supplier times, empty scopes.
    """
    cg = _compiled(graph)
    fs = cg.failure_set(scenario)
    if org is None:
        members = range(len(cg.orgs))
    elif org in cg.org_index:
        members = [cg.org_index[org]]
    else:
        return SimulationResult(scenario.name, org, [], [
            Finding("info", "unknown-org", org, f"member {org} has no services or systems in the graph")])
    services: list[ServiceOutcome] = []
    findings: list[Finding] = list(fs.findings)
    for o in members:
        run = _run_member(cg, fs, o)
        services.extend(_outcomes(cg, o, run, explain))
        findings.extend(run.findings)
        findings.extend(cg.findings_of.get(cg.orgs[o], ()))
    if org is None:
        findings.extend(cg.findings_of.get(None, ()))
    return SimulationResult(scenario.name, org, services, findings)


def simulate_library(
    graph: Graph | CompiledGraph, scenarios: Iterable[Scenario], *, org: str | None = None, explain: bool = True
) -> list[SimulationResult]:
    """:func:`simulate` for each scenario (services x scenarios: the heatmap)."""
    cg = _compiled(graph)
    return [simulate(cg, s, org=org, explain=explain) for s in scenarios]


# --------------------------------------------------------------------------- sector views


@dataclass(slots=True)
class ConcentrationRow:
    """How much of the sector depends on one supplier (directly / in total, i.e. also
    through fourth parties)."""

    supplier: str
    name: str
    kind: str
    members_direct: int
    members_total: int
    services_direct: int
    services_total: int
    critical_services_direct: int
    critical_services_total: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _bits(x: int) -> Iterable[int]:
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low


def _or_in_order(
    cg: CompiledGraph, order: Sequence[int], store: dict[int, int], base: Any, through: Any
) -> None:
    """``store[i] = base(i) | through(target)`` over primary dependencies, in dependency
    order; the members of a cycle all get the union of the cycle (they reach each other)."""
    out, e_tgt, block_of = cg.out, cg.e_tgt, cg.block
    for i in order:
        if i in store:
            continue
        members = block_of.get(i, (i,))
        x = 0
        for j in members:
            x |= base(j)
            for e in out[j]:
                x |= through(e_tgt[e])
        for j in members:
            store[j] = x


def concentration(
    graph: Graph | CompiledGraph, *, critical: Sequence[str] = ("critical",)
) -> list[ConcentrationRow]:
    """Per supplier: members, services and critical services depending on it, directly
    (a member's own system or service names it, or is hosted on it) and in total (also
    through suppliers' own suppliers: fourth parties and beyond), ranked by critical
    services in total, then members, then services.  Only primary dependencies count,
    not documented alternatives."""
    cg = _compiled(graph)
    sup_nodes = [i for i in range(cg.n) if cg.kind[i] == SUPPLIER]
    bit = {s: k for k, s in enumerate(sup_nodes)}
    # Fourth-party closure of each supplier, in dependency order.
    closure: dict[int, int] = {}
    _or_in_order(
        cg, sorted(sup_nodes, key=cg.rank.__getitem__), closure,
        lambda s: (1 << bit[s]) | closure.get(cg.host[s], 0), lambda b: closure.get(b, 0),
    )
    m = len(sup_nodes)
    members_d, members_t = [0] * m, [0] * m
    services_d, services_t = [0] * m, [0] * m
    crit_d, crit_t = [0] * m, [0] * m
    critical_set = set(critical)
    nodes_of: list[list[int]] = [[] for _ in cg.orgs]
    for i in range(cg.n):
        if cg.org[i] >= 0:
            nodes_of[cg.org[i]].append(i)
    for o, nodes in enumerate(nodes_of):
        direct: dict[int, int] = {}
        _or_in_order(
            cg, sorted(nodes, key=cg.rank.__getitem__), direct,
            lambda i: (1 << bit[cg.host[i]]) if cg.host[i] >= 0 else 0,
            lambda b, direct=direct: (1 << bit[b]) if cg.kind[b] == SUPPLIER else direct.get(b, 0),
        )
        org_d = org_t = 0
        for s in cg.services_of[o]:
            d = direct[s]
            t = 0
            for k in _bits(d):
                t |= closure[sup_nodes[k]]
            crit = cg.criticality[s] in critical_set
            for k in _bits(d):
                services_d[k] += 1
                if crit:
                    crit_d[k] += 1
            for k in _bits(t):
                services_t[k] += 1
                if crit:
                    crit_t[k] += 1
            org_d |= d
            org_t |= t
        for k in _bits(org_d):
            members_d[k] += 1
        for k in _bits(org_t):
            members_t[k] += 1
    rows = [
        ConcentrationRow(
            supplier=cg.ids[s], name=cg.names[s], kind=cg.sup_kind[s],
            members_direct=members_d[k], members_total=members_t[k],
            services_direct=services_d[k], services_total=services_t[k],
            critical_services_direct=crit_d[k], critical_services_total=crit_t[k],
        )
        for k, s in enumerate(sup_nodes)
    ]
    rows.sort(key=lambda r: (-r.critical_services_total, -r.members_total, -r.services_total, r.supplier))
    return rows


@dataclass(slots=True)
class BlastRadiusRow:
    """What the sector loses if one supplier fails (for its stated recovery time, or the
    duration asked for; ``outage_minutes`` None: it does not recover)."""

    supplier: str
    name: str
    kind: str
    outage_minutes: float | None
    members_affected: int
    members_breached: int
    services_affected: int
    services_breached: int
    critical_services_breached: int
    members: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def outage_scenario(supplier: str, duration_minutes: float | None = None) -> Scenario:
    """The scenario behind a blast radius: ``supplier`` fails (with what it hosts)."""
    return Scenario(
        name=f"outage-of-{supplier}",
        title=f"Outage of {supplier}",
        effects=(Effect("supplier_outage", suppliers=(supplier,), duration_minutes=duration_minutes),),
    )


def blast_radius(
    graph: Graph | CompiledGraph,
    *,
    suppliers: Iterable[str] | None = None,
    duration_minutes: float | None = None,
    critical: Sequence[str] = ("critical",),
) -> list[BlastRadiusRow]:
    """For each supplier (all by default): fail it alone, propagate through the whole
    sector, and count the members and critical services that breach their impact
    tolerance (``members_breached``: members with at least one such critical service;
    ``services_breached``: services breaching tolerance, RTO or RPO), ranked by critical
    services breached, then members, then services."""
    cg = _compiled(graph)
    critical_set = set(critical)
    chosen = (
        [i for i in range(cg.n) if cg.kind[i] == SUPPLIER]
        if suppliers is None
        else [cg.index[s] for s in suppliers if s in cg.index and cg.kind[cg.index[s]] == SUPPLIER]
    )
    rows: list[BlastRadiusRow] = []
    for s in chosen:
        fs = _FailureSet(cg, outage_scenario(cg.ids[s], duration_minutes))
        sup_values, _ = fs.supplier_values({})
        orgs: set[int] = set()
        for x in sup_values:
            orgs.update(cg.sup_dependents.get(x, ()))
            orgs.update(cg.hosting_orgs.get(x, ()))
        affected_members, breached_members = [], []
        services_affected = services_breached = critical_breached = 0
        for o in sorted(orgs):
            run = _run_member(cg, fs, o)
            values = run.values
            any_affected = any_breach = False
            for svc in cg.services_of[o]:
                v = values.get(svc)
                if v is None:
                    continue
                any_affected = True
                services_affected += 1
                tol, rto, rpo = cg.tolerance[svc], cg.rto[svc], cg.rpo[svc]
                over_tol = tol is not None and v[0] > tol
                if over_tol or (rto is not None and v[0] > rto) or (rpo is not None and v[1] > rpo):
                    services_breached += 1
                if over_tol and cg.criticality[svc] in critical_set:
                    critical_breached += 1
                    any_breach = True
            if any_affected:
                affected_members.append(o)
            if any_breach:
                breached_members.append(o)
        rows.append(
            BlastRadiusRow(
                supplier=cg.ids[s], name=cg.names[s], kind=cg.sup_kind[s],
                outage_minutes=_out(cg.supplier_duration(s, duration_minutes)),
                members_affected=len(affected_members), members_breached=len(breached_members),
                services_affected=services_affected, services_breached=services_breached,
                critical_services_breached=critical_breached,
                members=[cg.orgs[o] for o in breached_members],
            )
        )
    rows.sort(key=lambda r: (-r.critical_services_breached, -r.members_breached, -r.services_breached, r.supplier))
    return rows
