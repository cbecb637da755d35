"""Reads of the intelligence store, narrowed to what the requesting person may see.

``visible_objects`` is the intel chokepoint: every read path (TAXII objects, manifest, versions,
exports, subscriptions, UI) starts from it, so the collection's readers and the objects' TLP
markings are enforced in one place. The rule, in docs/intel.md:

- TLP:CLEAR and TLP:GREEN: every reader of the collection;
- TLP:AMBER: readers that are the hub or a member institution (the community the hub serves),
  and the contributing organisation;
- TLP:AMBER+STRICT: the contributing organisation and the hub only;
- TLP:RED: the person who contributed it and the people they named, nobody else.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Q

from forceb.core.choices import TLP, WRITER_ROLES, OrganizationKind

from . import stix
from .models import (
    AddStatus,
    Collection,
    CorrelationExclusion,
    ObservedValue,
    RedRecipient,
    StixObject,
    Subscription,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def collections(user):
    """The collections the person's organisation reads or writes (or owns, for the hub)."""
    return Collection.objects.restrict(user, "view").prefetch_related("readers", "writers")


def subscriptions(user):
    return Subscription.objects.restrict(user, "view").select_related("collection")


def collection_or_subscription(user, uuid):
    """What a TAXII collection id names for this person: a collection, or one of the
    organisation's subscriptions (a read-only collection of the versions it matched)."""
    found = collection(user, uuid)
    if found is not None:
        return found
    sub = Subscription.objects.filter(uuid=uuid, owner_id=user.organization_id).select_related("collection").first()
    if sub is not None:
        sub.may_read, sub.may_write = True, False
    return sub


def versions_in(user, found):
    """The versions a person reads in a collection or through a subscription."""
    if isinstance(found, Subscription):
        return visible_objects(user, found.collection).filter(subscriptions=found)
    return visible_objects(user, found)


def collection(user, uuid) -> Collection | None:
    """One collection the person reaches, with ``may_read``/``may_write`` worked out (a TAXII
    request needs both before its page). Plain lookups: on the hot path, building one query
    with sub-selects cost more in the ORM than three simple queries cost in the database."""
    found = Collection.objects.filter(uuid=uuid).first()
    if found is None:
        return None
    org = user.organization_id
    own = found.owner_id == org
    reader = own or Collection.readers.through.objects.filter(collection_id=found.pk, organization_id=org).exists()
    writer = own or Collection.writers.through.objects.filter(collection_id=found.pk, organization_id=org).exists()
    if not (reader or writer):
        return None
    found.may_read = reader
    found.may_write = writer and user.role in WRITER_ROLES
    return found


def tlp_reach(user) -> Q:
    """The TLP condition a version must meet for ``user`` to read it."""
    kind = user.organization.kind
    levels = [TLP.CLEAR, TLP.GREEN]
    if kind in (OrganizationKind.MEMBER, OrganizationKind.HUB):
        levels.append(TLP.AMBER)
    if kind == OrganizationKind.HUB:
        levels.append(TLP.AMBER_STRICT)
    reach = Q(tlp__in=levels)
    reach |= Q(contributor_id=user.organization_id, tlp__in=[TLP.AMBER, TLP.AMBER_STRICT])
    reach |= Q(tlp=TLP.RED, contributed_by=user)
    reach |= Q(tlp=TLP.RED, pk__in=RedRecipient.objects.filter(user=user).values("stix_object_id"))
    return reach


def visible_objects(user, collection: Collection):
    """Every version in ``collection`` that ``user`` may read; none if they may not read it."""
    if user is None or not user.is_authenticated or user.organization_id is None:
        return StixObject.objects.none()
    may_read = getattr(collection, "may_read", None)
    if not (collection.can_read(user) if may_read is None else may_read):
        return StixObject.objects.none()
    return StixObject.objects.filter(collection=collection).filter(tlp_reach(user))


def status(user, uuid) -> AddStatus | None:
    """A status resource is the business of the organisation that made the request (and the hub)."""
    found = AddStatus.objects.filter(uuid=uuid).select_related("collection").first()
    if found is None:
        return None
    if found.organization_id == user.organization_id or found.collection.owner_id == user.organization_id:
        return found
    return None


