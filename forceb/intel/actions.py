"""Every write of the intelligence hub: collections, contributions of STIX objects, deletions.

``add_objects`` is the one way objects enter the store (TAXII POST, CLI import, ATT&CK load):
it validates every object with stix2-validator first and stores nothing unless all are valid,
then writes the versions in bulk under the collection's lock, keeps the ``is_latest`` and
``is_first`` flags true, and records one audit entry naming the true contributor.
"""

import gzip
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from forceb.core import actions as core_actions
from forceb.core import audit
from forceb.core.choices import TLP, WRITER_ROLES, AuditAction, OrganizationKind
from forceb.core.models import Organization, User

from . import correlation, matching, stix
from .choices import StatusState
from .models import (
    AddStatus,
    Collection,
    CorrelationExclusion,
    ObservedValue,
    RedRecipient,
    StixObject,
    Subscription,
)

#: Rows written per INSERT; keeps statements under SQLite's variable limit and memory flat.
BATCH = 2000
#: Ids listed in one contribution's audit entry beyond which only the count is kept (the rows
#: keep their contributor in any case).
AUDIT_ID_LIMIT = 1000
ONE_MICROSECOND = timedelta(microseconds=1)
#: Contributions of at least this many versions refresh the database's statistics.
ANALYSE_FROM = 1000


class InvalidObjects(ValueError):
    """A contribution refused whole because some objects are not valid STIX 2.1."""

    def __init__(self, problems: list[stix.Problem]):
        self.problems = problems
        first = problems[0]
        super().__init__(f"{len(problems)} problem(s); first: {first.object_id or '(no id)'}: {first.message}")


@dataclass
class AddResult:
    status: AddStatus
    stored: int = 0
    duplicates: int = 0
    ids: list[str] = field(default_factory=list)


@transaction.atomic
def create_collection(actor: User | None, *, title: str, description: str = "", alias: str = "",
                      readers: Iterable[Organization] = (), writers: Iterable[Organization] = (),
                      default_tlp: str = "GREEN", anonymous: bool = False) -> Collection:
    """A new collection, owned by the hub: the sector's intelligence is held by its hub."""
    hub = core_actions.hub()
    if hub is None:
        raise ValidationError("there is no hub organisation to own the collection")
    if actor is not None and actor.organization_id != hub.pk:
        raise PermissionDenied("only the hub creates collections")
    collection = Collection(owner=hub, title=title, description=description, alias=alias,
                            default_tlp=default_tlp, anonymous=anonymous)
    collection.full_clean()
    collection.save()
    collection.readers.set(list(readers))
    collection.writers.set(list(writers))
    return collection


def validate_all(objects: list, progress: Callable[[int], None] | None = None) -> list[stix.Problem]:
    problems = []
    for number, obj in enumerate(objects, 1):
        problems.extend(stix.validate(obj))
        if progress is not None and number % 100 == 0:
            progress(100)
    if progress is not None and len(objects) % 100:
        progress(len(objects) % 100)
    return problems


def add_objects(actor: User, collection: Collection, objects: list, *, anonymous: bool | None = None,
                validated: bool = False, progress: Callable[[int], None] | None = None) -> AddResult:
    """Store a contribution of STIX 2.1 objects in ``collection``, all or nothing.

    Raises ``InvalidObjects`` (nothing stored) when any object is invalid, ``PermissionDenied``
    when ``actor`` may not write to the collection. Versions already present count as successes
    and are not stored twice.
    """
    if not collection.can_write(actor):
        raise PermissionDenied("your organisation may not write to this collection")
    if not validated:
        problems = validate_all(objects)
        if problems:
            raise InvalidObjects(problems)
    anonymous = collection.anonymous if anonymous is None else anonymous
    return _store(actor, collection, objects, anonymous=anonymous, progress=progress)


