"""SBOMs of the inventory's ICT systems, the vulnerability knowledge base, and the findings between them.

An SBOM and its findings belong to the system's owner (``OwnedModel``); components, edges and
decisions are reached through them. The knowledge base (advisories, KEV, EPSS) is public data
shared by the whole sector, so it is not owned.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, OuterRef, Q, Subquery

from forceb.core.models import OwnedModel, OwnedQuerySet
from forceb.inventory.models import Supplier, System

from . import matching
from .choices import (
    ComponentStatus,
    DecisionSource,
    Feed,
    FindingStatus,
    Justification,
    SbomFormat,
    Severity,
)


class Sbom(OwnedModel):
    """One SBOM document of an ICT system; the newest one of a system is its current one."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="sboms")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="sboms",
                                 help_text="The supplier that delivered this SBOM, if it is a supplier deliverable")
    deliverable = models.CharField(max_length=200, blank=True,
                                   help_text="The supplier deliverable it describes (product, release)")
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the uploaded file")
    format = models.CharField(max_length=16, choices=SbomFormat.choices)
    encoding = models.CharField(max_length=16)
    spec_version = models.CharField(max_length=32)
    serial = models.CharField(max_length=500, blank=True, help_text="CycloneDX serialNumber or SPDX namespace")
    subject = models.CharField(max_length=300, blank=True, help_text="What the SBOM describes (its root component)")
    subject_version = models.CharField(max_length=100, blank=True)
    document_time = models.DateTimeField(null=True, blank=True)
    roots = models.JSONField(default=list, blank=True, help_text="Refs of the product(s) the SBOM describes")
    ntia = models.JSONField(default=dict, blank=True, help_text="NTIA minimum elements: each element met or not, and why")
    ntia_ok = models.BooleanField(default=False)
    warnings = models.JSONField(default=list, blank=True, help_text="What the reader skipped, with where")
    is_current = models.BooleanField(default=True)
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    diff = models.JSONField(default=dict, blank=True, help_text="Components added, removed and changed since the previous SBOM")
    scan_summary = models.JSONField(default=dict, blank=True, help_text="Components recognised, matched, unsupported...")
    matched_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    audit_exclude = ("updated", "ntia", "warnings", "diff", "scan_summary")

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["system"], condition=Q(is_current=True),
                                    name="one_current_sbom_per_system"),
        ]

    def __str__(self):
        label = self.subject or self.filename or "SBOM"
        return f"{label} ({self.system})" if self.system_id else label

    def clean(self):
        if self.system_id and self.system.owner_id != self.owner_id:
            raise ValidationError({"system": "belongs to another organisation"})


class Component(models.Model):
    """One component of one SBOM: a package with its purl, version, licences and hashes."""

    sbom = models.ForeignKey(Sbom, on_delete=models.CASCADE, related_name="components")
    ref = models.CharField(max_length=500, help_text="bom-ref or SPDXID inside the document")
    name = models.CharField(max_length=300)
    version = models.CharField(max_length=200, blank=True)
    purl = models.CharField(max_length=1000, blank=True)
    purl_type = models.CharField(max_length=32, blank=True)
    ecosystem = models.CharField(max_length=32, blank=True, help_text="OSV ecosystem (PyPI, npm, Go...)")
    package = models.CharField(max_length=300, blank=True,
                               help_text="Name normalised by the ecosystem's rules, as advisories name it")
    type = models.CharField(max_length=32, blank=True)
    licenses = models.JSONField(default=list, blank=True)
    hashes = models.JSONField(default=list, blank=True)
    supplier = models.CharField(max_length=300, blank=True)
    cpe = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=ComponentStatus.choices, default=ComponentStatus.PENDING)
    status_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["sbom", "name", "version"]
        indexes = [
            # Incremental re-match and "where is this library used" look up by package identity.
            models.Index(fields=["ecosystem", "package"], name="sbom_component_package"),
            models.Index(fields=["name"], name="sbom_component_name"),
        ]

    def __str__(self):
        return f"{self.name}@{self.version}" if self.version else self.name


