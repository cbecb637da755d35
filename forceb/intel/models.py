"""The STIX 2.1 store and its TAXII 2.1 collections.

One ``StixObject`` row is one version (STIX id + modified) of one object in one collection, with
its canonical JSON kept as text so that a TAXII page is served without re-serialising. Everything
a TAXII filter or a page needs is a column, and the flags ``is_latest``/``is_first`` are kept on
write so that ``match[version]=last`` (the default of every read) is an index range, not a
GROUP BY at read time.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from forceb.core.choices import TLP, WRITER_ROLES
from forceb.core.models import Organization, OwnedModel, OwnedQuerySet

from .choices import StatusState


class CollectionQuerySet(OwnedQuerySet):
    """Collections are reached by their owner (the hub) and by the organisations named as their
    readers or writers; nobody else learns that they exist."""

    def restrict(self, user, action: str = "view"):
        if user is None or not user.is_authenticated or not user.is_active or user.organization_id is None:
            return self.none()
        own = Q(owner_id=user.organization_id)
        if action == "view":
            named = Q(readers=user.organization_id) | Q(writers=user.organization_id)
            return self.filter(pk__in=self.model.objects.filter(own | named).values("pk"))
        if user.role not in WRITER_ROLES:
            return self.none()
        return self.filter(own)


class Collection(OwnedModel):
    """A TAXII collection of the hub: who reads it, who writes to it, and how it treats
    contributions (default marking for unmarked objects, anonymous republication)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    alias = models.SlugField(max_length=100, blank=True)
    readers = models.ManyToManyField(Organization, blank=True, related_name="intel_collections_read")
    writers = models.ManyToManyField(Organization, blank=True, related_name="intel_collections_written")
    default_tlp = models.CharField(
        max_length=16, choices=TLP.choices, default=TLP.GREEN,
        help_text="Marking assumed for objects that carry no TLP marking")
    anonymous = models.BooleanField(
        default=False, help_text="Contributions are republished under the hub's identity; only the "
                                 "audit trail keeps their source")
    # The collection's date_added clock: each stored version gets a strictly later instant, so
    # that (date_added) is unique here and paging by it never skips or repeats an object.
    clock = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CollectionQuerySet.as_manager()
    audit_exclude = ("updated", "clock")

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def can_read(self, user) -> bool:
        org = user.organization_id
        return self.owner_id == org or self.readers.filter(pk=org).exists()

    def can_write(self, user) -> bool:
        org = user.organization_id
        if user.role not in WRITER_ROLES:
            return False
        return self.owner_id == org or self.writers.filter(pk=org).exists()


class StixObject(models.Model):
    """One version of one STIX object in one collection.

    Not an ``OwnedModel``: who reads a version is decided by its collection and its TLP marking,
    in ``queries.visible_objects`` (the intel chokepoint), not by an owner. ``contributor`` keeps
    the true source, even of anonymous contributions, and is never shown to other organisations.
    """

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="stix_objects")
    stix_id = models.CharField(max_length=300)
    type = models.CharField(max_length=250)
    spec_version = models.CharField(max_length=8, default="2.1")
    created = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(null=True, blank=True)
    # modified, else created; observables (neither) have one version, stamped when first added.
    version = models.DateTimeField()
    version_text = models.CharField(max_length=40)
    date_added = models.DateTimeField()
    tlp = models.CharField(max_length=16, choices=TLP.choices)
    is_latest = models.BooleanField(default=True)
    is_first = models.BooleanField(default=True)
    contributor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    contributed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="+")
    anonymous = models.BooleanField(default=False)
    # For a sighting, the id of what was sighted: the sector-wide count of an indicator's
    # sightings is an index lookup.
    sighting_of = models.CharField(max_length=300, blank=True, db_index=True)
    body = models.TextField(help_text="The object's canonical JSON, served as is")

    audit_exclude = ("body",)

    class Meta:
        ordering = ["collection", "date_added"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "stix_id", "version"], name="unique_stix_version"),
            models.UniqueConstraint(fields=["collection", "date_added"], name="unique_date_added"),
        ]
        indexes = [
            # The default read (match[version]=last) walks this range in date_added order.
            models.Index(fields=["collection", "is_latest", "date_added"], name="intel_latest_page"),
            models.Index(fields=["collection", "type", "date_added"], name="intel_type_page"),
            models.Index(fields=["stix_id"], name="intel_stix_id"),
        ]

    def __str__(self):
        return f"{self.stix_id} @ {self.version_text}"