@transaction.atomic
def _store(actor: User, collection: Collection, objects: list, *, anonymous: bool,
           progress: Callable[[int], None] | None) -> AddResult:
    requested = timezone.now()
    # Take the write lock before reading the clock: a row lock on PostgreSQL, and on SQLite the
    # database's write lock, taken by a write as the transaction's first statement (a
    # transaction that reads first cannot write once another writer has committed).
    Collection.objects.filter(pk=collection.pk).update(clock=F("clock"))
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    if anonymous:
        objects = _anonymised(objects, collection)
    indexed = [(stix.index(obj), obj) for obj in objects]
    existing = _existing_versions(collection, {ix.stix_id for ix, _ in indexed})

    clock = collection.clock
    rows, bodies, successes, seen, observables = [], [], [], set(), {}
    for ix, obj in indexed:
        clock = requested if clock is None or requested > clock else clock + ONE_MICROSECOND
        version = ix.version
        if version is None:
            version = observables.setdefault(ix.stix_id, _observable_version(existing.get(ix.stix_id), clock))
        key = (ix.stix_id, version)
        successes.append({"id": ix.stix_id, "version": ix.version_text or stix.format_timestamp(version)})
        if key in seen or version in existing.get(ix.stix_id, {}):
            continue
        seen.add(key)
        bodies.append(obj)
        rows.append(StixObject(
            collection=collection, stix_id=ix.stix_id, type=ix.type, spec_version=ix.spec_version,
            created=ix.created, modified=ix.modified, version=version,
            version_text=ix.version_text or stix.format_timestamp(version), date_added=clock,
            tlp=ix.tlp or collection.default_tlp, contributor_id=actor.organization_id, contributed_by=actor,
            anonymous=anonymous, sighting_of=ix.sighting_of, body=stix.canonical_json(obj),
        ))
    _set_version_flags(rows, existing)
    for start in range(0, len(rows), BATCH):
        StixObject.objects.bulk_create(rows[start:start + BATCH])
        if progress is not None:
            progress(len(rows[start:start + BATCH]))
    _clear_superseded_flags(collection, rows, existing)
    _match_subscriptions(collection, rows, bodies)
    _record_values(rows, bodies)
    if rows:
        collection.clock = clock
        collection.save(update_fields=["clock"])

    status = AddStatus.objects.create(
        collection=collection, requested_by=actor, organization_id=actor.organization_id,
        request_timestamp=requested, status=StatusState.COMPLETE, total_count=len(objects),
        successes=successes)
    if len(rows) >= ANALYSE_FROM:
        # After a large load the planner's statistics are stale (SQLite has none until asked):
        # without them it pages match[id] through the date_added index instead of the id index.
        transaction.on_commit(_analyse)
    stored_ids = [f"{row.stix_id}@{row.version_text}" for row in rows]
    audit.record(AuditAction.IMPORT, collection, after={
        "status": str(status.uuid), "contributor": actor.organization.slug, "contributed_by": actor.username,
        "anonymous": anonymous, "stored": len(rows), "duplicates": len(objects) - len(rows),
        "objects": stored_ids if anonymous or len(stored_ids) <= AUDIT_ID_LIMIT else stored_ids[:AUDIT_ID_LIMIT],
    })
    return AddResult(status=status, stored=len(rows), duplicates=len(objects) - len(rows),
                     ids=[row.stix_id for row in rows])


def _analyse() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {StixObject._meta.db_table}")


def _anonymised(objects: list, collection: Collection) -> list:
    """The contribution as the hub republishes it: its identity as creator, and the identity
    objects the contributor described itself with left out."""
    hub = collection.owner
    identity = stix.hub_identity(hub.name, hub.slug)
    self_described = {obj.get("created_by_ref") for obj in objects} - {None}
    return [stix.republish_as(obj, identity["id"]) for obj in objects if obj["id"] not in self_described]


def _existing_versions(collection: Collection, stix_ids: set[str]) -> dict[str, dict]:
    """For each id already in the collection: {version: (row id, is_latest, is_first)}."""
    found: dict[str, dict] = {}
    ids = sorted(stix_ids)
    for start in range(0, len(ids), 500):
        rows = StixObject.objects.filter(collection=collection, stix_id__in=ids[start:start + 500]) \
            .values_list("stix_id", "version", "pk", "is_latest", "is_first")
        for stix_id, version, pk, latest, first in rows:
            found.setdefault(stix_id, {})[version] = (pk, latest, first)
    return found


def _observable_version(versions: dict | None, clock):
    # An observable's id is derived from its content: the first time it is added is its version.
    return next(iter(versions)) if versions else clock


def _set_version_flags(rows: list[StixObject], existing: dict[str, dict]) -> None:
    """Flag the newest and oldest version of every id among the new rows and the stored ones."""
    by_id: dict[str, list] = {}
    for row in rows:
        by_id.setdefault(row.stix_id, []).append(row)
    for stix_id, new_rows in by_id.items():
        versions = [row.version for row in new_rows] + list(existing.get(stix_id, {}))
        newest, oldest = max(versions), min(versions)
        for row in new_rows:
            row.is_latest = row.version == newest
            row.is_first = row.version == oldest


