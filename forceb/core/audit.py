"""The audit trail: who did what, when, to which object, with the state before and after.

Entries form a hash chain: each entry's hash covers its own fields and the previous hash, so
altering or removing any entry breaks every link after it, and ``verify`` names the first break.
Model changes are recorded by signal handlers for every audited model, so no write path (UI, API,
CLI, task) can forget; the actor comes from a context variable that the request middleware, the
API authentication and the CLI set.
"""

import contextvars
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    user: object | None = None
    remote_addr: str | None = None
    label: str = ""

    @property
    def username(self) -> str:
        if self.user is not None and getattr(self.user, "is_authenticated", False):
            return self.user.username
        return self.label


# Actor is a frozen dataclass, so sharing the default instance across contexts is safe.
_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar(
    "forceb_audit_actor", default=Actor(label="system"))  # noqa: B039


def current_actor() -> Actor:
    return _actor.get()


@contextmanager
def acting_as(user=None, remote_addr: str | None = None, label: str = ""):
    """Attribute every audit entry written inside the block to ``user`` (or to ``label``)."""
    token = _actor.set(Actor(user=user, remote_addr=remote_addr, label=label or "system"))
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(user=None, remote_addr: str | None = None, label: str = "") -> contextvars.Token:
    return _actor.set(Actor(user=user, remote_addr=remote_addr, label=label or "system"))


def reset_actor(token: contextvars.Token) -> None:
    _actor.reset(token)


def to_json(value):
    """Plain JSON data, exactly as the database will give it back, so hashes can be recomputed."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(instance: models.Model) -> dict:
    """The audited fields of a row as JSON-ready data (secrets and bookkeeping left out)."""
    exclude = set(getattr(instance, "audit_exclude", ()))
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname] = field.value_from_object(instance)
    return to_json(data)


def object_type(instance_or_model) -> str:
    return instance_or_model._meta.label_lower


def entry_hash(fields: dict) -> str:
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "organization_id": entry.organization_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "remote_addr": entry.remote_addr,
        "prev_hash": entry.prev_hash,
    }


def record(action: str, instance=None, *, before=None, after=None, object_type_label: str = "",
           object_id: str = "", object_repr: str = "", actor: Actor | None = None) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction."""
    actor = actor or current_actor()
    user = actor.user if actor.user is not None and getattr(actor.user, "is_authenticated", False) else None
    if instance is not None:
        object_type_label = object_type_label or object_type(instance)
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:200]
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=user,
            actor_username=actor.username[:150],
            organization_id=user.organization_id if user is not None else None,
            action=action,
            object_type=object_type_label,
            object_id=str(object_id)[:100],
            object_repr=object_repr[:200],
            before=to_json(before) if before is not None else None,
            after=to_json(after) if after is not None else None,
            remote_addr=actor.remote_addr,
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(_hashed_fields(entry))
        entry.save()
        AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    entries: int
    message: str
    first_bad_seq: int | None = None


def verify(batch: int = 5000) -> ChainReport:
    """Walk the whole chain in order; report the first entry altered, removed or out of place."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for entry in _in_order(batch):
        if entry.seq != expected_seq:
            return ChainReport(False, count, f"entry #{expected_seq} was removed (the chain jumps to #{entry.seq})",
                               expected_seq)
        if entry.prev_hash != expected_prev:
            return ChainReport(False, count, f"entry #{entry.seq} does not link to entry #{entry.seq - 1}", entry.seq)
        if entry_hash(_hashed_fields(entry)) != entry.hash:
            return ChainReport(False, count, f"entry #{entry.seq} was altered (its hash no longer matches)",
                               entry.seq)
        expected_prev = entry.hash
        expected_seq += 1
        count += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != count or head.hash != expected_prev):
        return ChainReport(False, count, f"entries after #{count} were removed (the head records #{head.seq})",
                           count + 1)
    return ChainReport(True, count, f"{count} entries, chain intact; head {expected_prev[:16]}…")


def _in_order(batch: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq
