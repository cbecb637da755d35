"""Enumerations of the Joint Defense SOC, in the words of blueprint measure 22: incident tickets
returned by member SOCs, classified by content (category, impact scope, attack-chain position)
and given a priority by the hub."""

from django.db import models


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    IN_PROGRESS = "in-progress", "In progress"
    CLOSED = "closed", "Closed"


class Category(models.TextChoices):
    """Content classification of an incident ticket (the attack method it reports)."""

    PHISHING = "phishing", "Phishing / social engineering"
    MALWARE = "malware", "Malware"
    RANSOMWARE = "ransomware", "Ransomware"
    INTRUSION = "intrusion", "Intrusion / unauthorised access"
    CREDENTIAL_ABUSE = "credential-abuse", "Credential stuffing / account takeover"
    DDOS = "ddos", "Denial of service"
    WEB_ATTACK = "web-attack", "Web or API attack"
    DATA_LEAK = "data-leak", "Data leak"
    FRAUD = "fraud", "Fraud"
    SUPPLY_CHAIN = "supply-chain", "Supply-chain compromise"
    VULNERABILITY = "vulnerability", "Vulnerability exploitation"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    """The reporting member's own assessment."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class ImpactScope(models.TextChoices):
    """How far the incident reached (the blueprint's 'impact scope')."""

    NONE = "none", "No impact yet"
    SINGLE_SYSTEM = "single-system", "One system"
    MULTIPLE_SYSTEMS = "multiple-systems", "Several systems"
    BUSINESS_SERVICE = "business-service", "A business service"
    CUSTOMERS = "customers", "Customers affected"
    OTHER_INSTITUTIONS = "other-institutions", "Other institutions affected"


class AttackChainPhase(models.TextChoices):
    """Where in the attack chain the incident was seen (Lockheed Martin's kill chain phases)."""

    RECONNAISSANCE = "reconnaissance", "Reconnaissance"
    WEAPONIZATION = "weaponization", "Weaponization"
    DELIVERY = "delivery", "Delivery"
    EXPLOITATION = "exploitation", "Exploitation"
    INSTALLATION = "installation", "Installation"
    COMMAND_AND_CONTROL = "command-and-control", "Command and control"
    ACTIONS_ON_OBJECTIVES = "actions-on-objectives", "Actions on objectives"


class Priority(models.TextChoices):
    """The hub's priority after triage (P1 first)."""

    P1 = "P1", "P1 (immediate)"
    P2 = "P2", "P2 (high)"
    P3 = "P3", "P3 (normal)"
    P4 = "P4", "P4 (low)"


class ValueSource(models.TextChoices):
    TEXT = "text", "Found in the text"
    OBSERVABLE = "observable", "Given as an observable"
