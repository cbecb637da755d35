"""Correlation of tickets with intelligence and with each other, within what each person may see
on both sides: a member never learns that another member's ticket exists beyond a count."""

import pytest

from forceb.core import actions as core_actions
from forceb.intel import actions as intel_actions
from forceb.intel import stix
from forceb.intel.models import CorrelationExclusion, StixObject
from forceb.soc import actions, queries

from .conftest import document

DOMAIN = "secure-login-1.example"


def indicator(n, tlp, value=DOMAIN):
    return {"type": "indicator", "spec_version": "2.1", "id": f"indicator--00000000-0000-4000-8000-00000000000{n}",
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "pattern": f"[domain-name:value = '{value}']", "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z", "object_marking_refs": [stix.TLP2_MARKING[tlp]]}


@pytest.fixture
def linked(soc):
    """Bank and insurer tickets naming one domain; a GREEN indicator of the bank and an
    AMBER+STRICT one of the insurer naming it too (the bank may not read the latter)."""
    soc.bank_ticket = actions.submit_ticket(soc.bank_analyst, document(title="bank phishing"))
    soc.insurer_ticket = actions.submit_ticket(soc.insurer_analyst, document(title="insurer secret incident",
                                                                             tlp="RED"))
    intel_actions.add_objects(soc.bank_analyst, soc.collection, [indicator(1, "GREEN")])
    intel_actions.add_objects(soc.insurer_analyst, soc.collection, [indicator(2, "AMBER+STRICT")])
    soc.green = StixObject.objects.get(stix_id=indicator(1, "GREEN")["id"])
    soc.strict = StixObject.objects.get(stix_id=indicator(2, "GREEN")["id"])
    return soc


def the(found, value=DOMAIN):
    return next(c for c in found if c.value == value)


def test_a_member_sees_readable_intel_and_only_a_count_of_other_members_tickets(linked):
    c = the(queries.correlations(linked.bank_analyst, linked.bank_ticket))
    assert c.intel == [linked.green]
    assert c.tickets == [] and c.unseen_tickets == 1


def test_the_hub_sees_every_link(linked):
    c = the(queries.correlations(linked.hub_analyst, linked.bank_ticket))
    assert set(c.intel) == {linked.green, linked.strict}
    assert c.tickets == [linked.insurer_ticket] and c.unseen_tickets == 0


def test_a_shared_ticket_becomes_a_link(linked):
    core_actions.share_object(linked.insurer_admin, linked.insurer_ticket, tlp_marking="AMBER",
                              recipient_orgs=[linked.bank])
    c = the(queries.correlations(linked.bank_analyst, linked.bank_ticket))
    assert c.tickets == [linked.insurer_ticket] and c.unseen_tickets == 0


def test_an_intel_objects_page_shows_the_tickets_one_may_see_and_counts_the_rest(linked):
    bank = the(queries.tickets_naming(linked.bank_analyst, linked.green))
    assert bank.tickets == [linked.bank_ticket] and bank.unseen_tickets == 1
    supervisor = the(queries.tickets_naming(linked.supervisor, linked.green))
    assert supervisor.tickets == [] and supervisor.unseen_tickets == 2
    hub = the(queries.tickets_naming(linked.hub_analyst, linked.green))
    assert set(hub.tickets) == {linked.bank_ticket, linked.insurer_ticket}
    # An object the person may not read tells nothing at all.
    assert queries.tickets_naming(linked.bank_analyst, linked.strict) == []


def test_excluded_values_are_not_correlated_even_when_excluded_later(linked):
    CorrelationExclusion.objects.create(value=DOMAIN)
    assert not [c for c in queries.correlations(linked.hub_analyst, linked.bank_ticket) if c.value == DOMAIN]
    assert queries.tickets_naming(linked.hub_analyst, linked.green) == []


def test_values_named_too_often_are_capped(linked, monkeypatch):
    # Two tickets and two indicators name the domain: four namings.
    monkeypatch.setattr(queries, "CAP", 3)
    c = the(queries.correlations(linked.hub_analyst, linked.bank_ticket))
    assert c.capped and c.intel == [] and c.tickets == []
    monkeypatch.setattr(queries, "CAP", 4)
    assert not the(queries.correlations(linked.hub_analyst, linked.bank_ticket)).capped


def test_the_supervisor_sees_aggregates_only(linked):
    assert list(queries.tickets(linked.supervisor)) == []
    figures = queries.summary(linked.supervisor)
    assert figures["scope"] == "sector" and figures["total"] == 2
    assert figures["by_sector"] == {"bank": 1, "insurance": 1} and figures["by_status"] == {"new": 2}
    assert queries.summary(linked.bank_analyst)["total"] == 1
