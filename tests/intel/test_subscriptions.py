"""Subscriptions by demand type, served as the member's own TAXII collection, and automatic
subscriptions from what the member uses (its suppliers)."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied

from forceb.core import actions as core_actions
from forceb.core.choices import TLP
from forceb.intel import actions, matching
from forceb.intel.models import Subscription
from forceb.inventory.models import Supplier, SupplierRelationship

from .conftest import TAXII, indicator

PHISHING = {"type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--0a3ead4e-6d47-4ccb-854c-a6a4f9d96b22",
            "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z", "name": "Phishing",
            "external_references": [{"source_name": "mitre-attack", "external_id": "T1566"}]}
VULN = {"type": "vulnerability", "spec_version": "2.1", "id": "vulnerability--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "CVE-2024-3400",
        "description": "command injection in PAN-OS GlobalProtect (Palo Alto Networks)",
        "external_references": [{"source_name": "cve", "external_id": "CVE-2024-3400"}]}


def subscribe(user, collection, **fields) -> Subscription:
    return actions.save_subscription(user, Subscription(name=fields.pop("name", "mine"), collection=collection,
                                                        **fields))


def served(sector, user, sub) -> list[str]:
    response = sector.client(user).get(f"/taxii2/hub/collections/{sub.uuid}/objects/", HTTP_ACCEPT=TAXII)
    assert response.status_code == 200
    return sorted(o["id"] for o in json.loads(response.content).get("objects", []))


def test_demand_by_type_technique_and_cve(shared):
    actions.add_objects(shared.hub_analyst, shared.collection, [indicator(1), PHISHING, VULN])
    by_type = subscribe(shared.insurer_analyst, shared.collection, types=["vulnerability"])
    by_technique = subscribe(shared.insurer_analyst, shared.collection, name="phishing", terms=["t1566"])
    by_cve = subscribe(shared.bank_analyst, shared.collection, terms=["CVE-2024-3400"])
    assert served(shared, shared.insurer_analyst, by_type) == [VULN["id"]]
    assert served(shared, shared.insurer_analyst, by_technique) == [PHISHING["id"]]
    assert served(shared, shared.bank_analyst, by_cve) == [VULN["id"]]


def test_matches_are_worked_out_when_objects_arrive(shared):
    sub = subscribe(shared.insurer_analyst, shared.collection, types=["indicator"], max_tlp=TLP.GREEN)
    actions.add_objects(shared.bank_analyst, shared.collection,
                        [indicator(1), indicator(2, tlp=TLP.AMBER), PHISHING])
    assert served(shared, shared.insurer_analyst, sub) == [indicator(1)["id"]]


def test_confidence_floor(shared):
    actions.add_objects(shared.bank_analyst, shared.collection,
                        [indicator(1, confidence=90), indicator(2, confidence=20), indicator(3)])
    sub = subscribe(shared.insurer_analyst, shared.collection, min_confidence=50)
    assert served(shared, shared.insurer_analyst, sub) == [indicator(1)["id"]]


def test_automatic_subscription_from_the_members_suppliers(shared):
    palo = core_actions.save_object(Supplier(name="Palo Alto Networks", registry_id="TW-1"))
    core_actions.save_object(SupplierRelationship(owner=shared.insurer, supplier=palo))
    sub = subscribe(shared.insurer_analyst, shared.collection, name="what we use", from_inventory=True)
    bank_sub = subscribe(shared.bank_analyst, shared.collection, name="what we use", from_inventory=True)
    actions.add_objects(shared.hub_analyst, shared.collection, [VULN, PHISHING])
    assert served(shared, shared.insurer_analyst, sub) == [VULN["id"]]
    assert served(shared, shared.bank_analyst, bank_sub) == []  # the bank does not use that supplier


def test_a_subscription_is_a_read_only_collection_of_its_owner(shared):
    sub = subscribe(shared.insurer_analyst, shared.collection, types=["indicator"])
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    listed = json.loads(shared.client(shared.insurer_analyst).get("/taxii2/hub/collections/",
                                                                  HTTP_ACCEPT=TAXII).content)["collections"]
    mine = next(c for c in listed if c["id"] == str(sub.uuid))
    assert (mine["can_read"], mine["can_write"]) == (True, False)
    response = shared.client(shared.insurer_analyst).post(
        f"/taxii2/hub/collections/{sub.uuid}/objects/", data=json.dumps({"objects": [indicator(2)]}),
        content_type=TAXII, HTTP_ACCEPT=TAXII)
    assert response.status_code == 403
    other = shared.client(shared.bank_analyst).get(f"/taxii2/hub/collections/{sub.uuid}/objects/", HTTP_ACCEPT=TAXII)
    assert other.status_code == 404


def test_tlp_still_applies_through_a_subscription(shared):
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1, tlp=TLP.AMBER_STRICT)])
    sub = subscribe(shared.insurer_analyst, shared.collection)
    assert sub.matches.count() == 1  # matched, but the insurer may not read it
    assert served(shared, shared.insurer_analyst, sub) == []


def test_subscribing_needs_a_writer_role_and_a_readable_collection(shared):
    with pytest.raises(PermissionDenied):
        subscribe(shared.bank_auditor, shared.collection)
    private = actions.create_collection(shared.hub_analyst, title="hub only")
    with pytest.raises(PermissionDenied):
        subscribe(shared.bank_analyst, private)


def test_terms_match_inside_longer_names_case_insensitively():
    criteria = matching.Criteria(terms=("t1566",))
    sub_technique = dict(PHISHING, external_references=[{"source_name": "mitre-attack", "external_id": "T1566.001"}])
    assert matching.matches(sub_technique, TLP.CLEAR, criteria)
    assert not matching.matches(VULN, TLP.CLEAR, criteria)
    assert matching.matches(VULN, TLP.RED, matching.Criteria())
    assert not matching.matches(VULN, TLP.RED, matching.Criteria(max_tlp=TLP.AMBER))


def test_digest_tells_each_subscriber_what_is_new_once(shared):
    from django.core.management import call_command

    from forceb.core.models import Notification

    sub = subscribe(shared.insurer_analyst, shared.collection, name="indicators", types=["indicator"])
    actions.add_objects(shared.bank_analyst, shared.collection,
                        [indicator(1), indicator(2), indicator(3, tlp=TLP.AMBER_STRICT), VULN])
    assert actions.send_digests() == 1
    notice = Notification.objects.get(organization=shared.insurer)
    assert notice.title == "2 new for your subscription 'indicators'"  # AMBER+STRICT is not the insurer's
    assert notice.body == "2 indicator"
    assert notice.link.startswith(f"/intel/subscriptions/{sub.pk}/?since=")  # its page: test_digest_page.py
    assert actions.send_digests() == 0  # nothing new since
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(4)])
    out = io.StringIO()
    call_command("intel", "digests", stdout=out)
    assert out.getvalue().strip() == "sent 1 digest(s)"
    assert Notification.objects.filter(organization=shared.insurer).count() == 2


def test_a_red_object_is_never_in_an_organisations_digest(shared):
    subscribe(shared.bank_admin, shared.collection, name="all")
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1, tlp=TLP.RED)])
    assert actions.send_digests() == 0
