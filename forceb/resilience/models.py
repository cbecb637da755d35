"""Operational resilience: business impact analyses, backup layers, the scenario library, drills
and suppliers' recovery evidence (measures 26, 28 and 29).

The simulation itself is the plain-Python engine (``graph.py``, ``scenarios.py``, ``simulate.py``);
``loader.py`` turns these rows and the inventory into its input.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from forceb.core.models import OwnedModel, OwnedQuerySet
from forceb.inventory.models import BusinessService, Supplier, System

from .choices import (
    BIA_REVIEW_DAYS,
    IMPACT_LEVELS,
    ActionStatus,
    BiaStatus,
    ChainParty,
    DrillEventKind,
    DrillStatus,
    LayerKind,
)


class BusinessImpactAnalysis(OwnedModel):
    """One version of a business service's impact analysis (ISO 22301 BIA).

    Impact over time is in :class:`ImpactAssessment` rows; the impact tolerance is the first
    point in time at which any impact reaches ``intolerable_level`` (unless stated), and the
    RTO and RPO are set under it. Approving a version writes its numbers to the service.
    """

    service = models.ForeignKey(BusinessService, on_delete=models.CASCADE, related_name="impact_analyses")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=BiaStatus.choices, default=BiaStatus.DRAFT)
    intolerable_level = models.PositiveSmallIntegerField(
        default=4, validators=[MaxValueValidator(5)],
        help_text="Impact level (0-5) from which disruption is intolerable")
    impact_tolerance_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Maximum tolerable outage, in minutes")
    rto_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Recovery time objective")
    rpo_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Recovery point objective")
    notes = models.TextField(blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["owner", "service__name", "-version"]
        verbose_name = "business impact analysis"
        verbose_name_plural = "business impact analyses"
        constraints = [models.UniqueConstraint(fields=["service", "version"], name="unique_bia_version")]

    def __str__(self):
        return f"BIA of {self.service} v{self.version}"

    def clean(self):
        if self.service_id and self.service.owner_id != self.owner_id:
            raise ValidationError({"service": "belongs to another organisation"})
        if self.rto_minutes is not None and self.impact_tolerance_minutes is not None \
                and self.rto_minutes > self.impact_tolerance_minutes:
            raise ValidationError({"rto_minutes": f"RTO {self.rto_minutes} min exceeds the impact tolerance "
                                                  f"{self.impact_tolerance_minutes} min"})

    @property
    def review_due(self) -> bool:
        """Approved more than a year ago (or never): the regimes ask for a yearly review."""
        if self.approved_at is None:
            return True
        return timezone.now() - self.approved_at > timedelta(days=BIA_REVIEW_DAYS)


class ImpactAssessment(models.Model):
    """The impact of a service's outage at one point in time: four levels 0-5 and amounts."""

    bia = models.ForeignKey(BusinessImpactAnalysis, on_delete=models.CASCADE, related_name="impacts")
    at_minutes = models.PositiveIntegerField(help_text="Minutes into the outage")
    financial = models.PositiveSmallIntegerField(choices=IMPACT_LEVELS, default=0)
    customers = models.PositiveSmallIntegerField(choices=IMPACT_LEVELS, default=0)
    regulatory = models.PositiveSmallIntegerField(choices=IMPACT_LEVELS, default=0)
    reputation = models.PositiveSmallIntegerField(choices=IMPACT_LEVELS, default=0)
    financial_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True,
                                           help_text="Estimated loss, in TWD")
    customers_affected = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["bia", "at_minutes"]
        constraints = [models.UniqueConstraint(fields=["bia", "at_minutes"], name="unique_impact_time")]

    def __str__(self):
        return f"{self.bia} at {self.at_minutes} min"

    @property
    def level(self) -> int:
        return max(self.financial, self.customers, self.regulatory, self.reputation)


class BackupLayer(OwnedModel):
    """One layer of a system's backup architecture and the failure domains it shares with production."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="backup_layers")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=LayerKind.choices)
    recovery_point_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Data lost when restoring from it: backup interval or replication lag")
    restore_minutes = models.PositiveIntegerField(null=True, blank=True,
                                                  help_text="Restore or failover time measured in tests")
    immutable = models.BooleanField(default=False)
    offline = models.BooleanField(default=False)
    shares_site = models.BooleanField(default=False)
    shares_provider = models.BooleanField(default=False)
    shares_region = models.BooleanField(default=False)
    shares_admin_domain = models.BooleanField(
        default=False, help_text="Reachable with production's credentials / administrative domain")
    site = models.CharField(max_length=100, blank=True, help_text="Where it is kept, when not production's site")
    provider = models.ForeignKey(Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    region = models.CharField(max_length=64, blank=True)
    admin_domain = models.CharField(max_length=100, blank=True,
                                    help_text="Its own administrative domain, when not production's")
    last_switchover_test = models.DateField(null=True, blank=True,
                                            help_text="Date of the last successful switchover or restore test")

    class Meta:
        ordering = ["owner", "system__name", "name"]
        constraints = [models.UniqueConstraint(fields=["system", "name"], name="unique_layer_name_per_system")]

    def __str__(self):
        return f"{self.system} / {self.name}"

    def clean(self):
        if self.system_id and self.system.owner_id != self.owner_id:
            raise ValidationError({"system": "belongs to another organisation"})
        if self.region and not self.provider_id and not self.shares_provider:
            raise ValidationError({"region": "a region needs a provider"})
        if self.last_switchover_test and self.last_switchover_test > timezone.localdate():
            raise ValidationError({"last_switchover_test": "dated in the future"})

    @property
    def shares(self) -> list[str]:
        """The failure domains shared with production, in the engine's names."""
        return [d for d in ("site", "provider", "region", "admin_domain") if getattr(self, f"shares_{d}")]


