"""Every write of the SBOM capability: ingest, match, feed import and sync, decisions, VEX.

The engines (``readers``, ``feeds``, ``matching``) do the work on plain data; these functions
own the transactions, write in bulk (components and findings are ``bulk_create``-d in batches,
one audit 'import' entry per SBOM or feed file, not one per row) and tell the owners of affected
systems when a feed change brings them new findings.
"""

import gzip
import hashlib
import json
import logging
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from forceb.core import actions as core_actions
from forceb.core import audit
from forceb.core.choices import AuditAction
from forceb.inventory.models import System

from . import feeds, matching, queries, readers
from .choices import DecisionSource, Feed, FindingStatus, Justification
from .models import (
    Advisory,
    AdvisoryAlias,
    Component,
    ComponentEdge,
    Epss,
    FeedState,
    Finding,
    FindingDecision,
    FindingSnapshot,
    Kev,
    Sbom,
)

log = logging.getLogger(__name__)

BATCH = 1000
_REMATCH_GROUP = 200  # SBOMs re-matched together in one transaction
# Progress callback: (what is being done, how far, out of how much or None when unknown).
Progress = Callable[[str, int, int | None], None]


def _no_progress(label: str, done: int, total: int | None) -> None:
    return None


class SbomRejected(ValidationError):
    """An SBOM the readers refused; the message names the problem and the place."""


# --------------------------------------------------------------------------------------------
# ingestion


def read_payload(payload: bytes | str) -> readers.Sbom:
    """Read an SBOM with the engine, turning its error into a validation error with the same words."""
    try:
        return readers.read_sbom(payload)
    except readers.SbomError as exc:
        raise SbomRejected(f"not a readable SBOM: {exc}") from exc


def ingest_sbom(actor, system: System, payload: bytes | str, filename: str = "", *, supplier=None,
                deliverable: str = "") -> Sbom:
    """Store an SBOM for ``system``: it becomes the system's current SBOM, with its diff to the
    previous one, its NTIA check and its findings. A malformed SBOM stores nothing.

    ``actor`` None is the local operator (CLI without ``--as``), trusted like the shell it runs in.
    """
    if actor is not None and not System.objects.restrict(actor, "change").filter(pk=system.pk).exists():
        raise PermissionDenied("you may attach SBOMs only to your organisation's systems")
    raw = payload.encode() if isinstance(payload, str) else payload
    doc = read_payload(raw)
    matcher = queries.matcher()
    with transaction.atomic():
        previous = Sbom.objects.select_for_update().filter(system=system, is_current=True).first()
        if previous is not None:
            Sbom.objects.filter(pk=previous.pk).update(is_current=False)
        ntia = readers.check_ntia(doc)
        root = doc.component(doc.root_refs[0]) if doc.root_refs else None
        sbom = Sbom(
            owner_id=system.owner_id, system=system, supplier=supplier, deliverable=deliverable[:200],
            filename=os.path.basename(filename or "")[:255], sha256=hashlib.sha256(raw).hexdigest(),
            format=doc.format, encoding=doc.encoding, spec_version=doc.spec_version[:32],
            serial=(doc.serial or "")[:500], subject=(doc.name or (root.name if root else "") or "")[:300],
            subject_version=(doc.version or "")[:100], document_time=doc.timestamp, roots=list(doc.root_refs),
            ntia=ntia.as_dict(), ntia_ok=ntia.ok, warnings=list(doc.warnings), is_current=True,
            previous=previous, uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        )
        sbom.full_clean()
        sbom.save()
        _store_components(sbom, doc)
        if previous is not None:
            sbom.diff = _diff(previous, doc)
            Sbom.objects.filter(pk=sbom.pk).update(diff=sbom.diff)
        outcome = _match(sbom, matcher, carry_from=previous)
        audit.record(AuditAction.IMPORT, sbom, after={
            "filename": sbom.filename, "sha256": sbom.sha256, "format": f"{doc.format} {doc.spec_version}",
            "components": len(doc.components), "findings": outcome.total, "warnings": len(doc.warnings),
            "replaces": previous.pk if previous else None})
        _snapshot({sbom.owner_id})
    sbom.refresh_from_db()
    return sbom


def _component_row(sbom: Sbom, c: readers.Component) -> Component:
    # the package identity advisories use, so that a changed advisory finds its components by
    # index: a distribution package is kept under its release ("Debian:12") and source package
    package, ecosystem = "", c.ecosystem or ""
    if c.purl and c.ecosystem:
        try:
            eco, package = matching.package_of_purl(c.purl)[:2]
            ecosystem = eco or ecosystem
        except ValueError:
            package = ""
    return Component(
        sbom=sbom, ref=c.ref[:500], name=c.name[:300], version=(c.version or "")[:200], purl=(c.purl or "")[:1000],
        purl_type=(c.purl_type or "")[:32], ecosystem=ecosystem[:32], package=package[:300],
        type=(c.type or "")[:32], licenses=list(c.licenses), hashes=[{"alg": h.alg, "content": h.value} for h in c.hashes],
        supplier=(c.supplier or "")[:300], cpe=(c.cpe or "")[:500],
    )


def _store_components(sbom: Sbom, doc: readers.Sbom) -> None:
    rows = Component.objects.bulk_create([_component_row(sbom, c) for c in doc.components], batch_size=BATCH)
    # by the document's refs, not the stored ones, which are cut to the column's length
    by_ref = {c.ref: row.pk for c, row in zip(doc.components, rows, strict=True)}
    edges, seen = [], set()
    for d in doc.dependencies:
        parent, child = by_ref.get(d.ref), by_ref.get(d.depends_on)
        if parent and child and parent != child and (parent, child) not in seen:
            seen.add((parent, child))
            edges.append(ComponentEdge(sbom=sbom, parent_id=parent, child_id=child, kind=d.kind[:32]))
    ComponentEdge.objects.bulk_create(edges, batch_size=BATCH)


def _as_document(sbom: Sbom) -> readers.Sbom:
    comps = tuple(readers.Component(ref=c.ref, name=c.name, version=c.version or None, purl=c.purl or None)
                  for c in sbom.components.only("sbom_id", "ref", "name", "version", "purl"))
    return readers.Sbom(format=sbom.format, encoding=sbom.encoding, spec_version=sbom.spec_version, components=comps)


