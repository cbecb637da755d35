"""Signed webhook delivery of subscriptions: a real HTTP receiver on 127.0.0.1 checks the
signature and the body; failures are retried; private targets are refused."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from forceb.core.choices import TLP
from forceb.intel import actions, webhooks
from forceb.intel.models import Subscription

from .conftest import indicator


class Receiver:
    """A tiny webhook receiver: records each request, answers the next status of ``statuses``
    (then 204)."""

    def __init__(self):
        self.requests, self.statuses = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


def subscribe(user, collection, **fields):
    return actions.save_subscription(user, Subscription(name="hooked", collection=collection, **fields))


@override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True)
def test_new_matches_are_posted_signed(shared, receiver, django_capture_on_commit_callbacks):
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(0)])  # before the hook: not sent
    sub = subscribe(shared.insurer_analyst, shared.collection, types=["indicator"])
    secret = actions.set_webhook(shared.insurer_analyst, sub, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_objects(shared.bank_analyst, shared.collection,
                            [indicator(1), indicator(2, tlp=TLP.AMBER), indicator(3, tlp=TLP.RED)])
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert webhooks.verify(secret, headers["X-Forceb-Timestamp"], body, headers["X-Forceb-Signature"])
    assert not webhooks.verify("another-secret", headers["X-Forceb-Timestamp"], body, headers["X-Forceb-Signature"])
    assert not webhooks.verify(secret, headers["X-Forceb-Timestamp"], body + b" ", headers["X-Forceb-Signature"])
    # A captured delivery replayed later fails: the timestamp is signed and must be fresh.
    stale = int(headers["X-Forceb-Timestamp"]) + 3600
    assert not webhooks.verify(secret, headers["X-Forceb-Timestamp"], body, headers["X-Forceb-Signature"], now=stale)
    envelope = json.loads(body)
    assert envelope["subscription"]["id"] == str(sub.uuid)
    # AMBER reaches a member organisation; RED reaches named people only, never a webhook.
    assert sorted(o["id"] for o in envelope["objects"]) == sorted([indicator(1)["id"], indicator(2)["id"]])
    # Nothing new: nothing is sent again.
    from forceb.intel.tasks import deliver_webhook_task

    deliver_webhook_task.enqueue(sub.pk)
    assert len(receiver.requests) == 1


@override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True)
def test_failures_are_retried_with_the_same_delivery_id(shared, receiver):
    sub = subscribe(shared.insurer_analyst, shared.collection)
    actions.set_webhook(shared.insurer_analyst, sub, receiver.url)
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    receiver.statuses = [500, 503]
    from forceb.intel.tasks import deliver_webhook_task

    deliver_webhook_task.enqueue(sub.pk)
    assert len(receiver.requests) == 3
    assert len({h["X-Forceb-Delivery"] for h, _ in receiver.requests}) == 1
    sub.refresh_from_db()
    assert sub.webhook_until is not None
    deliver_webhook_task.enqueue(sub.pk)
    assert len(receiver.requests) == 3  # delivered once accepted, not again


@override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True)
def test_retries_stop_after_the_last_attempt(shared, receiver):
    from forceb.intel.tasks import WEBHOOK_ATTEMPTS, deliver_webhook_task

    sub = subscribe(shared.insurer_analyst, shared.collection)
    actions.set_webhook(shared.insurer_analyst, sub, receiver.url)
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    receiver.statuses = [500] * 20
    deliver_webhook_task.enqueue(sub.pk)
    assert len(receiver.requests) == WEBHOOK_ATTEMPTS
    receiver.statuses = []
    deliver_webhook_task.enqueue(sub.pk)  # still pending: the next run delivers it
    assert len(receiver.requests) == WEBHOOK_ATTEMPTS + 1


@pytest.mark.parametrize("url", ["http://127.0.0.1/hook", "http://localhost:8080/", "http://10.0.0.5/",
                                 "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]/", "ftp://example.com/", "file:///etc/passwd",
                                 "http://user:pw@203.0.113.9/"])
def test_private_and_non_http_targets_are_refused(shared, url):
    sub = subscribe(shared.insurer_analyst, shared.collection)
    with pytest.raises(ValidationError):
        actions.set_webhook(shared.insurer_analyst, sub, url)
    sub.refresh_from_db()
    assert sub.webhook_url == "" and sub.webhook_secret == ""


def test_loopback_allowed_only_by_the_setting(shared):
    sub = subscribe(shared.insurer_analyst, shared.collection)
    with override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True):
        secret = actions.set_webhook(shared.insurer_analyst, sub, "http://127.0.0.1:9/hook")
    assert len(secret) >= 40
    with pytest.raises(webhooks.RefusedTarget):
        webhooks.check_target("http://127.0.0.1:9/hook")
    with override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True), pytest.raises(webhooks.RefusedTarget):
        webhooks.check_target("http://10.1.2.3/hook")  # the setting opens loopback, not private networks


def test_only_the_owner_sets_a_webhook_and_the_secret_is_not_audited(shared):
    from django.core.exceptions import PermissionDenied

    from forceb.core.models import AuditEntry

    sub = subscribe(shared.insurer_analyst, shared.collection)
    with pytest.raises(PermissionDenied):
        actions.set_webhook(shared.bank_analyst, sub, "https://203.0.113.9/hook")
    with override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True):
        secret = actions.set_webhook(shared.insurer_analyst, sub, "http://127.0.0.1:9/hook")
    entries = [json.dumps([e.before, e.after], default=str) for e in AuditEntry.objects.all()]
    assert any("127.0.0.1:9/hook" in entry for entry in entries)  # the change is audited...
    assert not any(secret in entry for entry in entries)  # ...without the secret


@override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True)
def test_a_cleared_webhook_receives_nothing(shared, receiver, django_capture_on_commit_callbacks):
    sub = subscribe(shared.insurer_analyst, shared.collection)
    actions.set_webhook(shared.insurer_analyst, sub, receiver.url)
    actions.clear_webhook(shared.insurer_analyst, sub)
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    assert receiver.requests == []
    sub.refresh_from_db()
    assert (sub.webhook_url, sub.webhook_secret) == ("", "")