class ComponentEdge(models.Model):
    """One edge of an SBOM's dependency tree: ``parent`` depends on (or contains) ``child``."""

    sbom = models.ForeignKey(Sbom, on_delete=models.CASCADE, related_name="edges")
    parent = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="child_edges")
    child = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="parent_edges")
    kind = models.CharField(max_length=32, default="depends_on")

    class Meta:
        ordering = ["sbom", "parent", "child"]

    def __str__(self):
        return f"{self.parent} → {self.child}"


class Advisory(models.Model):
    """One OSV advisory of the knowledge base (sector-wide public data)."""

    osv_id = models.CharField(max_length=100, unique=True)
    aliases = models.JSONField(default=list, blank=True)
    related = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    details = models.TextField(blank=True)
    severity = models.JSONField(default=list, blank=True, help_text="OSV severity entries: type and vector")
    cvss_v3_vector = models.CharField(max_length=200, blank=True)
    cvss_v3_score = models.FloatField(null=True, blank=True)
    cvss_v4_vector = models.CharField(max_length=300, blank=True)
    cvss_v4_score = models.FloatField(null=True, blank=True)
    database_severity = models.CharField(max_length=32, blank=True)
    published = models.CharField(max_length=40, blank=True)
    modified = models.CharField(max_length=40, blank=True)
    withdrawn = models.CharField(max_length=40, blank=True)
    affected = models.JSONField(default=list, blank=True, help_text="OSV 'affected' entries: package, ranges, versions")
    references = models.JSONField(default=list, blank=True)
    ecosystems = models.JSONField(default=list, blank=True)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the stored content, to skip unchanged records")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["osv_id"]
        verbose_name_plural = "advisories"

    def __str__(self):
        return self.osv_id

    @property
    def is_withdrawn(self) -> bool:
        return bool(self.withdrawn)


class AdvisoryAlias(models.Model):
    """Every id an advisory answers to (its own id included), so CVE, GHSA, PYSEC and GO ids all find it."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="alias_rows")
    alias = models.CharField(max_length=100, db_index=True)

    class Meta:
        ordering = ["alias"]
        constraints = [models.UniqueConstraint(fields=["advisory", "alias"], name="unique_advisory_alias")]

    def __str__(self):
        return self.alias


class Kev(models.Model):
    """One entry of CISA's Known Exploited Vulnerabilities catalogue."""

    cve = models.CharField(max_length=32, unique=True)
    vendor = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=300, blank=True)
    date_added = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    known_ransomware = models.BooleanField(default=False)
    required_action = models.TextField(blank=True)

    class Meta:
        ordering = ["-date_added", "cve"]
        verbose_name = "KEV entry"
        verbose_name_plural = "KEV entries"

    def __str__(self):
        return self.cve


class Epss(models.Model):
    """The EPSS exploitation probability of one CVE, with the day it was scored."""

    cve = models.CharField(max_length=32, unique=True)
    score = models.FloatField()
    percentile = models.FloatField(null=True, blank=True)
    score_date = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-score"]
        verbose_name = "EPSS score"

    def __str__(self):
        return f"{self.cve} {self.score:.3f}"


PRIORITY_ORDER = ["urgency", "vuln_id", "component__purl", "pk"]


class FindingQuerySet(OwnedQuerySet):
    def with_priority(self):
        """Annotate ``priority``, the finding's rank among all of its SBOM's findings (1 is most
        urgent), whatever else narrows this queryset: one plus the findings ordered before it."""
        same_sbom = Finding.objects.filter(sbom=OuterRef("sbom")).order_by()
        # Counted in two parts so that each walks the (sbom, urgency) index: the strictly more
        # urgent ones, then those of equal urgency that the tie-breaks put first.
        more_urgent = same_sbom.filter(urgency__lt=OuterRef("urgency"))
        v, p = OuterRef("vuln_id"), OuterRef("component__purl")
        tied_before = same_sbom.filter(urgency=OuterRef("urgency")).filter(
            Q(vuln_id__lt=v) | Q(vuln_id=v, component__purl__lt=p) | Q(vuln_id=v, component__purl=p, pk__lt=OuterRef("pk")))
        return self.annotate(priority=_count(more_urgent) + _count(tied_before) + 1)