def _brief(c: readers.Component) -> dict:
    return {"name": c.name, "version": c.version or "", "purl": c.purl or ""}


def _diff(previous: Sbom, doc: readers.Sbom) -> dict:
    change = readers.diff(_as_document(previous), doc)
    return {
        "previous": previous.pk,
        "added": [_brief(c) for c in change.added],
        "removed": [_brief(c) for c in change.removed],
        "changed": [{"name": new.name, "purl": new.purl or "", "from": old.version or "", "to": new.version or ""}
                    for old, new in change.changed],
        "unchanged": change.unchanged,
    }


# --------------------------------------------------------------------------------------------
# matching


@dataclass
class MatchOutcome:
    total: int = 0
    new: list = field(default_factory=list)  # Finding rows created by this match
    removed: int = 0
    components: int = 0  # how many were matched


def _finding_values(f: matching.Finding) -> dict:
    return {
        "vuln_id": f.id, "aliases": list(f.aliases), "severity": f.severity, "cvss_score": f.cvss_score,
        "cvss_vector": f.cvss_vector or "", "kev": f.kev, "kev_date_added": f.kev_date_added,
        "kev_due_date": f.kev_due_date, "kev_ransomware": f.kev_ransomware, "epss": f.epss,
        "epss_percentile": f.epss_percentile if f.epss_percentile == f.epss_percentile else None,
        "epss_date": f.epss_date or "", "fixed_versions": list(f.fixed_versions), "upgrade_to": f.upgrade_to or "",
        "matched_by": f.matched_by[:100], "urgency": matching.urgency(f.kev, f.epss, f.cvss_score, f.severity),
        "reason": f.reason[:500],
    }


_COMPONENT_FIELDS = ("pk", "sbom_id", "ref", "purl", "version", "status", "status_reason")


@dataclass
class _Plan:
    """What matching some components of one SBOM changes, worked out before anything is written."""

    sbom: Sbom
    statuses: dict = field(default_factory=dict)  # component pk -> (status, reason)
    create: list = field(default_factory=list)  # unsaved Finding rows
    update: dict = field(default_factory=dict)  # finding pk -> {field: new value}
    gone: list = field(default_factory=list)  # finding pks no advisory supports any more
    summary: dict = field(default_factory=dict)
    total: int = 0
    components: int = 0


def _plan(sbom: Sbom, comps: list[Component], result: matching.ScanResult, existing: dict, advisory_pk: dict,
          now, *, patch: bool) -> _Plan:
    """Compare a match of ``comps`` with their stored findings (``existing``, keyed by component and
    advisory pk): findings that persist keep their status and change only the values that moved."""
    plan = _Plan(sbom=sbom, components=len(comps))
    by_ref = {c.ref: c for c in comps}
    for c, res in zip(comps, result.components, strict=True):
        status, reason = res.status, res.reason[:300]
        if (c.status, c.status_reason) != (status, reason):
            plan.statuses[c.pk] = (status, reason)
    keep = set()
    for f in result.findings:
        component = by_ref.get(f.component_ref)
        advisory = advisory_pk.get(f.id)
        if component is None or advisory is None:
            continue
        key = (component.pk, advisory)
        if key in keep:
            continue
        keep.add(key)
        values = _finding_values(f)
        row = existing.get(key)
        if row is None:
            plan.create.append(Finding(owner_id=sbom.owner_id, sbom=sbom, component=component, advisory_id=advisory,
                                       created=now, updated=now, **values))
        else:
            changes = {k: v for k, v in values.items() if getattr(row, k) != v}
            if changes:
                plan.update[row.pk] = changes
    gone = [f for key, f in existing.items() if key not in keep]
    plan.gone = [f.pk for f in gone]
    plan.total = len(keep)
    if patch:
        kev = (sum(1 for f in plan.create if f.kev) - sum(1 for f in gone if f.kev)
               + sum(1 if c["kev"] else -1 for c in plan.update.values() if "kev" in c))
        plan.summary = _patched_summary(sbom.scan_summary, result, [c.status for c in comps],
                                        findings=len(plan.create) - len(gone), kev=kev)
    else:
        plan.summary = result.summary
    return plan


def _apply(plans: list[_Plan], now) -> list[list[Finding]]:
    """Write the plans of some SBOMs together, each kind of write batched over all of them: one
    UPDATE per distinct component status and per distinct finding change (findings of one package
    version move alike), where bulk_update's CASE per row grows with the square of the rows.
    Returns the findings created, per plan."""
    statuses = defaultdict(list)
    for plan in plans:
        for pk, status in plan.statuses.items():
            statuses[status].append(pk)
    for (status, reason), pks in statuses.items():
        for i in range(0, len(pks), BATCH):
            Component.objects.filter(pk__in=pks[i:i + BATCH]).update(status=status, status_reason=reason)
    gone = [pk for plan in plans for pk in plan.gone]
    for i in range(0, len(gone), BATCH):
        Finding.objects.filter(pk__in=gone[i:i + BATCH]).delete()
    created = Finding.objects.bulk_create([f for plan in plans for f in plan.create], batch_size=BATCH)
    same_change = defaultdict(list)
    for plan in plans:
        for pk, changes in plan.update.items():
            same_change[json.dumps(changes, sort_keys=True, default=str)].append((pk, changes))
    for rows in same_change.values():
        pks = [pk for pk, _ in rows]
        for i in range(0, len(pks), BATCH):
            Finding.objects.filter(pk__in=pks[i:i + BATCH]).update(updated=now, **rows[0][1])
    for plan in plans:
        Sbom.objects.filter(pk=plan.sbom.pk).update(scan_summary=plan.summary, matched_at=now)
    per_plan, start = [], 0
    for plan in plans:
        per_plan.append(created[start:start + len(plan.create)])
        start += len(plan.create)
    return per_plan


def _advisory_pks(osv_ids: set[str]) -> dict[str, int]:
    ids, found = sorted(osv_ids), {}
    for i in range(0, len(ids), BATCH):
        found.update(Advisory.objects.filter(osv_id__in=ids[i:i + BATCH]).values_list("osv_id", "pk"))
    return found


