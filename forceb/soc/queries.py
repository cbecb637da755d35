"""Reads of the Joint Defense SOC, narrowed to what the requesting person may see.

Tickets go through ``Ticket.objects.restrict`` (the owner, the hub, and those a ticket is shared
with); STIX objects through ``intel.queries.readable_objects`` (collection readers and TLP).
Correlation respects both sides: a link is shown only when the person may see both ends. Of the
tickets they may not see they learn a number, never a title nor which member reported them.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from forceb.core.choices import OrganizationKind
from forceb.intel import queries as intel_queries
from forceb.intel.correlation import CAP
from forceb.intel.models import CorrelationExclusion, ObservedValue, StixObject

from .models import Ticket, TicketValue


def tickets(user):
    return Ticket.objects.restrict(user, "view").select_related("owner", "submitted_by", "triaged_by")


def ticket(user, pk) -> Ticket | None:
    return tickets(user).filter(pk=pk).first()


def sees_the_sector(user) -> bool:
    """The hub and the supervisor see the sector's figures; a member its own."""
    return bool(user.organization_id) and user.organization.kind in (OrganizationKind.HUB,
                                                                    OrganizationKind.SUPERVISOR)


def summary(user) -> dict:
    """Ticket counts by status, category, priority and member sector: the supervisor's whole view
    of tickets (aggregates, no ticket), the hub's overview, a member's own figures."""
    rows = Ticket.objects.all() if sees_the_sector(user) else Ticket.objects.filter(owner_id=user.organization_id)

    def by(name):
        return {row[name] or "": row["n"] for row in rows.values(name).annotate(n=Count("pk")).order_by(name)}

    return {"scope": "sector" if sees_the_sector(user) else "organisation", "total": rows.count(),
            "by_status": by("status"), "by_category": by("category"), "by_priority": by("priority"),
            "by_sector": by("owner__sector")}


@dataclass
class TicketCorrelation:
    """One value a ticket names and what else names it, as far as the person may see."""

    kind: str
    value: str
    source: str = ""
    intel: list = field(default_factory=list)  # readable StixObject versions (latest)
    tickets: list = field(default_factory=list)  # other tickets the person may see
    unseen_tickets: int = 0  # other tickets naming it that the person may not see: a count only
    capped: bool = False

    @property
    def linked(self) -> bool:
        return bool(self.intel or self.tickets or self.unseen_tickets or self.capped)


def _excluded() -> set[str]:
    return {v.lower() for v in CorrelationExclusion.objects.values_list("value", flat=True)}


def _too_common(value: str) -> bool:
    """Named by more tickets and STIX objects together than the cap: noise, not correlation."""
    tickets_naming = TicketValue.objects.filter(value=value).values("ticket_id").distinct().count()
    if tickets_naming > CAP:
        return True
    objects_naming = ObservedValue.objects.filter(value=value).values("stix_object__stix_id").distinct().count()
    return tickets_naming + objects_naming > CAP


def _link(user, kind: str, value: str, *, source: str = "", not_ticket: int | None = None,
          not_stix_id: str | None = None) -> TicketCorrelation:
    found = TicketCorrelation(kind=kind, value=value, source=source)
    if _too_common(value):
        found.capped = True
        return found
    naming_objects = ObservedValue.objects.filter(value=value).values("stix_object_id")
    intel = intel_queries.readable_objects(user).filter(pk__in=naming_objects, is_latest=True)
    if not_stix_id:
        intel = intel.exclude(stix_id=not_stix_id)
    found.intel = list(intel.select_related("collection").order_by("-date_added"))
    naming_tickets = TicketValue.objects.filter(value=value).exclude(ticket_id=not_ticket).values("ticket_id")
    found.tickets = list(tickets(user).filter(pk__in=naming_tickets).order_by("-detected_at"))
    total = Ticket.objects.filter(pk__in=naming_tickets).count()
    found.unseen_tickets = total - len(found.tickets)
    return found


def correlations(user, ticket: Ticket) -> list[TicketCorrelation]:
    """Every value of ``ticket`` (which the person may see) with the readable STIX objects and
    the visible other tickets that name it, and a count of the others. Values on the exclusion
    list are left out; values past the cap are reported as such, without links."""
    excluded = _excluded()
    return [_link(user, kind, value, source=source, not_ticket=ticket.pk)
            for kind, value, source in ticket.values.values_list("kind", "value", "source")
            if value.lower() not in excluded]


def tickets_naming(user, row: StixObject) -> list[TicketCorrelation]:
    """The tickets that name a value of the STIX object ``row`` (readable by the person): those
    the person may see, and a count of the others. Only values some ticket names are returned."""
    if intel_queries.readable_version(user, row.pk) is None:
        return []
    excluded = _excluded()
    found = []
    for kind, value in row.values.values_list("kind", "value").distinct().order_by("kind", "value"):
        if value.lower() in excluded or not TicketValue.objects.filter(value=value).exists():
            continue
        link = _link(user, kind, value, not_stix_id=row.stix_id)
        link.intel = []  # the object's own page already lists the STIX objects it correlates with
        found.append(link)
    return found
