"""Every write of the Joint Defense SOC: a member submits or amends a ticket, the hub triages it.

A ticket arrives as one document (``schemas/ticket.schema.json``) whatever the way in: the web
form, the REST API and ``forceb soc ticket-import`` all call ``submit_ticket``. A document with
any problem is refused whole, each problem named with its place (``observables[2].value``), and
nothing is stored. The audit trail records every change through the core's signal handlers.
"""

import json
from functools import cache
from importlib import resources

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from forceb.core import actions as core_actions
from forceb.core.choices import OrganizationKind, Role
from forceb.intel.models import CorrelationExclusion
from forceb.inventory.models import BusinessService, System

from . import extraction
from .choices import ValueSource
from .models import Ticket, TicketValue

#: Fields of the document an owner may change after submitting; status and priority are the hub's.
MEMBER_FIELDS = ("title", "description", "occurred_at", "detected_at", "category", "severity", "impact_scope",
                 "attack_chain_phase", "tlp", "affected_services", "affected_systems", "observables")


def schema() -> dict:
    return json.loads(resources.files("forceb.soc.schemas").joinpath("ticket.schema.json").read_text("utf-8"))


@cache
def _validator():
    # Imported on first use: jsonschema's import is slow and most processes never need it.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def place(path) -> str:
    """A JSON path as people write it: ``observables[2].value``; the document itself is ``ticket``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "ticket"


def _schema_problems(document) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for error in sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    problems.setdefault(place([*path, name]), []).append("required")
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for name in error.instance:
                if name not in known:
                    problems.setdefault(place([*path, name]), []).append("unknown field")
            continue
        if error.validator == "not" and isinstance(error.instance, dict):
            message = "a file observable has hashes, no value" if error.instance.get("type") == "file" \
                else "only a file observable has hashes"
        elif error.validator == "enum":
            message = f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
        elif error.validator == "pattern":
            message = "must not be empty"
        elif error.validator == "oneOf" and path and path[0] in ("affected_services", "affected_systems"):
            message = "an id (a whole number from 1) or a name (1 to 200 characters)"
        else:
            message = error.message
        problems.setdefault(place(path), []).append(message)
    # jsonschema reports each missing field once per field, each time naming them all.
    return {where: list(dict.fromkeys(messages)) for where, messages in problems.items()}


def _nul_places(value, path=()) -> list[str]:
    """Places of the strings (and keys) holding a NUL character, which no database text takes."""
    if isinstance(value, str):
        return [place(path)] if "\x00" in value else []
    if isinstance(value, dict):
        found = [place((*path, key)) for key in value if isinstance(key, str) and "\x00" in key]
        return found + [p for key, item in value.items() for p in _nul_places(item, (*path, key))]
    if isinstance(value, list):
        return [p for n, item in enumerate(value) for p in _nul_places(item, (*path, n))]
    return []


def _when(document, name, problems):
    text = document.get(name)
    if not isinstance(text, str) or not text or name in problems:
        return None
    try:
        parsed = parse_datetime(text)
    except ValueError:  # well formed but no such instant (a 13th month)
        parsed = None
    if parsed is None:
        problems.setdefault(name, []).append(f"{text!r} is not an ISO 8601 date and time")
    elif timezone.is_naive(parsed):
        problems.setdefault(name, []).append(f"{text!r} has no time zone (add Z or +08:00)")
    return parsed


def _inventory(actor, model, document, field, problems):
    """Rows of the member's own inventory named by id or name; another's rows are unknown."""
    refs = document.get(field, [])
    if field in problems or not isinstance(refs, list):
        return []
    own = model.objects.restrict(actor, "change")
    found = []
    for n, ref in enumerate(refs):
        if f"{field}[{n}]" in problems:
            continue
        row = own.filter(pk=ref).first() if isinstance(ref, int) else own.filter(name=ref).first()
        if row is None:
            label = "business service" if model is BusinessService else "system"
            problems.setdefault(f"{field}[{n}]", []).append(f"no {label} {ref!r} in your inventory")
        else:
            found.append(row)
    return found


def _check(actor, document) -> tuple[dict, dict[str, list[str]]]:
    """The document's values ready for the model, and its problems by place: the schema's, and
    then those of every part the schema found well-formed, so that one answer names them all."""
    problems = _schema_problems(document)
    nul = _nul_places(document)
    for where in nul:
        problems.setdefault(where, []).append("contains a NUL character")
    if not isinstance(document, dict) or nul:
        # Nothing with a NUL goes further: the database would refuse it.
        return {}, problems
    values = {name: document[name] for name in MEMBER_FIELDS if name in document}
    values["occurred_at"] = _when(document, "occurred_at", problems)
    values["detected_at"] = _when(document, "detected_at", problems)
    if values["occurred_at"] and values["detected_at"] and values["occurred_at"] > values["detected_at"]:
        problems.setdefault("occurred_at", []).append("after detected_at: an incident is detected once it occurred")
    observables = document.get("observables", [])
    for n, observable in enumerate(observables if isinstance(observables, list) else []):
        if any(where.startswith(f"observables[{n}]") for where in problems):
            continue
        problem = extraction.observable_problem(observable)
        if problem is not None:
            problems.setdefault(f"observables[{n}].{problem[0]}", []).append(problem[1])
    values["affected_services"] = _inventory(actor, BusinessService, document, "affected_services", problems)
    values["affected_systems"] = _inventory(actor, System, document, "affected_systems", problems)
    return values, problems


def _require_member_writer(actor) -> None:
    if actor is None or not actor.can_write or actor.organization_id is None:
        raise PermissionDenied("your role may not report incident tickets")
    if actor.organization.kind != OrganizationKind.MEMBER:
        raise PermissionDenied("incident tickets are reported by member institutions")


def _apply(ticket: Ticket, values: dict) -> Ticket:
    services = values.pop("affected_services", None)
    systems = values.pop("affected_systems", None)
    for name, value in values.items():
        setattr(ticket, name, value)
    try:
        ticket.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    ticket.save()
    if services is not None:
        ticket.affected_services.set(services)
    if systems is not None:
        ticket.affected_systems.set(systems)
    store_values(ticket)
    return ticket


@transaction.atomic
def submit_ticket(actor, document) -> Ticket:
    """Report an incident ticket to the Joint Defense SOC, owned by the actor's member institution."""
    _require_member_writer(actor)
    values, problems = _check(actor, document)
    if problems:
        raise ValidationError(problems)
    ticket = _apply(Ticket(owner=actor.organization, submitted_by=actor), values)
    hub = core_actions.hub()
    if hub is not None:
        core_actions.notify(hub, f"New incident ticket from {actor.organization.name}: {ticket.title}",
                            link=reverse("web:soc-ticket", kwargs={"pk": ticket.pk}))
    return ticket