def _match(sbom: Sbom, matcher: matching.Matcher, carry_from: Sbom | None = None) -> MatchOutcome:
    """Match every component of ``sbom``; keep the status of findings that persist, add new ones,
    drop the ones no advisory supports any more."""
    comps = list(sbom.components.only(*_COMPONENT_FIELDS))
    result = matcher.match(comps)
    advisory_pk = _advisory_pks({f.id for f in result.findings})
    existing = {(f.component_id, f.advisory_id): f for f in Finding.objects.filter(sbom=sbom).order_by()}
    now = timezone.now()
    plan = _plan(sbom, comps, result, existing, advisory_pk, now, patch=False)
    [created] = _apply([plan], now)
    if carry_from is not None and created:
        _carry_over(carry_from, created)
    return MatchOutcome(total=plan.total, new=created, removed=len(plan.gone), components=len(comps))


def _match_touched(sboms: list[Sbom], matcher: matching.Matcher, only: dict[int, set[int]]) -> list[MatchOutcome]:
    """Match only the ``only`` components of each SBOM, reading and writing for all the SBOMs at
    once, and patch each SBOM's summary. An SBOM never matched whole is matched whole."""
    whole = [sbom for sbom in sboms if not sbom.scan_summary]
    outcomes = {sbom.pk: _match(sbom, matcher) for sbom in whole}
    partial = [sbom for sbom in sboms if sbom.scan_summary]
    pks = sorted(pk for sbom in partial for pk in only[sbom.pk])
    comps, existing = defaultdict(list), defaultdict(dict)
    for i in range(0, len(pks), BATCH):
        for c in Component.objects.filter(pk__in=pks[i:i + BATCH]).only(*_COMPONENT_FIELDS).order_by("pk"):
            comps[c.sbom_id].append(c)
        for f in Finding.objects.filter(component_id__in=pks[i:i + BATCH]).order_by():
            existing[f.sbom_id][(f.component_id, f.advisory_id)] = f
    results = {sbom.pk: matcher.match(comps[sbom.pk]) for sbom in partial}
    advisory_pk = _advisory_pks({f.id for result in results.values() for f in result.findings})
    now = timezone.now()
    plans = [_plan(sbom, comps[sbom.pk], results[sbom.pk], existing[sbom.pk], advisory_pk, now, patch=True)
             for sbom in partial]
    for plan, created in zip(plans, _apply(plans, now), strict=True):
        outcomes[plan.sbom.pk] = MatchOutcome(total=plan.total, new=created, removed=len(plan.gone),
                                              components=plan.components)
    return [outcomes[sbom.pk] for sbom in sboms]


def _patched_summary(summary: dict, result: matching.ScanResult, before: list[str], *, findings: int,
                     kev: int) -> dict:
    """The stored summary after re-matching some components: their statuses move between counts
    (a component's ecosystem and support follow from its purl, which did not change)."""
    summary = json.loads(json.dumps(summary))
    recognised = ("matched", "clean")
    for old, res in zip(before, result.components, strict=True):
        if old == res.status:
            continue
        eco = res.ecosystem or (res.reason.split(":", 1)[0] if res.status == "unsupported" else "(none)")
        for counts in (summary, summary["by_ecosystem"].setdefault(eco, {})):
            counts[old] = counts.get(old, 0) - 1
            counts[res.status] = counts.get(res.status, 0) + 1
            counts["recognised"] = counts.get("recognised", 0) + (res.status in recognised) - (old in recognised)
    summary["findings"] = summary.get("findings", 0) + findings
    summary["kev_findings"] = summary.get("kev_findings", 0) + kev
    return summary


def _carry_over(previous: Sbom, created: list[Finding]) -> None:
    """Decisions taken on the previous SBOM hold for the same component version and vulnerability."""
    decided = {}
    for f in Finding.objects.filter(sbom=previous).exclude(status=FindingStatus.NEW).select_related("component"):
        last = f.decisions.first()
        decided[(f.component.purl or f.component.name, f.component.version, f.vuln_id)] = (f, last)
    if not decided:
        return
    components = Component.objects.in_bulk({f.component_id for f in created})
    decisions, carried = [], []
    for f in created:
        c = components[f.component_id]
        hit = decided.get((c.purl or c.name, c.version, f.vuln_id))
        if hit is None:
            continue
        old, last = hit
        f.status = old.status
        carried.append(f)
        decisions.append(FindingDecision(
            finding=f, status=old.status, justification=last.justification if last else "",
            detail=(last.detail if last else "") or f"carried over from SBOM #{previous.pk}",
            source=DecisionSource.CARRIED_OVER, decided_by=last.decided_by if last else None))
    Finding.objects.bulk_update(carried, ["status"], batch_size=BATCH)
    FindingDecision.objects.bulk_create(decisions, batch_size=BATCH)


def _snapshot(owner_ids: Iterable[int]) -> None:
    """Record today's open findings of each organisation for the dashboard's trend."""
    today = timezone.now().date()
    for owner in set(owner_ids):
        counts = queries.open_counts(owner)
        FindingSnapshot.objects.update_or_create(organization_id=owner, day=today, defaults=counts)


def match_sbom(sbom: Sbom) -> MatchOutcome:
    """Full re-match of one SBOM against the stored knowledge base."""
    matcher = queries.matcher()
    with transaction.atomic():
        outcome = _match(sbom, matcher)
        _snapshot({sbom.owner_id})
    return outcome


@dataclass
class RematchReport:
    sboms: list[int] = field(default_factory=list)
    new_findings: int = 0
    removed_findings: int = 0
    components: int = 0  # matched again
    notified: list[str] = field(default_factory=list)


