"""Reads of SBOMs, components, findings and the knowledge base, narrowed by the tenancy chokepoint.

Owned rows (SBOMs, findings) are read through ``restrict``; components, edges and decisions are
reached only through an SBOM or a finding the person may see. The knowledge base is public data.
The engine's :class:`~forceb.sbom.matching.Matcher` over the stored knowledge base is built once
per process and rebuilt when the stored feeds change.
"""

import threading
from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from forceb.core.choices import OrganizationKind
from forceb.inventory.choices import CRITICALITY_RANK
from forceb.inventory.models import BusinessService, Dependency, System

from . import feeds, matching
from .choices import CLOSED_STATUSES, SEVERITY_ORDER, Feed
from .models import Advisory, Component, ComponentEdge, Epss, FeedState, Finding, FindingSnapshot, Kev, Sbom
from .versions import needs_release

# --------------------------------------------------------------------------------------------
# the knowledge base as the engine's plain data


def osv_record(row: Advisory, *, full: bool = False) -> dict:
    """A stored advisory back in OSV shape, to be read by the engine's own ``feeds.parse_osv``."""
    record = {
        "id": row.osv_id,
        "modified": row.modified,
        "published": row.published,
        "aliases": row.aliases,
        "related": row.related,
        "summary": row.summary,
        "details": row.details if full else row.details[:200],
        "severity": row.severity,
        "affected": row.affected,
    }
    if row.withdrawn:
        record["withdrawn"] = row.withdrawn
    if row.database_severity:
        record["database_specific"] = {"severity": row.database_severity}
    if full:
        record["references"] = [{"url": url} for url in row.references]
    return record


def engine_advisory(row: Advisory) -> feeds.Advisory:
    return feeds.parse_osv(osv_record(row), source=f"advisory {row.osv_id}")


def package_keys(advisory: feeds.Advisory) -> set[matching.PackageKey]:
    """The ``(ecosystem, normalised name)`` packages an advisory speaks about, where versions can be ordered."""
    from .versions import has_ordering, normalize_name

    return {(a.ecosystem, normalize_name(a.ecosystem, a.name)) for a in advisory.affected if has_ordering(a.ecosystem)}


def _load_kev() -> feeds.KevCatalog | None:
    entries = {
        k.cve: feeds.KevEntry(k.cve, k.vendor, k.product, k.name, k.date_added, k.due_date,
                              "Known" if k.known_ransomware else "Unknown", k.required_action)
        for k in Kev.objects.iterator(chunk_size=5000)
    }
    return feeds.KevCatalog("", "", entries) if entries else None


def _load_epss() -> feeds.EpssData | None:
    scores, score_date = {}, ""
    for cve, score, pct, day in Epss.objects.values_list("cve", "score", "percentile", "score_date").iterator(
            chunk_size=10000):
        scores[cve] = feeds.EpssScore(cve, score, pct if pct is not None else float("nan"))
        score_date = max(score_date, day)
    return feeds.EpssData("", score_date, scores) if scores else None


_ENGINE_FIELDS = ("osv_id", "modified", "published", "aliases", "related", "summary", "details", "severity",
                  "affected", "withdrawn", "database_severity")


def _engine_advisories(rows) -> list[feeds.Advisory]:
    return [engine_advisory(row) for row in rows.only(*_ENGINE_FIELDS).iterator(chunk_size=2000)]


def load_knowledge_base() -> feeds.KnowledgeBase:
    """Every stored advisory, KEV entry and EPSS score as the engine's knowledge base."""
    return feeds.KnowledgeBase.from_advisories(_engine_advisories(Advisory.objects.all()), _load_kev(), _load_epss())


