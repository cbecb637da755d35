"""Enumerations of the platform core, in the blueprint's own words."""

from django.db import models


class OrganizationKind(models.TextChoices):
    MEMBER = "member", "Member institution"
    HUB = "hub", "Sector hub (F-ISAC / Joint Defense SOC)"
    SUPERVISOR = "supervisor", "Supervisor"


class Sector(models.TextChoices):
    BANK = "bank", "Bank"
    INSURANCE = "insurance", "Insurance"
    SECURITIES = "securities", "Securities"
    PAYMENTS = "payments", "Payments"
    OTHER = "other", "Other"


class Tier(models.IntegerChoices):
    """The blueprint's differentiated treatment by size: tier 1 is large or systemic."""

    TIER_1 = 1, "Tier 1 (large / systemic)"
    TIER_2 = 2, "Tier 2"
    TIER_3 = 3, "Tier 3"


class Role(models.TextChoices):
    MEMBER_ADMIN = "member-admin", "Member admin"
    MEMBER_ANALYST = "member-analyst", "Member analyst"
    HUB_ANALYST = "hub-analyst", "Hub analyst"
    SUPERVISOR = "supervisor", "Supervisor"
    AUDITOR = "auditor", "Auditor (read-only)"
    PLATFORM_ADMIN = "platform-admin", "Platform admin"


# Roles that may change their own organisation's data. Auditors and supervisors only read.
WRITER_ROLES = frozenset({Role.MEMBER_ADMIN, Role.MEMBER_ANALYST, Role.HUB_ANALYST, Role.PLATFORM_ADMIN})
# Roles that may manage the people and API tokens of their organisation (any writer may share).
ADMIN_ROLES = frozenset({Role.MEMBER_ADMIN, Role.PLATFORM_ADMIN})
# Which roles an organisation of each kind may hold.
ROLES_BY_KIND = {
    OrganizationKind.MEMBER: frozenset({Role.MEMBER_ADMIN, Role.MEMBER_ANALYST, Role.AUDITOR}),
    OrganizationKind.HUB: frozenset({Role.HUB_ANALYST, Role.AUDITOR, Role.PLATFORM_ADMIN}),
    OrganizationKind.SUPERVISOR: frozenset({Role.SUPERVISOR, Role.AUDITOR}),
}


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0 (FIRST), from least to most restricted."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    SHARE = "share", "Share"
    UNSHARE = "unshare", "Unshare"
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login-failed", "Failed login"
    LOGOUT = "logout", "Logout"
    TOKEN_CREATE = "token-create", "Token created"
    TOKEN_REVOKE = "token-revoke", "Token revoked"
    TOKEN_USE = "token-use", "Token used"
    IMPORT = "import", "Import"