@dataclass
class Filters:
    """The TAXII filters of one request (section 3.6); ``None`` means 'not given'."""

    ids: list[str] | None = None
    types: list[str] | None = None
    versions: list = field(default_factory=lambda: ["last"])
    spec_versions: list[str] | None = None
    added_after: datetime | None = None


def filtered(versions, filters: Filters, *, use_version: bool = True, use_id_type: bool = True):
    if use_id_type and filters.ids is not None:
        versions = versions.filter(stix_id__in=filters.ids)
    if use_id_type and filters.types is not None:
        versions = versions.filter(type__in=filters.types)
    if filters.spec_versions is not None:
        versions = versions.filter(spec_version__in=filters.spec_versions)
    if filters.added_after is not None:
        versions = versions.filter(date_added__gt=filters.added_after)
    if use_version and "all" not in filters.versions:
        which = Q(pk__in=[])
        if "last" in filters.versions:
            which |= Q(is_latest=True)
        if "first" in filters.versions:
            which |= Q(is_first=True)
        stamps = [v for v in filters.versions if isinstance(v, datetime)]
        if stamps:
            which |= Q(version__in=stamps)
        versions = versions.filter(which)
    return versions


@dataclass
class Page:
    rows: list
    more: bool
    next: str | None


def page(versions, *, fields: tuple[str, ...], limit: int, after: datetime | None, order: str = "date_added"):
    """One page in ``order`` (date_added, unique per collection, or version for one object's
    versions), by keyset: the cursor is the last key served, so a page costs the same at the
    end of a 100,000-object collection as at its start."""
    if after is not None:
        versions = versions.filter(**{f"{order}__gt": after})
    rows = list(versions.order_by(order).values_list(*fields, order)[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(rows[-1][-1]) if more else None
    return Page(rows=rows, more=more, next=cursor)


def encode_cursor(value: datetime) -> str:
    """An opaque ``next`` value: the last key served, in microseconds since the epoch."""
    delta = value - EPOCH
    return str((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def decode_cursor(text: str) -> datetime:
    micros = int(text)
    if micros < 0:
        raise ValueError("a cursor is not negative")
    return EPOCH + timedelta(microseconds=micros)


@dataclass
class SightingSummary:
    """How widely something is seen across the sector: counts only, no names."""

    organisations: int
    sightings: int
    first_seen: str | None
    last_seen: str | None


def sighting_summary(user, collection: Collection, sighted_id: str) -> SightingSummary:
    """The sightings of ``sighted_id`` that ``user`` may read in ``collection``, summed. The
    number of organisations that reported them is counted from the contributor column, which is
    never shown: an anonymous sighting adds to the count without saying whose it is."""
    return _summarise(visible_objects(user, collection).filter(sighting_of=sighted_id, is_latest=True))


def sector_sighting_summary(user, sighted_id: str) -> SightingSummary:
    """``sighting_summary`` over every collection the person reads (sightings are often kept in a
    collection of their own, apart from the indicators they are about)."""
    return _summarise(readable_objects(user).filter(sighting_of=sighted_id, is_latest=True))


def _summarise(rows) -> SightingSummary:
    organisations = rows.values("contributor_id").distinct().count()
    total, firsts, lasts = 0, [], []
    for body in rows.values_list("body", flat=True).iterator():
        obj = json.loads(body)
        total += int(obj.get("count", 1))
        if obj.get("first_seen"):
            firsts.append(stix.parse_timestamp(obj["first_seen"]))
        if obj.get("last_seen"):
            lasts.append(stix.parse_timestamp(obj["last_seen"]))
    return SightingSummary(organisations=organisations, sightings=total,
                           first_seen=stix.format_timestamp(min(firsts)) if firsts else None,
                           last_seen=stix.format_timestamp(max(lasts)) if lasts else None)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("a quarter is 1, 2, 3 or 4")
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if quarter == 4 else datetime(year, 3 * quarter + 1, 1, tzinfo=UTC)
    return start, end


def ledger_contributions() -> list:
    """Every stored version as the ledger engine needs it (member contributions and the rest,
    since 'new' and 'early' look across everything the hub holds)."""
    from .ledger import Contribution

    rows = list(StixObject.objects.order_by("date_added", "pk")
                .values_list("stix_id", "type", "contributor_id", "date_added", "sighting_of", "body"))
    first_seen: dict[str, int] = {}
    out = []
    for stix_id, kind, contributor, added, sighting_of, body in rows:
        first = stix_id not in first_seen
        first_seen.setdefault(stix_id, contributor)
        pattern = source = target = ""
        if kind in ("indicator", "relationship"):
            obj = json.loads(body)
            pattern = obj.get("pattern", "") if kind == "indicator" else ""
            source, target = obj.get("source_ref", ""), obj.get("target_ref", "")
        out.append(Contribution(stix_id=stix_id, type=kind, contributor=contributor, date_added=added,
                                first_of_id=first, first_contributor=first_seen[stix_id], pattern=pattern,
                                sighting_of=sighting_of, source_ref=source, target_ref=target))
    return out


def leaderboard(year: int, quarter: int) -> list[tuple[str, int, dict]]:
    """Member organisations by points earned in the quarter: (name, points, points by rule).
    Every member may read it: it shows totals, never which objects earned them."""
    from forceb.core.models import Organization

    from .ledger import score

    since, until = quarter_bounds(year, quarter)
    accounts = score(ledger_contributions(), since=since, until=until)
    members = {o.pk: o.name for o in Organization.objects.filter(kind=OrganizationKind.MEMBER)}
    board = [(members[org], acc.points, dict(acc.by_rule)) for org, acc in accounts.items() if org in members]
    return sorted(board, key=lambda row: (-row[1], row[0]))


def readable_collections(user):
    """The collections the person's organisation reads (owns or is named a reader of)."""
    org = user.organization_id
    return Collection.objects.filter(Q(owner_id=org) | Q(readers=org)).distinct()


def sighting_collections(user):
    """Where the person may report a sighting: collections their organisation both reads (to see
    it counted) and writes, and only for roles that write."""
    if user.role not in WRITER_ROLES:
        return Collection.objects.none()
    org = user.organization_id
    return readable_collections(user).filter(Q(owner_id=org) | Q(writers=org)).distinct().order_by("title")


def readable_objects(user):
    """Every version the person may read, in every collection their organisation reads."""
    if user is None or not user.is_authenticated or user.organization_id is None:
        return StixObject.objects.none()
    org = user.organization_id
    readable = Collection.objects.filter(Q(owner_id=org) | Q(readers=org)).values("pk")
    return StixObject.objects.filter(collection__in=readable).filter(tlp_reach(user))


@dataclass
class Correlation:
    kind: str
    value: str
    others: list  # StixObject rows the person may read that name the same value
    capped: bool = False


def correlations(user, row: StixObject) -> list[Correlation]:
    """The other versions, among those the person may read, that name a value ``row`` names.
    Access holds on both sides: ``row`` must be readable, and so must each one it links to.
    Excluded values and values past the cap are reported as such, without their links."""
    from .correlation import CAP

    if not readable_objects(user).filter(pk=row.pk).exists():
        return []
    excluded = set(CorrelationExclusion.objects.values_list("value", flat=True))
    found = []
    for kind, value in row.values.values_list("kind", "value").distinct():
        if value.lower() in excluded:
            continue
        named_by = ObservedValue.objects.filter(value=value, kind=kind).exclude(stix_object__stix_id=row.stix_id)
        if named_by.count() > CAP:
            found.append(Correlation(kind=kind, value=value, others=[], capped=True))
            continue
        others = list(readable_objects(user).filter(pk__in=named_by.values("stix_object_id"), is_latest=True)
                      .select_related("collection").order_by("date_added"))
        if others:
            found.append(Correlation(kind=kind, value=value, others=others))
    return found


def organisation_reach(organization) -> Q:
    """The TLP condition for what a whole organisation may be told about (a digest): as
    ``tlp_reach`` without TLP:RED, which reaches named people only, never an organisation."""
    levels = [TLP.CLEAR, TLP.GREEN]
    if organization.kind in (OrganizationKind.MEMBER, OrganizationKind.HUB):
        levels.append(TLP.AMBER)
    if organization.kind == OrganizationKind.HUB:
        levels.append(TLP.AMBER_STRICT)
    return Q(tlp__in=levels) | Q(contributor_id=organization.pk, tlp__in=[TLP.AMBER, TLP.AMBER_STRICT])


# Browsing and search (REST API and UI) -----------------------------------------------------------

def search_objects(user, *, types=(), text: str = "", technique: str = "", tlp: str = "", collection=None):
    """The latest versions the person may read, narrowed by type, TLP, collection, free text (in
    the object's JSON: names, patterns, descriptions) and ATT&CK technique: the attack pattern
    with that id (``T1566`` also finds ``T1566.001``), what mentions it, and what a readable
    relationship ties to it. Everything starts from ``readable_objects``, so TLP holds."""
    found = readable_objects(user).filter(is_latest=True)
    if types:
        found = found.filter(type__in=list(types))
    if tlp:
        found = found.filter(tlp=tlp)
    if collection is not None:
        found = found.filter(collection=collection)
    if text:
        found = found.filter(body__icontains=text)
    if technique:
        technique = technique.strip().upper()
        patterns = list(readable_objects(user).filter(type="attack-pattern", is_latest=True,
                                                      body__icontains=f'"external_id":"{technique}')
                        .values_list("stix_id", flat=True).distinct())
        linked = set()
        for pattern_id in patterns:
            for body in (readable_objects(user).filter(type="relationship", is_latest=True, body__contains=pattern_id)
                         .values_list("body", flat=True)):
                rel = json.loads(body)
                linked.update({rel.get("source_ref"), rel.get("target_ref")} - {pattern_id})
        found = found.filter(Q(body__icontains=technique) | Q(stix_id__in=[*patterns, *linked]))
    return found.select_related("collection").order_by("-date_added")


def readable_version(user, pk: int) -> StixObject | None:
    """One stored version by its row id, or ``None`` when the person may not read it (a 404)."""
    return readable_objects(user).select_related("collection").filter(pk=pk).first()


@dataclass
class Link:
    """One relationship of an object, seen from that object: the relationship and its other end
    (``other`` is ``None`` when the other end is not readable: only its id is known)."""

    relationship: StixObject
    relationship_type: str
    outgoing: bool
    other_id: str
    other: StixObject | None


def relationships_of(user, row: StixObject) -> list[Link]:
    """The readable relationships (and sightings) naming ``row``'s object, with the readable
    object at their other end: what the detail page draws."""
    readable = readable_objects(user).filter(is_latest=True)
    links, ends = [], set()
    for rel in readable.filter(type="relationship", body__contains=row.stix_id).order_by("date_added"):
        obj = json.loads(rel.body)
        if row.stix_id not in (obj.get("source_ref"), obj.get("target_ref")):
            continue
        outgoing = obj.get("source_ref") == row.stix_id
        other_id = obj.get("target_ref") if outgoing else obj.get("source_ref")
        links.append(Link(rel, obj.get("relationship_type", "related-to"), outgoing, other_id, None))
        ends.add(other_id)
    by_id = {o.stix_id: o for o in readable.filter(stix_id__in=ends).select_related("collection")}
    for link in links:
        link.other = by_id.get(link.other_id)
    return links


def name_of(row: StixObject) -> str:
    """What to call a version on a page: its name, else its pattern, else its id."""
    obj = json.loads(row.body)
    return obj.get("name") or obj.get("pattern") or obj.get("value") or row.stix_id


def versions_naming(user, value: str) -> Correlation:
    """The readable latest versions that name ``value`` (an indicator value looked up directly),
    with the same exclusion list and cap as ``correlations``."""
    from .correlation import CAP

    value = value.strip()
    lowered = value.lower()
    if CorrelationExclusion.objects.filter(value=lowered).exists():
        return Correlation(kind="excluded", value=value, others=[])
    named_by = ObservedValue.objects.filter(Q(value=value) | Q(value=lowered))
    if named_by.values("stix_object__stix_id").distinct().count() > CAP:
        return Correlation(kind="", value=value, others=[], capped=True)
    others = list(readable_objects(user).filter(pk__in=named_by.values("stix_object_id"), is_latest=True)
                  .select_related("collection").order_by("date_added"))
    return Correlation(kind="", value=value, others=others)