class _MatcherCache:
    """The engine's matcher, kept in step with the stored knowledge base.

    Built whole once per process. After that a feed change is applied as a delta, because a whole
    rebuild costs seconds per thousand advisories and would dominate every re-match: advisories
    whose content digest differs from what the matcher holds go through ``Matcher.update`` (which
    drops only the caches of the packages they name), deleted ones are removed, and KEV or EPSS
    (joined by CVE when a finding is described) are swapped when their own imports ran.
    """

    #: Rows are stamped when their import batch starts and become visible when it commits; looking
    #: this far behind the newest stamp seen catches a batch that committed after a later one.
    LOOKBACK = timedelta(minutes=5)

    def __init__(self):
        self.lock = threading.Lock()
        self.matcher: matching.Matcher | None = None
        self.digests: dict[str, str] = {}
        self.advisories_mark = None
        self.scores_mark = None

    @staticmethod
    def _advisories_mark():
        return tuple(Advisory.objects.aggregate(n=Count("pk"), last=Max("updated")).values())

    @staticmethod
    def _scores_mark():
        imports = FeedState.objects.filter(feed__in=(Feed.KEV, Feed.EPSS)).values_list("feed").annotate(
            last=Max("imported_at"))
        return (Kev.objects.count(), Epss.objects.count(), tuple(sorted(imports)))

    def current(self) -> matching.Matcher:
        advisories_mark, scores_mark = self._advisories_mark(), self._scores_mark()
        with self.lock:
            if self.matcher is None:
                self._build()
            else:
                if advisories_mark != self.advisories_mark:
                    self._apply_advisory_changes(self.advisories_mark, advisories_mark)
                if scores_mark != self.scores_mark:
                    self.matcher.replace_scores(_load_kev(), _load_epss())
            self.advisories_mark, self.scores_mark = advisories_mark, scores_mark
            return self.matcher

    def _build(self) -> None:
        self.digests = dict(Advisory.objects.values_list("osv_id", "digest"))
        self.matcher = matching.Matcher(load_knowledge_base())

    def _apply_advisory_changes(self, previous_mark, mark) -> None:
        (_, since), (count, last) = previous_mark, mark
        window = since is not None and last is not None and last >= since
        rows = Advisory.objects.filter(updated__gte=since - self.LOOKBACK) if window else Advisory.objects.all()
        stored = dict(rows.values_list("osv_id", "digest"))
        whole = not window
        if window and count != len(self.digests.keys() | stored.keys()):  # deletions, or a row the window missed
            stored, whole = dict(Advisory.objects.values_list("osv_id", "digest")), True
        changed = {osv_id: digest for osv_id, digest in stored.items() if self.digests.get(osv_id) != digest}
        removed = self.digests.keys() - stored.keys() if whole else set()
        changed_ids = sorted(changed)
        updates = []
        for i in range(0, len(changed_ids), 500):
            updates += _engine_advisories(Advisory.objects.filter(osv_id__in=changed_ids[i:i + 500]))
        self.matcher.update(updates, removed)
        self.digests.update(changed)
        for osv_id in removed:
            self.digests.pop(osv_id)


_matcher_cache = _MatcherCache()


def matcher() -> matching.Matcher:
    """The engine's matcher over the stored knowledge base, brought up to date with the feeds."""
    return _matcher_cache.current()


def advisories_for(vuln_id: str):
    """Advisories answering to ``vuln_id`` (their own id or an alias: CVE, GHSA, PYSEC, GO...)."""
    return Advisory.objects.filter(alias_rows__alias=vuln_id.strip()).distinct()


def vulnerability_group(vuln_id: str) -> set[str]:
    """Every id naming the same vulnerability as ``vuln_id``, through the stored aliases."""
    ids = {vuln_id.strip()}
    for osv_id, aliases in advisories_for(vuln_id).values_list("osv_id", "aliases"):
        ids.add(osv_id)
        ids.update(aliases)
    return ids


# --------------------------------------------------------------------------------------------
# owned reads


def sboms(user, action: str = "view"):
    return Sbom.objects.restrict(user, action).select_related("system", "supplier", "owner")


def findings(user, action: str = "view"):
    """Findings the person may see (or change), each with its ``priority`` within its SBOM."""
    return Finding.objects.restrict(user, action).with_priority().select_related(
        "component", "advisory", "sbom", "sbom__system", "owner")


