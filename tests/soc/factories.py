"""Rows of the Joint Defense SOC for the isolation matrix (``tests/security``)."""

from forceb.core.choices import OrganizationKind

#: A value every matrix ticket names, so that each ticket's correlations (and the intelligence
#: object probed below) link tickets of several organisations: what is outside a person's reach
#: must then show as a count, never as a title.
SHARED_VALUE = "matrix-shared.example"


def register_security_factories():
    """The ticket factory, and the matrix targets of the routes whose URL arguments are not a
    ticket's ``pk`` (or whose reach is not the owned-row rule): triage and an intel object's tickets."""
    from datetime import UTC, datetime

    from forceb.core.choices import Role
    from forceb.soc import actions
    from forceb.soc.models import Ticket
    from tests.security.factories import factory
    from tests.security.targets import target

    @factory(Ticket)
    def _ticket(build, owner, mark):
        if owner.kind != OrganizationKind.MEMBER:
            return None  # only members report incident tickets
        ticket = build.save(Ticket(owner=owner, title=f"ticket {mark}", detected_at=datetime(2026, 9, 1, tzinfo=UTC),
                                   observables=[{"type": "domain-name", "value": SHARED_VALUE}]))
        actions.store_values(ticket)
        return ticket

    def tickets_of(world):
        return [row for row in (*world.private[Ticket].values(), world.to_hub[Ticket], world.to_community[Ticket])
                if row is not None]

    @target("api:soc:ticket-triage", "web:soc-ticket-triage")
    def _triage(world, user):
        # The hub's analysts triage every ticket; for everyone else the route does not exist.
        return [(f"ticket of {t.owner.slug}", {"pk": t.pk}, user.role == Role.HUB_ANALYST) for t in tickets_of(world)]

    @target("api:soc:intel-object-tickets")
    def _intel_object_tickets(world, user):
        # A GREEN indicator naming the tickets' shared value, in a hub collection that the members
        # read and the supervisor does not: its readers reach it (and see the tickets they may
        # see, the rest as a count); anyone else gets 404.
        from forceb.intel import actions as intel_actions

        s = world.sector
        collection = intel_actions.create_collection(s.hub_analyst, title="matrix soc", readers=[s.bank, s.insurer])
        indicator = {"type": "indicator", "spec_version": "2.1",
                     "id": "indicator--5b1e0c2a-8f7d-4c55-9a0e-3f1d2c4b5a69",
                     "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                     "pattern": f"[domain-name:value = '{SHARED_VALUE}']", "pattern_type": "stix",
                     "valid_from": "2026-01-01T00:00:00Z", "object_marking_refs": [
                         "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}
        intel_actions.add_objects(s.hub_analyst, collection, [indicator])
        row = collection.stix_objects.get()
        reach = user.organization_id in (s.bank.pk, s.insurer.pk, s.hub.pk)
        return [("a GREEN indicator naming the tickets' value", {"pk": row.pk}, reach)]
