"""``Authorization: Token <token>`` for the REST API, over hashed, expiring, revocable tokens."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from . import audit
from .choices import AuditAction
from .models import ApiToken


def user_for_token(raw: str):
    """The active user a raw token belongs to, or None; records the use in the audit trail."""
    token = (
        ApiToken.objects.select_related("user", "user__organization")
        .filter(digest=ApiToken.digest_of(raw))
        .first()
    )
    if token is None or not token.is_valid:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Token header must be 'Token <token>'.")
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Token contains invalid characters.") from exc
        token = user_for_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        remote_addr = request.META.get("REMOTE_ADDR")
        # The middleware ran before DRF knew the user; from here on entries name the token's owner.
        audit.set_actor(user=token.user, remote_addr=remote_addr)
        audit.record(AuditAction.TOKEN_USE, token, after={"method": request.method, "path": request.path[:200]},
                     actor=audit.Actor(user=token.user, remote_addr=remote_addr))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
