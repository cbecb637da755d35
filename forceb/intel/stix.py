"""STIX 2.1 as plain data: validation, versions, TLP markings, canonical JSON. No ORM here.

Validation is stix2-validator's, never our own reading of the schemas; this module only turns
its answers into messages that name the object and the property, and reads the few properties
the store indexes (id, type, spec_version, created, modified, object_marking_refs).
"""

import functools
import json
import multiprocessing
import os
import re
import threading
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import stix2validator.validator as _validator_module
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from stix2validator import ValidationOptions, validate_instance
from stix2validator.errors import ValidationError as ValidatorInputError

from forceb.core.choices import TLP

#: The marking-definition ids STIX 2.1 predefines for TLP 1.0 (section 7.2.1.4) and those of the
#: OASIS TLP 2.0 extension (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d).
TLP_BY_MARKING = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # TLP 1.0 WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": TLP.CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": TLP.GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": TLP.AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": TLP.AMBER_STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": TLP.RED,
}
#: The TLP 2.0 marking-definition id of each level, for objects the hub writes itself.
TLP2_MARKING = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_RANK = {TLP.CLEAR: 0, TLP.GREEN: 1, TLP.AMBER: 2, TLP.AMBER_STRICT: 3, TLP.RED: 4}

# Cyber-observable types have no created/modified: each is one immutable version.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,248}--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                        r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$")

# SHOULD checks only ever produce warnings (``strict`` is off), which nothing here reads:
# disabling them leaves the errors, the validator's verdict, exactly as they are.
_OPTIONS = ValidationOptions(version="2.1", disabled="all")
# Namespace of the ids the hub derives for its own objects (uuid5 of a name).
HUB_NAMESPACE = uuid.UUID("6b1f3c2e-8f4e-4f0a-9d0c-5f0b6a1e2d3c")


class InvalidTimestamp(ValueError):
    pass


def parse_timestamp(text: str) -> datetime:
    """A STIX/TAXII timestamp (RFC 3339, UTC, 'Z') as an aware datetime, sub-microseconds cut."""
    match = TIMESTAMP.match(text or "")
    if not match:
        raise InvalidTimestamp(f"{text!r} is not a timestamp of the form YYYY-MM-DDTHH:MM:SS[.s+]Z")
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=UTC)
    except ValueError as exc:
        raise InvalidTimestamp(f"{text!r}: {exc}") from exc


def format_timestamp(value: datetime) -> str:
    """Microsecond precision, as TAXII date_added needs for stable ordering."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(obj: dict) -> str:
    """The text stored and served as is: compact, key order kept as the contributor wrote it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Problem:
    """One reason an object was refused: which object, and what is wrong (property included)."""

    object_id: str
    message: str

    def as_dict(self) -> dict:
        return {"id": self.object_id, "message": self.message}


# stix2-validator 3.3 builds a new JSON-schema validator for every object, over a new registry
# holding only the object's own schema: every $ref (core, timestamp, identifier ...) is then
# looked up by crawling that registry again (40 to 65 % of its time, bench/stix_validation.py). The schemas
# are files of the installed package and never change, so each validator is built once, over
# one registry that holds every bundled schema already crawled. The checks themselves and
# their messages are the validator's own (tests/intel/test_store.py compares them with
# an uncached run on valid and broken objects).
_UNCACHED_LOAD_VALIDATOR = _validator_module.load_validator
_SCHEMA_DIR = Path(_validator_module.__file__).parent / "schemas-2.1" / "schemas"
_validators: dict = {}
_validators_lock = threading.Lock()


@functools.cache
def _bundled_schemas() -> Registry:
    resources = []
    for path in sorted(_SCHEMA_DIR.rglob("*.json")):
        schema = _validator_module.patch_schema(json.loads(path.read_text()), str(path))
        resources.append((path.as_uri(), DRAFT202012.create_resource(schema)))
    retrieve = functools.partial(_validator_module.retrieve_from_filesystem, schema_dir=str(_SCHEMA_DIR))
    return Registry(retrieve=retrieve).with_resources(resources).crawl()


def _load_validator_once(schema_path, schema, schema_dir):
    key = (schema_path, schema_dir)
    found = _validators.get(key)
    if found is None:
        with _validators_lock:
            found = _validators.get(key)
            if found is None:
                if Path(schema_dir).resolve() != _SCHEMA_DIR.resolve():
                    # Not a bundled schema (a caller's own schema_dir): the validator's own way.
                    return _UNCACHED_LOAD_VALIDATOR(schema_path, schema, schema_dir)
                found = _validator_module.STIXValidator(
                    _validator_module.patch_schema(schema, schema_path), registry=_bundled_schemas(),
                    format_checker=Draft202012Validator.FORMAT_CHECKER)
                _validators[key] = found
    return found


_validator_module.load_validator = _load_validator_once


