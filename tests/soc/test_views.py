"""The SOC's pages: the list and its figures, reporting through the form, one ticket with its
correlations, the hub's triage, and the tickets section of an intelligence object's page."""

import pytest
from django.test import Client
from django.urls import reverse

from forceb.intel import actions as intel_actions
from forceb.intel.models import StixObject
from forceb.soc import actions
from forceb.soc.models import Ticket

from .conftest import document
from .test_correlation import indicator


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_what_one_may_see_and_the_figures(soc):
    actions.submit_ticket(soc.bank_analyst, document(title="bank phishing"))
    actions.submit_ticket(soc.insurer_analyst, document(title="insurer phishing"))
    page = browser(soc.bank_analyst).get(reverse("web:soc-tickets")).content.decode()
    assert "bank phishing" in page and "insurer phishing" not in page and "Report a ticket" in page
    hub = browser(soc.hub_analyst).get(reverse("web:soc-tickets")).content.decode()
    assert "bank phishing" in hub and "insurer phishing" in hub and "Report a ticket" not in hub
    supervisor = browser(soc.supervisor).get(reverse("web:soc-tickets")).content.decode()
    assert "The sector's tickets: 2" in supervisor and "bank phishing" not in supervisor


def test_reporting_through_the_form(soc):
    client = browser(soc.bank_analyst)
    assert client.get(reverse("web:soc-ticket-new")).status_code == 200
    form = {"title": "Card skimming", "description": "skimmer posts to hxxp://skim[.]example/p",
            "detected_at": "2026-09-03T08:00", "category": "fraud", "severity": "high", "impact_scope": "customers",
            "tlp": "AMBER", "observables": "sha-256 " + "ab" * 32 + "\nipv4-addr 8.8.4.4"}
    response = client.post(reverse("web:soc-ticket-new"), form)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:soc-ticket", kwargs={"pk": ticket.pk})
    assert set(ticket.values.values_list("kind", "value")) == {
        ("sha-256", "ab" * 32), ("ipv4-addr", "8.8.4.4"), ("url", "http://skim.example/p"),
        ("domain-name", "skim.example")}


def test_the_form_names_the_problem_and_stores_nothing(soc):
    form = {"title": "x", "detected_at": "2026-09-03T08:00", "category": "fraud", "severity": "high",
            "impact_scope": "none", "tlp": "AMBER", "observables": "ipv4-addr 300.1.1.1"}
    page = browser(soc.bank_analyst).post(reverse("web:soc-ticket-new"), form).content.decode()
    assert "observables[0].value: &#x27;300.1.1.1&#x27; is not an IP address" in page
    assert not Ticket.objects.exists()


def test_only_member_writers_reach_the_form(soc):
    for who in ("hub_analyst", "supervisor", "bank_auditor"):
        assert browser(getattr(soc, who)).get(reverse("web:soc-ticket-new")).status_code == 404


def test_a_tickets_page_shows_links_within_reach_and_a_count_otherwise(soc):
    mine = actions.submit_ticket(soc.bank_analyst, document(title="bank phishing"))
    actions.submit_ticket(soc.insurer_analyst, document(title="insurer secret incident"))
    intel_actions.add_objects(soc.bank_analyst, soc.collection, [indicator(1, "GREEN")])
    url = reverse("web:soc-ticket", kwargs={"pk": mine.pk})
    page = browser(soc.bank_analyst).get(url).content.decode()
    assert StixObject.objects.get().stix_id[:20] in page
    assert "1 other ticket you may not see" in page and "insurer secret incident" not in page
    assert 'data-testid="triage"' not in page
    hub = browser(soc.hub_analyst).get(url).content.decode()
    assert "insurer secret incident" in hub and 'data-testid="triage"' in hub
    assert browser(soc.insurer_analyst).get(url).status_code == 404


def test_the_hub_triages_from_the_page(soc):
    ticket = actions.submit_ticket(soc.bank_analyst, document())
    url = reverse("web:soc-ticket-triage", kwargs={"pk": ticket.pk})
    assert browser(soc.bank_admin).post(url, {"status": "closed"}).status_code == 404
    response = browser(soc.hub_analyst).post(url, {"status": "triaged", "priority": "P2", "note": "seen"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.triage_note) == ("triaged", "P2", "seen")


def test_an_intel_objects_page_lists_the_tickets_naming_it(soc):
    actions.submit_ticket(soc.bank_analyst, document(title="bank phishing"))
    actions.submit_ticket(soc.insurer_analyst, document(title="insurer secret incident"))
    intel_actions.add_objects(soc.bank_analyst, soc.collection, [indicator(1, "GREEN")])
    url = reverse("web:intel-object", kwargs={"pk": StixObject.objects.get().pk})
    page = browser(soc.bank_analyst).get(url).content.decode()
    assert 'data-testid="tickets-naming"' in page and "bank phishing" in page
    assert "1 ticket you may not see" in page and "insurer secret incident" not in page


@pytest.mark.slow
def test_demo_tickets_overlap_the_demo_intelligence_and_seed_idempotently(db):
    from forceb.core import demo as core_demo
    from forceb.intel import demo as intel_demo
    from forceb.inventory import demo as inventory_demo
    from forceb.soc import demo, queries

    context = core_demo.DemoContext(password="demo-password-123")
    core_demo.seed(context)
    inventory_demo.seed(context)
    intel_demo.seed(context)
    demo.seed(context)
    count = Ticket.objects.count()
    assert count == len(context.members) * demo.PER_MEMBER
    hub = context.users["demo-hub-analyst"]
    linked = [c for t in Ticket.objects.all()[:10] for c in queries.correlations(hub, t) if c.intel]
    assert linked, "demo tickets name values of the demo indicators"
    assert Ticket.objects.filter(status="triaged").exists()
    demo.seed(context)
    assert Ticket.objects.count() == count
