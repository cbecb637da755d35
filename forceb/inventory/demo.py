"""The demo sector's ecosystem: a fictional supplier registry and each member's inventory.

Built as import documents and loaded through ``actions.load_inventory``, the same path a member's
file takes, so the demo is idempotent by natural key and exercises the import on every run. Some
suppliers are shared by many members, as in a real sector: two core-banking vendors, three clouds,
telecoms, the interbank switch, a card processor and a managed SOC. Every name is invented.
"""

from django.contrib.contenttypes.models import ContentType

from forceb.core import actions as core_actions
from forceb.core.choices import TLP, Sector
from forceb.core.models import Share

from . import actions, io
from .models import BusinessService, Dependency, SupplierRelationship

# key → (registry kind, registry id, name, kind, country, services provided)
SUPPLIERS = {
    "meridian": ("tax-id", "90000011", "Meridian Core Banking Systems Co., Ltd.", "core-banking", "TW",
                 "Core-banking platform licence, hosted option and support"),
    "pagoda": ("tax-id", "90000022", "Pagoda Ledger Technologies Ltd.", "core-banking", "TW",
               "Core ledger and trust accounting software"),
    "nimbus": ("lei", "5493DEMONIMBUS000001", "Nimbus Cloud Services Asia Ltd.", "cloud", "SG",
               "IaaS and PaaS; regions tw-north-1, sg-central-1"),
    "stratus": ("tax-id", "90000033", "Stratus Public Cloud Taiwan Co.", "cloud", "TW",
                "IaaS and managed Kubernetes; regions tw-central-1, tw-north-2"),
    "cirrus": ("tax-id", "90000044", "Cirrus Sovereign Cloud Co.", "cloud", "TW",
               "Sovereign cloud for regulated workloads; region tw-south-1"),
    "islandwave": ("tax-id", "90000055", "Island Wave Telecom Co.", "telecom", "TW",
                   "MPLS WAN, internet transit, leased lines"),
    "harbourline": ("tax-id", "90000066", "Harbourline Communications Co.", "telecom", "TW",
                    "Leased lines, 5G backup links"),
    "interbank": ("tax-id", "90000077", "Interbank Clearing Switch Co.", "payment-processor", "TW",
                  "Interbank transfers, ATM interbank switching, bill payments"),
    "orchidcard": ("tax-id", "90000088", "Orchid Card Processing Centre", "payment-processor", "TW",
                   "Card scheme authorisation switching and clearing"),
    "lanternpay": ("tax-id", "90000099", "Lantern Pay Processing Co.", "payment-processor", "TW",
                   "Merchant acquiring processing, QR payments"),
    "watchtower": ("tax-id", "90000101", "Watchtower Managed Security Co.", "managed-service", "TW",
                   "24x7 managed SOC, SIEM operation, incident response retainer"),
    "riverbend": ("tax-id", "90000112", "Riverbend Data Centres Co.", "data-centre", "TW",
                  "Colocation in Taipei and Taichung"),
    "ledgerline": ("tax-id", "90000123", "Ledgerline Mobile Apps Co.", "software", "TW",
                   "Mobile banking and trading app development and operation"),
    "quillmark": ("tax-id", "90000134", "Quillmark Insurance Software Co.", "software", "TW",
                  "Policy administration and claims software"),
    "tickstream": ("tax-id", "90000145", "Tickstream Trading Systems Co.", "software", "TW",
                   "Order management, exchange gateway and market data software"),
    "brightgate": ("lei", "5493DEMOBRIGHTGATE01", "Brightgate Identity Ltd.", "software", "JP",
                   "Customer identity, MFA and single sign-on (SaaS)"),
    "sunbird": ("tax-id", "90000156", "Sunbird Open Banking Hub Co.", "api-partner", "TW",
                "Open banking third-party service provider gateway"),
}
CLOUD_REGIONS = {"nimbus": ["tw-north-1", "sg-central-1"], "stratus": ["tw-central-1", "tw-north-2"],
                 "cirrus": ["tw-south-1"]}
# Suppliers' own suppliers: the fourth parties a member may know of.
FOURTH_PARTIES = [
    ("meridian", "nimbus", "Vendor-hosted core and its support portal stop"),
    ("pagoda", "stratus", "Vendor build and patch pipeline stops"),
    ("interbank", "islandwave", "Interbank switch loses its primary network"),
    ("orchidcard", "harbourline", "Card authorisation links to the scheme drop"),
    ("watchtower", "nimbus", "The SOC's SIEM and case management go dark"),
    ("ledgerline", "stratus", "App release and push-notification services stop"),
    ("tickstream", "cirrus", "Vendor-hosted market data normaliser stops"),
    ("lanternpay", "nimbus", "QR payment processing stops"),
    ("brightgate", "nimbus", "Customer sign-in and MFA fail"),
]

