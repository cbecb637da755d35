"""Findings out of the platform: the scan JSON of the CLI, SARIF 2.1.0, CycloneDX VEX and a table.

Every export works on :class:`Row`, one finding in plain data, so a scan of a file (engine
findings, nothing stored) and a stored SBOM (Finding rows with their decisions) export the same way.
"""

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from cyclonedx.model import XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.vulnerability import (
    BomTarget,
    ImpactAnalysisJustification,
    ImpactAnalysisState,
    Vulnerability,
    VulnerabilityAnalysis,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.output.xml import XmlV1Dot6
from packageurl import PackageURL

from . import matching
from .choices import CLOSED_STATUSES, CYCLONEDX_STATE, FindingStatus

TOOL = {"name": "FORCE-B", "version": "0.1.0", "informationUri": "https://github.com/forceb/forceb"}
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SCAN_FINDING_KEYS = ("purl", "id", "aliases", "severity", "cvss_score", "kev", "epss", "fixed_versions", "upgrade_to")


@dataclass(frozen=True)
class Row:
    """One finding, ready for any export format."""

    purl: str
    ref: str
    name: str
    version: str
    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str
    cvss_score: float | None
    cvss_vector: str
    kev: bool
    kev_due_date: str | None
    epss: float | None
    epss_percentile: float | None
    fixed_versions: tuple[str, ...]
    upgrade_to: str | None
    priority: int
    reason: str
    status: str = FindingStatus.NEW
    justification: str = ""
    detail: str = ""


def rows_from_scan(findings: list[matching.Finding], names: dict[str, str] | None = None) -> list[Row]:
    """Rows of an engine scan (``names`` maps component refs to display names)."""
    names = names or {}
    return [Row(
        purl=f.purl, ref=f.component_ref or f.purl, name=names.get(f.component_ref or "", f.package), version=f.version,
        id=f.id, aliases=tuple(f.aliases), summary=f.summary, severity=f.severity, cvss_score=f.cvss_score,
        cvss_vector=f.cvss_vector or "", kev=f.kev, kev_due_date=f.kev_due_date.isoformat() if f.kev_due_date else None,
        epss=f.epss, epss_percentile=f.epss_percentile if f.epss_percentile == f.epss_percentile else None,
        fixed_versions=tuple(f.fixed_versions), upgrade_to=f.upgrade_to, priority=f.priority, reason=f.reason,
    ) for f in findings]


def rows_from_findings(findings) -> list[Row]:
    """Rows of all of an SBOM's stored findings in priority order (with ``component`` and
    ``decisions`` prefetched), numbered from 1."""
    rows = []
    for rank, f in enumerate(findings, start=1):
        last = next(iter(f.decisions.all()), None)
        rows.append(Row(
            purl=f.component.purl, ref=f.component.ref, name=f.component.name, version=f.component.version,
            id=f.vuln_id, aliases=tuple(f.aliases), summary=f.advisory.summary, severity=f.severity,
            cvss_score=f.cvss_score, cvss_vector=f.cvss_vector, kev=f.kev,
            kev_due_date=f.kev_due_date.isoformat() if f.kev_due_date else None, epss=f.epss,
            epss_percentile=f.epss_percentile, fixed_versions=tuple(f.fixed_versions), upgrade_to=f.upgrade_to or None,
            priority=rank, reason=f.reason, status=f.status,
            justification=last.justification if last else "", detail=last.detail if last else ""))
    return rows


def scan_json(summary: dict, rows: list[Row]) -> dict:
    """The ``forceb sbom scan --format json`` document: ``summary`` and ``findings``.

    Each finding carries the keys of :data:`SCAN_FINDING_KEYS` (issue 3), then its rank and why.
    """
    findings = []
    for r in rows:
        item = {k: getattr(r, k) for k in SCAN_FINDING_KEYS}
        item["aliases"] = list(r.aliases)
        item["fixed_versions"] = list(r.fixed_versions)
        item.update({"priority": r.priority, "reason": r.reason, "kev_due_date": r.kev_due_date,
                     "epss_percentile": r.epss_percentile, "summary": r.summary})
        findings.append(item)
    return {"summary": summary, "findings": findings}


# --------------------------------------------------------------------------------------------
# SARIF 2.1.0

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "none": "note", "unknown": "warning"}


def _security_severity(r: Row) -> str | None:
    if r.cvss_score is not None:
        return f"{r.cvss_score:.1f}"
    return {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}.get(r.severity)


