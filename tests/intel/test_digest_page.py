"""The digest of a subscription in the UI: its page lists what matched since the last digest (or
since the ``since`` of the digest notification, or in the last 7/30/90 days), by type, only what
the person reading it may read; only the subscribing organisation reaches it."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forceb.core.choices import TLP
from forceb.core.models import Notification
from forceb.intel import actions
from forceb.intel.models import StixObject, Subscription

from .conftest import indicator
from .test_subscriptions import VULN, subscribe


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(sub, **query) -> str:
    path = reverse("web:intel-subscription", args=[sub.pk])
    return path + ("?" + urlencode(query) if query else "")


def row_of(stix_id) -> StixObject:
    return StixObject.objects.get(stix_id=stix_id, is_latest=True)


def object_link(stix_id) -> str:
    return reverse("web:intel-object", args=[row_of(stix_id).pk])


def test_the_page_shows_what_matched_since_the_last_digest(shared):
    sub = subscribe(shared.insurer_analyst, shared.collection, name="vulnerabilities and indicators",
                    types=["indicator", "vulnerability"], terms=["CVE-2024-3400", "bad address"])
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    assert actions.send_digests() == 1
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(2), VULN])
    text = browser(shared.insurer_analyst).get(url(sub)).content.decode()
    assert object_link(indicator(2)["id"]) in text and object_link(VULN["id"]) in text
    assert object_link(indicator(1)["id"]) not in text  # announced in the digest already
    assert "indicator (1)" in text and "vulnerability (1)" in text  # counts by type
    assert "CVE-2024-3400" in text and reverse("web:intel-subscription-edit", args=[sub.pk]) in text
    assert f"/taxii2/hub/collections/{sub.uuid}/objects/" in text
    assert "none sent yet" not in text and "not set" in text  # a digest was sent, no webhook
    # A 7-day window also holds what the digest announced.
    week = browser(shared.insurer_analyst).get(url(sub, days=7)).content.decode()
    assert all(object_link(o["id"]) in week for o in (indicator(1), indicator(2), VULN))
    only = browser(shared.insurer_analyst).get(url(sub, days=7, type="vulnerability")).content.decode()
    assert object_link(VULN["id"]) in only and object_link(indicator(2)["id"]) not in only


def test_the_digest_notification_opens_the_page_for_its_period(shared):
    sub = subscribe(shared.insurer_analyst, shared.collection, types=["indicator"])
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1), indicator(2)])
    assert actions.send_digests() == 1
    notice = Notification.objects.get(organization=shared.insurer)
    assert notice.link.startswith(reverse("web:intel-subscription", args=[sub.pk]) + "?since=")
    response = browser(shared.insurer_analyst).get(notice.link)
    assert response.status_code == 200
    text = response.content.decode()
    # The period of the digest, although the digest has been sent since.
    assert object_link(indicator(1)["id"]) in text and object_link(indicator(2)["id"]) in text
    assert "2 matching versions" in text
    default = browser(shared.insurer_analyst).get(url(sub)).content.decode()
    assert object_link(indicator(1)["id"]) not in default


def test_a_match_the_person_may_not_read_is_not_listed(shared):
    sub = subscribe(shared.bank_admin, shared.collection, types=["indicator"])
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1), indicator(2, tlp=TLP.RED)])
    assert sub.matches.count() == 2
    # TLP:RED reaches the person who contributed it, not the rest of their organisation.
    admin = browser(shared.bank_admin).get(url(sub, days=7)).content.decode()
    assert object_link(indicator(1)["id"]) in admin
    assert object_link(indicator(2)["id"]) not in admin and "bad address 2" not in admin
    assert "1 matching version " in admin
    contributor = browser(shared.bank_analyst).get(url(sub, days=7)).content.decode()
    assert object_link(indicator(2)["id"]) in contributor


def test_a_collection_no_longer_read_lists_nothing(shared):
    sub = subscribe(shared.insurer_analyst, shared.collection, types=["indicator"])
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    assert object_link(indicator(1)["id"]) in browser(shared.insurer_analyst).get(url(sub, days=7)).content.decode()
    shared.collection.readers.remove(shared.insurer)
    response = browser(shared.insurer_analyst).get(url(sub, days=7))
    assert response.status_code == 200  # the subscription is still the insurer's
    text = response.content.decode()
    assert object_link(indicator(1)["id"]) not in text and "Nothing you may read matched" in text


@pytest.mark.parametrize("who", ["bank_admin", "bank_analyst", "hub_analyst", "supervisor"])
def test_another_organisation_gets_404(shared, who):
    sub = subscribe(shared.insurer_analyst, shared.collection)
    assert browser(getattr(shared, who)).get(url(sub)).status_code == 404


def test_every_role_of_the_subscriber_reads_it_and_only_writers_are_offered_the_edit(shared):
    sub = subscribe(shared.bank_analyst, shared.collection)
    edit = reverse("web:intel-subscription-edit", args=[sub.pk])
    reader = browser(shared.bank_auditor).get(url(sub))
    assert reader.status_code == 200 and edit not in reader.content.decode()
    assert edit in browser(shared.bank_analyst).get(url(sub)).content.decode()


def test_the_subscriptions_list_links_each_subscription_to_its_page(shared):
    sub = subscribe(shared.insurer_analyst, shared.collection, name="indicators")
    listed = browser(shared.insurer_analyst).get(reverse("web:intel-subscriptions")).content.decode()
    assert url(sub) in listed


@pytest.mark.parametrize(("query", "says"), [
    ({"days": "14"}, "days: '14' is not one of 7, 30, 90"),
    ({"since": "yesterday"}, "since: 'yesterday' is not a timestamp"),
    ({"days": "<b>7</b>"}, "days: '<b>7</b>' is not one of"),
])
def test_a_bad_period_is_refused_naming_it(shared, query, says):
    sub = subscribe(shared.insurer_analyst, shared.collection)
    response = browser(shared.insurer_analyst).get(url(sub, **query))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")  # what was typed is never markup
    assert says in response.content.decode()


def test_a_page_of_many_matches_costs_a_bounded_number_of_queries(shared, django_assert_max_num_queries):
    sub = subscribe(shared.insurer_analyst, shared.collection, types=["indicator"])
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(n) for n in range(120)] + [VULN])
    Subscription.objects.filter(pk=sub.pk).update(digest_until=timezone.now() - timedelta(days=1))
    client = browser(shared.insurer_analyst)
    with django_assert_max_num_queries(10):
        response = client.get(url(sub, page=2))
    text = response.content.decode()
    assert response.status_code == 200 and "page 2 of 3" in text and "120 in all" in text