def _clear_superseded_flags(collection: Collection, rows: list[StixObject], existing: dict[str, dict]) -> None:
    """Stored versions that a new row has displaced as newest or oldest lose their flag."""
    no_longer_latest, no_longer_first = [], []
    for row in rows:
        for version, (pk, latest, first) in existing.get(row.stix_id, {}).items():
            if latest and row.is_latest and row.version > version:
                no_longer_latest.append(pk)
            if first and row.is_first and row.version < version:
                no_longer_first.append(pk)
    if no_longer_latest:
        StixObject.objects.filter(pk__in=no_longer_latest).update(is_latest=False)
    if no_longer_first:
        StixObject.objects.filter(pk__in=no_longer_first).update(is_first=False)


@transaction.atomic
def delete_versions(actor: User, collection: Collection, versions) -> int:
    """Delete the given versions (a queryset already narrowed to what ``actor`` sees) that
    ``actor`` may delete: the hub any, a member only its own contributions. Returns how many."""
    if not collection.can_write(actor):
        raise PermissionDenied("your organisation may not write to this collection")
    deletable = versions if actor.organization_id == collection.owner_id \
        else versions.filter(contributor_id=actor.organization_id)
    touched = set(deletable.values_list("stix_id", flat=True))
    count = 0
    for row in deletable.select_for_update():
        row.delete()
        count += 1
    for stix_id in touched:
        _reflag(collection, stix_id)
    return count


def _reflag(collection: Collection, stix_id: str) -> None:
    remaining = StixObject.objects.filter(collection=collection, stix_id=stix_id)
    versions = list(remaining.values_list("pk", "version"))
    if not versions:
        return
    newest = max(versions, key=lambda v: v[1])[0]
    oldest = min(versions, key=lambda v: v[1])[0]
    remaining.exclude(pk=newest).update(is_latest=False)
    remaining.filter(pk=newest).update(is_latest=True)
    remaining.exclude(pk=oldest).update(is_first=False)
    remaining.filter(pk=oldest).update(is_first=True)


@transaction.atomic
def name_red_recipients(actor: User, stix_object: StixObject, users: Iterable[User]) -> None:
    """Let named people read a TLP:RED object: only the person who contributed it may name them."""
    if stix_object.contributed_by_id != actor.pk:
        raise PermissionDenied("only the person who contributed a TLP:RED object names its recipients")
    for user in users:
        RedRecipient.objects.get_or_create(stix_object=stix_object, user=user)


def report_sighting(actor: User, collection: Collection, *, sighting_of: str, count: int = 1,
                    first_seen=None, last_seen=None, share_identity: bool = False,
                    marking: str | None = None, description: str = "") -> AddResult:
    """A member reports that it saw an indicator. Unless it chooses to share its identity, the
    sighting is published by the hub (anonymous) and names no one: the sector learns how widely
    the indicator is seen, not by whom."""
    if count < 1:
        raise ValidationError("a sighting counts at least one occurrence")
    now = timezone.now()
    first_seen = first_seen or now
    last_seen = last_seen or first_seen
    if last_seen < first_seen:
        raise ValidationError("last_seen is before first_seen")
    where = stix.organisation_identity_id(actor.organization.slug) if share_identity else None
    obj = stix.sighting(sighting_of=sighting_of, count=count, first_seen=first_seen, last_seen=last_seen,
                        now=now, where_sighted=where, marking=marking)
    if share_identity:
        obj["created_by_ref"] = where
    if description.strip():
        obj["description"] = description.strip()
    return add_objects(actor, collection, [obj], anonymous=not share_identity)


# Subscriptions ---------------------------------------------------------------------------------

def inventory_terms(organization_id: int) -> tuple[str, ...]:
    """What a member uses, by name: its suppliers and the components of its SBOMs."""
    from forceb.inventory.models import SupplierRelationship
    from forceb.sbom.models import Component

    suppliers = SupplierRelationship.objects.filter(owner_id=organization_id).values_list("supplier__name", flat=True)
    components = Component.objects.filter(sbom__owner_id=organization_id).values_list("name", flat=True)
    # Very short names ("c", "io") would match almost any text: they are not demand.
    return tuple(sorted({n for n in (*suppliers, *components) if len(n) >= 4}))