def _reach(advisory_ids: list[str]):
    """The changed advisories as the engine reads them, and the current components of their packages
    as ``{sbom id: {purl: [component ids]}}``."""
    engine, keys = [], set()
    for row in Advisory.objects.filter(osv_id__in=advisory_ids):
        adv = queries.engine_advisory(row)
        engine.append(adv)
        keys |= queries.package_keys(adv)
    by_eco = defaultdict(set)
    for eco, name in keys:
        by_eco[eco].add(name)
    components: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for eco, names in by_eco.items():
        names = sorted(names)
        for i in range(0, len(names), 500):
            for sbom_id, pk, purl in Component.objects.filter(
                    sbom__is_current=True, ecosystem=eco, package__in=names[i:i + 500]).values_list(
                    "sbom_id", "pk", "purl"):
                components[sbom_id][purl].append(pk)
    return engine, components


def sboms_touched(advisory_ids: Iterable[str]) -> set[int]:
    """Current SBOMs whose components the given advisories could touch (an index query on their
    packages, then the engine's own range test), plus those already holding findings of them: a
    changed range or a withdrawal may clear findings the old record made."""
    advisory_ids = list(advisory_ids)
    engine, components = _reach(advisory_ids)
    touched: set[int] = set()
    if components:
        portfolio = matching.Portfolio.from_mapping({str(k): v.keys() for k, v in components.items()})
        for adv in engine:
            touched |= {int(s) for s in portfolio.touched_by(adv)}
    touched |= set(Finding.objects.filter(advisory__osv_id__in=advisory_ids, sbom__is_current=True)
                   .order_by().values_list("sbom_id", flat=True))
    return touched


def components_touched(advisory_ids: Iterable[str]) -> dict[int, set[int]]:
    """Per current SBOM, the components whose findings the changed advisories may change: those in
    an advisory's ranges, those holding its findings or the findings of an advisory sharing one of
    its ids, and every other component of its packages that holds findings, since the smallest safe
    upgrade is computed over all of a package's advisories."""
    advisory_ids = list(advisory_ids)
    engine, components = _reach(advisory_ids)
    touched: dict[int, set[int]] = defaultdict(set)
    if components:
        portfolio = matching.Portfolio.from_mapping({str(k): v.keys() for k, v in components.items()})
        for adv in engine:
            for sbom_id, purl in portfolio.components_touched_by(adv):
                touched[int(sbom_id)].update(components[int(sbom_id)][purl])
    of_package = [pk for by_purl in components.values() for pks in by_purl.values() for pk in pks]
    for i in range(0, len(of_package), 5000):
        for sbom_id, pk in Finding.objects.filter(component_id__in=of_package[i:i + 5000]).order_by().values_list(
                "sbom_id", "component_id"):
            touched[sbom_id].add(pk)
    # A vulnerability's facts (aliases, CVSS, KEV, EPSS) are joined over its alias group, so the
    # findings of every advisory that shares an id with a changed one may change too.
    names = AdvisoryAlias.objects.filter(advisory__osv_id__in=advisory_ids).values("alias")
    related = AdvisoryAlias.objects.filter(alias__in=names).values("advisory_id")
    for sbom_id, pk in Finding.objects.filter(Q(advisory__osv_id__in=advisory_ids) | Q(advisory_id__in=related),
                                              sbom__is_current=True).order_by().values_list("sbom_id", "component_id"):
        touched[sbom_id].add(pk)
    return dict(touched)


def rematch_for_advisories(advisory_ids: Iterable[str], progress: Progress = _no_progress) -> RematchReport:
    """Incremental re-match after a feed change: in the SBOMs the changed advisories touch, only
    the components they touch. The owners of systems that gain findings are notified.
    """
    targets = components_touched(advisory_ids)
    return _rematch(sorted(targets), progress, "re-matching touched components", only=targets)


def _rematch(sbom_ids: list[int], progress: Progress, label: str,
             only: dict[int, set[int]] | None = None) -> RematchReport:
    report = RematchReport(sboms=sbom_ids)
    if not sbom_ids:
        return report
    matcher = queries.matcher()
    owners, done = set(), 0
    sboms = list(Sbom.objects.filter(pk__in=sbom_ids).select_related("system", "owner").order_by("pk"))
    # Touched components are read and written for a group of SBOMs at once; a whole re-match
    # reads every component anyway, SBOM by SBOM. Each group is its own transaction, so a long
    # re-match never holds the database for long.
    step = _REMATCH_GROUP if only is not None else 1
    for i in range(0, len(sboms), step):
        group = sboms[i:i + step]
        with transaction.atomic():
            outcomes = (_match_touched(group, matcher, only) if only is not None
                        else [_match(sbom, matcher) for sbom in group])
            for sbom, outcome in zip(group, outcomes, strict=True):
                owners.add(sbom.owner_id)
                report.new_findings += len(outcome.new)
                report.removed_findings += outcome.removed
                report.components += outcome.components
                if outcome.new:
                    _notify_new_findings(sbom, outcome.new)
                    report.notified.append(f"{sbom.owner.slug}:{sbom.system.name}")
        done += len(group)
        progress(label, done, len(sboms))
    _snapshot(owners)
    return report


def _notify_new_findings(sbom: Sbom, new: list[Finding]) -> None:
    kev = sum(1 for f in new if f.kev)
    ids = ", ".join(sorted({f.vuln_id for f in new})[:5])
    title = f"{len(new)} new vulnerabilit{'y' if len(new) == 1 else 'ies'} in {sbom.system.name}"
    if kev:
        title += f" ({kev} known exploited)"
    try:
        link = reverse("web:sbom-detail", args=[sbom.pk])
    except NoReverseMatch:  # a deployment that does not serve the SBOM pages still gets the message
        link = ""
    core_actions.notify(sbom.owner, title, body=f"A knowledge-base update matched: {ids}", link=link)


# --------------------------------------------------------------------------------------------
# the knowledge base: import


@dataclass
class FeedReport:
    """What one import changed: per feed, rows added, changed, unchanged, and the re-match."""

    files: list[str] = field(default_factory=list)
    added: dict = field(default_factory=lambda: defaultdict(int))
    changed: dict = field(default_factory=lambda: defaultdict(int))
    unchanged: dict = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)
    rematch: RematchReport = field(default_factory=RematchReport)

    def as_dict(self) -> dict:
        return {"files": self.files, "added": dict(self.added), "changed": dict(self.changed),
                "unchanged": dict(self.unchanged), "errors": self.errors[:100], "error_count": len(self.errors),
                "rematched_sboms": len(self.rematch.sboms), "new_findings": self.rematch.new_findings,
                "notified": self.rematch.notified}


