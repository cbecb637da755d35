"""Organisations, people, API tokens, sharing decisions, notifications and the audit trail.

Tenancy lives here, in one place: every owned row derives from ``OwnedModel`` and every read
of tenant data goes through ``OwnedQuerySet.restrict``.
"""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .choices import ROLES_BY_KIND, TLP, WRITER_ROLES, AuditAction, OrganizationKind, Role, Sector, Tier


class Organization(models.Model):
    """A member institution, the sector hub, or the supervisor."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=OrganizationKind.choices)
    sector = models.CharField(max_length=16, choices=Sector.choices, blank=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    audit_exclude = ()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == OrganizationKind.MEMBER and (not self.sector or not self.tier):
            raise ValidationError("a member organisation needs a sector and a tier")
        if self.kind != OrganizationKind.MEMBER and (self.sector or self.tier):
            raise ValidationError("only member organisations have a sector and a tier")

    @property
    def is_hub(self):
        return self.kind == OrganizationKind.HUB

    @property
    def is_supervisor(self):
        return self.kind == OrganizationKind.SUPERVISOR


class User(AbstractUser):
    """A person of one organisation, with one role."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, related_name="users")
    role = models.CharField(max_length=16, choices=Role.choices)

    objects = UserManager()
    audit_exclude = ("password", "last_login")

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.username

    def clean(self):
        if self.organization_id and self.role not in ROLES_BY_KIND[self.organization.kind]:
            raise ValidationError(
                f"role {self.role} does not exist in a {self.organization.kind} organisation"
            )

    @property
    def can_write(self) -> bool:
        return self.is_active and self.role in WRITER_ROLES

    @property
    def kind(self) -> str | None:
        return self.organization.kind if self.organization_id else None


class OwnedQuerySet(models.QuerySet):
    """The tenancy chokepoint: every read and write of owned rows is narrowed here."""

    def restrict(self, user, action: str = "view"):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.organization_id is None:
            return self.none()
        own = Q(owner_id=user.organization_id)
        if action == "view":
            return self.filter(own | Q(pk__in=Share.visible_object_ids(user, self.model)))
        if user.role not in WRITER_ROLES:
            return self.none()
        return self.filter(own)


class OwnedModel(models.Model):
    """Base of every row that belongs to an organisation."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()
    audit_exclude = ("updated",)

    class Meta:
        abstract = True


class ShareQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Share(models.Model):
    """One explicit decision to let an owned object leave its owner, under a TLP 2.0 marking."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="shares_made")
    shared_by = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    tlp = models.CharField(max_length=16, choices=TLP.choices)
    community = models.BooleanField(default=False, help_text="Shared with every organisation on the platform")
    recipient_orgs = models.ManyToManyField(Organization, blank=True, related_name="shares_received")
    recipient_users = models.ManyToManyField("User", blank=True, related_name="shares_received")
    created_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.content_type.model} #{self.object_id} under TLP:{self.tlp}"

    @classmethod
    def visible_object_ids(cls, user, model):
        """Ids of objects of ``model`` that active shares let ``user`` see."""
        reach = Q(recipient_users=user)
        reach |= Q(recipient_orgs=user.organization_id) & ~Q(tlp=TLP.RED)
        reach |= Q(community=True, tlp__in=[TLP.CLEAR, TLP.GREEN])
        return (
            cls.objects.active()
            .filter(content_type=ContentType.objects.get_for_model(model))
            .filter(reach)
            .values("object_id")
        )


class ApiToken(models.Model):
    """A revocable, expiring API credential; only its SHA-256 digest is stored."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = ("digest", "last_used")

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(raw: str) -> str:
        # Tokens carry 256 bits of randomness, so a fast digest is enough: no dictionary to resist.
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "fb_" + secrets.token_urlsafe(32)

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires > timezone.now() and self.user.is_active


class LoginFailure(models.Model):
    """A failed login, kept for throttling by username and by address."""

    username = models.CharField(max_length=150, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.username} from {self.remote_addr} at {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message for an organisation (or one person of it), shown in the UI."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.title


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit trail is append-only")

    def delete(self):
        raise PermissionError("the audit trail is append-only")


class AuditEntry(models.Model):
    """One link of the hash-chained audit trail. Written only by ``core.audit.record``."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit trail is append-only")


class AuditHead(models.Model):
    """The chain's tip, one row, locked while an entry is appended so that writers queue up."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"audit head at #{self.seq}"