def sarif(rows: list[Row], *, artifact: str) -> dict:
    """A SARIF 2.1.0 log: one rule per vulnerability, one result per affected component.

    Closed findings (not affected, fixed) stay in the log as suppressed results, so a CI gate
    and a reviewer see the same decision.
    """
    rules, rule_index, results = [], {}, []
    for r in rows:
        if r.id not in rule_index:
            rule_index[r.id] = len(rules)
            rule = {
                "id": r.id,
                "shortDescription": {"text": r.summary or r.id},
                "helpUri": f"https://osv.dev/vulnerability/{r.id}",
                "defaultConfiguration": {"level": _LEVEL.get(r.severity, "warning")},
                "properties": {"tags": ["security", "vulnerability", "dependency"], "aliases": list(r.aliases)},
            }
            if (sev := _security_severity(r)) is not None:
                rule["properties"]["security-severity"] = sev
            rules.append(rule)
        advice = f"; upgrade to {r.upgrade_to}" if r.upgrade_to else "; no fixed version known"
        also = f" ({', '.join(r.aliases[:3])})" if r.aliases else ""
        result = {
            "ruleId": r.id,
            "ruleIndex": rule_index[r.id],
            "level": "error" if r.kev else _LEVEL.get(r.severity, "warning"),
            "message": {"text": f"{r.purl or r.name} is affected by {r.id}{also}{advice}. {r.reason}".strip()},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": artifact}},
                "logicalLocations": [{"name": r.name, "fullyQualifiedName": r.purl or r.ref, "kind": "package"}],
            }],
            "partialFingerprints": {
                "componentVulnerability/v1": hashlib.sha256(f"{r.purl or r.ref}|{r.id}".encode()).hexdigest()},
            "properties": {"kev": r.kev, "epss": r.epss, "priority": r.priority, "status": r.status,
                           "fixedVersions": list(r.fixed_versions), "upgradeTo": r.upgrade_to},
        }
        if r.status in CLOSED_STATUSES:
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": f"{r.status}: {r.justification or r.detail}".strip(": ")}]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {**TOOL, "rules": rules}},
            "artifacts": [{"location": {"uri": artifact}}],
            "results": results,
        }],
    }


# --------------------------------------------------------------------------------------------
# CycloneDX VEX

_METHOD = {"3.0": VulnerabilityScoreSource.CVSS_V3, "3.1": VulnerabilityScoreSource.CVSS_V3_1,
           "4.0": VulnerabilityScoreSource.CVSS_V4}


def _rating(r: Row) -> VulnerabilityRating:
    method = None
    if r.cvss_vector.startswith("CVSS:"):
        method = _METHOD.get(r.cvss_vector[5:8])
    try:
        severity = VulnerabilitySeverity(r.severity)
    except ValueError:
        severity = VulnerabilitySeverity.UNKNOWN
    return VulnerabilityRating(
        source=VulnerabilitySource(name="OSV", url=XsUri(f"https://osv.dev/vulnerability/{r.id}")),
        score=Decimal(str(r.cvss_score)) if r.cvss_score is not None else None,
        severity=severity, method=method, vector=r.cvss_vector or None)


VEX_ENCODINGS = {"json": ("application/vnd.cyclonedx+json", "vex.cdx.json"),
                 "xml": ("application/vnd.cyclonedx+xml", "vex.cdx.xml")}


def cyclonedx_vex(rows: list[Row], *, subject: str, subject_version: str = "", encoding: str = "json") -> str:
    """A CycloneDX 1.6 VEX (JSON or XML, see :data:`VEX_ENCODINGS`) stating the analysis of every
    finding of a system's SBOM."""
    bom = Bom()
    product = Component(name=subject or "unnamed product", version=subject_version or None,
                        type=ComponentType.APPLICATION, bom_ref="product")
    bom.metadata.component = product
    refs: dict[str, str] = {}
    for r in rows:
        key = r.purl or r.ref
        if key in refs:
            continue
        ref = f"component-{len(refs) + 1}"
        refs[key] = ref
        purl = None
        if r.purl:
            try:
                purl = PackageURL.from_string(r.purl)
            except ValueError:
                purl = None
        bom.components.add(Component(name=r.name or key, version=r.version or None, purl=purl, bom_ref=ref,
                                     type=ComponentType.LIBRARY))
    bom.register_dependency(product, list(bom.components))
    groups: dict[tuple, list[Row]] = {}
    for r in rows:
        groups.setdefault((r.id, r.status, r.justification, r.detail), []).append(r)
    for n, ((vuln_id, status, justification, detail), members) in enumerate(sorted(groups.items()), start=1):
        first = members[0]
        analysis = VulnerabilityAnalysis(
            state=ImpactAnalysisState(CYCLONEDX_STATE[status]),
            justification=ImpactAnalysisJustification(justification) if justification else None,
            detail=detail or None)
        bom.vulnerabilities.add(Vulnerability(
            bom_ref=f"vulnerability-{n}", id=vuln_id,
            source=VulnerabilitySource(name="OSV", url=XsUri(f"https://osv.dev/vulnerability/{vuln_id}")),
            references=[VulnerabilityReference(id=a, source=VulnerabilitySource(name=_source_of(a)))
                        for a in first.aliases],
            ratings=[_rating(first)], description=first.summary or None,
            recommendation=f"Upgrade to {first.upgrade_to}" if first.upgrade_to else None,
            analysis=analysis, affects=[BomTarget(ref=refs[m.purl or m.ref]) for m in members]))
    writer = {"json": JsonV1Dot6, "xml": XmlV1Dot6}[encoding]
    return writer(bom).output_as_string(indent=2)


def _source_of(vuln_id: str) -> str:
    prefix = vuln_id.split("-", 1)[0].upper()
    return {"CVE": "NVD", "GHSA": "GitHub Advisories", "PYSEC": "PyPA", "GO": "Go Vulnerability Database"}.get(
        prefix, "OSV")


def dumps(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str)
