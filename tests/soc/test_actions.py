"""Submitting, amending and triaging tickets through ``soc.actions``; the JSON Schema's and the
action's refusals name the problem and its place, and store nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forceb.core import audit
from forceb.core.models import AuditEntry, Notification
from forceb.intel.models import CorrelationExclusion
from forceb.inventory.models import BusinessService
from forceb.soc import actions
from forceb.soc.models import Ticket, TicketValue

from .conftest import document


def problems(exc) -> dict:
    return exc.value.message_dict


def test_a_member_submits_a_ticket_with_its_values_and_the_hub_is_told(soc):
    service = BusinessService.objects.get(owner=soc.bank)
    with audit.acting_as(soc.bank_analyst):
        ticket = actions.submit_ticket(soc.bank_analyst, document(affected_services=["Online banking"],
                                                                  affected_systems=[]))
    assert ticket.owner == soc.bank and ticket.submitted_by == soc.bank_analyst and ticket.status == "new"
    assert list(ticket.affected_services.all()) == [service]
    values = set(ticket.values.values_list("kind", "value", "source"))
    assert ("domain-name", "secure-login-1.example", "observable") in values
    assert ("attack-pattern", "T1566.002", "observable") in values
    assert ("url", "https://secure-login-1.example/verify", "text") in values
    assert ("ipv4-addr", "198.51.100.77", "text") not in values  # documentation range: dropped
    assert Notification.objects.filter(organization=soc.hub, title__contains=ticket.title).exists()
    assert AuditEntry.objects.filter(object_type="soc.ticket", object_id=str(ticket.pk), action="create",
                                     actor=soc.bank_analyst).exists()


def test_values_on_the_exclusion_list_are_not_stored(soc):
    CorrelationExclusion.objects.create(value="secure-login-1.example", reason="test")
    ticket = actions.submit_ticket(soc.bank_analyst, document())
    assert not ticket.values.filter(value="secure-login-1.example").exists()


@pytest.mark.parametrize(("fields", "place", "message"), [
    ({"title": ""}, "title", "must not be empty"),
    ({"detected_at": None}, "detected_at", "None is not of type 'string'"),
    ({"severity": "apocalyptic"}, "severity", "'apocalyptic' is not one of low, medium, high, critical"),
    ({"colour": "red"}, "colour", "unknown field"),
    ({"detected_at": "yesterday"}, "detected_at", "'yesterday' is not an ISO 8601 date and time"),
    ({"detected_at": "2026-13-45T08:00:00Z"}, "detected_at", "'2026-13-45T08:00:00Z' is not an ISO 8601 date and time"),
    ({"title": "a\x00b"}, "title", "contains a NUL character"),
    ({"observables": [{"type": "file", "hashes": {"MD5\x00": "ab"}}]}, "observables[0].hashes.MD5\x00",
     "contains a NUL character"),
    ({"affected_systems": [0]}, "affected_systems[0]", "an id (a whole number from 1) or a name (1 to 200 characters)"),
    ({"affected_systems": [2**70]}, "affected_systems[0]",
     "an id (a whole number from 1) or a name (1 to 200 characters)"),
    ({"detected_at": "2026-09-03T08:00:00"}, "detected_at", "'2026-09-03T08:00:00' has no time zone (add Z or +08:00)"),
    ({"occurred_at": "2026-09-04T08:00:00Z"}, "occurred_at",
     "after detected_at: an incident is detected once it occurred"),
    ({"observables": [{"type": "domain-name", "value": "ok.example"}, {"type": "ipv4-addr", "value": "999.1.1.1"}]},
     "observables[1].value", "'999.1.1.1' is not an IP address"),
    ({"observables": [{"type": "file", "value": "x"}]}, "observables[0]", "a file observable has hashes, no value"),
    ({"observables": [{"type": "mutex", "value": "x"}]}, "observables[0].type",
     "'mutex' is not one of ipv4-addr, ipv6-addr, domain-name, url, email-addr, vulnerability, attack-pattern, file"),
    ({"affected_services": ["Claims"]}, "affected_services[0]", "no business service 'Claims' in your inventory"),
])
def test_a_malformed_ticket_is_refused_naming_the_place_and_nothing_is_stored(soc, fields, place, message):
    with pytest.raises(ValidationError) as exc:
        actions.submit_ticket(soc.bank_analyst, document(**fields))
    assert message in problems(exc)[place]
    assert not Ticket.objects.exists() and not TicketValue.objects.exists()


def test_missing_required_fields_are_named(soc):
    with pytest.raises(ValidationError) as exc:
        actions.submit_ticket(soc.bank_analyst, {"description": "no title"})
    assert problems(exc) == {"title": ["required"], "detected_at": ["required"]}
    with pytest.raises(ValidationError) as exc:
        actions.submit_ticket(soc.bank_analyst, ["not", "an", "object"])
    assert "ticket" in problems(exc)


def test_another_members_inventory_cannot_be_named(soc):
    insurer_service = BusinessService.objects.get(owner=soc.insurer)
    with pytest.raises(ValidationError) as exc:
        actions.submit_ticket(soc.bank_analyst, document(affected_services=[insurer_service.pk]))
    assert problems(exc) == {"affected_services[0]": [f"no business service {insurer_service.pk} in your inventory"]}


@pytest.mark.parametrize("who", ["bank_auditor", "hub_analyst", "supervisor", "platform_admin"])
def test_only_member_writers_report_tickets(soc, who):
    with pytest.raises(PermissionDenied):
        actions.submit_ticket(getattr(soc, who), document())
    assert not Ticket.objects.exists()


def test_the_owner_amends_its_ticket_and_its_values_follow(soc):
    ticket = actions.submit_ticket(soc.bank_analyst, document())
    actions.update_ticket(soc.bank_admin, ticket, {"observables": [], "description": "c2 at 8.8.4.4"})
    assert set(ticket.values.values_list("kind", "value")) == {("ipv4-addr", "8.8.4.4")}
    with pytest.raises(PermissionDenied):
        actions.update_ticket(soc.insurer_admin, ticket, {"title": "mine now"})
    with pytest.raises(ValidationError) as exc:
        actions.update_ticket(soc.bank_admin, ticket, {"tlp": "PURPLE"})
    assert "tlp" in problems(exc)
    ticket.refresh_from_db()
    assert ticket.tlp == "AMBER"


def test_the_hub_triages_and_the_audit_trail_records_it(soc):
    ticket = actions.submit_ticket(soc.bank_analyst, document())
    with audit.acting_as(soc.hub_analyst):
        actions.triage_ticket(soc.hub_analyst, ticket, status="triaged", priority="P1", note="campaign")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.triaged_by) == ("triaged", "P1", soc.hub_analyst)
    entry = AuditEntry.objects.filter(object_type="soc.ticket", object_id=str(ticket.pk), action="update",
                                      actor=soc.hub_analyst).first()
    assert entry.after["priority"] == "P1" and entry.before["priority"] == ""
    for who in ("bank_admin", "platform_admin", "supervisor"):
        with pytest.raises(PermissionDenied):
            actions.triage_ticket(getattr(soc, who), ticket, priority="P4")
    with pytest.raises(ValidationError) as exc:
        actions.triage_ticket(soc.hub_analyst, ticket, priority="P9")
    assert "priority" in problems(exc)