def criteria_of(subscription: Subscription, inventory: tuple[str, ...] = ()) -> matching.Criteria:
    return matching.Criteria(
        types=frozenset(subscription.types), terms=tuple(subscription.terms),
        max_tlp=subscription.max_tlp or None, min_confidence=subscription.min_confidence,
        extra_terms=inventory if subscription.from_inventory else (), needs_terms=subscription.from_inventory)


def _match_subscriptions(collection: Collection, rows: list[StixObject], objects: list[dict]) -> None:
    """``objects[i]`` is what ``rows[i]`` stores, as parsed already."""
    subscriptions = list(Subscription.objects.filter(collection=collection))
    if not subscriptions or not rows:
        return
    through = Subscription.matches.through
    links = []
    parsed = list(zip(rows, objects, strict=True))
    for subscription in subscriptions:
        criteria = criteria_of(subscription, inventory_terms(subscription.owner_id)
                               if subscription.from_inventory else ())
        links.extend(through(subscription_id=subscription.pk, stixobject_id=row.pk)
                     for row, obj in parsed if matching.matches(obj, row.tlp, criteria))
    through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
    hooked = {link.subscription_id for link in links} & {s.pk for s in subscriptions if s.webhook_url}
    if hooked:
        from .tasks import deliver_webhook_task

        # After commit: the receiver must never hear of objects a rollback took back.
        transaction.on_commit(lambda: [deliver_webhook_task.enqueue(pk) for pk in sorted(hooked)])


@transaction.atomic
def save_subscription(actor: User, subscription: Subscription) -> Subscription:
    """Create or change a subscription of the actor's organisation and work out its matches
    among what is already in the collection."""
    if not actor.can_write:
        raise PermissionDenied("your role may not subscribe")
    if subscription.pk is None:
        subscription.owner = actor.organization
    elif subscription.owner_id != actor.organization_id:
        raise PermissionDenied("not your organisation's subscription")
    if not subscription.collection.can_read(actor):
        raise PermissionDenied("your organisation does not read this collection")
    subscription.full_clean()
    subscription.save()
    rematch(subscription)
    return subscription


def rematch(subscription: Subscription) -> int:
    """Work the subscription's matches out again over the whole collection (the inventory may
    have changed); returns how many versions match."""
    criteria = criteria_of(subscription, inventory_terms(subscription.owner_id)
                           if subscription.from_inventory else ())
    through = Subscription.matches.through
    through.objects.filter(subscription_id=subscription.pk).delete()
    found = 0
    rows = StixObject.objects.filter(collection_id=subscription.collection_id).values_list("pk", "tlp", "body")
    batch = []
    for pk, tlp, body in rows.iterator(chunk_size=BATCH):
        if matching.matches(json.loads(body), tlp, criteria):
            batch.append(through(subscription_id=subscription.pk, stixobject_id=pk))
        if len(batch) >= BATCH:
            through.objects.bulk_create(batch)
            found += len(batch)
            batch = []
    through.objects.bulk_create(batch)
    return found + len(batch)


@transaction.atomic
def set_webhook(actor: User, subscription: Subscription, url: str) -> str:
    """Deliver the subscription's new matches to ``url``, signed with a new secret, which is
    returned to be shown once (it is never shown again; setting the URL again makes a new one).
    Delivery starts with what matches from now on."""
    from . import webhooks

    if not actor.can_write or subscription.owner_id != actor.organization_id:
        raise PermissionDenied("not your organisation's subscription")
    try:
        webhooks.check_target(url)
    except webhooks.RefusedTarget as exc:
        raise ValidationError({"webhook_url": str(exc)}) from exc
    subscription.webhook_url = url
    subscription.webhook_secret = webhooks.new_secret()
    subscription.webhook_until = timezone.now()
    subscription.full_clean()
    subscription.save()
    return subscription.webhook_secret


@transaction.atomic
def clear_webhook(actor: User, subscription: Subscription) -> None:
    if not actor.can_write or subscription.owner_id != actor.organization_id:
        raise PermissionDenied("not your organisation's subscription")
    subscription.webhook_url = subscription.webhook_secret = ""
    subscription.webhook_until = None
    subscription.save()