class RedRecipient(models.Model):
    """A person named to receive one TLP:RED object: RED reaches named individuals only."""

    stix_object = models.ForeignKey(StixObject, on_delete=models.CASCADE, related_name="red_recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["stix_object", "user"]
        constraints = [models.UniqueConstraint(fields=["stix_object", "user"], name="unique_red_recipient")]

    def __str__(self):
        return f"{self.user} may read {self.stix_object}"


class AddStatus(models.Model):
    """The TAXII status resource of one POST of objects (TAXII 2.1, section 4.3.1)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="statuses")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    request_timestamp = models.DateTimeField()
    status = models.CharField(max_length=16, choices=StatusState.choices, default=StatusState.COMPLETE)
    total_count = models.PositiveIntegerField(default=0)
    successes = models.JSONField(default=list)
    failures = models.JSONField(default=list)
    pendings = models.JSONField(default=list)

    audit_exclude = ("successes", "failures", "pendings")

    class Meta:
        ordering = ["-request_timestamp"]
        verbose_name_plural = "add statuses"

    def __str__(self):
        return f"status {self.uuid} ({self.status})"


class Subscription(OwnedModel):
    """A member's standing demand for intelligence from one collection, served to it as a TAXII
    collection of its own (the matching versions, under the same TLP rule). The matches are
    worked out when objects arrive and when the subscription is saved, not at read time."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="subscriptions")
    types = models.JSONField(default=list, blank=True, help_text="STIX object types; empty: every type")
    terms = models.JSONField(
        default=list, blank=True,
        help_text="ATT&CK technique ids, malware or threat-actor names, CVE ids, vendors, products, sectors")
    max_tlp = models.CharField(max_length=16, choices=TLP.choices, blank=True,
                               help_text="Most restrictive marking wanted; empty: any the reader may see")
    min_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    from_inventory = models.BooleanField(
        default=False, help_text="Also match what names the organisation's suppliers and SBOM components")
    matches = models.ManyToManyField(StixObject, blank=True, related_name="subscriptions")
    # Matches added up to this instant have been announced in a digest.
    digest_until = models.DateTimeField(null=True, blank=True, editable=False)
    webhook_url = models.URLField(max_length=500, blank=True,
                                  help_text="Where new matches are POSTed, signed (forceb.intel.webhooks)")
    # The HMAC key of the signature: kept in clear because signing needs it, shown once when
    # generated, never audited nor served.
    webhook_secret = models.CharField(max_length=64, blank=True, editable=False)
    # Matches added up to this instant have been delivered to the webhook.
    webhook_until = models.DateTimeField(null=True, blank=True, editable=False)

    audit_exclude = ("updated", "webhook_secret")

    class Meta:
        ordering = ["owner", "name"]

    def __str__(self):
        return self.name


class ObservedValue(models.Model):
    """An observable value one stored version names (for correlation), extracted on write."""

    stix_object = models.ForeignKey(StixObject, on_delete=models.CASCADE, related_name="values")
    kind = models.CharField(max_length=64)
    value = models.CharField(max_length=500)

    class Meta:
        ordering = ["stix_object", "kind", "value"]
        indexes = [models.Index(fields=["value", "kind"], name="intel_value_lookup")]

    def __str__(self):
        return f"{self.kind} {self.value}"


class CorrelationExclusion(models.Model):
    """A known-benign value the hub keeps out of correlation (a public resolver, a CDN...)."""

    value = models.CharField(max_length=500, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["value"]

    def __str__(self):
        return self.value
