"""Vulnerability knowledge-base loaders: OSV, CISA KEV and EPSS into plain data (no ORM).

* :func:`iter_osv` reads OSV records from a JSON file (one record, a list, or ``{"vulns": [...]}``),
  JSON Lines, gzip, zip (one record per member, the osv.dev ``all.zip`` layout) or a folder of
  those, one record at a time. Errors name the file and the line or zip member.
* :func:`load_kev` reads the CISA Known Exploited Vulnerabilities catalogue (JSON).
* :func:`load_epss` / :func:`iter_epss` read a FIRST EPSS CSV, ``#model_version:...,score_date:...``
  comment line included (plain or gzip).
* :func:`alias_groups` joins advisories that name each other (GHSA, CVE, PYSEC, GO ids) into one
  vulnerability; :class:`KnowledgeBase` keeps advisories, KEV and EPSS together.
* :func:`score_cvss` scores CVSS v3.0/v3.1/v4.0 (and v2) vectors with the ``cvss`` library.

Withdrawn advisories are kept (so a UI can show them) but flagged; the matcher never matches them.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from cvss import CVSS2, CVSS3, CVSS4, CVSSError

from forceb.sbom.versions import canonical_ecosystem

__all__ = [
    "Advisory",
    "Affected",
    "CvssScore",
    "EpssData",
    "EpssScore",
    "Event",
    "FeedError",
    "KevCatalog",
    "KevEntry",
    "KnowledgeBase",
    "Range",
    "Severity",
    "alias_groups",
    "iter_epss",
    "iter_osv",
    "load_epss",
    "load_kev",
    "load_osv",
    "parse_osv",
    "score_cvss",
]

MAX_RECORD_BYTES = 32 * 1024 * 1024  # one OSV record; real ones are a few kB
EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


class FeedError(ValueError):
    """A feed file or record that cannot be read; the message names the file and the place."""


# --------------------------------------------------------------------------------------------
# OSV data


@dataclass(frozen=True, slots=True)
class Event:
    """One OSV range event: ``kind`` is introduced, fixed, last_affected or limit."""

    kind: str
    version: str


@dataclass(frozen=True, slots=True)
class Range:
    """One OSV range (``type`` SEMVER, ECOSYSTEM or GIT) with its events in file order."""

    type: str
    events: tuple[Event, ...]
    repo: str | None = None


@dataclass(frozen=True, slots=True)
class Affected:
    """One ``affected[]`` entry: a package of an ecosystem, its ranges and explicit versions."""

    ecosystem: str  # OSV base name, e.g. "PyPI" (a suffix such as "Debian:12" is in ecosystem_raw)
    name: str
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    ecosystem_raw: str = ""
    purl: str | None = None


@dataclass(frozen=True, slots=True)
class Severity:
    """An OSV severity entry: ``type`` (CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu) and its score string."""

    type: str
    score: str


@dataclass(frozen=True, slots=True)
class CvssScore:
    """A CVSS vector scored by the ``cvss`` library."""

    version: str  # "2.0", "3.0", "3.1", "4.0"
    vector: str
    base_score: float
    severity: str  # none, low, medium, high, critical


@dataclass(frozen=True)
class Advisory:
    """One OSV record reduced to what matching and reporting need."""

    id: str
    modified: str = ""
    published: str = ""
    withdrawn: str | None = None
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    severity: tuple[Severity, ...] = ()
    affected: tuple[Affected, ...] = ()
    database_severity: str | None = None  # e.g. GHSA's database_specific.severity
    references: tuple[str, ...] = ()
    source: str = ""  # file and line/member the record came from
    warnings: tuple[str, ...] = ()

    @property
    def is_withdrawn(self) -> bool:
        return bool(self.withdrawn)

    @property
    def ids(self) -> tuple[str, ...]:
        """The record id followed by its aliases."""
        return (self.id, *self.aliases)

    @property
    def cves(self) -> tuple[str, ...]:
        return tuple(i for i in self.ids if i.startswith("CVE-"))

    def cvss(self) -> CvssScore | None:
        """The newest-version CVSS score that the library accepts (v4.0 over v3.x over v2)."""
        best: CvssScore | None = None
        for sev in self.severity:
            if not sev.type.startswith("CVSS"):
                continue
            try:
                score = score_cvss(sev.score)
            except FeedError:
                continue
            if best is None or _version_rank(score.version) > _version_rank(best.version):
                best = score
        return best


def _version_rank(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def score_cvss(vector: str) -> CvssScore:
    """Score a CVSS vector string (v2, v3.0, v3.1, v4.0); raise :class:`FeedError` when invalid."""
    vector = (vector or "").strip()
    try:
        if vector.startswith("CVSS:4.0/"):
            c4 = CVSS4(vector)
            return CvssScore("4.0", c4.clean_vector(), float(c4.base_score), str(c4.severity).lower())
        if vector.startswith(("CVSS:3.1/", "CVSS:3.0/")):
            c3 = CVSS3(vector)
            return CvssScore(
                vector[5:8], c3.clean_vector(), float(c3.scores()[0]), str(c3.severities()[0]).lower()
            )
        if vector.startswith("AV:") or vector.startswith("(AV:"):
            c2 = CVSS2(vector.strip("()"))
            score = float(c2.scores()[0])
            return CvssScore("2.0", c2.clean_vector(), score, _cvss2_severity(score))
    except (CVSSError, ValueError, KeyError) as exc:
        raise FeedError(f"invalid CVSS vector {vector!r}: {exc}") from exc
    raise FeedError(f"not a CVSS vector: {vector!r}")


def _cvss2_severity(score: float) -> str:
    return "high" if score >= 7.0 else "medium" if score >= 4.0 else "low" if score > 0 else "none"


def _str_list(value: Any, where: str, warnings: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        warnings.append(f"{where}: expected a list, skipped")
        return ()
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            out.append(item)
        else:
            warnings.append(f"{where}/{i}: expected a string, skipped")
    return tuple(out)


def _parse_range(raw: Any, where: str, warnings: list[str]) -> Range | None:
    if not isinstance(raw, dict):
        warnings.append(f"{where}: range is not an object, skipped")
        return None
    rtype = raw.get("type")
    events_raw = raw.get("events")
    if not isinstance(rtype, str) or not isinstance(events_raw, list):
        warnings.append(f"{where}: range needs a string 'type' and an 'events' list, skipped")
        return None
    events: list[Event] = []
    for i, ev in enumerate(events_raw):
        if not isinstance(ev, dict) or len(ev) != 1:
            warnings.append(f"{where}/events/{i}: an event has exactly one key, range skipped")
            return None
        ((kind, version),) = ev.items()
        if kind not in EVENT_KINDS or not isinstance(version, str) or not version:
            warnings.append(f"{where}/events/{i}: unknown event {kind!r} or empty version, range skipped")
            return None
        events.append(Event(kind, version))
    if not any(e.kind == "introduced" for e in events):
        warnings.append(f"{where}: range without an 'introduced' event matches nothing")
    repo = raw.get("repo") if isinstance(raw.get("repo"), str) else None
    return Range(rtype.upper(), tuple(events), repo)


def parse_osv(record: Any, source: str = "<record>") -> Advisory:
    """Check and convert one decoded OSV record; raise :class:`FeedError` naming ``source``.

    Only what matching relies on is checked strictly (``id``, the shape of ``affected``);
    anything else that is malformed is skipped and listed in ``Advisory.warnings``.
    """
    if not isinstance(record, dict):
        raise FeedError(f"{source}: an OSV record must be a JSON object, got {type(record).__name__}")
    vid = record.get("id")
    if not isinstance(vid, str) or not vid.strip():
        raise FeedError(f"{source}: OSV record without a string 'id'")
    warnings: list[str] = []
    affected_raw = record.get("affected", [])
    if not isinstance(affected_raw, list):
        raise FeedError(f"{source}: {vid}: 'affected' must be a list")
    affected: list[Affected] = []
    for i, aff in enumerate(affected_raw):
        where = f"/affected/{i}"
        if not isinstance(aff, dict):
            warnings.append(f"{where}: not an object, skipped")
            continue
        pkg = aff.get("package")
        if not isinstance(pkg, dict):
            # OSV allows affected entries with only GIT ranges and no package: nothing to match by purl
            continue
        eco_raw, name = pkg.get("ecosystem"), pkg.get("name")
        if not isinstance(eco_raw, str) or not isinstance(name, str) or not eco_raw or not name:
            warnings.append(f"{where}/package: needs string 'ecosystem' and 'name', skipped")
            continue
        ranges = []
        for j, rng in enumerate(aff.get("ranges") or []):
            parsed = _parse_range(rng, f"{where}/ranges/{j}", warnings)
            if parsed is not None:
                ranges.append(parsed)
        versions = _str_list(aff.get("versions"), f"{where}/versions", warnings)
        affected.append(
            Affected(
                ecosystem=canonical_ecosystem(eco_raw) or eco_raw,
                name=name,
                ranges=tuple(ranges),
                versions=versions,
                ecosystem_raw=eco_raw,
                purl=pkg.get("purl") if isinstance(pkg.get("purl"), str) else None,
            )
        )
    severity = []
    for i, sev in enumerate(record.get("severity") or []):
        if isinstance(sev, dict) and isinstance(sev.get("type"), str) and isinstance(sev.get("score"), str):
            severity.append(Severity(sev["type"], sev["score"]))
        else:
            warnings.append(f"/severity/{i}: needs string 'type' and 'score', skipped")
    for sev in severity:
        if sev.type.startswith("CVSS"):
            try:
                score_cvss(sev.score)
            except FeedError as exc:
                warnings.append(f"/severity: {exc}")
    dbs = record.get("database_specific")
    db_sev = dbs.get("severity") if isinstance(dbs, dict) and isinstance(dbs.get("severity"), str) else None
    refs = tuple(
        r["url"] for r in record.get("references") or [] if isinstance(r, dict) and isinstance(r.get("url"), str)
    )
    withdrawn = record.get("withdrawn")
    return Advisory(
        id=vid.strip(),
        modified=str(record.get("modified") or ""),
        published=str(record.get("published") or ""),
        withdrawn=str(withdrawn) if withdrawn else None,
        aliases=_str_list(record.get("aliases"), "/aliases", warnings),
        related=_str_list(record.get("related"), "/related", warnings),
        summary=str(record.get("summary") or ""),
        details=str(record.get("details") or ""),
        severity=tuple(severity),
        affected=tuple(affected),
        database_severity=db_sev,
        references=refs,
        source=source,
        warnings=tuple(warnings),
    )


def _decode(text: str | bytes, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise FeedError(f"{source}: JSON nested too deeply") from exc
    except UnicodeDecodeError as exc:
        raise FeedError(f"{source}: not UTF-8 text: {exc.reason}") from exc


def _records_in_document(doc: Any, source: str) -> Iterator[tuple[Any, str]]:
    if isinstance(doc, list):
        for i, rec in enumerate(doc):
            yield rec, f"{source}#/{i}"
    elif isinstance(doc, dict) and isinstance(doc.get("vulns"), list) and "id" not in doc:
        for i, rec in enumerate(doc["vulns"]):
            yield rec, f"{source}#/vulns/{i}"
    else:
        yield doc, source


def _iter_jsonl(stream: IO[bytes], source: str) -> Iterator[tuple[Any, str]]:
    for lineno, line in enumerate(stream, start=1):
        if len(line) > MAX_RECORD_BYTES:
            raise FeedError(f"{source}:{lineno}: record larger than {MAX_RECORD_BYTES} bytes")
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            yield _decode(line, where), where
        except FeedError as exc:  # one bad line: the caller decides whether to go on
            yield exc, where


def _read_limited(stream: IO[bytes], source: str) -> bytes:
    data = stream.read(MAX_RECORD_BYTES + 1)
    if len(data) > MAX_RECORD_BYTES:
        raise FeedError(f"{source}: larger than {MAX_RECORD_BYTES} bytes")
    return data


def _iter_raw(path: Path) -> Iterator[tuple[Any, str]]:
    name = path.name.lower()
    source = str(path)
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for fname in sorted(files):
                if fname.lower().endswith((".json", ".jsonl", ".gz", ".zip")):
                    yield from _iter_raw(Path(root) / fname)
        return
    if not path.exists():
        raise FeedError(f"{source}: no such file or folder")
    if name.endswith(".zip"):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise FeedError(f"{source}: not a zip archive: {exc}") from exc
        with archive:
            for info in archive.infolist():
                member = f"{source}!{info.filename}"
                if info.is_dir():
                    continue
                if info.file_size > MAX_RECORD_BYTES and not info.filename.endswith(".jsonl"):
                    raise FeedError(f"{member}: larger than {MAX_RECORD_BYTES} bytes")
                with archive.open(info) as fh:
                    if info.filename.lower().endswith(".jsonl"):
                        yield from _iter_jsonl(fh, member)
                    elif info.filename.lower().endswith(".json"):
                        yield from _records_in_document(_decode(_read_limited(fh, member), member), member)
        return
    if name.endswith(".gz"):
        try:
            with gzip.open(path, "rb") as fh:
                if name.endswith(".json.gz"):
                    yield from _records_in_document(_decode(_read_limited(fh, source), source), source)
                else:
                    yield from _iter_jsonl(fh, source)  # type: ignore[arg-type]
        except (OSError, EOFError) as exc:
            raise FeedError(f"{source}: damaged gzip stream: {exc}") from exc
        return
    with open(path, "rb") as fh:
        if name.endswith(".jsonl"):
            yield from _iter_jsonl(fh, source)
        else:
            yield from _records_in_document(_decode(_read_limited(fh, source), source), source)


def iter_osv(path: str | os.PathLike[str], *, errors: list[FeedError] | None = None) -> Iterator[Advisory]:
    """Yield :class:`Advisory` records from an OSV file, archive or folder, one at a time.

    With ``errors=None`` the first bad record raises :class:`FeedError`; with a list, bad records
    are appended to it and skipped (a damaged file or archive still raises).
    """
    for record, source in _iter_raw(Path(path)):
        try:
            if isinstance(record, FeedError):
                raise record
            yield parse_osv(record, source)
        except FeedError as exc:
            if errors is None:
                raise
            errors.append(exc)


def load_osv(path: str | os.PathLike[str], *, errors: list[FeedError] | None = None) -> list[Advisory]:
    """All advisories of :func:`iter_osv` as a list."""
    return list(iter_osv(path, errors=errors))


def alias_groups(advisories: Iterable[Advisory]) -> dict[str, frozenset[str]]:
    """Map every advisory id and alias to the set of ids that name the same vulnerability.

    Aliases are transitive (PYSEC-x aliases CVE-y, GHSA-z aliases CVE-y: one vulnerability);
    ``related`` ids are not aliases and do not join.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for adv in advisories:
        first = find(adv.id)
        for alias in adv.aliases:
            other = find(alias)
            if other != first:
                parent[other] = first
    groups: dict[str, set[str]] = {}
    for node in list(parent):
        groups.setdefault(find(node), set()).add(node)
    frozen = {root: frozenset(members) for root, members in groups.items()}
    return {node: frozen[find(node)] for node in parent}