# The systems members run: name → (hosting, owner team, what breaks, suppliers it needs, systems it needs).
# Hosting "cloud"/"hybrid" systems also run on the member's cloud provider ("@cloud" below).
SYSTEMS = {
    "Core banking": ("on-premises", "Core systems", "Balances and postings unavailable", ["@core"], []),
    "Core banking (DR)": ("on-premises", "Core systems", "No warm standby for the core", ["@core"], []),
    "Internet banking platform": ("hybrid", "Digital channels", "Customers cannot sign in or pay online",
                                  ["@cloud", "brightgate"], ["Core banking"]),
    "Mobile banking backend": ("cloud", "Digital channels", "The app shows no balances and cannot pay",
                               ["@cloud", "ledgerline"], ["Internet banking platform"]),
    "ATM switch": ("on-premises", "Channels", "ATMs dispense no cash", ["interbank"], ["Core banking"]),
    "Card management system": ("on-premises", "Card services", "Card authorisations are declined",
                               ["orchidcard"], ["Core banking"]),
    "Payment gateway": ("hybrid", "Payments", "Transfers and bill payments queue",
                        ["@cloud", "interbank"], ["Core banking"]),
    "Remittance messaging gateway": ("on-premises", "Payments", "Cross-border payments stop",
                                     [], ["Core banking"]),
    "Open banking API gateway": ("cloud", "Digital channels", "Partners' apps lose access",
                                 ["@cloud", "sunbird"], ["Internet banking platform"]),
    "Policy administration system": ("hybrid", "Insurance operations", "Policies cannot be issued or changed",
                                     ["@cloud", "quillmark"], []),
    "Claims platform": ("cloud", "Claims", "Claims cannot be registered or paid",
                        ["@cloud", "quillmark"], ["Policy administration system"]),
    "Customer portal": ("cloud", "Digital channels", "Customers cannot see policies or file claims",
                        ["@cloud", "brightgate"], ["Policy administration system"]),
    "Premium collection gateway": ("hybrid", "Finance", "Premiums are not collected",
                                   ["@cloud", "interbank"], ["Policy administration system"]),
    "Trading platform": ("on-premises", "Trading technology", "Orders cannot be entered",
                         ["tickstream", "riverbend"], ["Market data feed handler"]),
    "Exchange order gateway": ("on-premises", "Trading technology", "Orders do not reach the exchange",
                               ["islandwave", "tickstream"], ["Trading platform"]),
    "Market data feed handler": ("on-premises", "Trading technology", "Prices freeze",
                                 ["harbourline", "tickstream"], []),
    "Settlement system": ("on-premises", "Operations", "Trades do not settle",
                          ["interbank"], ["Trading platform"]),
    "Mobile trading backend": ("cloud", "Digital channels", "The trading app cannot place orders",
                               ["@cloud", "ledgerline"], ["Trading platform"]),
    "Wallet platform": ("cloud", "Platform", "Wallet payments fail", ["@cloud", "brightgate"], []),
    "Merchant acquiring switch": ("hybrid", "Acquiring", "Merchants cannot take payments",
                                  ["@cloud", "lanternpay", "orchidcard"], ["Wallet platform"]),
    "Top-up gateway": ("hybrid", "Platform", "Customers cannot top up", ["@cloud", "interbank"],
                       ["Wallet platform"]),
    "Bills trading system": ("on-premises", "Treasury", "Bills cannot be traded", ["pagoda"], []),
    "Trust accounting system": ("on-premises", "Trust operations", "Trust accounts cannot be valued",
                                ["pagoda"], []),
    "Identity and access management": ("hybrid", "Security", "Staff cannot sign in to anything",
                                       ["@cloud"], []),
    "Security monitoring (SIEM)": ("cloud", "Security", "Attacks go unseen", ["@cloud", "watchtower"], []),
    "WAN and branch network": ("on-premises", "Infrastructure", "Branches and data centres are cut off",
                               ["islandwave", "harbourline"], []),
}
# Every member runs these, whatever its sector.
COMMON_SYSTEMS = ["Identity and access management", "Security monitoring (SIEM)", "WAN and branch network"]

