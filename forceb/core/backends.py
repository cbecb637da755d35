"""Password authentication with throttling of failed logins by username and by address."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from .models import LoginFailure


def is_locked(username: str, remote_addr: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.FORCEB_LOGIN_WINDOW_SECONDS)
    limit = settings.FORCEB_LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(at__gte=since)
    by_name = recent.filter(username=username).count()
    # An address is given more room than one account: several people may sit behind one NAT.
    by_addr = recent.filter(Q(remote_addr=remote_addr)).count() if remote_addr else 0
    return by_name >= limit or by_addr >= limit * 4


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        remote_addr = request.META.get("REMOTE_ADDR") if request is not None else None
        if username is not None and is_locked(username, remote_addr):
            # Raising stops every backend and fires user_login_failed, which records this attempt too.
            raise PermissionDenied("too many failed logins; try again later")
        return super().authenticate(request, username=username, password=password, **kwargs)