def send_test_delivery(actor: User, subscription: Subscription) -> int:
    """POST a signed delivery without objects to the subscription's webhook, so that the member
    can check its receiver; returns the receiver's status. Refused or failed: ``ValidationError``
    saying why. Nothing is marked delivered, so nothing is written."""
    from . import webhooks

    if not actor.can_write or subscription.owner_id != actor.organization_id:
        raise PermissionDenied("not your organisation's subscription")
    if not subscription.webhook_url:
        raise ValidationError({"webhook_url": "this subscription has no webhook; set one first"})
    try:
        return webhooks.send_test(subscription)
    except (webhooks.RefusedTarget, webhooks.DeliveryFailed) as exc:
        raise ValidationError({"webhook_url": f"the test delivery failed: {exc}"}) from exc


# Correlation -----------------------------------------------------------------------------------

def _record_values(rows: list[StixObject], objects: list[dict]) -> None:
    values = [ObservedValue(stix_object_id=row.pk, kind=kind, value=value)
              for row, obj in zip(rows, objects, strict=True) for kind, value in correlation.values_of(obj)]
    ObservedValue.objects.bulk_create(values, batch_size=BATCH)


@transaction.atomic
def exclude_from_correlation(actor: User, value: str, reason: str = "") -> CorrelationExclusion:
    """Keep a known-benign value out of correlation; the hub keeps the list."""
    if not actor.can_write or not actor.organization.is_hub:
        raise PermissionDenied("the hub keeps the exclusion list")
    exclusion, _ = CorrelationExclusion.objects.get_or_create(value=value.strip().lower(),
                                                              defaults={"reason": reason})
    return exclusion


