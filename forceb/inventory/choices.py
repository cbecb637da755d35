"""Enumerations of the ecosystem inventory."""

from django.db import models


class Criticality(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


CRITICALITY_RANK = {Criticality.CRITICAL: 0, Criticality.HIGH: 1, Criticality.MEDIUM: 2, Criticality.LOW: 3}


class Hosting(models.TextChoices):
    ON_PREMISES = "on-premises", "On-premises"
    CLOUD = "cloud", "Cloud"
    HYBRID = "hybrid", "Hybrid"


class Environment(models.TextChoices):
    PRODUCTION = "production", "Production"
    DISASTER_RECOVERY = "dr", "Disaster recovery"
    STAGING = "staging", "Staging"
    DEVELOPMENT = "development", "Development"


class SupplierKind(models.TextChoices):
    CORE_BANKING = "core-banking", "Core-banking vendor"
    CLOUD = "cloud", "Cloud provider"
    TELECOM = "telecom", "Telecom"
    PAYMENT_PROCESSOR = "payment-processor", "Payment processor"
    SOFTWARE = "software", "Software vendor"
    DATA_CENTRE = "data-centre", "Data centre"
    API_PARTNER = "api-partner", "API partner"
    MANAGED_SERVICE = "managed-service", "Managed service provider"
    OTHER = "other", "Other"


class RegistryKind(models.TextChoices):
    LEI = "lei", "LEI"
    TAX_ID = "tax-id", "Tax id (統一編號)"
    OTHER = "other", "Other registry"


class DependencyKind(models.TextChoices):
    SERVICE_SYSTEM = "service-system", "Service → system"
    SYSTEM_SYSTEM = "system-system", "System → system"
    SYSTEM_SUPPLIER = "system-supplier", "System → supplier"
    SUPPLIER_SUPPLIER = "supplier-supplier", "Supplier → supplier (fourth party)"