def _count(rows):
    return Subquery(rows.annotate(n=Func(F("pk"), function="COUNT")).values("n"), output_field=models.IntegerField())


class Finding(OwnedModel):
    """One known vulnerability of one component of an SBOM, ranked and triaged."""

    sbom = models.ForeignKey(Sbom, on_delete=models.CASCADE, related_name="findings")
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="findings")
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="findings")
    vuln_id = models.CharField(max_length=100, help_text="The advisory id that matched")
    aliases = models.JSONField(default=list, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.UNKNOWN)
    cvss_score = models.FloatField(null=True, blank=True)
    cvss_vector = models.CharField(max_length=300, blank=True)
    kev = models.BooleanField(default=False)
    kev_date_added = models.DateField(null=True, blank=True)
    kev_due_date = models.DateField(null=True, blank=True)
    kev_ransomware = models.BooleanField(default=False)
    epss = models.FloatField(null=True, blank=True)
    epss_percentile = models.FloatField(null=True, blank=True)
    epss_date = models.CharField(max_length=40, blank=True)
    fixed_versions = models.JSONField(default=list, blank=True)
    upgrade_to = models.CharField(max_length=200, blank=True,
                                  help_text="Smallest version that clears every known vulnerability of the component")
    matched_by = models.CharField(max_length=100, blank=True)
    urgency = models.BigIntegerField(default=matching.urgency(False, None, None, Severity.UNKNOWN),
                                     help_text="Sort key, smaller is more urgent (engine's urgency())")
    reason = models.CharField(max_length=500, blank=True, help_text="Why it ranks where it does")
    status = models.CharField(max_length=16, choices=FindingStatus.choices, default=FindingStatus.NEW)

    objects = FindingQuerySet.as_manager()
    audit_exclude = ("updated", "reason", "urgency")

    class Meta:
        # KEV first, then EPSS, then CVSS, then severity: the order the engine's prioritise() gives.
        ordering = PRIORITY_ORDER
        constraints = [models.UniqueConstraint(fields=["component", "advisory"], name="unique_finding")]
        indexes = [models.Index(fields=["owner", "status"], name="sbom_finding_owner_status"),
                   models.Index(fields=["sbom", "urgency"], name="sbom_finding_sbom_urgency")]

    def __str__(self):
        return f"{self.vuln_id} in {self.component}"


class FindingDecision(models.Model):
    """One VEX decision on a finding: the status it set, why, by whom and when."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="decisions")
    status = models.CharField(max_length=16, choices=FindingStatus.choices)
    justification = models.CharField(max_length=40, choices=Justification.choices, blank=True)
    detail = models.TextField(blank=True, help_text="Impact statement or action taken")
    source = models.CharField(max_length=16, choices=DecisionSource.choices, default=DecisionSource.PERSON)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self):
        return f"{self.finding}: {self.status}"


class FindingSnapshot(models.Model):
    """Open findings of an organisation's current SBOMs on one day, for the dashboard's trend.

    A statistic derived from the owner's findings, read only by that organisation; it is not an
    object one shares, hence not an ``OwnedModel``.
    """

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    by_severity = models.JSONField(default=dict, blank=True)
    kev = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organization", "day"]
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="one_snapshot_per_day")]

    def __str__(self):
        return f"{self.organization} {self.day}: {self.total}"


class FeedState(models.Model):
    """What was last fetched from one feed source, so that a sync downloads only what changed."""

    feed = models.CharField(max_length=16, choices=Feed.choices)
    source = models.CharField(max_length=100, help_text="Which part of the feed (an OSV ecosystem, or the file)")
    url = models.URLField(max_length=500)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    fetched_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["feed", "source"]
        constraints = [models.UniqueConstraint(fields=["feed", "source"], name="unique_feed_source")]

    def __str__(self):
        return f"{self.feed}:{self.source}"
