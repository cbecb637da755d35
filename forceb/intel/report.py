"""The English threat-posture report for international partners (blueprint measure 23).

Built from what the hub may share onward and nothing else: the latest version of each object,
kept only when that version is marked TLP:CLEAR or TLP:GREEN (the rule of the anonymous bundle
export, ``exports.exported_versions`` without a person), plus aggregates such as sighting
counts and the number of reporting organisations. No organisation is ever named: the hub
republishes anonymous contributions under its own identity, and the sectors of reporting members
are shown only where at least ``SECTOR_FLOOR`` organisations of a sector reported, so that a
sector with a single member cannot point at it.

The figures are worked out here, in plain Python over the stored JSON; the template
``intel/report/posture.html`` only lays them out, for the web page and for the PDF alike.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.template.loader import render_to_string
from django.utils import timezone

from forceb.core.choices import TLP, OrganizationKind, Sector
from forceb.core.models import Organization

from . import stix
from .models import StixObject
from .queries import quarter_bounds

SHAREABLE = (TLP.CLEAR, TLP.GREEN)
#: The ATT&CK knowledge base is reference material, not activity: it names techniques, it does
#: not say they were seen.
REFERENCE_ALIASES = ("mitre-attack-enterprise",)
#: A sector of reporting members is shown only if at least this many of its organisations reported.
SECTOR_FLOOR = 2
TOP = 10
TECHNIQUE = re.compile(r"\bT\d{4}(?:\.\d{3})?\b")
CVE = re.compile(r"\bCVE-\d{4}-\d{4,}\b", re.IGNORECASE)
QUARTER = re.compile(r"^(\d{4})Q([1-4])$", re.IGNORECASE)


def parse_quarter(text: str) -> tuple[int, int]:
    """``2026Q3`` as (2026, 3)."""
    found = QUARTER.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a quarter such as 2026Q3")
    return int(found[1]), int(found[2])


def current_quarter(now: datetime | None = None) -> tuple[int, int]:
    now = now or timezone.now()
    return now.year, (now.month - 1) // 3 + 1


@dataclass
class Ranked:
    label: str
    detail: str
    count: int


@dataclass
class PostureReport:
    year: int
    quarter: int
    start: datetime
    end: datetime
    generated: datetime
    objects_shared: int = 0
    indicators: int = 0
    by_type: list[tuple[str, int]] = field(default_factory=list)
    contributing_organisations: int = 0
    sightings: int = 0
    sighting_reports: int = 0
    reporting_organisations: int = 0
    techniques: list[Ranked] = field(default_factory=list)
    malware: list[Ranked] = field(default_factory=list)
    threat_actors: list[Ranked] = field(default_factory=list)
    vulnerabilities: list[Ranked] = field(default_factory=list)
    trend: list[tuple[str, int, int]] = field(default_factory=list)  # month, sightings, reports
    sectors: list[Ranked] = field(default_factory=list)
    sector_floor: int = SECTOR_FLOOR
    # The report is as restricted as the most restricted thing in it: GREEN if it holds GREEN.
    marking: str = TLP.CLEAR

    @property
    def title(self) -> str:
        return f"Threat posture of the financial sector, {self.year} Q{self.quarter}"

    @property
    def trend_peak(self) -> int:
        return max((n for _, n, _ in self.trend), default=0)


def shareable_versions():
    """What the hub may pass on: each object's latest version, if that version is CLEAR or GREEN.
    The latest version is chosen first, so re-marking an object more strictly withdraws it."""
    return StixObject.objects.filter(is_latest=True, tlp__in=SHAREABLE)


def build(year: int, quarter: int, *, now: datetime | None = None) -> PostureReport:
    start, end = quarter_bounds(year, quarter)
    report = PostureReport(year=year, quarter=quarter, start=start, end=end, generated=now or timezone.now())
    shareable = shareable_versions()
    activity = (shareable.filter(date_added__gte=start, date_added__lt=end)
                .exclude(collection__alias__in=REFERENCE_ALIASES))
    rows = list(activity.values_list("stix_id", "type", "contributor_id", "body", "tlp"))
    objects = [(sid, kind, contributor, json.loads(body)) for sid, kind, contributor, body, _ in rows]
    report.marking = TLP.GREEN if any(row[4] == TLP.GREEN for row in rows) else TLP.CLEAR
    # Names of what activity refers to, looked up among shareable objects only: a reference to an
    # AMBER object stays an unnamed id and is not reported.
    referenced = {ref for _, kind, _, obj in objects if kind == "relationship"
                  for ref in (obj.get("source_ref"), obj.get("target_ref")) if ref}
    known = _shareable_by_id(referenced | {sid for sid, *_ in objects})

    sightings = [(contributor, obj) for _, kind, contributor, obj in objects if kind == "sighting"]
    others = [(sid, kind, contributor, obj) for sid, kind, contributor, obj in objects if kind != "sighting"]
    report.objects_shared = len(others)
    report.indicators = sum(1 for _, kind, _, _ in others if kind == "indicator")
    report.by_type = Counter(kind for _, kind, _, _ in others).most_common()
    report.contributing_organisations = len({c for _, _, c, _ in others})
    report.sighting_reports = len(sightings)
    report.sightings = sum(int(obj.get("count", 1)) for _, obj in sightings)
    report.reporting_organisations = len({c for c, _ in sightings})

    report.techniques = _techniques(others, known)
    report.malware = _named(others, known, ("malware",))
    report.threat_actors = _named(others, known, ("threat-actor", "intrusion-set"))
    report.vulnerabilities = _vulnerabilities(others, known)
    report.trend = _trend(start, end, sightings)
    report.sectors = _sectors(others, sightings, known)
    return report


def _shareable_by_id(ids: set[str]) -> dict[str, dict]:
    found = {}
    for sid, body in shareable_versions().filter(stix_id__in=list(ids)).values_list("stix_id", "body"):
        found[sid] = json.loads(body)
    return found


def _external_id(obj: dict, source: str) -> str:
    for ref in obj.get("external_references", []):
        if ref.get("source_name") == source and ref.get("external_id"):
            return ref["external_id"]
    return ""


def _related(others) -> dict[str, set[str]]:
    """For each object, the ids it is tied to by a shareable relationship of the period."""
    links: dict[str, set[str]] = {}
    for _, kind, _, obj in others:
        if kind == "relationship":
            source, target = obj.get("source_ref", ""), obj.get("target_ref", "")
            links.setdefault(source, set()).add(target)
            links.setdefault(target, set()).add(source)
    return links


def _techniques(others, known) -> list[Ranked]:
    """ATT&CK techniques by the number of shared objects of the period that name them (in their
    text) or are tied to them by a relationship, or are them."""
    names = {}
    for obj in known.values():
        if obj.get("type") == "attack-pattern" and _external_id(obj, "mitre-attack"):
            names[_external_id(obj, "mitre-attack")] = obj.get("name", "")
    links = _related(others)
    counts: Counter = Counter()
    for sid, kind, _, obj in others:
        if kind == "relationship":
            continue
        found = set()
        if kind == "attack-pattern" and _external_id(obj, "mitre-attack"):
            found.add(_external_id(obj, "mitre-attack"))
        text = " ".join(str(obj.get(key, "")) for key in ("name", "description"))
        found.update(TECHNIQUE.findall(text))
        for other in links.get(sid, ()):
            tied = known.get(other, {})
            if tied.get("type") == "attack-pattern" and _external_id(tied, "mitre-attack"):
                found.add(_external_id(tied, "mitre-attack"))
        counts.update(found)
    return [Ranked(label=tid, detail=names.get(tid, ""), count=n) for tid, n in _top(counts)]


def _named(others, known, kinds: tuple[str, ...]) -> list[Ranked]:
    """Malware or threat actors of the period: those shared in it, and those shared objects of the
    period are tied to, by how many shared objects name them."""
    links = _related(others)
    counts: Counter = Counter()
    for sid, kind, _, _obj in others:
        if kind in kinds:
            counts[sid] += 1
        elif kind != "relationship":
            for other in links.get(sid, ()):
                if known.get(other, {}).get("type") in kinds:
                    counts[other] += 1
    ranked = []
    for sid, n in _top(counts):
        obj = known.get(sid)
        if obj is not None:
            aliases = ", ".join(a for a in obj.get("aliases", []) if a != obj.get("name"))
            ranked.append(Ranked(label=obj.get("name", sid), detail=aliases, count=n))
    return ranked


def _vulnerabilities(others, known) -> list[Ranked]:
    """CVE ids exploited in the period: shared vulnerability objects, those tied to shared
    objects, and CVE ids named in the text of shared objects."""
    links = _related(others)
    counts: Counter = Counter()
    details = {}
    for sid, kind, _, obj in others:
        if kind == "relationship":
            continue
        found = set()
        candidates = [obj] if kind == "vulnerability" else []
        candidates += [known[o] for o in links.get(sid, ()) if known.get(o, {}).get("type") == "vulnerability"]
        for vuln in candidates:
            cve = (_external_id(vuln, "cve") or next(iter(CVE.findall(vuln.get("name", ""))), "")).upper()
            if cve:
                found.add(cve)
                details.setdefault(cve, vuln.get("description", "")[:160])
        text = " ".join(str(obj.get(key, "")) for key in ("name", "description"))
        found.update(c.upper() for c in CVE.findall(text))
        counts.update(found)
    return [Ranked(label=cve, detail=details.get(cve, ""), count=n) for cve, n in _top(counts)]


def _trend(start: datetime, end: datetime, sightings) -> list[tuple[str, int, int]]:
    """Sightings per month of the period, by the month they were first seen (else reported)."""
    months = []
    cursor = start
    while cursor < end:
        months.append(cursor.strftime("%Y-%m"))
        cursor = datetime(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1, tzinfo=UTC)
    counts, reports = Counter(), Counter()
    for _, obj in sightings:
        when = obj.get("first_seen") or obj.get("created")
        month = stix.parse_timestamp(when).strftime("%Y-%m") if when else months[0]
        counts[month] += int(obj.get("count", 1))
        reports[month] += 1
    return [(month, counts[month], reports[month]) for month in months]


def _sectors(others, sightings, known) -> list[Ranked]:
    """Sectors targeted: the ``sectors`` of identities that shared objects target, and the
    sectors of the member institutions that reported sightings or contributed, counted as
    organisations and shown only from ``SECTOR_FLOOR`` organisations up."""
    targeted: Counter = Counter()
    links = _related(others)
    for sid, kind, _, _obj in others:
        if kind == "relationship":
            continue
        for other in links.get(sid, ()):
            tied = known.get(other, {})
            if tied.get("type") == "identity":
                targeted.update(tied.get("sectors", []))
    reporters = {c for c, _ in sightings} | {c for _, kind, c, _ in others if kind != "relationship"}
    by_sector: Counter = Counter(
        Organization.objects.filter(pk__in=reporters, kind=OrganizationKind.MEMBER).values_list("sector", flat=True))
    labels = dict(Sector.choices)
    ranked = [Ranked(label=sector.replace("-", " ").capitalize(), detail="named as targeted in shared intelligence",
                     count=n) for sector, n in _top(targeted)]
    for sector, n in sorted(by_sector.items(), key=lambda item: (-item[1], item[0])):
        if sector and n >= SECTOR_FLOOR:
            ranked.append(Ranked(label=labels.get(sector, sector), count=n,
                                 detail="member institutions that reported activity"))
    return ranked


def _top(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]


def render_html(report: PostureReport) -> str:
    return render_to_string("intel/report/posture.html", {"report": report})


def render_pdf(report: PostureReport) -> bytes:
    # WeasyPrint loads Pango and its fonts: imported only when a PDF is wanted.
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()
