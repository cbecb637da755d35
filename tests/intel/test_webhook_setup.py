"""Setting up a subscription's webhook outside code: the REST API, the CLI (and the page, in
test_pages.py). The secret is given once, the hub's URL rule holds everywhere, another
organisation's subscription does not exist, and a test delivery reaches a real receiver."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from forceb.core.models import AuditEntry
from forceb.intel import actions, webhooks
from forceb.intel.models import Subscription

from .conftest import indicator
from .test_webhooks import receiver  # noqa: F401 (fixture)

API = "/api/intel/subscriptions"


@pytest.fixture
def sub(shared):
    return actions.save_subscription(shared.bank_analyst,
                                     Subscription(name="for the SOC", collection=shared.collection))


@override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True)
def test_api_sets_tests_and_clears_a_webhook(shared, sub, receiver, django_capture_on_commit_callbacks):  # noqa: F811
    client = shared.client(shared.bank_analyst)
    answer = client.post(f"{API}/{sub.pk}/webhook/", {"url": receiver.url}, format="json")
    assert answer.status_code == 201
    secret = answer.json()["secret"]
    assert answer.json()["url"] == receiver.url and "HMAC-SHA256" in answer.json()["signature"]
    # The secret is never served again: not in the subscription, not in the audit trail.
    shown = client.get(f"{API}/{sub.pk}/").json()
    assert shown["webhook_url"] == receiver.url and secret not in json.dumps(shown)
    assert not any(secret in json.dumps([e.before, e.after], default=str) for e in AuditEntry.objects.all())

    tested = client.post(f"{API}/{sub.pk}/webhook/test/")
    assert tested.status_code == 200 and tested.json() == {"delivered": True, "status": 204}
    headers, body = receiver.requests[-1]
    assert webhooks.verify(secret, headers["X-Forceb-Timestamp"], body, headers["X-Forceb-Signature"])
    assert json.loads(body)["type"] == "forceb-subscription-test" and json.loads(body)["objects"] == []

    with django_capture_on_commit_callbacks(execute=True):
        actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    assert json.loads(receiver.requests[-1][1])["objects"][0]["id"] == indicator(1)["id"]

    assert client.delete(f"{API}/{sub.pk}/webhook/").status_code == 204
    sub.refresh_from_db()
    assert (sub.webhook_url, sub.webhook_secret) == ("", "")
    refused = client.post(f"{API}/{sub.pk}/webhook/test/")
    assert refused.status_code == 400 and "no webhook" in json.dumps(refused.json())


def test_a_failing_receiver_is_reported(shared, sub, receiver):  # noqa: F811
    receiver.statuses = [500]
    with override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True):
        actions.set_webhook(shared.bank_analyst, sub, receiver.url)
        answer = shared.client(shared.bank_analyst).post(f"{API}/{sub.pk}/webhook/test/")
    assert answer.status_code == 400 and "answered 500" in json.dumps(answer.json())


@pytest.mark.parametrize(("url", "says"), [
    ("http://203.0.113.9/hook", "https"),  # a public address, but in clear
    ("https://10.0.0.5/hook", "not a public address"),
    ("https://127.0.0.1/hook", "not a public address"),  # loopback only when the setting allows
    ("ftp://example.com/x", "https"),
    ("https://[203.0.113.9/hook", "not a URL"),
    ("", "blank"),
])
def test_api_refuses_urls_the_hub_will_not_call(shared, sub, url, says):
    answer = shared.client(shared.bank_analyst).post(f"{API}/{sub.pk}/webhook/", {"url": url}, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["url"] and says in json.dumps(answer.json())
    sub.refresh_from_db()
    assert sub.webhook_url == "" and sub.webhook_secret == ""


def test_plain_http_goes_to_loopback_only_and_only_with_the_setting():
    with pytest.raises(webhooks.RefusedTarget, match="https"):
        webhooks.check_target("http://127.0.0.1:9/hook")
    with override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True):
        webhooks.check_target("http://127.0.0.1:9/hook")
        with pytest.raises(webhooks.RefusedTarget, match="https"):
            webhooks.check_target("http://8.8.8.8/hook")  # public, but in clear: no traffic is sent


@override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True)
def test_another_organisations_subscription_does_not_exist(shared, sub):
    for who in (shared.insurer_analyst, shared.hub_analyst):
        client = shared.client(who)
        assert client.post(f"{API}/{sub.pk}/webhook/", {"url": "http://127.0.0.1:9/"}, format="json").status_code == 404
        assert client.delete(f"{API}/{sub.pk}/webhook/").status_code == 404
        assert client.post(f"{API}/{sub.pk}/webhook/test/").status_code == 404
    # People of the organisation whose role does not write are refused, not told it is absent.
    auditor = shared.client(shared.bank_auditor)
    assert auditor.post(f"{API}/{sub.pk}/webhook/", {"url": "http://127.0.0.1:9/"}, format="json").status_code == 403
    sub.refresh_from_db()
    assert sub.webhook_url == ""


@override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True)
def test_cli_sets_tests_and_clears_a_webhook(shared, sub, receiver):  # noqa: F811
    out = io.StringIO()
    call_command("intel", "webhook", "set", str(sub.uuid), receiver.url, "--as", shared.bank_analyst.username,
                 stdout=out, stderr=io.StringIO())
    secret = out.getvalue().strip()
    sub.refresh_from_db()
    assert sub.webhook_url == receiver.url and sub.webhook_secret == secret
    out = io.StringIO()
    call_command("intel", "webhook", "test", str(sub.pk), stdout=out)  # the organisation's first writer acts
    assert "answered 204" in out.getvalue()
    headers, body = receiver.requests[-1]
    assert webhooks.verify(secret, headers["X-Forceb-Timestamp"], body, headers["X-Forceb-Signature"])
    entry = AuditEntry.objects.filter(object_id=str(sub.pk)).order_by("pk").last()
    assert entry.actor_id is not None and entry.actor.organization_id == shared.bank.pk
    call_command("intel", "webhook", "clear", str(sub.uuid), stdout=io.StringIO())
    sub.refresh_from_db()
    assert sub.webhook_url == ""


def test_cli_says_what_is_wrong(shared, sub):
    with pytest.raises(CommandError, match="https"):
        call_command("intel", "webhook", "set", str(sub.pk), "http://203.0.113.9/x", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not your organisation"):
        call_command("intel", "webhook", "set", str(sub.pk), "https://203.0.113.9/x", "--as",
                     shared.insurer_analyst.username, stdout=io.StringIO())
    with pytest.raises(CommandError, match="no subscription"):
        call_command("intel", "webhook", "clear", "00000000-0000-4000-8000-000000000000", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no webhook"):
        call_command("intel", "webhook", "test", str(sub.pk), stdout=io.StringIO())