def validate(obj) -> list[Problem]:
    """The problems stix2-validator finds in one STIX 2.1 object; empty when it is valid."""
    if not isinstance(obj, dict):
        return [Problem("", f"an object must be a JSON object, not {type(obj).__name__}")]
    object_id = obj.get("id") if isinstance(obj.get("id"), str) else ""
    if not isinstance(obj.get("type"), str) or not object_id:
        return [Problem(object_id, "'id' and 'type' are required properties")]
    if not ID_PATTERN.match(object_id) or not object_id.startswith(obj["type"] + "--"):
        return [Problem(object_id, f"id: {object_id!r} is not of the form {obj['type']}--<UUID>")]
    if obj["type"] == "bundle":
        return [Problem(object_id, "type: a bundle is not an object; send its objects")]
    try:
        result = validate_instance(obj, _OPTIONS)
    except ValidatorInputError as exc:
        return [Problem(object_id, str(exc))]
    except (KeyError, TypeError, AttributeError) as exc:
        # Some of its checks assume shapes the schema admits without checking them (observed-data's
        # embedded objects): what it cannot check is not stored.
        return [Problem(object_id, f"stix2-validator could not check this object ({type(exc).__name__}: {exc})")]
    problems = []
    for error in result.errors:
        message = str(error)
        # The validator prefixes most messages with the id; keep one copy of it, in the field.
        if message.startswith(object_id + ": "):
            message = message[len(object_id) + 2:]
        problems.append(Problem(object_id, message))
    return problems


#: Below this many objects validation runs in this process; above, in one worker per core.
PARALLEL_FROM = 2000
CHUNK = 250


def _validate_chunk(objects: list) -> list[Problem]:
    return [problem for obj in objects for problem in validate(obj)]


def validate_many(objects: list, progress=None, workers: int | None = None) -> list[Problem]:
    """The problems of many objects, in their order. stix2-validator costs a few milliseconds an
    object, so a large bundle (ATT&CK: 20,000 objects) is spread over the machine's cores."""
    chunks = [objects[i:i + CHUNK] for i in range(0, len(objects), CHUNK)]
    workers = workers or os.cpu_count() or 1
    problems: list[Problem] = []
    if len(objects) < PARALLEL_FROM or workers < 2:
        for chunk in chunks:
            problems.extend(_validate_chunk(chunk))
            if progress is not None:
                progress(len(chunk))
        return problems
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for chunk, found in zip(chunks, pool.map(_validate_chunk, chunks), strict=True):
            problems.extend(found)
            if progress is not None:
                progress(len(chunk))
    return problems


@dataclass(frozen=True)
class Indexed:
    """What the store indexes of one valid object."""

    stix_id: str
    type: str
    spec_version: str
    created: datetime | None
    modified: datetime | None
    version_text: str | None
    tlp: str | None
    sighting_of: str = ""

    @property
    def version(self) -> datetime | None:
        return self.modified or self.created


def index(obj: dict) -> Indexed:
    created = parse_timestamp(obj["created"]) if "created" in obj else None
    modified = parse_timestamp(obj["modified"]) if "modified" in obj else None
    return Indexed(
        stix_id=obj["id"],
        type=obj["type"],
        spec_version=obj.get("spec_version", "2.1"),
        created=created,
        modified=modified,
        version_text=obj.get("modified") or obj.get("created"),
        tlp=marking_tlp(obj),
        sighting_of=obj.get("sighting_of_ref", "") if obj["type"] == "sighting" else "",
    )


def marking_tlp(obj: dict) -> str | None:
    """The most restrictive TLP level among the object's markings; None when it carries none."""
    levels = [TLP_BY_MARKING[ref] for ref in obj.get("object_marking_refs", ()) if ref in TLP_BY_MARKING]
    if obj.get("type") == "marking-definition":
        # A TLP marking definition is itself public, whatever marks it.
        return TLP.CLEAR if obj.get("id") in TLP_BY_MARKING else (max(levels, key=TLP_RANK.get) if levels else None)
    return max(levels, key=TLP_RANK.get) if levels else None


def upgrade_from_20(obj: dict) -> dict:
    """A STIX 2.0 object as STIX 2.1 (ATT&CK's published bundle is 2.0), changing only what 2.1
    requires: ``spec_version`` on every object, and ``is_family`` on malware (ATT&CK's malware
    entries are families)."""
    if "spec_version" in obj:
        return obj
    upgraded = dict(obj)
    upgraded["spec_version"] = "2.1"
    if obj.get("type") == "malware" and "is_family" not in obj:
        upgraded["is_family"] = True
    return upgraded


def republish_as(obj: dict, identity_id: str) -> dict:
    """An anonymous contribution: the hub's identity replaces the contributor's as creator on
    every object that has a creator (SDOs, SROs, marking definitions; observables have none)."""
    if "created" not in obj:
        return obj
    return dict(obj, created_by_ref=identity_id)


def organisation_identity_id(slug: str) -> str:
    """The STIX identity id the hub derives for an organisation of the platform."""
    return f"identity--{uuid.uuid5(HUB_NAMESPACE, slug)}"


def sighting(*, sighting_of: str, count: int, first_seen: datetime, last_seen: datetime, now: datetime,
             where_sighted: str | None = None, marking: str | None = None) -> dict:
    """A STIX 2.1 sighting of an indicator (or any SDO). Without ``where_sighted`` it says that
    something was seen, not by whom."""
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    obj = {
        "type": "sighting", "spec_version": "2.1", "id": f"sighting--{uuid.uuid4()}",
        "created": stamp, "modified": stamp, "sighting_of_ref": sighting_of, "count": count,
        "first_seen": format_timestamp(first_seen), "last_seen": format_timestamp(last_seen),
    }
    if where_sighted:
        obj["where_sighted_refs"] = [where_sighted]
    if marking:
        obj["object_marking_refs"] = [TLP2_MARKING[marking]]
    return obj


def hub_identity(name: str, slug: str) -> dict:
    """The hub's own STIX identity, with an id derived from its slug so it never changes."""
    return {
        "type": "identity", "spec_version": "2.1",
        "id": organisation_identity_id(slug),
        "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
        "name": name, "identity_class": "organization", "sectors": ["financial-services"],
    }
