"""The intelligence pages: each renders for the people who may use it, and what TLP hides from
someone is absent from their lists, searches and details (a hidden object is a 404)."""

import pytest
from django.test import Client
from django.urls import reverse

from forceb.core.choices import TLP
from forceb.intel import actions
from forceb.intel.models import Subscription

from . import test_api

# The same objects as the API tests: one indicator per TLP level, tied to a technique.
marked = test_api.marked

PEOPLE = ["bank_analyst", "bank_auditor", "insurer_analyst", "hub_analyst", "supervisor"]


def page(sector, who: str) -> Client:
    client = Client()
    client.force_login(getattr(sector, who))
    return client


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("name", ["intel-browse", "intel-subscriptions", "intel-sightings", "intel-leaderboard"])
def test_pages_render_for_every_signed_in_role(marked, who, name):
    response = page(marked, who).get(reverse(f"web:{name}"))
    assert response.status_code == 200
    assert b"Intelligence" in response.content or name != "intel-browse"


def test_pages_ask_strangers_to_sign_in(db):
    response = Client().get(reverse("web:intel-browse"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(("who", "hidden"), [
    ("insurer_analyst", {TLP.RED, TLP.AMBER_STRICT}),
    ("hub_analyst", {TLP.RED}),
    ("supervisor", {TLP.RED, TLP.AMBER_STRICT, TLP.AMBER}),
])
def test_hidden_objects_are_absent_from_lists_search_and_details(marked, who, hidden):
    client = page(marked, who)
    listed = client.get(reverse("web:intel-browse")).content.decode()
    searched = client.get(reverse("web:intel-browse"), {"q": "marked"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in searched  # htmx gets the results only
    for level, row in marked.by_tlp.items():
        label = f"marked {level}<"
        detail = client.get(reverse("web:intel-object", kwargs={"pk": row.pk}))
        if level in hidden:
            assert label not in listed and label not in searched
            assert detail.status_code == 404
        else:
            assert label in listed and label in searched
            assert detail.status_code == 200


def test_filters_by_type_tlp_and_technique(marked):
    client = page(marked, "insurer_analyst")
    by_tlp = client.get(reverse("web:intel-browse"), {"tlp": "AMBER"}).content.decode()
    assert "marked AMBER<" in by_tlp and "marked GREEN<" not in by_tlp
    by_technique = client.get(reverse("web:intel-browse"), {"technique": "T1566", "type": "indicator"}).content.decode()
    assert "marked GREEN<" in by_technique and "marked CLEAR<" not in by_technique


def test_detail_draws_relationships_from_json_data(marked):
    green = marked.by_tlp[TLP.GREEN]
    html = page(marked, "insurer_analyst").get(reverse("web:intel-object", kwargs={"pk": green.pk})).content.decode()
    assert 'id="intel-graph-data" type="application/json"' in html and "indicates" in html
    assert "intel/graph.js" in html and "Phishing" in html
    assert "<script>" not in html  # no inline script: the CSP forbids it


def test_subscriptions_created_listed_and_deleted_by_their_organisation(marked):
    bank = page(marked, "bank_analyst")
    response = bank.post(reverse("web:intel-subscriptions"), {
        "name": "phishing", "collection": marked.collection.pk, "types": ["indicator"], "techniques": "T1566",
        "products": "marked"})
    assert response.status_code == 302
    sub = Subscription.objects.get(name="phishing")
    assert sub.owner == marked.bank and sub.terms == ["T1566", "marked"]
    assert "phishing" in bank.get(reverse("web:intel-subscriptions")).content.decode()
    insurer = page(marked, "insurer_analyst")
    assert "phishing" not in insurer.get(reverse("web:intel-subscriptions")).content.decode()
    delete = reverse("web:intel-subscription-delete", kwargs={"pk": sub.pk})
    assert insurer.post(delete).status_code == 404
    assert page(marked, "bank_auditor").post(delete).status_code == 404
    assert bank.post(delete).status_code == 302
    assert not Subscription.objects.filter(pk=sub.pk).exists()


def test_sightings_page_counts_without_naming(marked):
    sightings = actions.create_collection(marked.hub_analyst, title="Sightings", readers=[marked.bank, marked.insurer],
                                          writers=[marked.bank, marked.insurer])
    green = marked.by_tlp[TLP.GREEN]
    actions.report_sighting(marked.bank_analyst, sightings, sighting_of=green.stix_id, count=4)
    actions.report_sighting(marked.insurer_analyst, sightings, sighting_of=green.stix_id, count=1)
    html = page(marked, "insurer_analyst").get(reverse("web:intel-sightings")).content.decode()
    assert "marked GREEN" in html and "<td>2</td><td>5</td>" in html
    assert marked.bank.name not in html.split("</header>", 1)[1]


def test_leaderboard_shows_the_scoring_rules(marked):
    html = page(marked, "insurer_analyst").get(reverse("web:intel-leaderboard")).content.decode()
    assert marked.bank.name in html and "early: the first to share an indicator pattern" in html
    assert page(marked, "insurer_analyst").get(reverse("web:intel-leaderboard"), {"quarter": 7}).status_code == 404
