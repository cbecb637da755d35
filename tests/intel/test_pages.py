"""The intelligence pages' forms, through Django's test client: subscriptions by demand type
created and edited through ``actions.save_subscription``, webhook set-up with its secret shown
once, and a sighting reported from an object's page, counted without names."""

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from forceb.core.choices import TLP
from forceb.intel import actions, stix, webhooks
from forceb.intel.models import StixObject, Subscription

from .conftest import indicator
from .test_webhooks import receiver  # noqa: F401 (fixture)

EMOTET = {"type": "malware", "spec_version": "2.1", "id": "malware--3b6d7c4e-2a1f-4c0e-9b8a-5f6e7d8c9b0a",
          "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "Emotet",
          "is_family": True}


def page(sector, who: str) -> Client:
    client = Client()
    client.force_login(getattr(sector, who))
    return client


def form_data(collection, **changes) -> dict:
    data = {"name": "phishing of banks", "collection": collection.pk, "types": ["indicator", "malware"],
            "techniques": "t1566, T1059.001", "threats": "Emotet", "vulnerabilities": "cve-2024-3400",
            "products": "FortiOS, Palo Alto", "sectors": ["financial-services"], "max_tlp": "AMBER",
            "min_confidence": "", "from_inventory": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_subscription_is_created_from_terms_by_demand_type(shared):
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1, description="Emotet loader")])
    response = page(shared, "bank_analyst").post(reverse("web:intel-subscriptions"), form_data(shared.collection))
    assert response.status_code == 302
    sub = Subscription.objects.get(owner=shared.bank)
    assert sub.terms == ["T1566", "T1059.001", "Emotet", "CVE-2024-3400", "FortiOS", "Palo Alto",
                         "financial-services"]
    assert (sub.types, sub.max_tlp, sub.collection) == (["indicator", "malware"], TLP.AMBER, shared.collection)
    assert sub.matches.count() == 1  # worked out at once, as the action does
    listed = page(shared, "bank_analyst").get(reverse("web:intel-subscriptions")).content.decode()
    assert "phishing of banks" in listed and reverse("web:intel-subscription-edit", args=[sub.pk]) in listed


@pytest.mark.parametrize(("changes", "field", "says"), [
    ({"techniques": "T1566, phishing"}, "techniques", "not an ATT&amp;CK technique id such as T1566 or T1566.001: phishing"),
    ({"vulnerabilities": "CVE-24-1"}, "vulnerabilities", "CVE-24-1"),
    ({"min_confidence": "101"}, "min_confidence", "less than or equal to 100"),
    ({"name": ""}, "name", "required"),
    ({"sectors": ["banking"]}, "sectors", "Select a valid choice"),
])
def test_form_errors_name_the_field(shared, changes, field, says):
    response = page(shared, "bank_analyst").post(reverse("web:intel-subscriptions"),
                                                 form_data(shared.collection, **changes))
    assert response.status_code == 200
    assert says in str(response.context["form"].errors[field]) or says in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_collection_the_member_does_not_read_cannot_be_chosen(shared):
    hidden = actions.create_collection(shared.hub_analyst, title="Hub only")
    response = page(shared, "bank_analyst").post(reverse("web:intel-subscriptions"), form_data(hidden))
    assert "collection" in response.context["form"].errors
    assert "Hub only" not in response.content.decode()
    assert not Subscription.objects.exists()


def test_editing_sorts_terms_back_into_their_kinds_and_saves_through_the_action(shared):
    actions.add_objects(shared.bank_analyst, shared.collection, [EMOTET, indicator(1, name="FortiOS exploit")])
    sub = actions.save_subscription(shared.bank_analyst, Subscription(
        name="by API", collection=shared.collection,
        terms=["T1566", "Emotet", "CVE-2024-3400", "FortiOS", "financial-services"]))
    client = page(shared, "bank_analyst")
    url = reverse("web:intel-subscription-edit", args=[sub.pk])
    form = client.get(url).context["form"]
    assert {k: form.initial[k] for k in ("techniques", "threats", "vulnerabilities", "products", "sectors")} == {
        "techniques": "T1566", "threats": "Emotet", "vulnerabilities": "CVE-2024-3400", "products": "FortiOS",
        "sectors": ["financial-services"]}
    assert sub.matches.count() == 2
    response = client.post(url, form_data(shared.collection, name="renamed", types=["malware"], threats="",
                                          techniques="", vulnerabilities="", products="", sectors=[],
                                          max_tlp=""))
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.name, sub.terms, sub.types) == ("renamed", [], ["malware"])
    assert [m.stix_id for m in sub.matches.all()] == [EMOTET["id"]]  # matches worked out again


@pytest.mark.parametrize("who", ["insurer_analyst", "hub_analyst", "bank_auditor", "supervisor"])
def test_other_organisations_and_readers_cannot_reach_a_subscriptions_forms(shared, who):
    sub = actions.save_subscription(shared.bank_analyst, Subscription(name="own", collection=shared.collection))
    client = page(shared, who)
    assert client.get(reverse("web:intel-subscription-edit", args=[sub.pk])).status_code == 404
    for name in ("intel-subscription-edit", "intel-subscription-webhook", "intel-subscription-webhook-clear",
                 "intel-subscription-webhook-test"):
        assert client.post(reverse(f"web:{name}", args=[sub.pk]),
                           {"url": "https://198.51.100.7/", **form_data(shared.collection)}).status_code == 404
    sub.refresh_from_db()
    assert (sub.name, sub.webhook_url) == ("own", "")


