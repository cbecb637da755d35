"""Match components (purl + version) against OSV advisories; prioritise the findings (no ORM).

The :class:`Matcher` builds an index once: ``(ecosystem, normalised name) -> compiled entries``,
each entry being one ``affected[]`` block of one advisory with its ranges turned into intervals of
pre-parsed version keys (:mod:`forceb.sbom.versions`). Matching a component is then a dict lookup
and a few tuple comparisons; parsed versions are cached per ``(ecosystem, version)``.

Range semantics follow the OSV schema's evaluation rules: events sorted by the ecosystem's order,
``introduced: "0"`` meaning "from the beginning", ``fixed`` exclusive, ``last_affected`` inclusive,
an ``introduced`` with nothing after it open-ended, ``limit`` an exclusive cap, several ranges and
several introduced/fixed pairs per package evaluated separately (never merged into one), and the
explicit ``versions`` list matched as well. GIT ranges need commit data and are not evaluated.

Honesty rules: a component without a purl, of an ecosystem without version ordering, of a
distribution whose release its purl does not tell, or of an ecosystem (for a distribution: a
release) the knowledge base has no advisories for is reported as such and never counted clean;
a version that cannot be parsed where advisories exist is "indeterminate".
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from packageurl import PackageURL

from forceb.sbom.feeds import Advisory, Affected, EpssData, KevCatalog, KnowledgeBase
from forceb.sbom.versions import (
    VersionError,
    distro_ecosystem,
    ecosystem_for_purl_type,
    has_ordering,
    is_prerelease,
    normalize_name,
    version_key,
)

__all__ = [
    "ComponentResult",
    "Finding",
    "Matcher",
    "PackageKey",
    "Portfolio",
    "ScanResult",
    "package_of_purl",
    "release_problem",
    "version_key_or_none",
    "prioritise",
    "sboms_touched",
]

PackageKey = tuple[str, str]  # (OSV ecosystem, normalised package name)

_SEMVER_ORDERED = {"npm", "Go", "SemVer", "crates.io", "Hex", "Pub", "SwiftURL"}
_DB_SEVERITY = {"critical": "critical", "high": "high", "moderate": "medium", "medium": "medium", "low": "low"}


# --------------------------------------------------------------------------------------------
# purls


def package_of_purl(purl: str) -> tuple[str | None, str, str | None, str]:
    """``(ecosystem, normalised name, version, purl type)`` of a purl string.

    The ecosystem is None for purl types OSV has no name for. Raises ``ValueError`` for a
    malformed purl. Go names are the full module path, npm names keep their ``@scope/``, Maven
    names are ``group:artifact``. A distribution package (deb, apk, rpm) is named in its release's
    ecosystem ("Debian:12", from the ``distro`` qualifier) by its source package, as the
    distribution's advisories name it: the ``upstream`` qualifier (``name`` or ``name@version``
    for deb and apk, the source RPM's file name for rpm), else its binary name. An ``epoch``
    qualifier joins an rpm version. When the release cannot be told the ecosystem is the bare
    distribution ("Debian"), and :func:`release_problem` says why.
    """
    return _read_purl(purl)[:4]


def release_problem(purl: str) -> str:
    """Why a distribution package's release cannot be told ("" when it can, or is not one)."""
    return _read_purl(purl)[4]


@lru_cache(maxsize=262_144)
def _read_purl(purl: str) -> tuple[str | None, str, str | None, str, str]:
    p = PackageURL.from_string(purl)
    ecosystem = ecosystem_for_purl_type(p.type)
    ns = p.namespace or ""
    version, problem = p.version, ""
    if p.type in ("deb", "apk"):
        qualifiers = p.qualifiers if isinstance(p.qualifiers, dict) else {}
        ecosystem, problem = distro_ecosystem(p.type, ns, qualifiers.get("distro"))
        source, _, source_version = (qualifiers.get("upstream") or "").partition("@")
        name = source.strip() or p.name
        version = source_version.strip() or version
    elif p.type == "rpm":
        qualifiers = p.qualifiers if isinstance(p.qualifiers, dict) else {}
        ecosystem, problem = distro_ecosystem(p.type, ns, qualifiers.get("distro"))
        name = _source_rpm_name(qualifiers.get("upstream") or "") or p.name
        epoch = (qualifiers.get("epoch") or "").strip()
        if epoch and epoch != "0" and version and ":" not in version:
            version = f"{epoch}:{version}"
    elif p.type == "maven" and ns:
        name = f"{ns}:{p.name}"
    elif p.type == "npm" and ns:
        name = f"{ns if ns.startswith('@') else '@' + ns}/{p.name}"
    elif ns:
        name = f"{ns}/{p.name}"
    else:
        name = p.name
    if ecosystem:
        name = normalize_name(ecosystem, name)
    return ecosystem, name, version, p.type, problem