#: Reads one file of a feed that another capability stores, returns (records stored, already held)
#: and raises ``ValidationError`` naming the problem, having stored nothing.
FeedLoader = Callable[[Path, Progress], tuple[int, int]]
_loaders: dict[str, FeedLoader] = {}


def register_feed_loader(kind: str, loader: FeedLoader) -> None:
    """Let ``loader`` import the files of feed ``kind``. ATT&CK is downloaded, recorded and routed
    here like the other feeds but stored by the intelligence hub, which registers its loader when it
    starts: the feed machinery depends on that one function, never on the app."""
    if kind not in Feed.values:
        raise ValueError(f"unknown feed {kind!r}")
    _loaders[kind] = loader


def _head(path: Path, size: int) -> bytes:
    try:
        with (gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")) as fh:
            return fh.read(size)
    except (OSError, EOFError):
        return b""  # a damaged file: the OSV reader names the problem


def _is_attack_bundle(head: bytes) -> bool:
    """A STIX bundle from ATT&CK: its first object is an x-mitre matrix (2.0) or collection (2.1)."""
    return re.search(rb'"type"\s*:\s*"bundle"', head) is not None and (b"x-mitre" in head or b"mitre-attack" in head)


def classify_feed_file(path: Path) -> str | None:
    """Which feed a local file holds, by name and first bytes (None: not a feed file)."""
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return Feed.EPSS
    if name.endswith((".json", ".json.gz")) and _is_attack_bundle(_head(path, 1 << 16)):
        return Feed.ATTACK
    if name.endswith(".json"):
        head = _head(path, 4096)
        if b'"$schema"' in head:
            return None  # a JSON schema (shipped beside KEV and OSV copies), not data
        if b"catalogVersion" in head or b"knownRansomwareCampaignUse" in head:
            return Feed.KEV
        return Feed.OSV
    if name.endswith((".jsonl", ".jsonl.gz", ".json.gz", ".zip")):
        return Feed.OSV
    return None


@dataclass
class _Changes:
    """What an import changed that findings depend on."""

    advisories: set[str] = field(default_factory=set)
    cves: set[str] = field(default_factory=set)


def import_feeds(path, progress: Progress = _no_progress, *, rematch: bool = True) -> FeedReport:
    """Load local copies of the feeds (OSV JSON/JSONL/gz/zip/folder, KEV JSON, EPSS CSV, the ATT&CK
    bundle) into the knowledge base, then re-match what the changes touch. Bad OSV records are listed
    and skipped."""
    root = Path(path)
    if not root.exists():
        raise ValidationError(f"{root}: no such file or folder")
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    report = FeedReport()
    changes = _Changes()
    for file in files:
        kind = classify_feed_file(file)
        if kind is None:
            continue
        report.files.append(str(file))
        _import_file(kind, file, report, changes, progress)
        _record_import(kind, file, report)
    if root.is_file() and not report.files:
        raise ValidationError(f"{root}: not a feed file (OSV JSON/JSONL/gz/zip, KEV JSON, EPSS CSV or the ATT&CK "
                              "STIX bundle)")
    if rematch:
        _rematch_changes(report, changes, progress)
    return report


def _import_file(kind: str, file: Path, report: FeedReport, changes: _Changes, progress: Progress) -> None:
    try:
        if kind == Feed.OSV:
            changes.advisories |= _import_osv(file, report, progress)
        elif kind == Feed.KEV:
            changes.cves |= _import_kev(file, report, progress)
        elif kind == Feed.EPSS:
            changes.cves |= _import_epss(file, report, progress)
        elif kind in _loaders:
            stored, held = _loaders[kind](file, progress)
            report.added[kind] += stored
            report.unchanged[kind] += held
        else:
            raise ValidationError(f"{file}: nothing installed stores {Feed(kind).label}")
    except feeds.FeedError as exc:
        raise ValidationError(str(exc)) from exc


def _rematch_changes(report: FeedReport, changes: _Changes, progress: Progress) -> None:
    report.rematch = rematch_for_advisories(changes.advisories, progress)
    if changes.cves:
        more = _rematch(sorted(_sboms_with_cves(changes.cves) - set(report.rematch.sboms)), progress,
                        "re-ranking findings (KEV/EPSS)")
        report.rematch.sboms += more.sboms
        report.rematch.new_findings += more.new_findings
        report.rematch.notified += more.notified


def _record_import(kind: str, file: Path, report: FeedReport) -> None:
    with transaction.atomic():
        state, _ = FeedState.objects.get_or_create(feed=kind, source=f"file:{file.name}"[:100],
                                                   defaults={"url": file.resolve().as_uri()[:500]})
        state.imported_at = timezone.now()
        state.records = report.added[kind] + report.changed[kind] + report.unchanged[kind]
        state.save()
        audit.record(AuditAction.IMPORT, state, after={"file": str(file), "added": report.added[kind],
                                                       "changed": report.changed[kind]})


def _osv_fields(adv: feeds.Advisory) -> dict:
    cvss = {}
    for sev in adv.severity:
        try:
            score = feeds.score_cvss(sev.score)
        except feeds.FeedError:
            continue
        if score.version in ("3.0", "3.1"):
            cvss["cvss_v3_vector"], cvss["cvss_v3_score"] = score.vector, score.base_score
        elif score.version == "4.0":
            cvss["cvss_v4_vector"], cvss["cvss_v4_score"] = score.vector, score.base_score
    affected = []
    for a in adv.affected:
        package = {"ecosystem": a.ecosystem_raw or a.ecosystem, "name": a.name}
        if a.purl:
            package["purl"] = a.purl
        ranges = []
        for r in a.ranges:
            rng = {"type": r.type, "events": [{e.kind: e.version} for e in r.events]}
            if r.repo:
                rng["repo"] = r.repo
            ranges.append(rng)
        affected.append({"package": package, "ranges": ranges, "versions": list(a.versions)})
    values = {
        "aliases": list(adv.aliases), "related": list(adv.related), "summary": adv.summary, "details": adv.details,
        "severity": [{"type": s.type, "score": s.score} for s in adv.severity],
        "cvss_v3_vector": cvss.get("cvss_v3_vector", "")[:200], "cvss_v3_score": cvss.get("cvss_v3_score"),
        "cvss_v4_vector": cvss.get("cvss_v4_vector", "")[:300], "cvss_v4_score": cvss.get("cvss_v4_score"),
        "database_severity": (adv.database_severity or "")[:32], "published": adv.published[:40],
        "modified": adv.modified[:40], "withdrawn": (adv.withdrawn or "")[:40], "affected": affected,
        "references": list(adv.references), "ecosystems": sorted({a.ecosystem for a in adv.affected}),
    }
    values["digest"] = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()
    return values


def _import_osv(file: Path, report: FeedReport, progress: Progress) -> set[str]:
    errors: list[feeds.FeedError] = []
    changed_ids: set[str] = set()
    batch: dict[str, feeds.Advisory] = {}
    done = 0
    label = f"OSV {file.name}"
    for adv in feeds.iter_osv(file, errors=errors):
        batch[adv.id] = adv
        if len(batch) >= 2000:
            done += len(batch)
            changed_ids |= _store_advisories(list(batch.values()), report)
            batch = {}
            progress(label, done, None)
    if batch:
        done += len(batch)
        changed_ids |= _store_advisories(list(batch.values()), report)
    progress(label, done, done)
    report.errors.extend(str(e) for e in errors)
    return changed_ids


@transaction.atomic
def _store_advisories(advisories: list[feeds.Advisory], report: FeedReport) -> set[str]:
    """Insert new advisories and update changed ones (by content digest); aliases follow."""
    existing = {a.osv_id: a for a in Advisory.objects.filter(osv_id__in=[a.id for a in advisories])}
    now = timezone.now()
    create, update = [], []
    for adv in advisories:
        values = _osv_fields(adv)
        row = existing.get(adv.id)
        if row is None:
            create.append(Advisory(osv_id=adv.id[:100], created=now, updated=now, **values))
        elif row.digest != values["digest"]:
            for k, v in values.items():
                setattr(row, k, v)
            row.updated = now
            update.append(row)
        else:
            report.unchanged[Feed.OSV] += 1
    Advisory.objects.bulk_create(create, batch_size=BATCH)
    Advisory.objects.bulk_update(update, [*_osv_fields_names(), "updated"], batch_size=BATCH)
    report.added[Feed.OSV] += len(create)
    report.changed[Feed.OSV] += len(update)
    touched = create + update
    AdvisoryAlias.objects.filter(advisory__in=update).delete()
    stored = dict(Advisory.objects.filter(osv_id__in=[a.osv_id for a in touched]).values_list("osv_id", "pk"))
    aliases = [AdvisoryAlias(advisory_id=stored[a.osv_id], alias=alias[:100])
               for a in touched for alias in dict.fromkeys([a.osv_id, *a.aliases])]
    AdvisoryAlias.objects.bulk_create(aliases, batch_size=BATCH)
    return {a.osv_id for a in touched}


def _osv_fields_names() -> list[str]:
    return ["aliases", "related", "summary", "details", "severity", "cvss_v3_vector", "cvss_v3_score",
            "cvss_v4_vector", "cvss_v4_score", "database_severity", "published", "modified", "withdrawn",
            "affected", "references", "ecosystems", "digest"]


@transaction.atomic
def _import_kev(file: Path, report: FeedReport, progress: Progress) -> set[str]:
    catalog = feeds.load_kev(file)
    existing = {k.cve: k for k in Kev.objects.all()}
    create, update, changed = [], [], set()
    fields = ["vendor", "product", "name", "date_added", "due_date", "known_ransomware", "required_action"]
    for cve, e in catalog.entries.items():
        values = {"vendor": e.vendor[:200], "product": e.product[:200], "name": e.name[:300],
                  "date_added": e.date_added, "due_date": e.due_date, "known_ransomware": e.known_ransomware,
                  "required_action": e.required_action}
        row = existing.pop(cve, None)
        if row is None:
            create.append(Kev(cve=cve[:32], **values))
            changed.add(cve)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            update.append(row)
            changed.add(cve)
        else:
            report.unchanged[Feed.KEV] += 1
    Kev.objects.bulk_create(create, batch_size=BATCH)
    Kev.objects.bulk_update(update, fields, batch_size=BATCH)
    if existing:  # the catalogue is published whole: what it no longer lists is no longer in it
        Kev.objects.filter(cve__in=list(existing)).delete()
        changed |= set(existing)
    report.added[Feed.KEV] += len(create)
    report.changed[Feed.KEV] += len(update) + len(existing)
    progress(f"KEV {file.name}", len(catalog.entries), len(catalog.entries))
    return changed


@transaction.atomic
def _import_epss(file: Path, report: FeedReport, progress: Progress) -> set[str]:
    meta: dict[str, str] = {}
    existing = {cve: (score, pct) for cve, score, pct in Epss.objects.values_list("cve", "score", "percentile")}
    create, changed, rows = [], set(), 0
    update: dict[str, tuple] = {}
    for s in feeds.iter_epss(file, on_header=meta.update):
        rows += 1
        pct = s.percentile if s.percentile == s.percentile else None
        old = existing.get(s.cve_id)
        if old is None:
            create.append(Epss(cve=s.cve_id[:32], score=s.epss, percentile=pct))
            changed.add(s.cve_id)
        elif old != (s.epss, pct):
            update[s.cve_id] = (s.epss, pct)
            changed.add(s.cve_id)
        else:
            report.unchanged[Feed.EPSS] += 1
        if rows % 20000 == 0:
            progress(f"EPSS {file.name}", rows, None)
    day = meta.get("score_date", "")[:40]
    for row in create:
        row.score_date = day
    Epss.objects.bulk_create(create, batch_size=BATCH)
    rows_to_update = list(Epss.objects.filter(cve__in=list(update)))
    for row in rows_to_update:
        row.score, row.percentile = update[row.cve]
    Epss.objects.bulk_update(rows_to_update, ["score", "percentile"], batch_size=BATCH)
    # The score date belongs to the whole file: every score it holds was computed that day.
    Epss.objects.exclude(score_date=day).filter(cve__in=list(existing)).update(score_date=day)
    report.added[Feed.EPSS] += len(create)
    report.changed[Feed.EPSS] += len(update)
    progress(f"EPSS {file.name}", rows, rows)
    return changed


def _sboms_with_cves(cves: set[str]) -> set[int]:
    """Current SBOMs holding findings of vulnerabilities whose KEV or EPSS data changed."""
    rows = Finding.objects.filter(sbom__is_current=True).order_by()
    if len(cves) > 5000:  # a daily EPSS file changes nearly every score: re-rank every finding
        return set(rows.values_list("sbom_id", flat=True).distinct())
    return set(rows.filter(advisory__alias_rows__alias__in=sorted(cves)).values_list("sbom_id", flat=True).distinct())


# --------------------------------------------------------------------------------------------
# the knowledge base: sync from the official sources

OSV_BUCKET = "https://osv-vulnerabilities.storage.googleapis.com"
FEED_URLS = {
    "osv": OSV_BUCKET + "/{ecosystem}/all.zip",
    "osv-ecosystems": OSV_BUCKET + "/ecosystems.txt",
    "kev": "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
    "epss": "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz",
    # MITRE's own STIX 2.1 publication of ATT&CK (github.com/mitre-attack/attack-stix-data): the
    # newest release, under a fixed name, with an ETag and byte ranges like the others.
    "attack": "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/enterprise-attack/"
              "enterprise-attack.json",
}
#: What ``forceb feeds sync`` fetches unless told otherwise: every source the platform reads, so that
#: one scheduled sync keeps it all current (a 304 costs one request).
SYNCED_FEEDS = (Feed.OSV, Feed.KEV, Feed.EPSS, Feed.ATTACK)


def feed_urls() -> dict[str, str]:
    """The official sources, unless the operator points them at a mirror (``FORCEB_FEED_URLS``)."""
    return {**FEED_URLS, **getattr(settings, "FORCEB_FEED_URLS", {})}


class FeedDownloadError(Exception):
    pass


@dataclass
class Download:
    path: Path | None  # None: unchanged since the last sync
    status: str


def _open(request: urllib.request.Request, timeout: int = 60):
    if not request.full_url.startswith(("https://", "http://")):
        raise FeedDownloadError(f"{request.full_url}: only http(s) sources are allowed")
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (scheme checked above)


def download(state: FeedState, folder: Path, progress: Progress = _no_progress, *, force: bool = False) -> Download:
    """Fetch ``state.url`` into ``folder``: conditional (ETag / Last-Modified), resuming a partial
    download with a Range request; return the file, or no path when the source has not changed."""
    folder.mkdir(parents=True, exist_ok=True)
    target = _cached_copy(state, folder)
    part = target.with_name(target.name + ".part")
    headers = {"User-Agent": "forceb-feeds/1"}
    if not force and state.etag:
        headers["If-None-Match"] = state.etag
    if not force and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    offset = part.stat().st_size if part.exists() else 0
    validator = part.with_name(part.name + ".etag")
    if offset and validator.exists():
        headers["Range"] = f"bytes={offset}-"
        headers["If-Range"] = validator.read_text().strip()
        headers.pop("If-None-Match", None)
        headers.pop("If-Modified-Since", None)
    try:
        response = _open(urllib.request.Request(state.url, headers=headers))  # noqa: S310
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Download(None, "unchanged (304)")
        if exc.code == 416:  # the partial file is complete or stale: start again
            part.unlink(missing_ok=True)
            return download(state, folder, progress, force=force)
        raise FeedDownloadError(f"{state.url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise FeedDownloadError(f"{state.url}: {getattr(exc, 'reason', exc)}") from exc
    with response:
        resumed = response.status == 206
        etag = response.headers.get("ETag", "")
        total = response.headers.get("Content-Length")
        total = int(total) + (offset if resumed else 0) if total and total.isdigit() else None
        if etag or response.headers.get("Last-Modified"):
            validator.write_text(etag or response.headers.get("Last-Modified"))
        mode = "ab" if resumed else "wb"
        done = offset if resumed else 0
        label = f"download {state.source}"
        with open(part, mode) as out:
            while chunk := response.read(1 << 16):
                out.write(chunk)
                done += len(chunk)
                progress(label, done, total)
        state.etag = etag[:200]
        state.last_modified = (response.headers.get("Last-Modified") or "")[:100]
    if total is not None and done < total:
        raise FeedDownloadError(f"{state.url}: connection closed after {done} of {total} bytes; run again to resume")
    digest = _sha256(part)
    part.replace(target)
    validator.unlink(missing_ok=True)
    state.fetched_at = timezone.now()
    state.size = done
    if digest == state.sha256 and not force:
        return Download(None, "unchanged (same content)")
    state.sha256 = digest
    return Download(target, "downloaded")


def _cached_copy(state: FeedState, folder: Path) -> Path:
    """Where the last complete download of a source is kept."""
    name = state.url.rstrip("/").rsplit("/", 1)[-1] or "feed"
    return folder / f"{state.feed}-{state.source.replace('/', '_')}-{name}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def osv_ecosystems(progress: Progress = _no_progress) -> list[str]:
    """Ecosystems listed by the OSV bucket whose versions can be ordered here (the rest cannot be matched)."""
    from .versions import canonical_ecosystem, has_ordering

    url = feed_urls()["osv-ecosystems"]
    try:
        with _open(urllib.request.Request(url, headers={"User-Agent": "forceb-feeds/1"})) as response:  # noqa: S310
            listed = response.read().decode("utf-8", "replace").split()
    except (urllib.error.URLError, OSError) as exc:
        raise FeedDownloadError(f"{url}: {getattr(exc, 'reason', exc)}") from exc
    return [e for e in listed if ":" not in e and has_ordering(canonical_ecosystem(e))]


@dataclass
class SyncReport:
    sources: dict = field(default_factory=dict)  # source -> status
    imported: FeedReport | None = None

    @property
    def problems(self) -> dict:
        """The sources that failed to download or whose content was refused."""
        return {k: v for k, v in self.sources.items() if v.startswith(("failed:", "rejected:"))}


def sync_feeds(progress: Progress = _no_progress, *, feeds_wanted: Iterable[str] = SYNCED_FEEDS,
               ecosystems: Iterable[str] | None = None, folder: Path | None = None, force: bool = False) -> SyncReport:
    """Download what changed from the official sources, import it, re-match what it touches.

    Each source is imported on its own: a refused file (a malformed download, or an ATT&CK bundle
    with nowhere to go) is said in the report and does not stop the other sources. Its ``sha256`` is
    cleared, so the next sync imports the copy it kept even when the source answers 304.
    """
    urls = feed_urls()
    folder = folder or Path(settings.DATA_DIR) / "feeds"
    wanted = set(feeds_wanted)
    sources: list[tuple[str, str, str]] = []
    if Feed.OSV in wanted:
        for eco in (list(ecosystems) if ecosystems else osv_ecosystems(progress)):
            # "Rocky Linux/all.zip": the name is a path segment, quoted
            sources.append((Feed.OSV, eco, urls["osv"].format(ecosystem=urllib.parse.quote(eco))))
    if Feed.KEV in wanted:
        sources.append((Feed.KEV, "catalogue", urls["kev"]))
    if Feed.EPSS in wanted:
        sources.append((Feed.EPSS, "scores", urls["epss"]))
    if Feed.ATTACK in wanted:
        sources.append((Feed.ATTACK, "enterprise", urls["attack"]))
    report = SyncReport()
    imported, changes = FeedReport(), _Changes()
    for kind, source, url in sources:
        key = f"{kind}:{source}"
        state, _ = FeedState.objects.get_or_create(feed=kind, source=source[:100], defaults={"url": url})
        state.url = url
        not_imported = not state.sha256  # fetched before, but its import was refused
        try:
            result = download(state, folder, progress, force=force)
        except FeedDownloadError as exc:
            state.message = str(exc)[:500]
            state.save()
            report.sources[key] = f"failed: {exc}"
            continue
        path, status = result.path, result.status
        if path is None and not_imported and _cached_copy(state, folder).exists():
            path, status = _cached_copy(state, folder), f"{status}; importing the copy fetched before"
        report.sources[key] = state.message = status
        state.save()
        if path is None:
            continue
        before = imported.added[kind] + imported.changed[kind] + imported.unchanged[kind]
        try:
            _import_file(kind, path, imported, changes, progress)
        except ValidationError as exc:
            report.sources[key] = state.message = f"rejected: {'; '.join(exc.messages[:3])}"[:500]
            state.sha256 = ""
            state.save()
            continue
        imported.files.append(str(path))
        state.records = imported.added[kind] + imported.changed[kind] + imported.unchanged[kind] - before
        state.imported_at = timezone.now()
        state.save()
    if imported.files:
        _rematch_changes(imported, changes, progress)
        report.imported = imported
    return report


# --------------------------------------------------------------------------------------------
# decisions and VEX


def decide_finding(actor, finding: Finding, status: str, justification: str = "", detail: str = "", *,
                   source: str = DecisionSource.PERSON) -> FindingDecision:
    """Set a finding's status and keep the decision (a VEX statement) in its history."""
    if actor is not None and not Finding.objects.restrict(actor, "change").filter(pk=finding.pk).exists():
        raise PermissionDenied("you may decide only on your organisation's findings")
    if status not in FindingStatus.values:
        raise ValidationError({"status": f"unknown status {status!r}; one of {', '.join(FindingStatus.values)}"})
    if justification and justification not in Justification.values:
        raise ValidationError({"justification": f"unknown justification {justification!r}"})
    if status == FindingStatus.NOT_AFFECTED and not (justification or detail.strip()):
        raise ValidationError({"justification": "'not affected' needs a justification or an impact statement"})
    with transaction.atomic():
        finding.status = status
        finding.save(update_fields=["status", "updated"])
        decision = FindingDecision.objects.create(
            finding=finding, status=status, justification=justification, detail=detail, source=source,
            decided_by=actor if actor is not None and actor.is_authenticated else None)
        _snapshot({finding.owner_id})
    return decision


def import_vex(actor, system: System, payload: bytes | str) -> dict:
    """Apply a CycloneDX VEX (JSON or XML) or OpenVEX document to the findings of ``system``'s current
    SBOM: every statement or none."""
    from . import vex

    if actor is not None and not System.objects.restrict(actor, "change").filter(pk=system.pk).exists():
        raise PermissionDenied("you may import VEX only for your organisation's systems")
    sbom = Sbom.objects.filter(system=system, is_current=True).first()
    if sbom is None:
        raise ValidationError(f"{system} has no SBOM to apply VEX statements to")
    try:
        document = vex.read_vex(payload)
    except vex.VexError as exc:
        raise ValidationError(f"not a readable VEX document: {exc}") from exc
    applied, unmatched = 0, []
    findings = list(Finding.objects.filter(sbom=sbom).select_related("component"))
    products = set(sbom.roots) | {p for p in Component.objects.filter(sbom=sbom, ref__in=sbom.roots)
                                  .values_list("purl", flat=True) if p}
    with transaction.atomic():
        for statement in document.statements:
            hits = [f for f in findings if vex.statement_applies(statement, f, products)]
            if not hits:
                unmatched.append(statement.vulnerability)
                continue
            for finding in hits:
                try:
                    decide_finding(actor, finding, statement.status, statement.justification, statement.detail,
                                   source=document.source)
                except ValidationError as exc:
                    # The whole document is refused (the transaction rolls back), naming the statement.
                    raise ValidationError(f"{statement.where or statement.vulnerability}: "
                                          f"{'; '.join(exc.messages)}") from exc
                applied += 1
        audit.record(AuditAction.IMPORT, sbom, after={"vex": document.source, "statements": len(document.statements),
                                                      "applied": applied, "unmatched": len(unmatched)})
    return {"format": document.source, "statements": len(document.statements), "applied": applied,
            "unmatched": sorted(set(unmatched))}