# --------------------------------------------------------------------------------------------
# CISA KEV


@dataclass(frozen=True, slots=True)
class KevEntry:
    """One entry of the CISA Known Exploited Vulnerabilities catalogue."""

    cve_id: str
    vendor: str
    product: str
    name: str
    date_added: date | None
    due_date: date | None
    ransomware: str  # "Known" or "Unknown" as published
    required_action: str = ""

    @property
    def known_ransomware(self) -> bool:
        return self.ransomware.strip().lower() == "known"


@dataclass(frozen=True)
class KevCatalog:
    """The KEV catalogue: version, release time and entries keyed by CVE id."""

    version: str
    date_released: str
    entries: dict[str, KevEntry] = field(default_factory=dict)


def _iso_date(value: Any, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise FeedError(f"{where}: not an ISO date: {value!r}") from exc


def load_kev(path: str | os.PathLike[str]) -> KevCatalog:
    """Read the KEV catalogue JSON (``vulnerabilities`` list with cveID, dateAdded, dueDate...)."""
    source = str(path)
    try:
        with open(path, "rb") as fh:
            doc = _decode(_read_limited(fh, source), source)
    except OSError as exc:
        raise FeedError(f"{source}: cannot read: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
        raise FeedError(f"{source}: not a KEV catalogue (no 'vulnerabilities' list)")
    entries: dict[str, KevEntry] = {}
    for i, item in enumerate(doc["vulnerabilities"]):
        where = f"{source}#/vulnerabilities/{i}"
        if not isinstance(item, dict) or not isinstance(item.get("cveID"), str):
            raise FeedError(f"{where}: entry without a string 'cveID'")
        cve = item["cveID"].strip()
        entries[cve] = KevEntry(
            cve_id=cve,
            vendor=str(item.get("vendorProject") or ""),
            product=str(item.get("product") or ""),
            name=str(item.get("vulnerabilityName") or ""),
            date_added=_iso_date(item.get("dateAdded"), f"{where}/dateAdded"),
            due_date=_iso_date(item.get("dueDate"), f"{where}/dueDate"),
            ransomware=str(item.get("knownRansomwareCampaignUse") or "Unknown"),
            required_action=str(item.get("requiredAction") or ""),
        )
    return KevCatalog(str(doc.get("catalogVersion") or ""), str(doc.get("dateReleased") or ""), entries)


# --------------------------------------------------------------------------------------------
# EPSS


@dataclass(frozen=True, slots=True)
class EpssScore:
    """The EPSS probability and percentile of one CVE."""

    cve_id: str
    epss: float
    percentile: float


@dataclass(frozen=True)
class EpssData:
    """An EPSS file: its model version, score date and the scores by CVE id."""

    model_version: str
    score_date: str
    scores: dict[str, EpssScore] = field(default_factory=dict)


def _open_text(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _epss_header(line: str) -> dict[str, str]:
    meta = {}
    for part in line.lstrip("#").strip().split(","):
        key, _, value = part.partition(":")
        meta[key.strip()] = value.strip()
    return meta


def iter_epss(
    path: str | os.PathLike[str], *, on_header: Callable[[dict[str, str]], None] | None = None
) -> Iterator[EpssScore]:
    """Yield :class:`EpssScore` rows of an EPSS CSV (plain or ``.gz``); errors name the line.

    The optional ``#model_version:...,score_date:...`` line is handed to ``on_header``.
    """
    source = str(path)
    try:
        fh = _open_text(Path(path))
    except OSError as exc:
        raise FeedError(f"{source}: cannot read: {exc}") from exc
    with fh:
        lineno = 0
        columns: list[str] | None = None
        try:
            reader = csv.reader(fh)
            for row in reader:
                lineno = reader.line_num
                if not row or not "".join(row).strip():
                    continue
                if row[0].startswith("#"):
                    if on_header is not None:
                        on_header(_epss_header(",".join(row)))
                    continue
                if columns is None:
                    columns = [c.strip().lower() for c in row]
                    if "cve" not in columns or "epss" not in columns:
                        raise FeedError(f"{source}:{lineno}: EPSS header must name 'cve' and 'epss' columns")
                    continue
                rec = dict(zip(columns, row, strict=False))
                try:
                    cve = rec["cve"].strip()
                    epss = float(rec["epss"])
                    pct = float(rec.get("percentile") or "nan")
                except (KeyError, ValueError) as exc:
                    raise FeedError(f"{source}:{lineno}: bad EPSS row {row!r}") from exc
                if not cve.startswith("CVE-") or not 0.0 <= epss <= 1.0:
                    raise FeedError(f"{source}:{lineno}: bad EPSS row {row!r}")
                yield EpssScore(cve, epss, pct)
        except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
            raise FeedError(f"{source}:{lineno + 1}: cannot read CSV: {exc}") from exc


def load_epss(path: str | os.PathLike[str]) -> EpssData:
    """Read a whole EPSS CSV into :class:`EpssData` (model version and score date from line 1)."""
    meta: dict[str, str] = {}
    scores = {s.cve_id: s for s in iter_epss(path, on_header=meta.update)}
    return EpssData(meta.get("model_version", ""), meta.get("score_date", ""), scores)


# --------------------------------------------------------------------------------------------
# Knowledge base


@dataclass
class KnowledgeBase:
    """Advisories, KEV and EPSS joined: alias groups make one vulnerability of several ids."""

    advisories: dict[str, Advisory] = field(default_factory=dict)
    kev: KevCatalog | None = None
    epss: EpssData | None = None
    _groups: dict[str, frozenset[str]] | None = field(default=None, repr=False)

    @classmethod
    def from_advisories(
        cls, advisories: Iterable[Advisory], kev: KevCatalog | None = None, epss: EpssData | None = None
    ) -> KnowledgeBase:
        return cls({a.id: a for a in advisories}, kev, epss)

    def upsert(self, advisories: Iterable[Advisory]) -> list[Advisory]:
        """Add or replace advisories; return the replaced old versions (for incremental re-match)."""
        old = []
        for adv in advisories:
            if adv.id in self.advisories:
                old.append(self.advisories[adv.id])
            self.advisories[adv.id] = adv
        self._groups = None
        return old

    @property
    def groups(self) -> dict[str, frozenset[str]]:
        if self._groups is None:
            self._groups = alias_groups(self.advisories.values())
        return self._groups

    def group(self, vuln_id: str) -> frozenset[str]:
        """Every id (record ids and aliases) naming the same vulnerability as ``vuln_id``."""
        return self.groups.get(vuln_id, frozenset({vuln_id}))

    def cves(self, vuln_id: str) -> list[str]:
        return sorted(i for i in self.group(vuln_id) if i.startswith("CVE-"))

    def kev_for(self, vuln_id: str) -> KevEntry | None:
        """The KEV entry of any CVE of the vulnerability (earliest added if several)."""
        if self.kev is None:
            return None
        hits = [self.kev.entries[c] for c in self.cves(vuln_id) if c in self.kev.entries]
        return min(hits, key=lambda e: e.date_added or date.max) if hits else None

    def epss_for(self, vuln_id: str) -> EpssScore | None:
        """The highest EPSS score among the vulnerability's CVEs."""
        if self.epss is None:
            return None
        hits = [self.epss.scores[c] for c in self.cves(vuln_id) if c in self.epss.scores]
        return max(hits, key=lambda s: s.epss) if hits else None

    def cvss_for(self, vuln_id: str) -> CvssScore | None:
        """The highest CVSS base score among the records of the vulnerability's alias group."""
        best: CvssScore | None = None
        for member in self.group(vuln_id):
            adv = self.advisories.get(member)
            score = adv.cvss() if adv else None
            if score and (best is None or score.base_score > best.base_score):
                best = score
        return best