def _source_rpm_name(upstream: str) -> str:
    """The package name of a source RPM file name (name-version-release.src.rpm), which is what
    RPM distributions' advisories name; a bare name is kept as it is."""
    upstream = upstream.strip()
    for suffix in (".src.rpm", ".nosrc.rpm"):
        if upstream.endswith(suffix):
            parts = upstream[: -len(suffix)].rsplit("-", 2)
            return parts[0] if len(parts) == 3 else ""
    return upstream


# --------------------------------------------------------------------------------------------
# compiled advisory entries


def _space(ecosystem: str, range_type: str) -> str:
    """The ordering used for a range: SEMVER ranges outside SemVer ecosystems use plain SemVer."""
    if range_type == "SEMVER" and ecosystem not in _SEMVER_ORDERED:
        return "SemVer"
    return ecosystem


_KIND_ORDER = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}


@dataclass(frozen=True, slots=True)
class _Interval:
    space: str
    lo: Any  # None: from the beginning
    hi: Any  # None: open-ended
    hi_inclusive: bool

    def contains(self, key: Any) -> bool:
        if self.lo is not None and key < self.lo:
            return False
        if self.hi is None:
            return True
        return key <= self.hi if self.hi_inclusive else key < self.hi


@dataclass(frozen=True, slots=True)
class _Entry:
    """One ``affected[]`` block of one advisory, compiled for fast evaluation."""

    advisory_id: str
    key: PackageKey
    intervals: tuple[_Interval, ...]
    versions_raw: frozenset[str]
    versions_keys: frozenset[Any]
    fixed: tuple[str, ...]
    unevaluable: tuple[str, ...]  # reasons some ranges could not be compiled


def _compile_range(ecosystem: str, rng, problems: list[str]) -> list[_Interval]:
    space = _space(ecosystem, rng.type)
    keyed = []
    for ev in rng.events:
        if ev.kind == "introduced" and ev.version == "0":
            keyed.append((0, None, ev.kind))
            continue
        try:
            keyed.append((1, version_key(space, ev.version), ev.kind))
        except VersionError as exc:
            problems.append(f"{rng.type} range event {ev.kind}={ev.version!r}: {exc}")
            return []
    # sort by version (the "0" origin first); at equal versions introduced < last_affected < fixed
    keyed.sort(key=lambda t: (t[0], _KIND_ORDER[t[2]]) if t[1] is None else (t[0], t[1], _KIND_ORDER[t[2]]))
    intervals: list[_Interval] = []
    unset = object()
    lo: Any = unset
    limit = None
    for _, key, kind in keyed:
        if kind == "introduced":
            if lo is unset:
                lo = key
        elif kind in ("fixed", "last_affected"):
            if lo is not unset:
                if not (kind == "fixed" and key == lo):  # introduced and fixed together: empty
                    intervals.append(_Interval(space, lo, key, kind == "last_affected"))
                lo = unset
        elif kind == "limit":
            limit = key if limit is None else min(limit, key)
    if lo is not unset:
        intervals.append(_Interval(space, lo, None, False))
    if limit is not None:
        capped = []
        for iv in intervals:
            if iv.lo is not None and iv.lo >= limit:
                continue
            if iv.hi is None or iv.hi > limit or (iv.hi == limit and iv.hi_inclusive):
                iv = _Interval(space, iv.lo, limit, False)
            capped.append(iv)
        intervals = capped
    return intervals


