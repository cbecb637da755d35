"""Enumerations of operational resilience, in the blueprint's words (measures 26, 28, 29)."""

from django.db import models

#: Impact levels of a business impact analysis: 0 none ... 5 severe.
IMPACT_LEVELS = [(n, str(n)) for n in range(6)]
#: The points in time a BIA assesses by default: 1 h, 4 h, 24 h, 72 h, one week.
DEFAULT_IMPACT_MINUTES = (60, 240, 1440, 4320, 10080)
#: A BIA approved longer ago than this is due for review (the regimes ask for a yearly review).
BIA_REVIEW_DAYS = 365


class ImpactDimension(models.TextChoices):
    FINANCIAL = "financial", "Financial"
    CUSTOMERS = "customers", "Customers"
    REGULATORY = "regulatory", "Regulatory"
    REPUTATION = "reputation", "Reputation"


class BiaStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class LayerKind(models.TextChoices):
    """The layers of measure 28's multi-layer backup architecture (the engine's names)."""

    LOCAL = "local", "Local"
    REMOTE = "remote", "Remote (DR site)"
    THIRD_SITE = "third-site", "Third site"
    CLOUD = "cloud", "Cloud"


class DrillStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class DrillEventKind(models.TextChoices):
    INJECT = "inject", "Inject"
    DECISION = "decision", "Decision"
    NOTIFICATION_SENT = "notification-sent", "Notification sent"
    NOTIFICATION_RECEIVED = "notification-received", "Notification received"
    OBSERVATION = "observation", "Observation"


class ChainParty(models.TextChoices):
    """The notification and coordination chain that measure 26's exercises verify, in order."""

    MEMBER = "member", "Member"
    GROUP_CSIRT = "group-csirt", "Group CSIRT"
    INDUSTRY_ASSOCIATION = "industry-association", "Industry association"
    HUB = "hub", "Hub (F-ISAC / Joint Defense SOC)"
    SUPERVISOR = "supervisor", "Supervisor"


#: The chain's order: a notification normally travels from one party to the next.
CHAIN_ORDER = [ChainParty.MEMBER, ChainParty.GROUP_CSIRT, ChainParty.INDUSTRY_ASSOCIATION, ChainParty.HUB]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


#: Inventory supplier kinds whose name differs in the engine's vocabulary.
ENGINE_SUPPLIER_KIND = {"cloud": "cloud-provider"}
