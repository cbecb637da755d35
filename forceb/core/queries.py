"""Reads of the core, already narrowed to what the requesting person may see."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .choices import ADMIN_ROLES, Role
from .models import ApiToken, AuditEntry, Notification, Organization, Share, User


def organizations(user):
    """Every organisation's name, kind, sector and tier is known across the sector (to share with)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.all()


def people(user):
    if user.role == Role.PLATFORM_ADMIN:
        return User.objects.select_related("organization")
    if user.role in ADMIN_ROLES | {Role.AUDITOR}:
        return User.objects.filter(organization_id=user.organization_id).select_related("organization")
    return User.objects.filter(pk=user.pk).select_related("organization")


def tokens(user):
    if user.role in ADMIN_ROLES:
        return ApiToken.objects.filter(user__organization_id=user.organization_id).select_related("user")
    return ApiToken.objects.filter(user=user).select_related("user")


def shares(user):
    """Shares the person's organisation made or received."""
    org = user.organization_id
    received = Q(recipient_orgs=org) & ~Q(tlp="RED") | Q(recipient_users=user) | Q(community=True)
    return (Share.objects.filter(Q(shared_by_id=org) | Q(owner_id=org) | received)
            .select_related("content_type", "owner", "shared_by").distinct())


def shares_of(obj):
    return Share.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk) \
        .prefetch_related("recipient_orgs", "recipient_users").select_related("shared_by")


def audit_entries(user):
    """Auditors and admins read their organisation's trail; anyone else only their own entries.

    The platform admin too reads only its organisation's entries: the before/after of a member's
    rows is that member's data, which leaves it only through a share. The admin checks the whole
    chain's integrity with ``verify``, which shows no content.
    """
    if user.role in ADMIN_ROLES | {Role.AUDITOR}:
        return AuditEntry.objects.filter(organization_id=user.organization_id)
    return AuditEntry.objects.filter(actor=user)


def notifications(user):
    return Notification.objects.filter(organization_id=user.organization_id).filter(Q(user=None) | Q(user=user))
