"""The contribution ledger: points for what members share, weighted by quality. Plain Python.

The rules (shown to members in docs/intel.md, and by ``RULES``):

- a **new object** (the first version of an id anywhere on the hub): 10 points; an observable
  (SCO) 2, a relationship 3, a sighting 1;
- a **new version** of one's own object: 2 points;
- **early**: the first organisation to share an indicator whose pattern others share later
  earns 5 points more;
- **confirmed**: 3 points for each other organisation that reports a sighting of it;
- **linked**: 2 points when one's object is tied by a relationship to an ATT&CK technique, a
  campaign, an intrusion set or a threat actor;
- **nothing** for a duplicate (an id someone already shared, or a version already there), for a
  sighting of one's own object, or for what one republishes of another's.

Anonymous contributions earn their contributor points like any other; the leaderboard shows
totals per organisation, never which objects earned them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

RULES = {
    "new": "first version of an object on the hub: 10 (observable 2, relationship 3, sighting 1)",
    "version": "new version of one's own object: 2",
    "early": "first to share an indicator pattern that others share later: +5",
    "confirmed": "each other organisation that reports a sighting of it: +3",
    "linked": "tied by a relationship to a technique, campaign, intrusion set or threat actor: +2",
}
OBSERVABLE_TYPES = frozenset({
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message", "file",
    "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software", "url",
    "user-account", "windows-registry-key", "x509-certificate"})
CONTEXT_TYPES = frozenset({"attack-pattern", "campaign", "intrusion-set", "threat-actor"})


@dataclass(frozen=True)
class Contribution:
    """One stored version, as the ledger needs it."""

    stix_id: str
    type: str
    contributor: int
    date_added: datetime
    first_of_id: bool  # the earliest version of this id anywhere on the hub
    first_contributor: int  # who shared the id first
    pattern: str = ""
    sighting_of: str = ""
    source_ref: str = ""
    target_ref: str = ""


@dataclass
class Account:
    points: int = 0
    by_rule: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, rule: str, points: int) -> None:
        self.points += points
        self.by_rule[rule] += points


def base_points(kind: str) -> int:
    if kind == "sighting":
        return 1
    if kind == "relationship":
        return 3
    if kind in OBSERVABLE_TYPES:
        return 2
    return 10


def score(contributions: list[Contribution], *, since: datetime, until: datetime) -> dict[int, Account]:
    """Points per contributing organisation for what was added in [since, until). The whole
    history is given so that 'new', 'early' and 'confirmed' can look before and after."""
    accounts: dict[int, Account] = defaultdict(Account)
    in_period = [c for c in contributions if since <= c.date_added < until]
    owner_of = {}
    for c in contributions:
        if c.first_of_id:
            owner_of[c.stix_id] = c.contributor

    for c in in_period:
        if c.first_of_id:
            if c.type == "sighting" and owner_of.get(c.sighting_of) == c.contributor:
                continue  # a self-sighting earns nothing
            accounts[c.contributor].add("new", base_points(c.type))
        elif c.first_contributor == c.contributor and c.type != "sighting":
            accounts[c.contributor].add("version", 2)

    # Early: the first to share a pattern that someone else shared afterwards.
    first_by_pattern: dict[str, Contribution] = {}
    others_later: dict[str, set] = defaultdict(set)
    for c in sorted((c for c in contributions if c.pattern), key=lambda c: c.date_added):
        first = first_by_pattern.setdefault(c.pattern, c)
        if c.contributor != first.contributor:
            others_later[c.pattern].add(c.contributor)
    for pattern, first in first_by_pattern.items():
        if others_later[pattern] and since <= first.date_added < until and first.first_of_id:
            accounts[first.contributor].add("early", 5)

    # Confirmed: distinct other organisations that sighted it (sightings made in the period).
    sighted_by: dict[str, set] = defaultdict(set)
    for c in in_period:
        if c.type == "sighting" and c.first_of_id and c.sighting_of in owner_of:
            if owner_of[c.sighting_of] != c.contributor:
                sighted_by[c.sighting_of].add(c.contributor)
    for stix_id, orgs in sighted_by.items():
        accounts[owner_of[stix_id]].add("confirmed", 3 * len(orgs))

    # Linked: relationships (of anyone, in the period) tying one's object to context.
    linked: set[str] = set()
    for c in in_period:
        if c.type == "relationship" and c.first_of_id:
            for mine, other in ((c.source_ref, c.target_ref), (c.target_ref, c.source_ref)):
                if other.split("--")[0] in CONTEXT_TYPES and mine in owner_of and mine not in linked:
                    linked.add(mine)
                    accounts[owner_of[mine]].add("linked", 2)
    return dict(accounts)