class ScenarioQuerySet(OwnedQuerySet):
    def library(self, user):
        """What ``user`` may see and simulate: the hub-published library, the organisation's own
        scenarios and those shared with it."""
        if user is None or not user.is_authenticated or user.organization_id is None:
            return self.none()
        return self.restrict(user, "view") | self.filter(published=True)


class Scenario(OwnedModel):
    """A row of the scenario library; ``parameters`` is the engine's scenario document."""

    name = models.CharField(max_length=100)
    title = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=32, help_text="The effect type, or 'composite'")
    parameters = models.JSONField(help_text="The scenario as the engine's JSON schema describes it")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    published = models.BooleanField(default=False, help_text="Part of the hub's library, visible to every member")

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["name", "owner"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="unique_scenario_name_per_owner")]

    def __str__(self):
        return self.name


class Drill(OwnedModel):
    """A scenario exercise (measures 26 and 28): planned, run, measured, and its findings tracked."""

    name = models.CharField(max_length=200)
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="drills")
    planned_date = models.DateField()
    status = models.CharField(max_length=16, choices=DrillStatus.choices, default=DrillStatus.PLANNED)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["owner", "-planned_date", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.scenario_id and not (self.scenario.published or self.scenario.owner_id == self.owner_id):
            raise ValidationError({"scenario": "not in your scenario library"})
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": "ends before it starts"})


class DrillEvent(models.Model):
    """One entry of a drill's timeline; notifications say who sent to whom along the chain."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=24, choices=DrillEventKind.choices)
    party = models.CharField(max_length=24, choices=ChainParty.choices, default=ChainParty.MEMBER,
                             help_text="Who acted: the sender of a notification, or its receiver")
    counterpart = models.CharField(max_length=24, choices=ChainParty.choices, blank=True,
                                   help_text="The other end of a notification")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["drill", "at", "pk"]

    def __str__(self):
        return f"{self.drill} {self.at:%H:%M} {self.get_kind_display()}"

    def clean(self):
        notification = self.kind in (DrillEventKind.NOTIFICATION_SENT, DrillEventKind.NOTIFICATION_RECEIVED)
        if notification and not self.counterpart:
            raise ValidationError({"counterpart": "a notification names the other party"})
        if notification and self.counterpart == self.party:
            raise ValidationError({"counterpart": "a party does not notify itself"})


class DrillMeasurement(models.Model):
    """A service's recovery as measured in a drill, beside the simulation's forecast and its tolerance."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="measurements")
    service = models.ForeignKey(BusinessService, on_delete=models.CASCADE, related_name="+")
    recovery_minutes = models.PositiveIntegerField()
    data_lost_minutes = models.PositiveIntegerField(null=True, blank=True)
    simulated_minutes = models.FloatField(null=True, blank=True,
                                          help_text="The simulation's time to recover (empty: no recovery)")
    impact_tolerance_minutes = models.PositiveIntegerField(null=True, blank=True,
                                                           help_text="The tolerance when the drill was measured")

    class Meta:
        ordering = ["drill", "service__name"]
        constraints = [models.UniqueConstraint(fields=["drill", "service"], name="unique_measurement_per_service")]

    def __str__(self):
        return f"{self.service}: {self.recovery_minutes} min"

    @property
    def within_tolerance(self) -> bool | None:
        if self.impact_tolerance_minutes is None:
            return None
        return self.recovery_minutes <= self.impact_tolerance_minutes


class DrillAction(OwnedModel):
    """A drill finding turned into a tracked remediation action."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    assignee = models.CharField(max_length=150, help_text="The person or team that owns the action")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["owner", "status", "due_date", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.drill_id and self.drill.owner_id != self.owner_id:
            raise ValidationError({"drill": "belongs to another organisation"})

    @property
    def overdue(self) -> bool:
        return (self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) and self.due_date is not None
                and self.due_date < timezone.localdate())


class SupplierRecoveryEvidence(OwnedModel):
    """A member's evidence of a registry supplier's recovery capability (measure 29)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="recovery_evidence")
    stated_recovery_minutes = models.PositiveIntegerField(null=True, blank=True,
                                                          help_text="Recovery time the supplier states")
    tested_recovery_minutes = models.PositiveIntegerField(null=True, blank=True,
                                                          help_text="Recovery time shown in a test")
    recovery_point_minutes = models.PositiveIntegerField(null=True, blank=True)
    evidence_date = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=200, blank=True, help_text="Report, certificate or test record")

    class Meta:
        ordering = ["owner", "supplier__name"]
        verbose_name_plural = "supplier recovery evidence"
        constraints = [models.UniqueConstraint(fields=["owner", "supplier"], name="unique_evidence_per_supplier")]

    def __str__(self):
        return f"{self.supplier} recovery evidence"

    @property
    def recovery_minutes(self) -> int | None:
        """What the simulation trusts: a tested time over a stated one."""
        return self.tested_recovery_minutes if self.tested_recovery_minutes is not None \
            else self.stated_recovery_minutes