def _compile(advisory_id: str, aff: Affected) -> _Entry:
    eco = aff.ecosystem
    key = (eco, normalize_name(eco, aff.name))
    problems: list[str] = []
    intervals: list[_Interval] = []
    fixed: list[str] = []
    for rng in aff.ranges:
        if rng.type not in ("SEMVER", "ECOSYSTEM"):
            continue  # GIT ranges need commit data that an SBOM does not carry
        intervals.extend(_compile_range(eco, rng, problems))
        fixed.extend(e.version for e in rng.events if e.kind == "fixed")
    vkeys = set()
    for v in aff.versions:
        try:
            vkeys.add(version_key(eco, v))
        except VersionError:
            pass  # still matched by exact string
    return _Entry(
        advisory_id=advisory_id,
        key=key,
        intervals=tuple(intervals),
        versions_raw=frozenset(aff.versions),
        versions_keys=frozenset(vkeys),
        fixed=tuple(dict.fromkeys(fixed)),
        unevaluable=tuple(problems),
    )


class _VersionKeys:
    """Keys of one component version in each ordering space, parsed at most once."""

    __slots__ = ("version", "keys")

    def __init__(self, version: str):
        self.version = version
        self.keys: dict[str, Any] = {}

    def get(self, space: str) -> Any:
        try:
            return self.keys[space]
        except KeyError:
            try:
                k = version_key(space, self.version)
            except VersionError:
                k = None
            self.keys[space] = k
            return k


def _entry_hits(entry: _Entry, vk: _VersionKeys, eco: str) -> str | None:
    """Why the entry affects the version (a short explanation), or None."""
    if vk.version in entry.versions_raw:
        return "listed in affected versions"
    primary = vk.get(eco)
    if primary is not None and primary in entry.versions_keys:
        return "listed in affected versions"
    for iv in entry.intervals:
        k = primary if iv.space == eco else vk.get(iv.space)
        if k is not None and iv.contains(k):
            return "in affected range"
    return None


_LISTED = "listed in affected versions"
_IN_RANGE = "in affected range"


class _PackageIndex:
    """All entries of one package flattened for a tight loop: explicit versions in dicts,
    intervals of the ecosystem's own ordering as plain tuples sorted by lower bound."""

    __slots__ = ("eco", "entries", "by_raw", "by_key", "flat", "other")

    def __init__(self, eco: str, entries: list[_Entry]):
        self.eco = eco
        self.entries = entries
        self.by_raw: dict[str, list[int]] = defaultdict(list)
        self.by_key: dict[Any, list[int]] = defaultdict(list)
        flat: list[tuple[Any, Any, bool, int]] = []
        self.other: list[tuple[_Interval, int]] = []
        for i, e in enumerate(entries):
            for v in e.versions_raw:
                self.by_raw[v].append(i)
            for k in e.versions_keys:
                self.by_key[k].append(i)
            for iv in e.intervals:
                if iv.space == eco:
                    flat.append((iv.lo, iv.hi, iv.hi_inclusive, i))
                else:
                    self.other.append((iv, i))
        unbounded = [t for t in flat if t[0] is None]
        bounded = sorted((t for t in flat if t[0] is not None), key=lambda t: t[0])
        self.flat = unbounded + bounded

    def hits(self, version: str) -> list[tuple[_Entry, str]]:
        found: dict[int, str] = {}
        for i in self.by_raw.get(version, ()):
            found[i] = _LISTED
        try:
            k = version_key(self.eco, version)
        except VersionError:
            k = None
        if k is None:
            # an unordered version ("(devel)", a commit) is still inside a range with no bounds
            for lo, hi, _, i in self.flat:
                if lo is not None:
                    break
                if hi is None:
                    found.setdefault(i, "every version affected")
        else:
            for i in self.by_key.get(k, ()):
                found.setdefault(i, _LISTED)
            for lo, hi, incl, i in self.flat:
                if lo is not None and k < lo:
                    break  # sorted by lower bound: no later interval can start below k
                if hi is None or (k <= hi if incl else k < hi):
                    found.setdefault(i, _IN_RANGE)
        if self.other:
            vk = _VersionKeys(version)
            for iv, i in self.other:
                ok = vk.get(iv.space)
                if ok is not None and iv.contains(ok):
                    found.setdefault(i, _IN_RANGE)
        return [(self.entries[i], found[i]) for i in sorted(found)]


# --------------------------------------------------------------------------------------------
# results


