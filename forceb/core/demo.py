"""The demo sector's core: fictional organisations and the people who sign in to them.

``forceb seed-demo`` builds a ``DemoContext``, calls ``seed`` below, then ``<app>.demo.seed(context)``
for every other FORCE-B app in INSTALLED_APPS order that has a ``demo`` module. Every name here is
invented; any likeness to a real institution is an accident.
"""

import os
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from . import actions
from .choices import OrganizationKind, Role, Sector
from .models import Organization, User

# Changing the seed changes every generated choice; keep it so that runs stay repeatable.
SEED = 20250529


def _no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass
class DemoContext:
    """What one app's ``demo.seed(context)`` receives, and what it may add for the apps after it.

    - ``orgs``: every demo organisation by slug (``context.members`` lists the members, in a
      fixed order; ``context.hub`` and ``context.supervisor`` are the other two).
    - ``users``: demo people by username. ``context.admin_of(org)`` is a member-admin of ``org``
      (one per member) to act as, for instance when calling ``share_object``.
    - ``rng``: a ``random.Random`` seeded with ``seed``. Prefer ``context.rng_for(key)``: a
      generator of its own per key (say ``f"sbom:{org.slug}"``), so that what one app draws
      does not shift what another draws and a re-run draws the same again.
    - ``progress(step, done, total)``: report progress; the command draws a bar per ``step``.
    - ``password``: the demo password (only the well-known demo users get it).

    A seed function must be idempotent: look objects up by a natural key and create only what is
    missing, so that a second ``seed-demo`` changes nothing.
    """

    password: str
    progress: Callable[[str, int, int], None] = _no_progress
    seed: int = SEED
    orgs: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    rng: random.Random = field(init=False)

    def __post_init__(self):
        # Repeatable synthetic data, not secrets: a seeded PRNG is what is wanted here.
        self.rng = random.Random(self.seed)  # noqa: S311

    def rng_for(self, key: str) -> random.Random:
        return random.Random(f"{self.seed}:{key}")  # noqa: S311

    @property
    def members(self) -> list[Organization]:
        return [org for org in self.orgs.values() if org.kind == OrganizationKind.MEMBER]

    @property
    def hub(self) -> Organization:
        return next(org for org in self.orgs.values() if org.kind == OrganizationKind.HUB)

    @property
    def supervisor(self) -> Organization:
        return next(org for org in self.orgs.values() if org.kind == OrganizationKind.SUPERVISOR)

    def admin_of(self, org: Organization) -> User:
        return self.users[member_admin_username(org)]


# (slug, name, sector, tier): 32 fictional members across every sector and tier.
MEMBERS = [
    ("lotus-harbour-bank", "Lotus Harbour Commercial Bank", Sector.BANK, 1),
    ("camphor-ridge-bank", "Camphor Ridge Bank", Sector.BANK, 1),
    ("egret-bay-bank", "Egret Bay Commercial Bank", Sector.BANK, 1),
    ("pinewind-bank", "Pinewind International Commercial Bank", Sector.BANK, 1),
    ("orchid-isle-bank", "Orchid Isle Savings Bank", Sector.BANK, 2),
    ("bamboo-creek-bank", "Bamboo Creek Commercial Bank", Sector.BANK, 2),
    ("cloudgate-bank", "Cloudgate Commercial Bank", Sector.BANK, 2),
    ("tidewater-bank", "Tidewater Bank", Sector.BANK, 2),
    ("misty-peak-bank", "Misty Peak Community Bank", Sector.BANK, 3),
    ("heron-valley-bank", "Heron Valley Bank", Sector.BANK, 3),
    ("plum-rain-bank", "Plum Rain Savings Bank", Sector.BANK, 3),
    ("stonebridge-bank", "Stonebridge Regional Bank", Sector.BANK, 3),
    ("crane-pavilion-life", "Crane Pavilion Life Insurance", Sector.INSURANCE, 1),
    ("kingfisher-insurance", "Kingfisher Property & Casualty Insurance", Sector.INSURANCE, 1),
    ("lighthouse-mutual-life", "Lighthouse Mutual Life Insurance", Sector.INSURANCE, 2),
    ("sea-breeze-life", "Sea Breeze Life Insurance", Sector.INSURANCE, 2),
    ("tea-terrace-insurance", "Tea Terrace General Insurance", Sector.INSURANCE, 2),
    ("monsoon-guard-insurance", "Monsoon Guard Insurance", Sector.INSURANCE, 3),
    ("willow-bend-insurance", "Willow Bend Property Insurance", Sector.INSURANCE, 3),
    ("paper-kite-life", "Paper Kite Life Insurance", Sector.INSURANCE, 3),
    ("peregrine-securities", "Peregrine Peak Securities", Sector.SECURITIES, 1),
    ("tidemark-securities", "Tidemark Securities", Sector.SECURITIES, 2),
    ("goldfinch-securities", "Goldfinch Securities", Sector.SECURITIES, 2),
    ("bellflower-securities", "Bellflower Securities", Sector.SECURITIES, 3),
    ("hillside-futures", "Hillside Futures & Securities", Sector.SECURITIES, 3),
    ("north-cape-securities", "North Cape Securities", Sector.SECURITIES, 3),
    ("pebble-pay", "Pebble Pay Electronic Payment Co.", Sector.PAYMENTS, 2),
    ("sparrow-pay", "Sparrow Pay Co.", Sector.PAYMENTS, 2),
    ("firefly-wallet", "Firefly Wallet Co.", Sector.PAYMENTS, 3),
    ("kite-stored-value", "Kite Stored Value Card Co.", Sector.PAYMENTS, 3),
    ("cedar-bills-finance", "Cedar Bills Finance Co.", Sector.OTHER, 2),
    ("lamplight-trust", "Lamplight Trust Co.", Sector.OTHER, 3),
]
HUB = ("beacon-fisac", "Beacon F-ISAC & Joint Defense SOC")
SUPERVISOR = ("financial-oversight", "Financial Oversight Commission")
FIRST_BANK = "lotus-harbour-bank"
FIRST_INSURER = "lighthouse-mutual-life"

