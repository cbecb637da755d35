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

Honesty rules: a component without a purl, of an ecosystem without version ordering, or of an
ecosystem the knowledge base has no advisories for is reported as such and never counted clean;
a version that cannot be parsed where advisories exist is "indeterminate".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from packageurl import PackageURL

from forceb.sbom.feeds import Advisory, Affected, KnowledgeBase
from forceb.sbom.versions import (
    VersionError,
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
    "prioritise",
    "sboms_touched",
]

PackageKey = tuple[str, str]  # (OSV ecosystem, normalised package name)

_SEMVER_ORDERED = {"npm", "Go", "SemVer", "crates.io", "Hex", "Pub", "SwiftURL"}
_DB_SEVERITY = {"critical": "critical", "high": "high", "moderate": "medium", "medium": "medium", "low": "low"}


# --------------------------------------------------------------------------------------------
# purls


@lru_cache(maxsize=262_144)
def package_of_purl(purl: str) -> tuple[str | None, str, str | None, str]:
    """``(ecosystem, normalised name, version, purl type)`` of a purl string.

    The ecosystem is None for purl types OSV has no name for. Raises ``ValueError`` for a
    malformed purl. Go names are the full module path, npm names keep their ``@scope/``, Maven
    names are ``group:artifact``.
    """
    p = PackageURL.from_string(purl)
    ecosystem = ecosystem_for_purl_type(p.type)
    ns = p.namespace or ""
    if p.type == "maven" and ns:
        name = f"{ns}:{p.name}"
    elif p.type == "npm" and ns:
        name = f"{ns if ns.startswith('@') else '@' + ns}/{p.name}"
    elif ns:
        name = f"{ns}/{p.name}"
    else:
        name = p.name
    if ecosystem:
        name = normalize_name(ecosystem, name)
    return ecosystem, name, p.version, p.type


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


# --------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Finding:
    """One vulnerability of one component, with everything needed to rank and report it."""

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


def _priority_key(f: Finding) -> tuple:
    return (
        0 if f.kev else 1,
        -(f.epss if f.epss is not None else -1.0),
        -(f.cvss_score if f.cvss_score is not None else -1.0),
        -_SEVERITY_RANK.get(f.severity, -1),
        f.id,
        f.purl,
    )


