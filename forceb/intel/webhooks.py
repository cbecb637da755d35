"""Signed webhook delivery of subscriptions (issue 4, item 4).

A subscription may name an http(s) URL; what newly matches it is POSTed there as one JSON
envelope, signed with HMAC-SHA256 under the subscription's own secret:

    X-Forceb-Timestamp: <unix seconds>
    X-Forceb-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>
    X-Forceb-Delivery:  <uuid of this delivery, the same on every retry>

The timestamp is part of the signed string, so a receiver that refuses stale timestamps (five
minutes, see docs/intel.md) cannot be fed a captured delivery again. Targets on private,
link-local, loopback or otherwise non-public addresses are refused (the hub must not be made to
call into its own network), and so is plain http: a delivery carries TLP:AMBER intelligence,
which may not cross the internet in clear. ``FORCEB_WEBHOOK_ALLOW_LOOPBACK`` lets loopback
through, over http too, for tests and a receiver on the same machine. Redirects are not
followed, since they could lead there.

Signing and the address rule are plain Python; ``deliver`` reads the subscription's new matches
through the same organisation-wide TLP rule as the digest (never TLP:RED).
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import stix
from .models import Collection, Subscription

SIGNATURE_HEADER = "X-Forceb-Signature"
TIMESTAMP_HEADER = "X-Forceb-Timestamp"
DELIVERY_HEADER = "X-Forceb-Delivery"
#: Objects per POST; a larger backlog goes out in several deliveries, oldest first.
BATCH = 500
TIMEOUT = 10
CLEAR_TEXT = "a webhook URL is https://: deliveries carry intelligence that may not travel in clear"


class RefusedTarget(ValueError):
    """A webhook URL the hub will not call."""


class DeliveryFailed(RuntimeError):
    """The receiver did not answer 2xx (or could not be reached): the delivery is retried."""


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of ``X-Forceb-Signature`` for this body sent at this timestamp."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, *, now: float | None = None,
           tolerance: int = 300) -> bool:
    """What a receiver does (documented for them; used by the tests as the receiver)."""
    try:
        fresh = abs((now or time.time()) - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), header)


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "FORCEB_WEBHOOK_ALLOW_LOOPBACK", False))


def check_target(url: str) -> None:
    """Raise ``RefusedTarget`` unless ``url`` is https and every address its host resolves to
    is public (or http(s) to loopback, when allowed). Checked when the URL is set and before each
    POST, since what a name resolves to can change."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # an unclosed [IPv6] bracket, a port out of range...
        raise RefusedTarget(f"not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget("a webhook URL is https:// with a host")
    if parts.username or parts.password:
        raise RefusedTarget("a webhook URL carries no credentials; the signature authenticates the hub")
    if parts.scheme != "https" and not _loopback_allowed():
        raise RefusedTarget(CLEAR_TEXT)
    try:
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, ValueError) as exc:  # ValueError: a NUL in the name; UnicodeError is one
        raise RefusedTarget(f"the host {parts.hostname!r} does not resolve") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_loopback and _loopback_allowed():
            continue
        if not address.is_global or address.is_multicast:
            raise RefusedTarget(f"{parts.hostname} resolves to {address}, which is not a public address")
        if parts.scheme != "https":
            raise RefusedTarget(CLEAR_TEXT)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, secret: str, body: bytes, delivery: str) -> int:
    """POST a signed body; returns the status, raises ``DeliveryFailed`` unless it is 2xx."""
    check_target(url)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 (check_target: http(s) only)
        "Content-Type": "application/json", "User-Agent": "FORCE-B webhooks",
        TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body),
        DELIVERY_HEADER: delivery})
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryFailed(f"{url}: {exc}") from exc
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{url} answered {status}")
    return status


def pending(subscription: Subscription, now=None):
    """The subscription's matches not yet delivered, that its whole organisation may read."""
    from .queries import organisation_reach

    owner = subscription.owner
    readable = Collection.objects.filter(pk=subscription.collection_id).filter(
        Q(owner=owner) | Q(readers=owner)).exists()
    if not readable:
        return subscription.matches.none()
    since = subscription.webhook_until or subscription.created
    found = subscription.matches.filter(date_added__gt=since).filter(organisation_reach(owner))
    if now is not None:
        found = found.filter(date_added__lte=now)
    return found.order_by("date_added")


def envelope(subscription: Subscription, bodies: list[str], delivery: str, *,
             kind: str = "forceb-subscription-delivery") -> bytes:
    """The JSON body of one delivery; objects are the stored STIX JSON, as TAXII serves it."""
    head = json.dumps({"type": kind, "delivery": delivery,
                       "subscription": {"id": str(subscription.uuid), "name": subscription.name},
                       "sent": stix.format_timestamp(timezone.now())}, separators=(",", ":"))
    return (head[:-1] + ',"objects":[' + ",".join(bodies) + "]}").encode()


def send_test(subscription: Subscription) -> int:
    """POST a signed delivery without objects (``"type": "forceb-subscription-test"``) so that a
    receiver can check its signature verification; returns the receiver's status, raises
    ``DeliveryFailed`` or ``RefusedTarget``. Nothing is marked delivered."""
    ident = str(uuid.uuid4())
    return post(subscription.webhook_url, subscription.webhook_secret,
                envelope(subscription, [], ident, kind="forceb-subscription-test"), ident)


def deliver(subscription: Subscription, delivery: str | None = None) -> int:
    """Send what newly matched, in batches, moving ``webhook_until`` after each accepted one.
    Returns how many objects were delivered; raises ``DeliveryFailed`` (what was accepted before
    stays delivered)."""
    if not subscription.webhook_url or not subscription.webhook_secret:
        return 0
    now = timezone.now()
    sent = 0
    while True:
        rows = list(pending(subscription, now).values_list("body", "date_added")[:BATCH])
        if not rows:
            return sent
        # The first batch keeps the caller's delivery id, so a retry is recognisable as one.
        ident = delivery if (delivery and sent == 0) else str(uuid.uuid4())
        post(subscription.webhook_url, subscription.webhook_secret,
             envelope(subscription, [body for body, _ in rows], ident), ident)
        subscription.webhook_until = rows[-1][1]
        Subscription.objects.filter(pk=subscription.pk).update(webhook_until=subscription.webhook_until)
        sent += len(rows)