@dataclass(slots=True)
class Finding:
    """One vulnerability of one component, with everything needed to rank and report it.

    Fresh objects are made by every match; :func:`prioritise` fills ``priority`` and ``reason``."""

    purl: str
    component_ref: str | None
    ecosystem: str
    package: str
    version: str
    id: str  # the advisory id that matched
    aliases: tuple[str, ...]  # every other id of the same vulnerability, CVEs first
    summary: str
    severity: str  # critical, high, medium, low, none, unknown
    cvss_score: float | None
    cvss_vector: str | None
    kev: bool
    kev_date_added: date | None
    kev_due_date: date | None
    kev_ransomware: bool
    epss: float | None
    epss_percentile: float | None
    epss_date: str | None
    fixed_versions: tuple[str, ...]
    upgrade_to: str | None
    matched_by: str
    reason: str = ""
    priority: int = 0  # 1 = most urgent, after prioritise()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings), the ``forceb sbom scan --format json`` shape."""
        out = asdict(self)
        for k in ("kev_date_added", "kev_due_date"):
            out[k] = out[k].isoformat() if out[k] else None
        out["aliases"] = list(self.aliases)
        out["fixed_versions"] = list(self.fixed_versions)
        return out


@dataclass(frozen=True, slots=True)
class ComponentResult:
    """What happened to one component: status is matched, clean, unsupported, indeterminate or no_purl."""

    ref: str | None
    purl: str | None
    ecosystem: str | None
    status: str
    reason: str = ""


@dataclass
class ScanResult:
    """Findings (prioritised), per-component statuses and the summary by ecosystem."""

    findings: list[Finding]
    components: list[ComponentResult]

    @property
    def summary(self) -> dict[str, Any]:
        """Counts overall and by ecosystem; components without purl are listed, never clean."""
        by_eco: dict[str, Counter] = defaultdict(Counter)
        totals: Counter = Counter()
        reasons: dict[str, str] = {}
        for c in self.components:
            eco = c.ecosystem or (c.reason.split(":", 1)[0] if c.status == "unsupported" else "(none)")
            by_eco[eco]["components"] += 1
            totals["components"] += 1
            by_eco[eco][c.status] += 1
            totals[c.status] += 1
            if c.status in ("matched", "clean"):
                by_eco[eco]["recognised"] += 1
                totals["recognised"] += 1
            if c.status == "unsupported":
                reasons.setdefault(eco, c.reason)
        keys = ("components", "recognised", "matched", "clean", "unsupported", "indeterminate", "no_purl")
        return {
            **{k: totals.get(k, 0) for k in keys},
            "findings": len(self.findings),
            "kev_findings": sum(1 for f in self.findings if f.kev),
            "by_ecosystem": {
                eco: {k: counts.get(k, 0) for k in keys if k != "no_purl"} for eco, counts in sorted(by_eco.items())
            },
            "unsupported_reasons": reasons,
            "without_purl": [c.ref for c in self.components if c.status == "no_purl"],
        }

    def as_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "findings": [f.as_dict() for f in self.findings]}


_SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "none": 0, "unknown": -1}


def _reason(f: Finding) -> str:
    parts = []
    if f.kev:
        due = f" (due {f.kev_due_date.isoformat()})" if f.kev_due_date else ""
        added = f" since {f.kev_date_added.isoformat()}" if f.kev_date_added else ""
        ransom = ", used in ransomware campaigns" if f.kev_ransomware else ""
        parts.append(f"known exploited (CISA KEV{added}{due}{ransom})")
    if f.epss is not None:
        pct = f", percentile {f.epss_percentile:.2f}" if f.epss_percentile == f.epss_percentile else ""
        when = f" on {f.epss_date[:10]}" if f.epss_date else ""
        parts.append(f"EPSS {f.epss:.3f}{pct}{when}")
    if f.cvss_score is not None:
        parts.append(f"CVSS {f.cvss_score:.1f} {f.severity}")
    elif f.severity != "unknown":
        parts.append(f"severity {f.severity} (advisory database)")
    if not parts:
        parts.append("no KEV, EPSS or CVSS data: ranked last")
    return "; ".join(parts)


# Widths of the parts packed into urgency(): EPSS kept to 1e-9 (FIRST publishes five decimals),
# CVSS to one decimal as scored, then the database severity.
_EPSS_STEPS = 10**9
_CVSS_STEPS = 100


