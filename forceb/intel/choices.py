"""Enumerations of the threat-intelligence hub."""

from django.db import models


class StatusState(models.TextChoices):
    """State of a TAXII status resource (TAXII 2.1, section 4.3.1)."""

    PENDING = "pending", "Pending"
    COMPLETE = "complete", "Complete"
