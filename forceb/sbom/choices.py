"""Enumerations of SBOMs, findings and VEX, with their mappings to CycloneDX and OpenVEX words."""

from django.db import models


class SbomFormat(models.TextChoices):
    CYCLONEDX = "CycloneDX", "CycloneDX"
    SPDX = "SPDX", "SPDX"


class ComponentStatus(models.TextChoices):
    """What matching said about one component; ``unsupported`` and ``no_purl`` are never 'clean'."""

    MATCHED = "matched", "Vulnerable"
    CLEAN = "clean", "No known vulnerability"
    UNSUPPORTED = "unsupported", "Ecosystem not covered"
    INDETERMINATE = "indeterminate", "Version cannot be judged"
    NO_PURL = "no_purl", "No package URL"
    PENDING = "pending", "Not matched yet"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NONE = "none", "None"
    UNKNOWN = "unknown", "Unknown"


SEVERITY_ORDER = ["critical", "high", "medium", "low", "none", "unknown"]


class FindingStatus(models.TextChoices):
    """The triage workflow of a finding; each change is a ``FindingDecision`` (a VEX statement)."""

    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    NOT_AFFECTED = "not_affected", "Not affected"
    AFFECTED = "affected", "Affected"
    FIXED = "fixed", "Fixed"


# Statuses that close a finding: they drop out of the open counts and of ``--fail-on``.
CLOSED_STATUSES = frozenset({FindingStatus.NOT_AFFECTED, FindingStatus.FIXED})


class Justification(models.TextChoices):
    """Why a component is not affected: CycloneDX 1.6 ``analysis.justification`` values."""

    CODE_NOT_PRESENT = "code_not_present", "Vulnerable code not present"
    CODE_NOT_REACHABLE = "code_not_reachable", "Vulnerable code not reachable"
    REQUIRES_CONFIGURATION = "requires_configuration", "Requires a configuration we do not use"
    REQUIRES_DEPENDENCY = "requires_dependency", "Requires a dependency we do not have"
    REQUIRES_ENVIRONMENT = "requires_environment", "Requires an environment we do not run"
    PROTECTED_BY_COMPILER = "protected_by_compiler", "Protected by the compiler"
    PROTECTED_AT_RUNTIME = "protected_at_runtime", "Protected at runtime"
    PROTECTED_AT_PERIMETER = "protected_at_perimeter", "Protected at the perimeter"
    PROTECTED_BY_MITIGATING_CONTROL = "protected_by_mitigating_control", "Protected by a mitigating control"


class DecisionSource(models.TextChoices):
    PERSON = "person", "Decided by a person"
    CYCLONEDX_VEX = "cyclonedx-vex", "Imported CycloneDX VEX"
    OPENVEX = "openvex", "Imported OpenVEX"
    CARRIED_OVER = "carried-over", "Carried over from the previous SBOM"


# Our status -> CycloneDX analysis.state, and back (CycloneDX has more states than we do).
CYCLONEDX_STATE = {
    FindingStatus.NEW: "in_triage",
    FindingStatus.TRIAGED: "in_triage",
    FindingStatus.NOT_AFFECTED: "not_affected",
    FindingStatus.AFFECTED: "exploitable",
    FindingStatus.FIXED: "resolved",
}
FROM_CYCLONEDX_STATE = {
    "in_triage": FindingStatus.TRIAGED,
    "exploitable": FindingStatus.AFFECTED,
    "resolved": FindingStatus.FIXED,
    "resolved_with_pedigree": FindingStatus.FIXED,
    "not_affected": FindingStatus.NOT_AFFECTED,
    "false_positive": FindingStatus.NOT_AFFECTED,
}

# Our status -> OpenVEX status, and back.
OPENVEX_STATUS = {
    FindingStatus.NEW: "under_investigation",
    FindingStatus.TRIAGED: "under_investigation",
    FindingStatus.NOT_AFFECTED: "not_affected",
    FindingStatus.AFFECTED: "affected",
    FindingStatus.FIXED: "fixed",
}
FROM_OPENVEX_STATUS = {
    "under_investigation": FindingStatus.TRIAGED,
    "not_affected": FindingStatus.NOT_AFFECTED,
    "affected": FindingStatus.AFFECTED,
    "fixed": FindingStatus.FIXED,
}
# OpenVEX justifications and the nearest CycloneDX one (the two vocabularies differ).
FROM_OPENVEX_JUSTIFICATION = {
    "component_not_present": Justification.REQUIRES_DEPENDENCY,
    "vulnerable_code_not_present": Justification.CODE_NOT_PRESENT,
    "vulnerable_code_not_in_execute_path": Justification.CODE_NOT_REACHABLE,
    "vulnerable_code_cannot_be_controlled_by_adversary": Justification.PROTECTED_AT_RUNTIME,
    "inline_mitigations_already_exist": Justification.PROTECTED_BY_MITIGATING_CONTROL,
}
OPENVEX_JUSTIFICATION = {
    Justification.CODE_NOT_PRESENT: "vulnerable_code_not_present",
    Justification.CODE_NOT_REACHABLE: "vulnerable_code_not_in_execute_path",
    Justification.REQUIRES_CONFIGURATION: "vulnerable_code_cannot_be_controlled_by_adversary",
    Justification.REQUIRES_DEPENDENCY: "component_not_present",
    Justification.REQUIRES_ENVIRONMENT: "vulnerable_code_cannot_be_controlled_by_adversary",
    Justification.PROTECTED_BY_COMPILER: "inline_mitigations_already_exist",
    Justification.PROTECTED_AT_RUNTIME: "inline_mitigations_already_exist",
    Justification.PROTECTED_AT_PERIMETER: "inline_mitigations_already_exist",
    Justification.PROTECTED_BY_MITIGATING_CONTROL: "inline_mitigations_already_exist",
}


class Feed(models.TextChoices):
    """The knowledge-base sources, each synced and imported on its own. ATT&CK is stored by the
    intelligence hub (its loader is registered with ``actions.register_feed_loader``)."""

    OSV = "osv", "OSV advisories"
    KEV = "kev", "CISA Known Exploited Vulnerabilities"
    EPSS = "epss", "FIRST EPSS scores"
    ATTACK = "attack", "MITRE ATT&CK Enterprise"