def urgency(kev: bool, epss: float | None, cvss_score: float | None, severity: str) -> int:
    """One integer per finding, smaller is more urgent: KEV, then EPSS, then CVSS, then the
    database severity, each missing value last.

    It depends on the finding alone, so the database keeps it with each finding and ranks an
    SBOM's findings by ordering on it: a new finding moves no stored row."""
    e = _EPSS_STEPS + 1 if epss is None or epss != epss else _EPSS_STEPS - round(min(max(epss, 0.0), 1.0) * _EPSS_STEPS)
    c = _CVSS_STEPS + 1 if cvss_score is None else _CVSS_STEPS - round(min(max(cvss_score, 0.0), 10.0) * 10)
    s = 4 - _SEVERITY_RANK.get(severity, -1)
    return (((0 if kev else 1) * (_EPSS_STEPS + 2) + e) * (_CVSS_STEPS + 2) + c) * 8 + s


def _priority_key(f: Finding) -> tuple:
    return (urgency(f.kev, f.epss, f.cvss_score, f.severity), f.id, f.purl)


def prioritise(findings: Iterable[Finding]) -> list[Finding]:
    """Findings KEV first, then EPSS, then CVSS, then database severity; numbered and explained."""
    ordered = sorted(findings, key=_priority_key)
    for rank, f in enumerate(ordered, start=1):
        f.priority = rank
        f.reason = _reason(f)
    return ordered


def _replace(f: Finding, **changes: Any) -> Finding:
    data = {k: getattr(f, k) for k in f.__dataclass_fields__}
    data.update(changes)
    return Finding(**data)



# --------------------------------------------------------------------------------------------
# the matcher


