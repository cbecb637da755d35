"""Demo incident tickets for ``forceb seed-demo``: a handful per member, reported to the Joint
Defense SOC. Their indicators overlap the demo intelligence (the phishing domains members shared
as indicators) and each other (one campaign seen by several members), so that every ticket page
shows correlations. A few are triaged by the hub.

Idempotent: a member's ticket is found by its title. Everything is fictional; the hashes are
random digits, the CVE and ATT&CK ids are real ones of the kind the sector reports.
"""

from datetime import UTC, datetime, timedelta

from forceb.core.choices import TLP
from forceb.intel.models import ObservedValue
from forceb.inventory.models import BusinessService, System

from . import actions
from .choices import AttackChainPhase, Category, ImpactScope, Priority, Severity, TicketStatus
from .models import Ticket

PER_MEMBER = 3
#: The campaign several members see: its domain, hash and technique appear in their tickets.
CAMPAIGN_DOMAIN = "jade-tide-cdn.example"
CAMPAIGNS = [
    ("Credential phishing against online banking customers", Category.PHISHING, "T1566.002",
     AttackChainPhase.DELIVERY),
    ("Ransomware precursor on a branch workstation", Category.RANSOMWARE, "T1486", AttackChainPhase.INSTALLATION),
    ("Password spraying against the VPN portal", Category.CREDENTIAL_ABUSE, "T1110", AttackChainPhase.EXPLOITATION),
    ("Exploitation attempt on the Internet-facing firewall", Category.VULNERABILITY, "T1190",
     AttackChainPhase.EXPLOITATION),
    ("Command-and-control beacon from a payments server", Category.MALWARE, "T1071",
     AttackChainPhase.COMMAND_AND_CONTROL),
]
CVES = ["CVE-2024-3400", "CVE-2023-4966", "CVE-2024-21762", "CVE-2023-46805"]


def seed(context) -> None:
    rng = context.rng_for("soc")
    domains = sorted(set(ObservedValue.objects.filter(kind="domain-name").values_list("value", flat=True)))
    campaign_hash = "".join(rng.choice("0123456789abcdef") for _ in range(64))
    start = datetime(2026, 9, 3, tzinfo=UTC)
    members = context.members
    hub_analyst = context.users.get("demo-hub-analyst")
    made = 0
    for m, org in enumerate(members):
        reporter = context.admin_of(org)
        services = list(BusinessService.objects.filter(owner=org).order_by("pk")[:3])
        systems = list(System.objects.filter(owner=org).order_by("pk")[:3])
        for n in range(PER_MEMBER):
            title, category, technique, phase = CAMPAIGNS[(m + n) % len(CAMPAIGNS)]
            title = f"{title} ({org.name}, #{n + 1})"
            made += 1
            context.progress("soc tickets", made, len(members) * PER_MEMBER)
            if Ticket.objects.filter(owner=org, title=title).exists():
                continue
            domain = domains[rng.randrange(len(domains))] if domains else f"login-check-{m}.example"
            detected = start + timedelta(hours=m * 11 + n * 37)
            observables = [{"type": "domain-name", "value": domain},
                           {"type": "attack-pattern", "value": technique}]
            lines = [f"Our SOC saw {technique} activity. Users were sent to hxxps://{domain.replace('.', '[.]')}"
                     f"/login and the lure came from support@{domain}."]
            if (m + n) % 4 == 0:
                # The shared campaign: the same infrastructure and dropper seen by several members.
                observables += [{"type": "domain-name", "value": CAMPAIGN_DOMAIN},
                                {"type": "file", "hashes": {"SHA-256": campaign_hash}}]
                lines.append(f"The dropper ({campaign_hash}) called back to {CAMPAIGN_DOMAIN.replace('.', '(dot)')}.")
            if category == Category.VULNERABILITY:
                lines.append(f"The attempt matches {rng.choice(CVES)}.")
            own_hash = "".join(rng.choice("0123456789abcdef") for _ in range(32))
            lines.append(f"Attachment MD5 {own_hash}; internal host 10.20.{m}.{n + 5} was involved.")
            document = {
                "title": title, "description": "\n".join(lines),
                "occurred_at": (detected - timedelta(hours=rng.randint(1, 30))).isoformat(),
                "detected_at": detected.isoformat(), "category": category,
                "severity": rng.choice([Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL, Severity.LOW]),
                "impact_scope": rng.choice([ImpactScope.NONE, ImpactScope.SINGLE_SYSTEM,
                                            ImpactScope.BUSINESS_SERVICE]),
                "attack_chain_phase": phase, "tlp": rng.choice([TLP.AMBER, TLP.AMBER, TLP.GREEN, TLP.AMBER_STRICT]),
                "affected_services": [s.pk for s in rng.sample(services, min(len(services), 1))],
                "affected_systems": [s.pk for s in rng.sample(systems, min(len(systems), 1))],
                "observables": observables,
            }
            ticket = actions.submit_ticket(reporter, document)
            if hub_analyst is not None and n == 0 and m % 3 == 0:
                actions.triage_ticket(hub_analyst, ticket, status=TicketStatus.TRIAGED,
                                      priority=rng.choice([Priority.P1, Priority.P2, Priority.P3]),
                                      note="Matches the sector campaign; members warned.")
