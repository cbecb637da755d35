"""TAXII 2.1 over HTTP: media types, error objects, authentication, and the view wrapper.

The TAXII views are plain Django views (no DRF) so that a page of objects costs little more
than its query. They authenticate only from the ``Authorization`` header (HTTP Basic over the
platform's users, or ``Token``), which is why they can be exempt from CSRF: a browser's cookie
alone never writes through them. A signed-in browser session may read (GET) for the UI's sake.
"""

import base64
import binascii
import json
from functools import wraps

from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from forceb.core import access, audit
from forceb.core.authentication import user_for_token
from forceb.core.backends import is_locked
from forceb.core.choices import AuditAction

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
#: Largest request body the API root accepts (advertised as max_content_length).
MAX_CONTENT_LENGTH = 10 * 1024 * 1024
#: Objects one POST may carry: each is validated while the client waits (a few milliseconds each),
#: so a larger contribution is split into several envelopes (or imported with the CLI).
MAX_OBJECTS_PER_ENVELOPE = 1000
#: Page size when the client gives no limit, and the most the server returns in one page.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
REALM = 'Basic realm="FORCE-B TAXII", Token'
#: Seconds during which further TAXII reads with the same token are not recorded again.
READ_AUDIT_WINDOW = 600


class TaxiiError(Exception):
    """An answer that is a TAXII error message (section 3.6.1)."""

    def __init__(self, status: int, title: str, description: str = "", details: dict | None = None):
        super().__init__(title)
        self.status = status
        self.title = title
        self.description = description
        self.details = details

    def response(self) -> HttpResponse:
        body = {"title": self.title, "http_status": str(self.status)}
        if self.description:
            body["description"] = self.description
        if self.details:
            body["details"] = self.details
        response = taxii_response(json.dumps(body), status=self.status)
        if self.status == 401:
            response["WWW-Authenticate"] = REALM
        return response


def taxii_response(text: str, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type=TAXII_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def json_response(data: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    return taxii_response(json.dumps(data, separators=(",", ":")), status=status, headers=headers)


def _media_ranges(header: str):
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        params = {}
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        yield media, params


def accepts_taxii(header: str | None) -> bool:
    """Whether an Accept header admits TAXII 2.1 JSON (section 1.6.8.1). A missing header
    admits anything; a TAXII media range must name version 2.1 or no version."""
    if not header:
        return True
    for media, params in _media_ranges(header):
        if params.get("q") in ("0", "0.0", "0.00", "0.000"):
            continue
        if media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json" and params.get("version", "2.1") == "2.1":
            return True
    return False


def is_taxii_content(header: str | None) -> bool:
    if not header:
        return False
    for media, params in _media_ranges(header):
        return media == "application/taxii+json" and params.get("version", "2.1") == "2.1"
    return False


def request_user(request):
    """The person a TAXII request acts for, or None. Raises TaxiiError(401) on bad credentials."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credentials = header.partition(" ")
    scheme = scheme.lower()
    credentials = credentials.strip()
    if scheme == "basic":
        try:
            username, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise TaxiiError(401, "Malformed Basic credentials") from exc
        # Failures are recorded by the login-failed signal handler; the lock is checked here too
        # so that throttling holds whichever backends the settings list.
        if is_locked(username, request.META.get("REMOTE_ADDR")):
            raise TaxiiError(401, "Authentication failed", "too many failed logins; try again later")
        user = authenticate(request, username=username, password=password)
        if user is None:
            raise TaxiiError(401, "Authentication failed", "unknown user, wrong password, or too many failures")
        return user
    if scheme == "token":
        token = user_for_token(credentials) if credentials else None
        if token is None:
            raise TaxiiError(401, "Authentication failed", "invalid, expired or revoked token")
        # A TAXII client walks a collection page by page: every write is recorded, reads once per
        # token and window, so the trail says who pulled what without one entry per page.
        if request.method != "GET" or cache.add(f"intel:taxii-read:{token.pk}", 1, READ_AUDIT_WINDOW):
            audit.record(AuditAction.TOKEN_USE, token,
                         after={"method": request.method, "path": request.path[:200], "via": "taxii"},
                         actor=audit.Actor(user=token.user, remote_addr=request.META.get("REMOTE_ADDR")))
        return token.user
    if header:
        raise TaxiiError(401, "Unsupported authentication scheme", "use HTTP Basic or 'Token <token>'")
    session_user = getattr(request, "user", None)
    if request.method == "GET" and session_user is not None and session_user.is_authenticated:
        return session_user
    return None


def taxii_view(*methods: str):
    """Wrap a TAXII view: method check, authentication (401), Accept (406), errors as TAXII
    error objects. The view receives the authenticated person as its second argument."""

    def decorate(view):
        @wraps(view)
        def run(request, *args, **kwargs):
            try:
                user = request_user(request)
                if user is None:
                    raise TaxiiError(401, "Authentication required", "use HTTP Basic or 'Token <token>'")
                if not user.is_active or user.organization_id is None:
                    raise TaxiiError(403, "This account may not use the TAXII service")
                if request.method not in methods:
                    raise TaxiiError(405, "Method not allowed", f"allowed: {', '.join(methods)}")
                if not accepts_taxii(request.META.get("HTTP_ACCEPT")):
                    raise TaxiiError(406, "Not acceptable", f"this server answers in {TAXII_MEDIA_TYPE}")
                token = audit.set_actor(user=user, remote_addr=request.META.get("REMOTE_ADDR"))
                try:
                    return view(request, user, *args, **kwargs)
                finally:
                    audit.reset_actor(token)
            except TaxiiError as error:
                response = error.response()
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        # Who may reach these routes: any signed-in person; what each sees is narrowed by the
        # collection's readers/writers and the TLP rule in intel.queries.
        return csrf_exempt(access.policy(access.SIGNED_IN)(run))

    return decorate