class Matcher:
    """An index of advisories by package, built once, answering many components fast."""

    def __init__(self, kb: KnowledgeBase | Iterable[Advisory]):
        self.kb = kb if isinstance(kb, KnowledgeBase) else KnowledgeBase.from_advisories(kb)
        self.index: dict[PackageKey, list[_Entry]] = defaultdict(list)
        self.by_advisory: dict[str, list[_Entry]] = {}
        self.problems: dict[str, tuple[str, ...]] = {}  # advisory id -> ranges that could not be compiled
        # caches, dropped for the packages an update() touches
        self._safe_versions: dict[PackageKey, tuple[list[Any], list[str], list[bool]]] = {}
        self._hits: dict[tuple[str, str, str], list[tuple[_Entry, str]]] = {}
        self._packages: dict[PackageKey, _PackageIndex] = {}
        self._vuln_info: dict[str, dict[str, Any]] = {}
        self._covered: set[str] | None = None
        for adv in self.kb.advisories.values():
            self._add(adv)

    # -- index maintenance -----------------------------------------------------------------
    def _add(self, adv: Advisory) -> set[PackageKey]:
        if adv.is_withdrawn:
            return set()
        entries = []
        for aff in adv.affected:
            if not has_ordering(aff.ecosystem):
                continue
            entry = _compile(adv.id, aff)
            if not entry.intervals and not entry.versions_raw and not entry.unevaluable:
                continue
            entries.append(entry)
            self.index[entry.key].append(entry)
            if entry.unevaluable:
                self.problems[adv.id] = self.problems.get(adv.id, ()) + entry.unevaluable
        self.by_advisory[adv.id] = entries
        return {e.key for e in entries}

    def _remove(self, advisory_id: str) -> set[PackageKey]:
        entries = self.by_advisory.pop(advisory_id, [])
        self.problems.pop(advisory_id, None)
        keys = set()
        for e in entries:
            keys.add(e.key)
            bucket = self.index.get(e.key, [])
            bucket[:] = [x for x in bucket if x.advisory_id != advisory_id]
            if not bucket:
                self.index.pop(e.key, None)
        return keys

    def update(self, advisories: Iterable[Advisory], removed: Iterable[str] = ()) -> set[PackageKey]:
        """Apply changed/new advisories (and removed ids); return the packages whose answers may change.

        Only components of the returned packages need re-matching: a withdrawn advisory removes
        its entries, a changed one swaps them. A change that leaves the compiled ranges, versions
        and aliases as they were (summary, references, severity text) touches no package: the
        stored findings keep pointing at the advisory, whose new text the caller stores.
        """
        advisories = list(advisories)
        touched: set[PackageKey] = set()
        for vid in removed:
            touched |= self._remove(vid)
            self.kb.advisories.pop(vid, None)
        previous = {a.id: (self.by_advisory.get(a.id), self.kb.advisories.get(a.id)) for a in advisories}
        self.kb.upsert(advisories)
        for adv in advisories:
            old_entries, old_adv = previous[adv.id]
            keys = self._remove(adv.id) | self._add(adv)
            same = (
                old_adv is not None
                and old_entries == self.by_advisory.get(adv.id)
                and old_adv.aliases == adv.aliases
                and old_adv.severity == adv.severity
                and old_adv.database_severity == adv.database_severity
            )
            if not same:
                touched |= keys
        self._covered = None
        self._vuln_info.clear()  # alias groups may have changed
        for key in touched:
            self._safe_versions.pop(key, None)
            self._packages.pop(key, None)
        if touched:
            self._hits = {k: v for k, v in self._hits.items() if (k[0], k[1]) not in touched}
        return touched

    def replace_scores(self, kev: KevCatalog | None, epss: EpssData | None) -> None:
        """Swap the KEV catalogue and the EPSS scores; each vulnerability's facts are described anew."""
        self.kb.kev, self.kb.epss = kev, epss
        self._vuln_info.clear()

    @property
    def covered_ecosystems(self) -> set[str]:
        """Ecosystems with at least one matchable advisory."""
        if self._covered is None:
            self._covered = {eco for eco, _ in self.index}
        return self._covered

    # -- matching --------------------------------------------------------------------------
    def affecting(self, ecosystem: str, name: str, version: str) -> list[tuple[_Entry, str]]:
        """The compiled entries that affect ``name@version`` in ``ecosystem``, with why (cached)."""
        name = normalize_name(ecosystem, name)
        ck = (ecosystem, name, version)
        hits = self._hits.get(ck)
        if hits is None:
            hits = self._package(ecosystem, name).hits(version)
            if len(self._hits) > 500_000:
                self._hits.clear()
            self._hits[ck] = hits
        return hits

    def _package(self, ecosystem: str, name: str) -> _PackageIndex:
        key = (ecosystem, name)
        pkg = self._packages.get(key)
        if pkg is None:
            pkg = self._packages[key] = _PackageIndex(ecosystem, self.index.get(key, []))
        return pkg

    def _safe(self, ecosystem: str, name: str) -> tuple[list[Any], list[str], list[bool]]:
        """Fixed versions of the package that no known advisory affects, sorted (computed once)."""
        key = (ecosystem, name)
        cached = self._safe_versions.get(key)
        if cached is None:
            entries = self.index.get(key, [])
            pkg = self._package(ecosystem, name)
            cands: dict[Any, str] = {}
            for e in entries:
                for fv in e.fixed:
                    try:
                        cands.setdefault(version_key(ecosystem, fv), fv)
                    except VersionError:
                        continue
            keys, versions, pre = [], [], []
            for k in sorted(cands):
                v = cands[k]
                if not pkg.hits(v):
                    keys.append(k)
                    versions.append(v)
                    pre.append(is_prerelease(ecosystem, v))
            cached = (keys, versions, pre)
            self._safe_versions[key] = cached
        return cached

    def upgrade_to(self, ecosystem: str, name: str, version: str) -> str | None:
        """The smallest version above ``version`` that no known advisory of the package affects.

        Candidates are the ``fixed`` versions of every advisory of the package (not only the
        matched ones, so an upgrade never lands inside another advisory's range). A stable release
        is preferred over a pre-release. None when no known version clears everything.
        """
        name = normalize_name(ecosystem, name)
        try:
            current = version_key(ecosystem, version)
        except VersionError:
            return None
        keys, versions, pre = self._safe(ecosystem, name)
        start = bisect_right(keys, current)
        first_any = None
        for i in range(start, len(keys)):
            if not pre[i]:
                return versions[i]
            if first_any is None:
                first_any = versions[i]
        return first_any

    def _info(self, advisory_id: str) -> dict[str, Any]:
        """Alias, severity, KEV and EPSS facts of one advisory's vulnerability (cached)."""
        info = self._vuln_info.get(advisory_id)
        if info is not None:
            return info
        kb = self.kb
        adv = kb.advisories[advisory_id]
        group = kb.group(adv.id) - {adv.id}
        cvss = kb.cvss_for(adv.id)
        if cvss is not None:
            severity = cvss.severity
        else:
            severity = "unknown"
            for member in sorted(kb.group(adv.id)):
                other = kb.advisories.get(member)
                if other is not None and other.database_severity:
                    severity = _DB_SEVERITY.get(other.database_severity.lower(), "unknown")
                    break
        kev = kb.kev_for(adv.id)
        epss = kb.epss_for(adv.id)
        info = {
            "id": adv.id,
            "aliases": tuple(sorted(group, key=lambda i: (not i.startswith("CVE-"), i))),
            "summary": adv.summary or adv.details[:200],
            "severity": severity,
            "cvss_score": cvss.base_score if cvss else None,
            "cvss_vector": cvss.vector if cvss else None,
            "kev": kev is not None,
            "kev_date_added": kev.date_added if kev else None,
            "kev_due_date": kev.due_date if kev else None,
            "kev_ransomware": bool(kev and kev.known_ransomware),
            "epss": epss.epss if epss else None,
            "epss_percentile": epss.percentile if epss else None,
            "epss_date": kb.epss.score_date if (epss and kb.epss) else None,
        }
        self._vuln_info[advisory_id] = info
        return info

    def _finding(self, entry: _Entry, why: str, purl: str, ref: str | None, eco: str, name: str, version: str,
                 upgrade: str | None) -> Finding:
        return Finding(
            purl=purl,
            component_ref=ref,
            ecosystem=eco,
            package=name,
            version=version,
            fixed_versions=entry.fixed,
            upgrade_to=upgrade,
            matched_by=why,
            **self._info(entry.advisory_id),
        )

    def match_component(self, component: Any) -> tuple[ComponentResult, list[Finding]]:
        """Match one component (an object with ``purl``/``ref``/``version`` or a purl string)."""
        if isinstance(component, str):
            purl, ref, fallback_version = component, component, None
        else:
            purl = getattr(component, "purl", None)
            ref = getattr(component, "ref", None) or getattr(component, "name", None)
            fallback_version = getattr(component, "version", None)
        if not purl:
            return ComponentResult(ref, None, None, "no_purl", "component has no purl"), []
        try:
            eco, name, version, ptype, problem = _read_purl(purl)
        except ValueError as exc:
            return ComponentResult(ref, purl, None, "no_purl", f"invalid purl: {exc}"), []
        if problem:
            return ComponentResult(ref, purl, eco, "unsupported", problem), []
        if eco is None or not has_ordering(eco):
            label = eco or f"pkg:{ptype}"
            return ComponentResult(ref, purl, eco, "unsupported", f"{label}: no version ordering"), []
        entries = self.index.get((eco, name))
        if not entries:
            if eco not in self.covered_ecosystems:
                return ComponentResult(
                    ref, purl, eco, "unsupported", f"{eco}: knowledge base has no advisories for this ecosystem"
                ), []
            return ComponentResult(ref, purl, eco, "clean"), []
        version = version or fallback_version
        if not version:
            return ComponentResult(ref, purl, eco, "indeterminate", "no version"), []
        hits = self.affecting(eco, name, version)
        upgrade = self.upgrade_to(eco, name, version) if hits else None
        findings = [self._finding(e, why, purl, ref, eco, name, version, upgrade) for e, why in hits]
        findings = _dedupe_aliases(findings, self.kb)
        if findings:
            return ComponentResult(ref, purl, eco, "matched"), findings
        if _VersionKeys(version).get(eco) is None:
            return ComponentResult(ref, purl, eco, "indeterminate", f"{eco} cannot order version {version!r}"), []
        unevaluable = [e for e in entries if e.unevaluable and not e.intervals]
        if unevaluable:
            ids = ", ".join(sorted({e.advisory_id for e in unevaluable}))
            return ComponentResult(ref, purl, eco, "indeterminate", f"ranges of {ids} could not be evaluated"), []
        return ComponentResult(ref, purl, eco, "clean"), []

    def match(self, components: Iterable[Any]) -> ScanResult:
        """Match many components; findings come back prioritised (KEV, then EPSS, then CVSS)."""
        results: list[ComponentResult] = []
        findings: list[Finding] = []
        for comp in components:
            res, found = self.match_component(comp)
            results.append(res)
            findings.extend(found)
        return ScanResult(prioritise(findings), results)