# Business services by sector: (name, criticality, impact tolerance in minutes, systems it needs, smallest tier
# that offers it: 3 = everyone, 1 = only the largest).
SERVICES = {
    Sector.BANK: [
        ("Domestic payments", "critical", 240, ["Payment gateway", "Core banking"], 3),
        ("Online banking", "critical", 240, ["Internet banking platform", "Identity and access management"], 3),
        ("Mobile banking", "critical", 240, ["Mobile banking backend"], 3),
        ("ATM network", "critical", 480, ["ATM switch", "WAN and branch network"], 3),
        ("Cards", "critical", 120, ["Card management system"], 2),
        ("Cross-border remittance", "high", 1440, ["Remittance messaging gateway"], 2),
        ("Branch teller services", "high", 480, ["Core banking", "WAN and branch network"], 3),
        ("Open banking APIs", "medium", 1440, ["Open banking API gateway"], 1),
    ],
    Sector.INSURANCE: [
        ("Policy administration", "high", 1440, ["Policy administration system"], 3),
        ("Claims handling", "critical", 720, ["Claims platform"], 3),
        ("Online policy services", "high", 1440, ["Customer portal"], 3),
        ("Premium collection", "high", 2880, ["Premium collection gateway"], 2),
    ],
    Sector.SECURITIES: [
        ("Trading", "critical", 60, ["Trading platform", "Exchange order gateway"], 3),
        ("Mobile trading", "critical", 60, ["Mobile trading backend"], 3),
        ("Settlement and custody", "critical", 240, ["Settlement system"], 3),
        ("Market data", "high", 60, ["Market data feed handler"], 2),
    ],
    Sector.PAYMENTS: [
        ("Wallet payments", "critical", 120, ["Wallet platform", "Identity and access management"], 3),
        ("Merchant acquiring", "critical", 240, ["Merchant acquiring switch"], 3),
        ("Top-up and cash-in", "high", 480, ["Top-up gateway"], 3),
    ],
    Sector.OTHER: [
        ("Bills trading and settlement", "critical", 240, ["Bills trading system", "Payment gateway"], 3),
        ("Trust administration", "medium", 2880, ["Trust accounting system"], 3),
    ],
}
CUSTOMERS_BY_TIER = {1: (1_500_000, 9_000_000), 2: (200_000, 1_500_000), 3: (10_000, 200_000)}
SITES = ["Taipei DC1", "Taipei DC2", "New Taipei DC", "Taoyuan DC", "Hsinchu DC"]
DR_SITES = ["Taichung DR site", "Tainan DR site", "Kaohsiung DR site"]
REDUNDANT_WAN = {"harbourline": ("Primary carrier (Island Wave Telecom)", 5)}


def seed(context) -> None:
    """The registry, then each member's inventory, then what members share with the hub and supervisor."""
    registry = {"format": io.FORMAT, "version": io.VERSION, "suppliers": [_supplier(k) for k in SUPPLIERS]}
    actions.load_inventory(context.hub, io.from_data(registry), curate_registry=True)
    members = context.members
    seeded = set(BusinessService.objects.filter(owner__in=members).values_list("owner_id", flat=True).distinct())
    for done, org in enumerate(members, start=1):
        # A member with an inventory is left alone: people, and the seeds of later apps (an approved
        # BIA sets its service's tolerance), may have changed it since, and a re-run must not undo that.
        if org.pk not in seeded:
            document = member_document(org, context.rng_for(f"inventory:{org.slug}"))
            actions.load_inventory(org, _checked(io.from_data(document)))
        context.progress("inventories", done, len(members))
    for done, org in enumerate(members, start=1):
        _share(context, org)
        context.progress("sharing", done, len(members))


def _checked(document: io.Document) -> io.Document:
    if document.problems:
        raise io.ImportRejected(document.problems)
    return document


def _supplier(key: str) -> dict:
    registry_kind, registry_id, name, kind, country, provided = SUPPLIERS[key]
    return {"registry_kind": registry_kind, "registry_id": registry_id, "name": name, "kind": kind,
            "country": country, "services_provided": provided}


def _ref(key: str) -> dict:
    return {"registry_kind": SUPPLIERS[key][0], "registry_id": SUPPLIERS[key][1]}


