"""Incident tickets of the Joint Defense SOC and the observable values extracted from them.

A ticket belongs to the member that reports it. Reporting it *is* telling the Joint Defense SOC,
so every person of the hub reads every ticket (``TicketQuerySet.restrict``) and the hub triages it
(``actions.triage_ticket``); other members see it only through a core ``Share`` under TLP; the
supervisor sees aggregates (``queries.summary``).
"""

from django.conf import settings
from django.db import models

from forceb.core.choices import TLP, OrganizationKind
from forceb.core.models import OwnedModel, OwnedQuerySet
from forceb.inventory.models import BusinessService, System

from .choices import AttackChainPhase, Category, ImpactScope, Priority, Severity, TicketStatus, ValueSource


class TicketQuerySet(OwnedQuerySet):
    """Tickets are reported to the Joint Defense SOC: the hub reads them all (it changes them only
    through ``actions.triage_ticket``); everyone else as for any owned row."""

    def restrict(self, user, action: str = "view"):
        if action == "view" and _is_hub(user):
            return self.all()
        return super().restrict(user, action)


def _is_hub(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organization_id
                and user.organization.kind == OrganizationKind.HUB)


class Ticket(OwnedModel):
    """An incident ticket a member's SOC returns to the Joint Defense SOC."""

    #: Read by the isolation matrix's oracle: the hub reads every row of this model, unshared.
    hub_reads_every_row = True

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True, help_text="When the incident began, if known")
    detected_at = models.DateTimeField(help_text="When the member detected it")
    category = models.CharField(max_length=24, choices=Category.choices, default=Category.OTHER)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MEDIUM,
                                help_text="The member's own assessment")
    impact_scope = models.CharField(max_length=24, choices=ImpactScope.choices, default=ImpactScope.NONE)
    attack_chain_phase = models.CharField(max_length=24, choices=AttackChainPhase.choices, blank=True)
    tlp = models.CharField(max_length=16, choices=TLP.choices, default=TLP.AMBER,
                           help_text="The member's marking: how far the ticket may travel beyond the hub")
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW)
    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True,
                                help_text="Set by the hub at triage")
    triage_note = models.TextField(blank=True)
    affected_services = models.ManyToManyField(BusinessService, blank=True, related_name="tickets")
    affected_systems = models.ManyToManyField(System, blank=True, related_name="tickets")
    observables = models.JSONField(default=list, blank=True,
                                   help_text="Structured observables: {type, value} or {type: file, hashes}")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at", "-pk"]
        indexes = [models.Index(fields=["owner", "status"], name="soc_ticket_owner_status")]

    def __str__(self):
        return self.title


class TicketValue(models.Model):
    """An observable value a ticket names, normalised as the intelligence store's
    ``ObservedValue`` is, so that one lookup by value finds tickets and STIX objects alike."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="values")
    kind = models.CharField(max_length=64)
    value = models.CharField(max_length=500)
    source = models.CharField(max_length=16, choices=ValueSource.choices, default=ValueSource.TEXT)

    class Meta:
        ordering = ["ticket", "kind", "value"]
        constraints = [models.UniqueConstraint(fields=["ticket", "kind", "value"], name="unique_ticket_value")]
        indexes = [models.Index(fields=["value", "kind"], name="soc_value_lookup")]

    def __str__(self):
        return f"{self.kind} {self.value}"