def prioritise(findings: Iterable[Finding]) -> list[Finding]:
    """Order findings KEV first, then EPSS, then CVSS (then database severity); number and explain them."""
    ordered = sorted(findings, key=_priority_key)
    out = []
    for rank, f in enumerate(ordered, start=1):
        out.append(_replace(f, priority=rank, reason=_reason(f)))
    return out


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
        self._upgrade_cache: dict[tuple[str, str, str], str | None] = {}
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
        its entries, a changed one swaps them.
        """
        advisories = list(advisories)
        touched: set[PackageKey] = set()
        for vid in removed:
            touched |= self._remove(vid)
            self.kb.advisories.pop(vid, None)
        self.kb.upsert(advisories)
        for adv in advisories:
            touched |= self._remove(adv.id)
            touched |= self._add(adv)
        self._covered = None
        if touched:
            self._upgrade_cache = {k: v for k, v in self._upgrade_cache.items() if (k[0], k[1]) not in touched}
        return touched

    @property
    def covered_ecosystems(self) -> set[str]:
        """Ecosystems with at least one matchable advisory."""
        if self._covered is None:
            self._covered = {eco for eco, _ in self.index}
        return self._covered

    # -- matching --------------------------------------------------------------------------
    def affecting(self, ecosystem: str, name: str, version: str) -> list[tuple[_Entry, str]]:
        """The compiled entries that affect ``name@version`` in ``ecosystem``, with why."""
        key = (ecosystem, normalize_name(ecosystem, name))
        entries = self.index.get(key)
        if not entries:
            return []
        vk = _VersionKeys(version)
        hits = []
        for e in entries:
            why = _entry_hits(e, vk, ecosystem)
            if why:
                hits.append((e, why))
        return hits

    def upgrade_to(self, ecosystem: str, name: str, version: str) -> str | None:
        """The smallest version above ``version`` that no known advisory of the package affects.

        Candidates are the ``fixed`` versions of every advisory of the package (not only the
        matched ones, so an upgrade never lands inside another advisory's range). A stable release
        is preferred over a pre-release. None when no known version clears everything.
        """
        name = normalize_name(ecosystem, name)
        ck = (ecosystem, name, version)
        if ck in self._upgrade_cache:
            return self._upgrade_cache[ck]
        result = None
        entries = self.index.get((ecosystem, name), [])
        try:
            current = version_key(ecosystem, version)
        except VersionError:
            current = None
        if current is not None:
            cands: dict[Any, str] = {}
            for e in entries:
                for fv in e.fixed:
                    try:
                        k = version_key(ecosystem, fv)
                    except VersionError:
                        continue
                    if k > current and k not in cands:
                        cands[k] = fv
            ordered = [cands[k] for k in sorted(cands)]
            clear = [v for v in ordered if not any(_entry_hits(e, _VersionKeys(v), ecosystem) for e in entries)]
            stable = [v for v in clear if not is_prerelease(ecosystem, v)]
            result = (stable or clear or [None])[0]
        self._upgrade_cache[ck] = result
        return result

    def _finding(self, entry: _Entry, why: str, purl: str, ref: str | None, eco: str, name: str, version: str):
        kb = self.kb
        adv = kb.advisories[entry.advisory_id]
        group = kb.group(adv.id) - {adv.id}
        aliases = tuple(sorted(group, key=lambda i: (not i.startswith("CVE-"), i)))
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
        return Finding(
            purl=purl,
            component_ref=ref,
            ecosystem=eco,
            package=name,
            version=version,
            id=adv.id,
            aliases=aliases,
            summary=adv.summary or adv.details[:200],
            severity=severity,
            cvss_score=cvss.base_score if cvss else None,
            cvss_vector=cvss.vector if cvss else None,
            kev=kev is not None,
            kev_date_added=kev.date_added if kev else None,
            kev_due_date=kev.due_date if kev else None,
            kev_ransomware=bool(kev and kev.known_ransomware),
            epss=epss.epss if epss else None,
            epss_percentile=epss.percentile if epss else None,
            epss_date=kb.epss.score_date if (epss and kb.epss) else None,
            fixed_versions=entry.fixed,
            upgrade_to=self.upgrade_to(eco, name, version),
            matched_by=why,
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
            eco, name, version, ptype = package_of_purl(purl)
        except ValueError as exc:
            return ComponentResult(ref, purl, None, "no_purl", f"invalid purl: {exc}"), []
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
        vk = _VersionKeys(version)
        findings = [
            self._finding(e, why, purl, ref, eco, name, version)
            for e in entries
            if (why := _entry_hits(e, vk, eco))
        ]
        findings = _dedupe_aliases(findings, self.kb)
        if findings:
            return ComponentResult(ref, purl, eco, "matched"), findings
        if vk.get(eco) is None:
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
    """Stored component sets (purls per SBOM id) indexed by package, for incremental re-match."""

    by_package: dict[PackageKey, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    purls: dict[str, set[str]] = field(default_factory=dict)
    by_key: dict[PackageKey, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))

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
            if eco is None:
                continue
            self.by_package[(eco, name)].setdefault(version or "", set()).add(sbom_id)
            self.by_key[(eco, name)].add((sbom_id, purl))
        self.purls[sbom_id] = kept

    def remove(self, sbom_id: str) -> None:
        for purl in self.purls.pop(sbom_id, ()):
            eco, name, version, _ = package_of_purl(purl)
            if eco is None:
                continue
            self.by_key.get((eco, name), set()).discard((sbom_id, purl))
            versions = self.by_package.get((eco, name), {})
            ids = versions.get(version or "")
            if ids:
                ids.discard(sbom_id)
                if not ids:
                    versions.pop(version or "", None)

    def components_of(self, keys: Iterable[PackageKey]) -> list[tuple[str, str]]:
        """``(sbom id, purl)`` pairs of stored components of the given packages."""
        out: list[tuple[str, str]] = []
        for key in set(keys):
            out.extend(self.by_key.get(key, ()))
        return sorted(out)

    def touched_by(self, advisory: Advisory) -> set[str]:
        """Ids of stored SBOMs with a component the advisory affects (withdrawn or not, so that a
        withdrawal clears old findings). A version that cannot be ordered counts as touched when
        the package is affected at all: re-matching too much is safe, too little is not."""
        hit: set[str] = set()
        for aff in advisory.affected:
            if not has_ordering(aff.ecosystem):
                continue
            entry = _compile(advisory.id, aff)
            versions = self.by_package.get(entry.key)
            if not versions:
                continue
            for version, ids in versions.items():
                if ids <= hit:
                    continue
                vk = _VersionKeys(version)
                if (
                    not version
                    or entry.unevaluable
                    or vk.get(aff.ecosystem) is None
                    or _entry_hits(entry, vk, aff.ecosystem)
                ):
                    hit |= ids
        return hit


def sboms_touched(advisory: Advisory, sboms: Mapping[str, Iterable[str]]) -> set[str]:
    """One-off form of :meth:`Portfolio.touched_by` over a plain ``{sbom_id: purls}`` mapping."""
    return Portfolio.from_mapping(sboms).touched_by(advisory)
