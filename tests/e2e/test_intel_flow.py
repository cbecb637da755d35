"""The intelligence pages in a real browser: a member analyst subscribes by demand type and
reports a sighting of an indicator; the object's page then counts it without naming anyone."""

import pytest

from forceb.intel import actions
from forceb.intel.models import StixObject, Subscription
from tests.intel.conftest import indicator

from .conftest import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_a_member_subscribes_and_reports_a_sighting(page, sector):
    collection = actions.create_collection(sector.hub_analyst, title="Sector indicators",
                                           readers=[sector.bank, sector.insurer], writers=[sector.bank])
    actions.add_objects(sector.bank_analyst, collection, [indicator(1, description="Emotet loader, T1566.001")])
    row = StixObject.objects.get(stix_id=indicator(1)["id"])
    sign_in(page, sector.bank_analyst.username, sector.password)

    page.goto("/intel/subscriptions/")
    page.get_by_role("textbox", name="Name:", exact=True).fill("Phishing against banks")
    page.get_by_label("Collection").select_option(label="Sector indicators")
    page.get_by_label("indicator", exact=True).check()
    page.get_by_label("ATT&CK techniques").fill("T1566")
    page.get_by_label("Malware and threat actors").fill("Emotet")
    page.get_by_label("Sectors targeted").select_option("financial-services")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_text("Subscribed: Phishing against banks (1 matching now)").wait_for()
    table = page.get_by_test_id("subscriptions")
    assert table.get_by_text("Phishing against banks").is_visible()
    assert table.get_by_text("T1566, Emotet, financial-services").is_visible()
    assert Subscription.objects.get(owner=sector.bank).matches.count() == 1

    table.get_by_role("link", name="Phishing against banks").click()
    page.get_by_test_id("period").wait_for()
    # What matched before the subscription is in no digest, but it is in a window.
    assert page.get_by_test_id("period").inner_text().startswith("0 matching versions")
    page.get_by_test_id("windows").get_by_role("link", name="30 days").click()
    page.get_by_test_id("period").get_by_text("in the last 30 days").wait_for()
    assert page.get_by_test_id("by-type").inner_text().strip() == "indicator (1)"
    assert page.get_by_test_id("objects").get_by_role("link", name="bad address 1").is_visible()

    page.goto(f"/intel/objects/{row.pk}/")
    assert page.get_by_test_id("sightings").inner_text().startswith("0 organisations")
    page.get_by_text("Report a sighting").click()
    page.get_by_label("Count").fill("3")
    page.get_by_label("First seen (UTC)").fill("2026-11-01T08:30")
    page.get_by_label("Note").fill("seen on the e-banking proxy")
    page.get_by_role("button", name="Report sighting").click()
    page.get_by_text("Sighting reported anonymously").wait_for()
    assert page.get_by_test_id("sightings").inner_text().startswith("1 organisation, 3 sightings")
    assert page.console_errors == []