def document_of(ticket: Ticket) -> dict:
    """The ticket as the document it was submitted as (services and systems by id)."""
    return {
        "title": ticket.title, "description": ticket.description,
        "occurred_at": ticket.occurred_at.isoformat() if ticket.occurred_at else None,
        "detected_at": ticket.detected_at.isoformat(), "category": ticket.category, "severity": ticket.severity,
        "impact_scope": ticket.impact_scope, "attack_chain_phase": ticket.attack_chain_phase, "tlp": ticket.tlp,
        "affected_services": sorted(s.pk for s in ticket.affected_services.all()),
        "affected_systems": sorted(s.pk for s in ticket.affected_systems.all()),
        "observables": ticket.observables,
    }


@transaction.atomic
def update_ticket(actor, ticket: Ticket, changes: dict) -> Ticket:
    """The owner amends its ticket: the changes are checked as a whole document would be, and the
    ticket's values are extracted again."""
    _require_member_writer(actor)
    if ticket.owner_id != actor.organization_id:
        raise PermissionDenied("only the reporting institution amends its ticket")
    if not isinstance(changes, dict):
        raise ValidationError({"ticket": ["a ticket document is a JSON object"]})
    document = {**document_of(ticket), **changes}
    if document.get("occurred_at") is None:
        document.pop("occurred_at")
    values, problems = _check(actor, document)
    if problems:
        raise ValidationError(problems)
    return _apply(ticket, values)


def excluded_values() -> set[str]:
    return {v.lower() for v in CorrelationExclusion.objects.values_list("value", flat=True)}


def store_values(ticket: Ticket) -> int:
    """Extract the ticket's values again and store them (the correlation index of tickets)."""
    excluded = excluded_values()
    from_text = extraction.extract(f"{ticket.title}\n{ticket.description}", excluded=excluded)
    given = extraction.from_observables(ticket.observables or [], excluded=excluded)
    ticket.values.all().delete()
    rows = [TicketValue(ticket=ticket, kind=k, value=v, source=ValueSource.OBSERVABLE) for k, v in sorted(given)]
    rows += [TicketValue(ticket=ticket, kind=k, value=v, source=ValueSource.TEXT) for k, v in sorted(from_text - given)]
    TicketValue.objects.bulk_create(rows)
    return len(rows)


def reextract_all(batch: int = 500) -> int:
    """Extract every ticket's values again (after the engine or the exclusion list changed), one
    transaction per batch so that a long run holds no lock for long; safe to run again."""
    done, last = 0, 0
    while True:
        ids = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        with transaction.atomic():
            for ticket in Ticket.objects.filter(pk__in=ids):
                store_values(ticket)
        done += len(ids)
        last = ids[-1]


@transaction.atomic
def triage_ticket(actor, ticket: Ticket, *, status: str | None = None, priority: str | None = None,
                  note: str | None = None) -> Ticket:
    """The hub sets a ticket's status and priority (recorded in the audit trail as an update)."""
    if actor is None or not actor.can_write or actor.role != Role.HUB_ANALYST:
        raise PermissionDenied("only the Joint Defense SOC's analysts triage tickets")
    if status is not None:
        ticket.status = status
    if priority is not None:
        ticket.priority = priority
    if note is not None:
        ticket.triage_note = note
    ticket.triaged_by = actor
    ticket.triaged_at = timezone.now()
    try:
        ticket.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    ticket.save()
    return ticket
