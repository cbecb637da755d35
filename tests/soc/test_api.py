"""``/api/soc/``: intake, cross-tenant 404s, the hub's triage, correlations and the summary."""

import pytest
from django.urls import reverse

from forceb.intel import actions as intel_actions
from forceb.intel.models import StixObject
from forceb.soc import actions
from forceb.soc.models import Ticket

from .conftest import document
from .test_correlation import indicator

TICKETS = "/api/soc/tickets/"


def detail(ticket):
    return f"{TICKETS}{ticket.pk}/"


def test_a_member_reports_a_ticket_through_the_api(soc):
    response = soc.client(soc.bank_analyst).post(TICKETS, document(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == "bank-a" and body["status"] == "new" and body["submitted_by"] == "bank-analyst"
    assert {"kind": "domain-name", "value": "secure-login-1.example", "source": "observable"} in body["values"]
    assert body["url"].endswith(detail(Ticket.objects.get()))


def test_a_malformed_ticket_is_a_400_naming_each_place(soc):
    bad = document(severity="apocalyptic", observables=[{"type": "ipv4-addr", "value": "1.2.3"}])
    response = soc.client(soc.bank_analyst).post(TICKETS, bad, format="json")
    assert response.status_code == 400
    assert response.json() == {"severity": ["'apocalyptic' is not one of low, medium, high, critical"],
                               "observables[0].value": ["'1.2.3' is not an IP address"]}
    assert not Ticket.objects.exists()


def test_read_only_fields_in_a_body_are_ignored(soc):
    response = soc.client(soc.bank_analyst).post(TICKETS, document(status="closed", priority="P1"), format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["priority"]) == ("new", "")


@pytest.mark.parametrize("who", ["bank_auditor", "supervisor", "hub_analyst"])
def test_who_may_not_report_is_refused(soc, who):
    response = soc.client(getattr(soc, who)).post(TICKETS, document(), format="json")
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_other_members_and_the_supervisor_get_404_the_hub_reads(soc):
    ticket = actions.submit_ticket(soc.bank_analyst, document())
    for who in ("insurer_admin", "insurer_analyst", "supervisor"):
        client = soc.client(getattr(soc, who))
        assert client.get(detail(ticket)).status_code == 404
        assert client.get(f"{detail(ticket)}correlations/").status_code == 404
        assert client.get(TICKETS).json()["count"] == 0
    assert soc.client(soc.insurer_admin).patch(detail(ticket), {"title": "x"}, format="json").status_code == 404
    assert soc.client(soc.insurer_admin).delete(detail(ticket)).status_code == 404
    hub = soc.client(soc.hub_analyst)
    assert hub.get(detail(ticket)).status_code == 200
    assert hub.get(TICKETS).json()["count"] == 1
    # Reading is not changing: the hub changes a ticket only by triage.
    assert hub.patch(detail(ticket), {"title": "x"}, format="json").status_code == 404
    assert Ticket.objects.get().title == "Phishing against online banking"


def test_the_owner_amends_and_values_follow(soc):
    ticket = actions.submit_ticket(soc.bank_analyst, document())
    response = soc.client(soc.bank_admin).patch(detail(ticket), {"observables": [], "description": "8.8.4.4"},
                                                format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["values"] == [{"kind": "ipv4-addr", "value": "8.8.4.4", "source": "text"}]
    response = soc.client(soc.bank_admin).patch(detail(ticket), {"detected_at": "soon"}, format="json")
    assert response.status_code == 400 and "detected_at" in response.json()


def test_the_hub_triages_members_cannot(soc):
    ticket = actions.submit_ticket(soc.bank_analyst, document())
    url = f"{detail(ticket)}triage/"
    assert soc.client(soc.bank_admin).post(url, {"priority": "P1"}, format="json").status_code == 404
    assert soc.client(soc.platform_admin).post(url, {"priority": "P1"}, format="json").status_code == 404
    response = soc.client(soc.hub_analyst).post(url, {"status": "in-progress", "priority": "P1"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["priority"], response.json()["triaged_by"]) == (
        "in-progress", "P1", "hub-analyst")
    assert soc.client(soc.hub_analyst).post(url, {"priority": "P9"}, format="json").status_code == 400


def test_filters(soc):
    actions.submit_ticket(soc.bank_analyst, document())
    other = actions.submit_ticket(soc.bank_analyst, document(title="DDoS", category="ddos", observables=[],
                                                             description="from 8.8.4.4"))
    client = soc.client(soc.bank_analyst)
    assert [t["id"] for t in client.get(TICKETS, {"category": "ddos"}).json()["results"]] == [other.pk]
    assert [t["id"] for t in client.get(TICKETS, {"value": "8.8.4.4"}).json()["results"]] == [other.pk]
    assert client.get(TICKETS, {"status": "closed"}).json()["count"] == 0


def test_correlations_show_a_count_never_the_other_members_ticket(soc):
    mine = actions.submit_ticket(soc.bank_analyst, document())
    actions.submit_ticket(soc.insurer_analyst, document(title="insurer secret incident"))
    response = soc.client(soc.bank_analyst).get(f"{detail(mine)}correlations/")
    assert response.status_code == 200
    assert "insurer" not in response.content.decode()
    domain = next(c for c in response.json() if c["value"] == "secure-login-1.example")
    assert domain["tickets"] == [] and domain["unseen_tickets"] == 1


def test_an_intel_objects_tickets(soc):
    actions.submit_ticket(soc.bank_analyst, document())
    actions.submit_ticket(soc.insurer_analyst, document(title="insurer secret incident"))
    intel_actions.add_objects(soc.bank_analyst, soc.collection, [indicator(1, "GREEN")])
    row = StixObject.objects.get()
    url = reverse("api:soc:intel-object-tickets", kwargs={"pk": row.pk})
    body = soc.client(soc.insurer_analyst).get(url).json()
    assert [t["title"] for t in body[0]["tickets"]] == ["insurer secret incident"]
    assert body[0]["unseen_tickets"] == 1 and "Phishing against" not in str(body)
    assert soc.client(soc.insurer_analyst).get(reverse("api:soc:intel-object-tickets",
                                                       kwargs={"pk": row.pk + 100})).status_code == 404


def test_summary(soc):
    actions.submit_ticket(soc.bank_analyst, document())
    body = soc.client(soc.supervisor).get(f"{TICKETS}summary/").json()
    assert body["scope"] == "sector" and body["total"] == 1 and body["by_category"] == {"phishing": 1}
    assert soc.client(soc.insurer_analyst).get(f"{TICKETS}summary/").json()["total"] == 0


def test_the_list_does_not_query_per_ticket(soc, django_assert_max_num_queries):
    for n in range(5):
        actions.submit_ticket(soc.bank_analyst, document(title=f"t{n}"))
    client = soc.client(soc.hub_analyst)
    client.get(TICKETS)
    with django_assert_max_num_queries(12):
        assert client.get(TICKETS).json()["count"] == 5
