"""The ecosystem graph: business services, ICT systems, suppliers and the dependencies between them."""

from django.core.exceptions import ValidationError
from django.db import models

from forceb.core.models import OwnedModel

from .choices import Criticality, DependencyKind, Environment, Hosting, RegistryKind, SupplierKind


class BusinessService(OwnedModel):
    """A service the institution provides to its customers (payments, online banking, ATM...)."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    criticality = models.CharField(max_length=16, choices=Criticality.choices, default=Criticality.MEDIUM)
    customers_served = models.PositiveIntegerField(null=True, blank=True)
    impact_tolerance_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Maximum tolerable outage, in minutes")
    rto_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Recovery time objective, in minutes")
    rpo_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Recovery point objective, in minutes")

    class Meta:
        ordering = ["owner", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="unique_service_name_per_owner")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.rto_minutes is not None and self.impact_tolerance_minutes is not None \
                and self.rto_minutes > self.impact_tolerance_minutes:
            raise ValidationError({"rto_minutes": "RTO must not exceed the impact tolerance"})


class System(OwnedModel):
    """An ICT system: an application, platform or piece of infrastructure."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    hosting = models.CharField(max_length=16, choices=Hosting.choices, default=Hosting.ON_PREMISES)
    cloud_provider = models.ForeignKey("Supplier", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="hosted_systems")
    region = models.CharField(max_length=64, blank=True)
    environment = models.CharField(max_length=16, choices=Environment.choices, default=Environment.PRODUCTION)
    owner_team = models.CharField(max_length=100, blank=True)
    site = models.CharField(max_length=100, blank=True, help_text="Data centre or site that runs it")
    admin_domain = models.CharField(max_length=100, blank=True,
                                    help_text="Administrative / credential domain (e.g. the AD forest)")

    class Meta:
        ordering = ["owner", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="unique_system_name_per_owner")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.hosting == Hosting.ON_PREMISES and self.cloud_provider_id:
            raise ValidationError({"cloud_provider": "an on-premises system has no cloud provider"})


class Supplier(models.Model):
    """One entry of the sector-wide supplier registry: a supplier used by many members is one record."""

    name = models.CharField(max_length=200)
    registry_kind = models.CharField(max_length=16, choices=RegistryKind.choices, default=RegistryKind.TAX_ID)
    registry_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=24, choices=SupplierKind.choices, default=SupplierKind.OTHER)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    services_provided = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated",)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["registry_kind", "registry_id"], name="unique_supplier_registry_id"),
        ]

    def __str__(self):
        return self.name


class SupplierRelationship(OwnedModel):
    """A member's own, private relationship with a registry supplier."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="relationships")
    services = models.TextField(blank=True, help_text="What this supplier provides to us")
    criticality = models.CharField(max_length=16, choices=Criticality.choices, default=Criticality.MEDIUM)
    contract_reference = models.CharField(max_length=100, blank=True)
    data_access = models.BooleanField(default=False, help_text="The supplier can access our data")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["owner", "supplier__name"]
        constraints = [models.UniqueConstraint(fields=["owner", "supplier"], name="unique_relationship_per_owner")]

    def __str__(self):
        return f"{self.owner} uses {self.supplier}"


class Dependency(OwnedModel):
    """One edge of the ecosystem graph: the source needs the target; ``impact`` says what breaks."""

    kind = models.CharField(max_length=20, choices=DependencyKind.choices, editable=False)
    source_service = models.ForeignKey(BusinessService, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="dependencies")
    source_system = models.ForeignKey(System, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="dependencies")
    source_supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, null=True, blank=True,
                                        related_name="dependencies")
    target_system = models.ForeignKey(System, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="dependents")
    target_supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, null=True, blank=True,
                                        related_name="dependents")
    impact = models.TextField(blank=True, help_text="What breaks when the target fails")
    alternative = models.CharField(max_length=200, blank=True, help_text="Documented alternative, if any")
    alternative_switchover_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["owner", "kind", "pk"]
        verbose_name_plural = "dependencies"
        # One edge per source and target: the natural key by which imports upsert. Each kind sets
        # exactly one source and one target column, so the other constraints see NULLs and let it be.
        constraints = [
            models.UniqueConstraint(fields=["owner", "source_service", "target_system"],
                                    name="unique_service_system_edge"),
            models.UniqueConstraint(fields=["owner", "source_system", "target_system"],
                                    name="unique_system_system_edge"),
            models.UniqueConstraint(fields=["owner", "source_system", "target_supplier"],
                                    name="unique_system_supplier_edge"),
            models.UniqueConstraint(fields=["owner", "source_supplier", "target_supplier"],
                                    name="unique_supplier_supplier_edge"),
        ]

    def __str__(self):
        return f"{self.source} → {self.target}"

    @property
    def source(self):
        return self.source_service or self.source_system or self.source_supplier

    @property
    def target(self):
        return self.target_system or self.target_supplier

    def derive_kind(self) -> str:
        sources = [f for f in ("source_service", "source_system", "source_supplier") if getattr(self, f + "_id")]
        targets = [f for f in ("target_system", "target_supplier") if getattr(self, f + "_id")]
        if len(sources) != 1 or len(targets) != 1:
            raise ValidationError("a dependency has exactly one source and one target")
        pair = (sources[0], targets[0])
        kinds = {
            ("source_service", "target_system"): DependencyKind.SERVICE_SYSTEM,
            ("source_system", "target_system"): DependencyKind.SYSTEM_SYSTEM,
            ("source_system", "target_supplier"): DependencyKind.SYSTEM_SUPPLIER,
            ("source_supplier", "target_supplier"): DependencyKind.SUPPLIER_SUPPLIER,
        }
        if pair not in kinds:
            raise ValidationError(f"a {sources[0][7:]} cannot depend on a {targets[0][7:]}")
        if pair == ("source_system", "target_system") and self.source_system_id == self.target_system_id:
            raise ValidationError("a system cannot depend on itself")
        if pair == ("source_supplier", "target_supplier") and self.source_supplier_id == self.target_supplier_id:
            raise ValidationError("a supplier cannot depend on itself")
        return kinds[pair]

    def clean(self):
        self.kind = self.derive_kind()
        for field in ("source_service", "source_system", "target_system"):
            related = getattr(self, field)
            if related is not None and related.owner_id != self.owner_id:
                raise ValidationError({field: "belongs to another organisation"})
        if self.alternative_switchover_minutes is not None and not self.alternative:
            raise ValidationError({"alternative_switchover_minutes": "a switchover time needs an alternative"})