def send_digests(now=None) -> int:
    """Tell each subscriber, in one notification per subscription, what newly matched since its
    last digest (counts by type, only what its organisation may read), linking to the
    subscription's page for that period (where each person sees what they may read). Returns how
    many were sent."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from .queries import organisation_reach

    now = now or timezone.now()
    sent = 0
    for sub in Subscription.objects.select_related("owner", "collection").order_by("pk"):
        since = sub.digest_until or sub.created
        readable = Collection.objects.filter(pk=sub.collection_id).filter(
            Q(owner=sub.owner) | Q(readers=sub.owner)).exists()
        new = sub.matches.filter(date_added__gt=since, date_added__lte=now).filter(organisation_reach(sub.owner))
        by_type = dict(new.values_list("type").annotate(n=Count("pk")).order_by("-n", "type")) if readable else {}
        with transaction.atomic():
            if by_type:
                total = sum(by_type.values())
                summary = ", ".join(f"{n} {kind}" for kind, n in by_type.items())
                core_actions.notify(
                    sub.owner, f"{total} new for your subscription '{sub.name}'", body=summary,
                    link=reverse("web:intel-subscription", kwargs={"pk": sub.pk})
                    + "?" + urlencode({"since": stix.format_timestamp(since)}))
                sent += 1
            Subscription.objects.filter(pk=sub.pk).update(digest_until=now)
    return sent


# --------------------------------------------------------------------------------------------
# MITRE ATT&CK: one load, from a local file (``forceb intel attack-import``, ``forceb feeds
# import``) or from MITRE's site (``forceb feeds sync``, which downloads and then calls this).

ATTACK_ALIAS = "mitre-attack-enterprise"
ATTACK_NOTICE = ("© The MITRE Corporation. This work is reproduced and distributed with the permission of "
                 "The MITRE Corporation.")
#: Problems listed in a refusal beyond the count.
PROBLEMS_LISTED = 20
#: Progress callback of long loads: (what is being done, how far, out of how much).
Progress = Callable[[str, int, int | None], None]


@dataclass
class AttackImport:
    collection: Collection
    stored: int  # new versions
    present: int  # versions the collection already held, neither validated again nor stored


def read_bundle_file(path: Path) -> list:
    """The objects of a STIX bundle file (JSON, or gzip of JSON); ``ValidationError`` names the file
    and what is wrong with it."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            bundle = json.load(handle)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from exc
    except (OSError, EOFError, ValueError) as exc:
        raise ValidationError(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle" or not isinstance(bundle.get("objects"), list):
        raise ValidationError(f"{path}: not a STIX bundle (a JSON object with type 'bundle' and a list 'objects')")
    return bundle["objects"]


def attack_contributor() -> User:
    """Whom ATT&CK is loaded as when nobody is named: the hub's first active analyst or admin."""
    user = User.objects.filter(organization__kind=OrganizationKind.HUB, is_active=True,
                               role__in=WRITER_ROLES).select_related("organization").order_by("pk").first()
    if user is None:
        raise ValidationError("the hub has no active analyst or admin to load ATT&CK as")
    return user


def import_attack(source: Path | str | list, *, collection: Collection | None = None, actor: User | None = None,
                  progress: Progress | None = None) -> AttackImport:
    """Load MITRE ATT&CK Enterprise (a bundle file, or its objects) into ``collection``, by default the
    hub's ATT&CK collection, created on first use (TLP:CLEAR, read by every member and the supervisor).

    ATT&CK's STIX 2.0 objects are upgraded to 2.1; revoked and deprecated objects are kept exactly as
    MITRE marks them. Versions the collection already holds (same id and ``modified``) are skipped
    before validation, so a new release costs only its changed objects. All or nothing: any invalid
    object refuses the whole load with a ``ValidationError`` naming the object and the property.
    """
    actor = actor or attack_contributor()
    where = str(source) if isinstance(source, str | Path) else "the ATT&CK bundle"
    objects = read_bundle_file(Path(source)) if isinstance(source, str | Path) else list(source)
    objects = [stix.upgrade_from_20(obj) if isinstance(obj, dict) else obj for obj in objects]
    if not any(_is_attack_technique(obj) for obj in objects):
        raise ValidationError(f"{where}: not an ATT&CK bundle (no attack-pattern with a 'mitre-attack' "
                              "external reference)")
    collection = collection or Collection.objects.filter(alias=ATTACK_ALIAS).first()
    if collection is not None and not collection.can_write(actor):
        raise PermissionDenied(f"{actor.username} may not write to the collection '{collection.title}'")
    present = _versions_held(collection) if collection is not None else set()
    new = [obj for obj in objects if _version_key(obj) not in present]
    report = progress or (lambda label, done, total: None)
    problems = stix.validate_many(new, progress=_counter(report, "validating ATT&CK (stix2-validator)", len(new)))
    if problems:
        first = problems[0]
        raise ValidationError([
            f"{where}: {len(problems)} problem(s) in the ATT&CK bundle, nothing was stored; first: "
            f"{first.object_id or '(no id)'}: {first.message}",
            *(f"{p.object_id or '(no id)'}: {p.message}" for p in problems[1:PROBLEMS_LISTED]),
        ])
    stored = 0
    if new:
        with transaction.atomic():
            collection = collection or _create_attack_collection()
            stored = add_objects(actor, collection, new, anonymous=False, validated=True,
                                 progress=_counter(report, "storing ATT&CK", len(new))).stored
    return AttackImport(collection=collection, stored=stored, present=len(objects) - stored)


def _is_attack_technique(obj) -> bool:
    return isinstance(obj, dict) and obj.get("type") == "attack-pattern" and any(
        isinstance(ref, dict) and ref.get("source_name") == "mitre-attack"
        for ref in obj.get("external_references") or ())


def _version_key(obj) -> tuple | None:
    if not isinstance(obj, dict):
        return None
    return obj.get("id"), obj.get("modified") or obj.get("created")


def _versions_held(collection: Collection) -> set[tuple]:
    return set(StixObject.objects.filter(collection=collection).values_list("stix_id", "version_text")
               .iterator(chunk_size=BATCH))


def _counter(report: Progress, label: str, total: int) -> Callable[[int], None]:
    """The store's and the validator's progress (a number done since the last call) as a running total."""
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        report(label, done, total)

    return advance


def _create_attack_collection() -> Collection:
    return create_collection(None, title="MITRE ATT&CK Enterprise", alias=ATTACK_ALIAS, default_tlp=TLP.CLEAR,
                             description=ATTACK_NOTICE,
                             readers=Organization.objects.exclude(kind=OrganizationKind.HUB))


def load_attack_feed(path: Path, progress: Progress) -> tuple[int, int]:
    """The ATT&CK loader of ``forceb feeds sync`` and ``forceb feeds import`` (registered with the
    feed machinery in ``apps.py``): (versions stored, versions already held)."""
    try:
        result = import_attack(path, progress=progress)
    except PermissionDenied as exc:
        raise ValidationError(str(exc)) from exc
    return result.stored, result.present