@override_settings(FORCEB_WEBHOOK_ALLOW_LOOPBACK=True)
def test_webhook_set_up_from_the_page_shows_the_secret_once(shared, receiver):  # noqa: F811
    sub = actions.save_subscription(shared.bank_analyst, Subscription(name="hooked", collection=shared.collection))
    client = page(shared, "bank_analyst")
    response = client.post(reverse("web:intel-subscription-webhook", args=[sub.pk]), {"url": receiver.url})
    sub.refresh_from_db()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert sub.webhook_secret in text and "hmac.compare_digest" in text
    # Afterwards the secret is never shown again.
    edit = client.get(reverse("web:intel-subscription-edit", args=[sub.pk])).content.decode()
    assert receiver.url in edit and sub.webhook_secret not in edit

    tested = client.post(reverse("web:intel-subscription-webhook-test", args=[sub.pk]), follow=True)
    assert "it answered 204" in tested.content.decode()
    headers, body = receiver.requests[-1]
    assert webhooks.verify(sub.webhook_secret, headers["X-Forceb-Timestamp"], body, headers["X-Forceb-Signature"])

    client.post(reverse("web:intel-subscription-webhook-clear", args=[sub.pk]))
    sub.refresh_from_db()
    assert (sub.webhook_url, sub.webhook_secret) == ("", "")


def test_a_refused_webhook_url_is_a_form_error(shared):
    sub = actions.save_subscription(shared.bank_analyst, Subscription(name="hooked", collection=shared.collection))
    response = page(shared, "bank_analyst").post(reverse("web:intel-subscription-webhook", args=[sub.pk]),
                                                 {"url": "http://198.51.100.7/hook"})
    assert response.status_code == 200
    assert "https" in str(response.context["webhook_form"].errors["url"])
    sub.refresh_from_db()
    assert sub.webhook_url == "" and sub.webhook_secret == ""


def test_a_sighting_reported_from_the_page_is_counted_without_names(shared):
    shared.collection.writers.add(shared.insurer)
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    row = StixObject.objects.get(stix_id=indicator(1)["id"])
    url = reverse("web:intel-object", args=[row.pk])
    client = page(shared, "insurer_analyst")
    assert 'data-testid="report-sighting"' in client.get(url).content.decode()
    response = client.post(reverse("web:intel-object-sighting", args=[row.pk]), {
        "collection": shared.collection.pk, "count": "4", "first_seen": "2026-11-01T08:30",
        "last_seen": "2026-11-02T09:00", "note": "on the e-banking proxy"})
    assert response.status_code == 302 and response["Location"] == url
    sighting = json.loads(StixObject.objects.get(type="sighting").body)
    assert (sighting["count"], sighting["first_seen"], sighting["description"]) == (
        4, "2026-11-01T08:30:00.000000Z", "on the e-banking proxy")
    assert "where_sighted_refs" not in sighting
    assert sighting["created_by_ref"] == stix.organisation_identity_id("hub")  # republished by the hub
    shown = page(shared, "bank_analyst").get(url).content.decode()
    assert "1 organisation, 4 sightings" in shown
    assert "insurer" not in shown.lower()


def test_sighting_form_errors_and_refusals(shared):
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1), indicator(2, tlp=TLP.RED)])
    row = StixObject.objects.get(stix_id=indicator(1)["id"])
    target = reverse("web:intel-object-sighting", args=[row.pk])
    wrong = page(shared, "bank_analyst").post(target, {
        "collection": shared.collection.pk, "count": "0", "first_seen": "2026-11-02T09:00",
        "last_seen": "2026-11-01T09:00"})
    assert wrong.status_code == 200
    errors = wrong.context["sighting_form"].errors
    assert "count" in errors and "before the first" in str(errors["last_seen"])
    assert not StixObject.objects.filter(type="sighting").exists()
    # An auditor sees no form and is refused; an object one may not read does not exist.
    auditor = page(shared, "bank_auditor")
    assert b"report-sighting" not in auditor.get(reverse("web:intel-object", args=[row.pk])).content
    assert auditor.post(target, {"collection": shared.collection.pk, "count": "1"}).status_code == 403
    red = StixObject.objects.get(stix_id=indicator(2)["id"])
    assert page(shared, "insurer_analyst").post(reverse("web:intel-object-sighting", args=[red.pk]),
                                                {"count": "1"}).status_code == 404
    # The insurer reads the collection but writes none: no form, and a POST is refused.
    insurer = page(shared, "insurer_analyst")
    assert b"report-sighting" not in insurer.get(reverse("web:intel-object", args=[row.pk])).content
    assert insurer.post(target, {"collection": shared.collection.pk, "count": "1"}).status_code == 403
    assert not StixObject.objects.filter(type="sighting").exists()