def components(user):
    """Components of the SBOMs the person may see."""
    return Component.objects.filter(sbom__in=Sbom.objects.restrict(user).values("pk")).select_related(
        "sbom", "sbom__system")


def component_usage(user, query: str, *, current_only: bool = True) -> list[dict]:
    """Where a library is used across the visible portfolio, and in which versions.

    ``query`` is a package name or a purl (its version, if any, is ignored): the answer groups
    by package, then version, naming the systems using each version.
    """
    query = query.strip()
    if not query:
        return []
    rows = components(user)
    if current_only:
        rows = rows.filter(sbom__is_current=True)
    if query.startswith("pkg:"):
        try:
            eco, name, _, _ = matching.package_of_purl(query)
        except ValueError:
            return []
        if eco and needs_release(eco):  # a distribution's package, in any of its releases
            rows = rows.filter(Q(ecosystem=eco) | Q(ecosystem__startswith=f"{eco}:"), package=name)
        else:
            rows = rows.filter(ecosystem=eco or "", package=name) if eco else rows.filter(purl__startswith=query)
    else:
        rows = rows.filter(Q(name__iexact=query) | Q(package__iexact=query) | Q(name__icontains=query))
    usage: dict = defaultdict(lambda: defaultdict(dict))
    open_findings = Counter(
        Finding.objects.filter(component__in=rows.values("pk")).exclude(status__in=CLOSED_STATUSES)
        .order_by().values_list("component_id", flat=True))
    for c in rows.values("pk", "ecosystem", "package", "name", "version", "sbom_id", "sbom__system_id",
                         "sbom__system__name", "sbom__owner__name")[:5000]:
        key = (c["ecosystem"], c["package"] or c["name"])
        entry = usage[key][c["version"]]
        system = entry.setdefault(c["sbom__system_id"], {
            "system_id": c["sbom__system_id"], "system": c["sbom__system__name"], "owner": c["sbom__owner__name"],
            "sbom_id": c["sbom_id"], "findings": 0})
        system["findings"] += open_findings.get(c["pk"], 0)
    out = []
    for (eco, package), versions in sorted(usage.items()):
        out.append({
            "ecosystem": eco, "package": package,
            "versions": [{"version": v, "systems": list(systems.values())}
                         for v, systems in sorted(versions.items(), key=lambda item: item[0])],
        })
    return out


def dependency_tree(sbom: Sbom, *, max_nodes: int = 2000) -> list[dict]:
    """The SBOM's components as a forest from its roots: ``{id, label, purl, findings, children}``.

    A component reached twice is shown once with ``repeated``; cycles are cut the same way.
    """
    comps = {c["pk"]: c for c in sbom.components.values("pk", "ref", "name", "version", "purl", "status")}
    counts = Counter(Finding.objects.filter(sbom=sbom).exclude(status__in=CLOSED_STATUSES).order_by()
                     .values_list("component_id", flat=True))
    children = defaultdict(list)
    has_parent = set()
    for parent, child in ComponentEdge.objects.filter(sbom=sbom).values_list("parent_id", "child_id"):
        children[parent].append(child)
        has_parent.add(child)
    roots = [pk for pk in comps if pk not in has_parent and pk in children] or \
        [pk for pk in comps if pk not in has_parent]
    seen: set[int] = set()
    budget = [max_nodes]

    def node(pk):
        c = comps[pk]
        budget[0] -= 1
        item = {"id": pk, "label": f"{c['name']}@{c['version']}" if c["version"] else c["name"],
                "purl": c["purl"], "status": c["status"], "findings": counts.get(pk, 0), "children": []}
        if pk in seen:
            item["repeated"] = True
            return item
        seen.add(pk)
        for child in sorted(children.get(pk, ()), key=lambda k: comps[k]["name"]):
            if budget[0] <= 0:
                item["truncated"] = True
                break
            item["children"].append(node(child))
        return item

    forest = [node(pk) for pk in sorted(roots, key=lambda k: comps[k]["name"]) if budget[0] > 0]
    orphans = [pk for pk in comps if pk not in seen]
    if orphans and budget[0] > 0:
        forest.append({"id": None, "label": f"{len(orphans)} components outside the dependency graph",
                       "purl": "", "status": "", "findings": sum(counts.get(pk, 0) for pk in orphans),
                       "children": [node(pk) for pk in sorted(orphans, key=lambda k: comps[k]["name"])[:budget[0]]]})
    return forest