# The well-known people to sign in as, one per role: username → (organisation slug, role).
DEMO_USERS = {
    "demo-member-admin": (FIRST_BANK, Role.MEMBER_ADMIN),
    "demo-member-analyst": (FIRST_BANK, Role.MEMBER_ANALYST),
    "demo-auditor": (FIRST_BANK, Role.AUDITOR),
    "demo-insurer-admin": (FIRST_INSURER, Role.MEMBER_ADMIN),
    "demo-hub-analyst": (HUB[0], Role.HUB_ANALYST),
    "demo-platform-admin": (HUB[0], Role.PLATFORM_ADMIN),
    "demo-supervisor": (SUPERVISOR[0], Role.SUPERVISOR),
}


def member_admin_username(org: Organization) -> str:
    """The member-admin the seed acts as: the well-known one where there is one."""
    for username, (slug, role) in DEMO_USERS.items():
        if slug == org.slug and role == Role.MEMBER_ADMIN:
            return username
    return f"{org.slug}-admin"


def password_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-password"


def demo_password() -> tuple[str, str]:
    """The demo password and where it came from: ``FORCEB_DEMO_PASSWORD``, else one generated on the
    first run and kept (mode 0600) in the data directory so that later runs print the same one."""
    given = os.environ.get("FORCEB_DEMO_PASSWORD")
    if given:
        return given, "FORCEB_DEMO_PASSWORD"
    path = password_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two runs at once must not write two different passwords.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip(), str(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(12) + "\n")
    return path.read_text().strip(), str(path)


def seed(context: DemoContext) -> None:
    """Create the organisations and people that are missing; leave existing ones as they are."""
    wanted = [(slug, name, OrganizationKind.MEMBER, sector, tier) for slug, name, sector, tier in MEMBERS]
    wanted += [(*HUB, OrganizationKind.HUB, "", None), (*SUPERVISOR, OrganizationKind.SUPERVISOR, "", None)]
    existing = {org.slug: org for org in Organization.objects.filter(slug__in=[w[0] for w in wanted])}
    for done, (slug, name, kind, sector, tier) in enumerate(wanted, start=1):
        org = existing.get(slug) or actions.create_organization(slug=slug, name=name, kind=kind, sector=sector,
                                                                tier=tier)
        context.orgs[slug] = org
        context.progress("organisations", done, len(wanted))

    people = {username: (context.orgs[slug], role, True) for username, (slug, role) in DEMO_USERS.items()}
    for org in context.members:
        # Every member has an admin to act as; only the well-known ones can sign in.
        people.setdefault(member_admin_username(org), (org, Role.MEMBER_ADMIN, False))
    present = {u.username: u for u in User.objects.filter(username__in=list(people))}
    # Checking one password is enough to see whether the operator chose another FORCEB_DEMO_PASSWORD
    # (argon2 makes each check cost a tenth of a second by design).
    first = present.get(next(iter(DEMO_USERS)))
    password_changed = first is not None and not first.check_password(context.password)
    for done, (username, (org, role, signs_in)) in enumerate(people.items(), start=1):
        user = present.get(username)
        if user is None:
            user = actions.create_user(username=username, organization=org, role=role,
                                       password=context.password if signs_in else None, check_password=False)
        elif signs_in and password_changed:
            actions.set_password(user, context.password, check_password=False)
        context.users[username] = user
        context.progress("people", done, len(people))