def _dedupe_aliases(findings: list[Finding], kb: KnowledgeBase) -> list[Finding]:
    """Keep one finding per vulnerability when several alias records match the same component."""
    if len(findings) < 2:
        return findings
    seen: dict[frozenset[str], Finding] = {}
    for f in sorted(findings, key=lambda f: f.id):
        group = kb.group(f.id)
        if group in seen:
            kept = seen[group]
            merged = tuple(dict.fromkeys(kept.fixed_versions + f.fixed_versions))
            seen[group] = _replace(kept, fixed_versions=merged)
        else:
            seen[group] = f
    return list(seen.values())


# --------------------------------------------------------------------------------------------
# stored SBOMs: which ones does an advisory touch?


@dataclass
class Portfolio:
    """Stored component sets (purls per SBOM id) indexed by package and version, so that the
    question "what does this advisory reach" is answered once per distinct version."""

    by_package: dict[PackageKey, dict[str, set[tuple[str, str]]]] = field(default_factory=lambda: defaultdict(dict))
    purls: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, sboms: Mapping[str, Iterable[str]]) -> Portfolio:
        pf = cls()
        for sbom_id, purls in sboms.items():
            pf.add(sbom_id, purls)
        return pf

    def add(self, sbom_id: str, purls: Iterable[str]) -> None:
        """Store (or replace) the purls of one SBOM."""
        if sbom_id in self.purls:
            self.remove(sbom_id)
        kept = set()
        for purl in purls:
            if not purl:
                continue
            try:
                eco, name, version, _ = package_of_purl(purl)
            except ValueError:
                continue
            kept.add(purl)
            if eco is not None:
                self.by_package[(eco, name)].setdefault(version or "", set()).add((sbom_id, purl))
        self.purls[sbom_id] = kept

    def remove(self, sbom_id: str) -> None:
        for purl in self.purls.pop(sbom_id, ()):
            eco, name, version, _ = package_of_purl(purl)
            versions = self.by_package.get((eco, name)) if eco else None
            if versions is None:
                continue
            pairs = versions.get(version or "")
            if pairs is not None:
                pairs.discard((sbom_id, purl))
                if not pairs:
                    del versions[version or ""]

    def components_of(self, keys: Iterable[PackageKey]) -> list[tuple[str, str]]:
        """``(sbom id, purl)`` pairs of stored components of the given packages."""
        out: list[tuple[str, str]] = []
        for key in set(keys):
            for pairs in self.by_package.get(key, {}).values():
                out.extend(pairs)
        return sorted(out)

    def _reached(self, advisory: Advisory) -> Iterator[set[tuple[str, str]]]:
        for aff in advisory.affected:
            if not has_ordering(aff.ecosystem):
                continue
            entry = _compile(advisory.id, aff)
            versions = self.by_package.get(entry.key)
            if not versions:
                continue
            pkg = _PackageIndex(aff.ecosystem, [entry])
            for version, pairs in versions.items():
                if (
                    not version
                    or entry.unevaluable
                    or version_key_or_none(aff.ecosystem, version) is None
                    or pkg.hits(version)
                ):
                    yield pairs

    def components_touched_by(self, advisory: Advisory) -> set[tuple[str, str]]:
        """``(sbom id, purl)`` of stored components the advisory affects (withdrawn or not, so that
        a withdrawal clears old findings). A version that cannot be ordered counts as touched when
        the package is affected at all: re-matching too much is safe, too little is not."""
        hit: set[tuple[str, str]] = set()
        for pairs in self._reached(advisory):
            hit |= pairs
        return hit

    def touched_by(self, advisory: Advisory) -> set[str]:
        """Ids of stored SBOMs with a component the advisory affects (see components_touched_by)."""
        return {sbom_id for pairs in self._reached(advisory) for sbom_id, _ in pairs}


def version_key_or_none(ecosystem: str, version: str) -> Any:
    try:
        return version_key(ecosystem, version)
    except VersionError:
        return None


def sboms_touched(advisory: Advisory, sboms: Mapping[str, Iterable[str]]) -> set[str]:
    """One-off form of :meth:`Portfolio.touched_by` over a plain ``{sbom_id: purls}`` mapping."""
    return Portfolio.from_mapping(sboms).touched_by(advisory)
