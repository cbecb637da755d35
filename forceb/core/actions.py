"""Every write of the core: organisations, people, tokens, sharing and notifications.

Each action owns its transaction; the audit entries are written by the audit signal handlers
(creates, updates, deletes) or here (shares, token events), inside the same transaction.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import audit, tlp
from .choices import ADMIN_ROLES, AuditAction, OrganizationKind
from .models import ApiToken, Notification, Organization, Share, User


@transaction.atomic
def create_organization(*, slug: str, name: str, kind: str, sector: str = "", tier: int | None = None) -> Organization:
    org = Organization(slug=slug, name=name, kind=kind, sector=sector or "", tier=tier)
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def create_user(*, username: str, organization: Organization, role: str, password: str | None = None,
                email: str = "", check_password: bool = True) -> User:
    user = User(username=username, organization=organization, role=role, email=email)
    user.full_clean(exclude=["password"])
    if password:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def set_password(user: User, password: str, *, check_password: bool = True) -> None:
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def create_token(user: User, *, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; the raw value is returned once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[3 : 3 + ApiToken.PREFIX_LENGTH],
        digest=ApiToken.digest_of(raw),
        expires=timezone.now() + timedelta(days=days or settings.FORCEB_TOKEN_DEFAULT_DAYS),
    )
    return token, raw


@transaction.atomic
def revoke_token(actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk and not (actor.role in ADMIN_ROLES and token.user.organization_id == actor.organization_id):
        raise PermissionDenied("only the token's owner or an admin of its organisation may revoke it")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(AuditAction.TOKEN_REVOKE, token)


def _received_marking(org_id: int, obj) -> str | None:
    """The marking under which organisation ``org_id`` holds ``obj`` from others (strictest wins)."""
    received = (Share.objects.active()
                .filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, recipient_orgs=org_id)
                .values_list("tlp", flat=True))
    return tlp.strictest(received)


def _may_pass_on(org: Organization, obj) -> str | None:
    """The marking that binds ``org`` when it passes on ``obj`` it does not own, or None if it may not.

    Only what the organisation itself received counts (not what a person of it was named in), and
    when it received the object more than once the strictest marking binds it.
    """
    received = _received_marking(org.pk, obj)
    if received is None or not tlp.reshare_allowed(received, recipient_is_hub=org.is_hub):
        return None
    return received


@transaction.atomic
def share_object(actor: User, obj, *, tlp_marking: str, recipient_orgs=(), recipient_users=(),
                 community: bool = False) -> Share:
    """Let ``obj`` reach the named organisations, people or the community under a TLP marking:
    as its owner, or as a recipient whose marking lets it pass the object on, never lowering it."""
    tlp_marking = tlp.TLP(tlp_marking)
    if not actor.can_write:
        raise PermissionDenied("your role may not share")
    if obj.owner_id != actor.organization_id:
        received = _received_marking(actor.organization_id, obj)
        if received is None:
            raise PermissionDenied("you may share only your organisation's objects or what you may pass on")
        if not tlp.reshare_allowed(received, recipient_is_hub=actor.organization.is_hub):
            raise tlp.SharingRefused(f"TLP:{received} does not let its recipient pass it on")
        if tlp.RANK[tlp_marking] < tlp.RANK[received]:
            raise tlp.SharingRefused(f"a reshare keeps at least the original marking TLP:{received}")
    recipient_orgs = list(recipient_orgs)
    recipient_users = list(recipient_users)
    tlp.check_share(tlp_marking, community=community, recipient_orgs=len(recipient_orgs),
                    recipient_users=len(recipient_users))
    share = Share.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, owner_id=obj.owner_id,
        shared_by=actor.organization, tlp=tlp_marking, community=community, created_by=actor,
    )
    share.recipient_orgs.set(recipient_orgs)
    share.recipient_users.set(recipient_users)
    audit.record(
        AuditAction.SHARE, obj,
        after={"share": share.pk, "tlp": tlp_marking, "community": community,
               "shared_by": actor.organization.slug,
               "recipient_orgs": sorted(o.slug for o in recipient_orgs),
               "recipient_users": sorted(u.username for u in recipient_users)},
    )
    return share


@transaction.atomic
def unshare(actor: User, share: Share) -> None:
    """Withdraw a share, and with it every reshare made on its strength.

    The organisation that made the share may withdraw it, and so may the object's owner: the
    source keeps control of where its information goes. A recipient that passed the object on
    (the hub, under AMBER) and thereby loses its own right to it also loses its reshares;
    otherwise withdrawing the share to the hub would leave the hub's audience still reading.
    """
    if not actor.can_write or actor.organization_id not in (share.shared_by_id, share.owner_id):
        raise PermissionDenied("only the organisation that made a share, or the object's owner, may withdraw it")
    if share.revoked_at is not None:
        raise ValidationError("this share is already withdrawn")
    obj = share.content_type.get_object_for_this_type(pk=share.object_id)
    _revoke(actor, share, obj, reason="withdrawn")
    while True:
        orphans = [s for s in Share.objects.active().filter(content_type=share.content_type, object_id=share.object_id)
                   .exclude(shared_by_id=share.owner_id).select_related("shared_by")
                   if not _reshare_still_allowed(s, obj)]
        if not orphans:
            return
        for orphan in orphans:
            _revoke(actor, orphan, obj, reason="its sharer no longer holds the object")


def _reshare_still_allowed(share: Share, obj) -> bool:
    received = _may_pass_on(share.shared_by, obj)
    return received is not None and tlp.RANK[share.tlp] >= tlp.RANK[received]


def _revoke(actor: User, share: Share, obj, *, reason: str) -> None:
    share.revoked_at = timezone.now()
    share.revoked_by = actor
    share.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(AuditAction.UNSHARE, obj,
                 before={"share": share.pk, "tlp": share.tlp, "shared_by": share.shared_by.slug,
                         "reason": reason})


def notify(organization: Organization, title: str, *, body: str = "", link: str = "", user: User | None = None) -> Notification:
    return Notification.objects.create(organization=organization, user=user, title=title[:200], body=body, link=link)


@transaction.atomic
def mark_notification_read(actor: User, notification: Notification) -> None:
    if notification.organization_id != actor.organization_id:
        raise PermissionDenied("not your organisation's notification")
    notification.read_at = timezone.now()
    notification.save(update_fields=["read_at"])


def hub() -> Organization | None:
    return Organization.objects.filter(kind=OrganizationKind.HUB).order_by("pk").first()


def supervisor() -> Organization | None:
    return Organization.objects.filter(kind=OrganizationKind.SUPERVISOR).order_by("pk").first()



@transaction.atomic
def save_object(instance):
    """Validate and save one row (create or update): the single write path of the CRUD screens and API."""
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def delete_object(instance) -> None:
    instance.delete()