def _round(minutes: float) -> int:
    return max(15, int(minutes) // 15 * 15)


def member_document(org, rng) -> dict:
    """One member's inventory as an import document, drawn from ``rng`` (so the same on every run)."""
    core = "meridian" if rng.random() < 0.6 else "pagoda"
    cloud = rng.choices(["nimbus", "stratus", "cirrus"], weights=[5, 3, 2])[0]
    region = rng.choice(CLOUD_REGIONS[cloud])
    site, dr_site = rng.choice(SITES), rng.choice(DR_SITES)
    domain = f"corp.{org.slug}.example"

    services = []
    needed = list(COMMON_SYSTEMS)
    edges = []
    low, high = CUSTOMERS_BY_TIER[org.tier]
    for name, criticality, tolerance, systems, tier in SERVICES[org.sector]:
        if org.tier > tier:
            continue
        tolerance = _round(tolerance * rng.uniform(0.75, 1.25))
        services.append({
            "name": name, "criticality": criticality, "customers_served": rng.randint(low, high) // 1000 * 1000,
            "impact_tolerance_minutes": tolerance, "rto_minutes": _round(tolerance * rng.uniform(0.25, 0.9)),
            "rpo_minutes": rng.choice([0, 5, 15]) if criticality == "critical" else rng.choice([15, 60, 240]),
            "description": f"{name} for the customers of {org.name}",
        })
        for system in systems:
            needed.append(system)
            edges.append(({"type": "service", "name": name}, {"type": "system", "name": system},
                          SYSTEMS[system][2], "", None))
    if org.sector == Sector.BANK and org.tier <= 2:
        needed.append("Core banking (DR)")
    # Close over what the needed systems need in turn.
    ordered = []
    while needed:
        system = needed.pop(0)
        if system not in ordered:
            ordered.append(system)
            needed.extend(SYSTEMS[system][4])

    systems, used = [], set()
    for name in ordered:
        hosting, team, breaks, suppliers, upstream = SYSTEMS[name]
        if hosting == "hybrid" and org.tier == 3 and rng.random() < 0.5:
            hosting = "on-premises"  # smaller members keep more in house
        record = {"name": name, "hosting": hosting, "environment": "dr" if "(DR)" in name else "production",
                  "owner_team": team, "admin_domain": domain, "site": dr_site if "(DR)" in name else site,
                  "description": f"{name} of {org.name}"}
        if hosting != "on-premises":
            record.update(cloud_provider=_ref(cloud), region=region, admin_domain=f"{cloud}-tenant-{org.slug}")
            record["site"] = "" if hosting == "cloud" else site
        systems.append(record)
        for target in upstream:
            edges.append(({"type": "system", "name": name}, {"type": "system", "name": target},
                          f"{name}: {SYSTEMS[target][2].lower()}", "", None))
        for supplier in suppliers:
            if supplier == "@cloud" and hosting == "on-premises":
                continue
            key = {"@cloud": cloud, "@core": core}.get(supplier, supplier)
            used.add(key)
            alternative, switchover = REDUNDANT_WAN.get(key, ("", None))
            edges.append(({"type": "system", "name": name}, {"type": "supplier", **_ref(key)},
                          f"{name} degrades or stops: {SUPPLIERS[key][2]} unavailable", alternative, switchover))

    relationships = [{
        "supplier": _ref(key), "services": SUPPLIERS[key][5],
        "criticality": "critical" if SUPPLIERS[key][3] in ("core-banking", "cloud", "payment-processor") else "high",
        "contract_reference": f"{org.slug.upper()[:6]}-{SUPPLIERS[key][1][-4:]}",
        "data_access": SUPPLIERS[key][3] in ("core-banking", "cloud", "managed-service", "software"),
    } for key in sorted(used)]
    if org.tier <= 2:
        # Larger members map their suppliers' own suppliers (fourth parties).
        for supplier, upstream, breaks in FOURTH_PARTIES:
            if supplier in used:
                edges.append(({"type": "supplier", **_ref(supplier)}, {"type": "supplier", **_ref(upstream)},
                              breaks, "", None))
    dependencies = [{"source": source, "target": target, "impact": impact, "alternative": alternative,
                     "alternative_switchover_minutes": switchover}
                    for source, target, impact, alternative, switchover in _unique(edges)]
    return {"format": io.FORMAT, "version": io.VERSION, "services": services, "systems": systems,
            "relationships": relationships, "dependencies": dependencies}


def _unique(edges):
    seen = set()
    for edge in edges:
        key = repr(edge[:2])
        if key not in seen:
            seen.add(key)
            yield edge


def _share(context, org) -> None:
    """Tier-1 and about half the tier-2 members report critical services to the hub and the supervisor
    (TLP:AMBER), their core-banking and cloud relationships to the hub (TLP:AMBER+STRICT), and their
    fourth parties to the hub (TLP:GREEN)."""
    if org.tier == 3 or (org.tier == 2 and context.rng_for(f"share:{org.slug}").random() < 0.5):
        return
    actor = context.admin_of(org)
    hub, supervisor = context.hub, context.supervisor
    for service in BusinessService.objects.filter(owner=org, criticality="critical"):
        _share_once(actor, service, TLP.AMBER, [hub, supervisor])
    for relationship in SupplierRelationship.objects.filter(owner=org, supplier__kind__in=["core-banking", "cloud"]):
        _share_once(actor, relationship, TLP.AMBER_STRICT, [hub])
    for edge in Dependency.objects.filter(owner=org, kind="supplier-supplier"):
        _share_once(actor, edge, TLP.GREEN, [hub])


def _share_once(actor, obj, tlp: str, recipients) -> None:
    already = Share.objects.active().filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                                            shared_by=actor.organization, tlp=tlp).exists()
    if not already:
        core_actions.share_object(actor, obj, tlp_marking=tlp, recipient_orgs=recipients)