def paths_to(component: Component, *, limit: int = 5) -> list[list[Component]]:
    """Dependency paths from the SBOM's roots down to ``component`` (shortest first): how it comes in."""
    parents = defaultdict(list)
    for parent, child in ComponentEdge.objects.filter(sbom_id=component.sbom_id).values_list("parent_id", "child_id"):
        parents[child].append(parent)
    paths, frontier = [], [[component.pk]]
    while frontier and len(paths) < limit:
        next_frontier = []
        for path in frontier:
            ups = [p for p in parents.get(path[0], ()) if p not in path]
            if not ups:
                paths.append(path)
                continue
            next_frontier.extend([up, *path] for up in ups)
        frontier = next_frontier[:200]
    byid = Component.objects.in_bulk({pk for path in paths for pk in path})
    return [[byid[pk] for pk in path] for path in paths[:limit]]


def dashboard(user, *, days: int = 90) -> dict:
    """Open findings of the current SBOMs the person may see: by severity, KEV, and the trend."""
    current = Finding.objects.restrict(user).filter(sbom__is_current=True).exclude(status__in=CLOSED_STATUSES)
    by_severity = dict(current.values_list("severity").annotate(n=Count("pk")))
    since = timezone.now().date() - timedelta(days=days)
    trend: dict = defaultdict(lambda: {"total": 0, "kev": 0, **{s: 0 for s in SEVERITY_ORDER}})
    for snap in FindingSnapshot.objects.filter(organization_id=user.organization_id, day__gte=since).order_by("day"):
        point = trend[snap.day.isoformat()]
        point["total"] += snap.total
        point["kev"] += snap.kev
        for severity, n in snap.by_severity.items():
            point[severity] = point.get(severity, 0) + n
    return {
        "by_severity": {s: by_severity.get(s, 0) for s in SEVERITY_ORDER},
        "open": sum(by_severity.values()),
        "kev": current.filter(kev=True).count(),
        "sboms": Sbom.objects.restrict(user).filter(is_current=True).count(),
        "components": Component.objects.filter(sbom__in=Sbom.objects.restrict(user).filter(is_current=True)
                                               .values("pk")).count(),
        "trend": [{"day": day, **point} for day, point in sorted(trend.items())],
    }


def open_counts(owner_id: int) -> dict:
    """Open findings of an organisation's current SBOMs, for its daily snapshot."""
    rows = Finding.objects.filter(owner_id=owner_id, sbom__is_current=True).exclude(status__in=CLOSED_STATUSES)
    by_severity = dict(rows.values_list("severity").annotate(n=Count("pk")))
    return {"by_severity": by_severity, "total": sum(by_severity.values()), "kev": rows.filter(kev=True).count()}


# --------------------------------------------------------------------------------------------
# the sector view


def _services_of_systems(owner_ids, system_ids) -> dict[int, set[int]]:
    """For each system, the business services that depend on it, directly or through other systems."""
    depends_on_system = defaultdict(set)  # system -> systems that depend on it
    services_on = defaultdict(set)  # system -> services depending on it directly
    edges = Dependency.objects.filter(owner_id__in=owner_ids, target_system__isnull=False).values_list(
        "source_service_id", "source_system_id", "target_system_id")
    for service, source_system, target in edges:
        if service:
            services_on[target].add(service)
        elif source_system:
            depends_on_system[target].add(source_system)
    out = {}
    for system in system_ids:
        seen, stack, services = {system}, [system], set()
        while stack:
            current = stack.pop()
            services |= services_on.get(current, set())
            for up in depends_on_system.get(current, ()):
                if up not in seen:
                    seen.add(up)
                    stack.append(up)
        out[system] = services
    return out


