"""Signal handlers that write the audit trail for every audited model and every login."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import audit
from .choices import AuditAction
from .models import AuditEntry, AuditHead, LoginFailure, Notification, Share

# Rows that are bookkeeping of the trail itself, or whose changes are recorded by their action
# with a more meaningful verb (a Share is recorded as 'share' / 'unshare').
NOT_AUDITED = (AuditEntry, AuditHead, LoginFailure, Share, Notification)


def _is_audited(sender) -> bool:
    # The platform's own models only: framework bookkeeping (migrations, sessions, task rows) is not
    # a change anyone makes.
    return sender.__module__.startswith("forceb.") and not issubclass(sender, NOT_AUDITED)


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(sender) or instance.pk is None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = audit.snapshot(previous) if previous is not None else None


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    after = audit.snapshot(instance)
    if created:
        audit.record(AuditAction.CREATE, instance, after=after)
        return
    before = getattr(instance, "_audit_before", None)
    if before == after:
        return
    audit.record(AuditAction.UPDATE, instance, before=before, after=after)


@receiver(pre_delete)
def _remember_deleted(sender, instance, **kwargs):
    # Cascades delete related rows in an order of Django's choosing; by post_delete a row's
    # __str__ may need a row that is already gone (a dependency names its source service).
    if _is_audited(sender):
        instance._audit_repr = str(instance)[:200]


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    audit.record(AuditAction.DELETE, instance, before=audit.snapshot(instance),
                 object_repr=getattr(instance, "_audit_repr", ""))


def _address(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs):
    audit.record(AuditAction.LOGIN, user, actor=audit.Actor(user=user, remote_addr=_address(request)))


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditAction.LOGOUT, user, actor=audit.Actor(user=user, remote_addr=_address(request)))


@receiver(user_login_failed)
def _record_login_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    LoginFailure.objects.create(username=username, remote_addr=_address(request))
    audit.record(AuditAction.LOGIN_FAILED, object_type_label="core.user", object_repr=username,
                 actor=audit.Actor(remote_addr=_address(request), label=username or "anonymous"))