def sector_view(user, vuln_id: str) -> dict:
    """Which members, systems and business services a vulnerability affects, ranked by criticality.

    Members see their own systems. The hub and the supervisor see every member's counts; they see
    the names of systems and services only where the member shared the system with them.
    """
    vuln_id = vuln_id.strip()
    if not vuln_id:
        return {"vulnerability": "", "ids": [], "known": False, "members": [],
                "totals": {"members": 0, "systems": 0, "services": 0}}
    ids = vulnerability_group(vuln_id)
    advisories = list(Advisory.objects.filter(alias_rows__alias__in=ids).distinct().values_list("pk", flat=True))
    rows = Finding.objects.filter(advisory_id__in=advisories, sbom__is_current=True)
    kind = user.organization.kind if user.organization_id else None
    if kind not in (OrganizationKind.HUB, OrganizationKind.SUPERVISOR):
        rows = rows.filter(sbom__in=Sbom.objects.restrict(user).values("pk"))
    per_system = defaultdict(lambda: {"findings": 0, "open": 0, "kev": False, "components": set()})
    owners = {}
    for f in rows.values("owner_id", "owner__name", "owner__slug", "sbom__system_id", "status", "kev",
                         "component__name", "component__version"):
        s = per_system[f["sbom__system_id"]]
        s["owner"] = f["owner_id"]
        owners[f["owner_id"]] = (f["owner__name"], f["owner__slug"])
        s["findings"] += 1
        s["open"] += f["status"] not in CLOSED_STATUSES
        s["kev"] = s["kev"] or f["kev"]
        s["components"].add(f"{f['component__name']}@{f['component__version']}")
    visible_systems = set(System.objects.restrict(user).filter(pk__in=per_system).values_list("pk", flat=True))
    services_of = _services_of_systems(owners, per_system)
    service_rows = BusinessService.objects.in_bulk({s for v in services_of.values() for s in v})
    visible_services = set(BusinessService.objects.restrict(user).filter(pk__in=service_rows)
                           .values_list("pk", flat=True))
    system_names = dict(System.objects.filter(pk__in=visible_systems).values_list("pk", "name"))
    members = {}
    for system_id, data in per_system.items():
        owner = data["owner"]
        member = members.setdefault(owner, {
            "member": owners[owner][0], "slug": owners[owner][1], "systems": 0, "open_findings": 0,
            "services": {}, "shared_systems": [], "worst_criticality": None, "kev": False})
        member["systems"] += 1
        member["open_findings"] += data["open"]
        member["kev"] = member["kev"] or data["kev"]
        services = [service_rows[s] for s in services_of.get(system_id, ())]
        for service in services:
            member["services"][service.pk] = service
        if system_id in visible_systems:
            member["shared_systems"].append({
                "id": system_id, "name": system_names[system_id], "open_findings": data["open"],
                "components": sorted(data["components"]),
                "services": sorted(s.name for s in services if s.pk in visible_services),
            })
    ranked = []
    for member in members.values():
        services = list(member.pop("services").values())
        criticalities = Counter(s.criticality for s in services)
        worst = min(criticalities, key=lambda c: CRITICALITY_RANK.get(c, 9)) if criticalities else None
        member["worst_criticality"] = worst
        member["services_by_criticality"] = dict(criticalities)
        member["services_affected"] = len(services)
        member["shared_services"] = sorted(
            ({"id": s.pk, "name": s.name, "criticality": s.criticality} for s in services if s.pk in visible_services),
            key=lambda s: (CRITICALITY_RANK.get(s["criticality"], 9), s["name"]))
        ranked.append(member)
    ranked.sort(key=lambda m: (CRITICALITY_RANK.get(m["worst_criticality"], 9), not m["kev"], -m["systems"],
                               m["member"]))
    return {
        "vulnerability": vuln_id,
        "ids": sorted(ids),
        "known": bool(advisories),
        "members": ranked,
        "totals": {"members": len(ranked), "systems": sum(m["systems"] for m in ranked),
                   "services": sum(m["services_affected"] for m in ranked)},
    }


def feed_states():
    return FeedState.objects.all()
