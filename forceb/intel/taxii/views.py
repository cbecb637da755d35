"""The TAXII 2.1 endpoints (OASIS TAXII Version 2.1, sections 4 and 5) over the STIX store.

Pages are read by keyset on date_added and written from the stored JSON text, never parsed
and re-serialised. Every read starts from ``queries.visible_objects`` (collection readers and
TLP), every write goes through ``actions``.
"""

import json
import uuid
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from forceb.intel import actions, queries, stix
from forceb.intel.models import Collection, Subscription

from .http import (
    DEFAULT_LIMIT,
    MAX_CONTENT_LENGTH,
    MAX_LIMIT,
    MAX_OBJECTS_PER_ENVELOPE,
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
    TaxiiError,
    is_taxii_content,
    json_response,
    taxii_response,
    taxii_view,
)

API_ROOT = "hub"


def _url(request, name, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"taxii:{name}", kwargs=kwargs))


@taxii_view("GET")
def discovery(request, user):
    root = _url(request, "api-root", api_root=API_ROOT)
    return json_response({
        "title": "FORCE-B threat-intelligence hub",
        "description": "The financial sector's TAXII 2.1 service: intelligence shared through the hub.",
        "contact": "the hub's analysts, through the FORCE-B platform",
        "default": root,
        "api_roots": [root],
    })


def _check_root(api_root: str) -> None:
    if api_root != API_ROOT:
        raise TaxiiError(404, "Unknown API root", f"this server has one API root: {API_ROOT}")


@taxii_view("GET")
def api_root(request, user, api_root):
    _check_root(api_root)
    return json_response({
        "title": "FORCE-B hub",
        "description": f"Collections of the sector hub; at most {MAX_OBJECTS_PER_ENVELOPE} objects per POST",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": MAX_CONTENT_LENGTH,
    })


@taxii_view("GET")
def status(request, user, api_root, status_id):
    _check_root(api_root)
    found = queries.status(user, _uuid(status_id, "status"))
    if found is None:
        raise TaxiiError(404, "Unknown status", "no status resource with this id for your organisation")
    return json_response(status_resource(found))


def status_resource(found) -> dict:
    body = {
        "id": str(found.uuid), "status": found.status,
        "request_timestamp": stix.format_timestamp(found.request_timestamp),
        "total_count": found.total_count,
        "success_count": len(found.successes), "failure_count": len(found.failures),
        "pending_count": len(found.pendings),
    }
    for name in ("successes", "failures", "pendings"):
        if getattr(found, name):
            body[name] = getattr(found, name)
    return body


def _collection_resource(collection: Collection, user) -> dict:
    readers = {o.pk for o in collection.readers.all()}
    writers = {o.pk for o in collection.writers.all()}
    own = collection.owner_id == user.organization_id
    body = {
        "id": str(collection.uuid), "title": collection.title,
        "can_read": own or user.organization_id in readers,
        "can_write": user.can_write and (own or user.organization_id in writers),
        "media_types": [STIX_MEDIA_TYPE],
    }
    if collection.description:
        body["description"] = collection.description
    if collection.alias:
        body["alias"] = collection.alias
    return body


def _subscription_resource(sub) -> dict:
    return {"id": str(sub.uuid), "title": f"Subscription: {sub.name}", "can_read": True, "can_write": False,
            "description": f"what your subscription matches in {sub.collection.title}",
            "media_types": [STIX_MEDIA_TYPE]}


@taxii_view("GET")
def collections(request, user, api_root):
    _check_root(api_root)
    found = [_collection_resource(c, user) for c in queries.collections(user)]
    found += [_subscription_resource(s) for s in queries.subscriptions(user)]
    return json_response({"collections": found} if found else {})


def _uuid(text: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise TaxiiError(404, f"Unknown {what}", f"{text!r} is not the id of a {what}") from exc


def _collection(user, api_root, collection_id, *, read=False, write=False) -> Collection:
    _check_root(api_root)
    found = queries.collection_or_subscription(user, _uuid(collection_id, "collection"))
    if found is None:
        raise TaxiiError(404, "Unknown collection", "no collection with this id is known to your organisation")
    if read and not found.may_read:
        raise TaxiiError(403, "Forbidden", "your organisation may not read this collection")
    if write and not found.may_write:
        raise TaxiiError(403, "Forbidden", "your organisation or role may not write to this collection")
    return found


@taxii_view("GET")
def collection(request, user, api_root, collection_id):
    found = _collection(user, api_root, collection_id)
    if isinstance(found, Subscription):
        return json_response(_subscription_resource(found))
    return json_response(_collection_resource(queries.collections(user).get(pk=found.pk), user))


# Filters and paging ---------------------------------------------------------------------------

def _list_param(request, name) -> list[str] | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if not values:
        raise TaxiiError(400, "Bad filter", f"{name} needs at least one value")
    return values


def _timestamp(value: str, name: str) -> datetime:
    try:
        return stix.parse_timestamp(value)
    except stix.InvalidTimestamp as exc:
        raise TaxiiError(400, "Bad filter", f"{name}: {exc}") from exc


def _filters(request, *, default_version="last") -> queries.Filters:
    filters = queries.Filters()
    filters.ids = _list_param(request, "match[id]")
    filters.types = _list_param(request, "match[type]")
    filters.spec_versions = _list_param(request, "match[spec_version]")
    versions = _list_param(request, "match[version]") or [default_version]
    filters.versions = [v if v in ("first", "last", "all") else _timestamp(v, "match[version]") for v in versions]
    if "added_after" in request.GET:
        filters.added_after = _timestamp(request.GET["added_after"], "added_after")
    return filters


def _limit(request) -> int:
    raw = request.GET.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError as exc:
        raise TaxiiError(400, "Bad limit", "limit is a positive integer") from exc
    if limit < 1:
        raise TaxiiError(400, "Bad limit", "limit is a positive integer")
    return min(limit, MAX_LIMIT)


def _after(request):
    """Where the page starts: after the ``next`` cursor of the previous page."""
    raw = request.GET.get("next")
    if raw is None:
        return None
    try:
        return queries.decode_cursor(raw)
    except (ValueError, OverflowError) as exc:
        raise TaxiiError(400, "Bad next", "next is a value this server returned") from exc


def _date_headers(page: queries.Page, added_at: int) -> dict:
    if not page.rows:
        return {}
    added = [row[added_at] for row in page.rows]
    return {"X-TAXII-Date-Added-First": stix.format_timestamp(min(added)),
            "X-TAXII-Date-Added-Last": stix.format_timestamp(max(added))}


def _envelope(page: queries.Page) -> str:
    """The envelope written around the stored JSON texts (row[0] is the body)."""
    head = '{"more":true,"next":' + json.dumps(page.next) if page.more else '{"more":false'
    if not page.rows:
        return head + "}"
    return head + ',"objects":[' + ",".join(row[0] for row in page.rows) + "]}"


# Objects ---------------------------------------------------------------------------------------

@taxii_view("GET", "POST")
def objects(request, user, api_root, collection_id):
    if request.method == "POST":
        return _add_objects(request, user, api_root, collection_id)
    found = _collection(user, api_root, collection_id, read=True)
    filters = _filters(request)
    versions = queries.filtered(queries.versions_in(user, found), filters)
    page = queries.page(versions, fields=("body",), limit=_limit(request), after=_after(request))
    return taxii_response(_envelope(page), headers=_date_headers(page, -1))


def _add_objects(request, user, api_root, collection_id):
    found = _collection(user, api_root, collection_id, write=True)
    if not is_taxii_content(request.META.get("CONTENT_TYPE")):
        raise TaxiiError(415, "Unsupported media type", f"send an envelope as {TAXII_MEDIA_TYPE}")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_CONTENT_LENGTH:
        raise TaxiiError(413, "Request too large", f"the API root accepts at most {MAX_CONTENT_LENGTH} bytes")
    body = request.read(MAX_CONTENT_LENGTH + 1)
    if len(body) > MAX_CONTENT_LENGTH:
        raise TaxiiError(413, "Request too large", f"the API root accepts at most {MAX_CONTENT_LENGTH} bytes")
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TaxiiError(400, "Malformed JSON", str(exc)[:200]) from exc
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list) or not envelope["objects"]:
        raise TaxiiError(422, "Not an envelope", "send a JSON object whose 'objects' is a non-empty list")
    if len(envelope["objects"]) > MAX_OBJECTS_PER_ENVELOPE:
        raise TaxiiError(413, "Too many objects", f"send at most {MAX_OBJECTS_PER_ENVELOPE} objects per envelope")
    try:
        result = actions.add_objects(user, found, envelope["objects"])
    except actions.InvalidObjects as exc:
        raise TaxiiError(422, "Invalid STIX 2.1", "nothing was stored: every object must be valid STIX 2.1",
                         details={"errors": [p.as_dict() for p in exc.problems[:100]],
                                  "error_count": len(exc.problems)}) from exc
    except PermissionDenied as exc:
        raise TaxiiError(403, "Forbidden", str(exc)) from exc
    return json_response(status_resource(result.status), status=202)


def _object_versions(user, api_root, collection_id, object_id, *, write=False):
    found = _collection(user, api_root, collection_id, read=True, write=write)
    return found, queries.versions_in(user, found).filter(stix_id=object_id)


@taxii_view("GET", "DELETE")
def object_detail(request, user, api_root, collection_id, object_id):
    if request.method == "DELETE":
        found, versions = _object_versions(user, api_root, collection_id, object_id, write=True)
        filters = _filters(request, default_version="all")
        doomed = queries.filtered(versions, filters, use_id_type=False)
        try:
            deleted = actions.delete_versions(user, found, doomed)
        except PermissionDenied as exc:
            raise TaxiiError(403, "Forbidden", str(exc)) from exc
        if not deleted:
            raise TaxiiError(404, "Unknown object", "no version of this object that you may delete matched")
        return taxii_response("", status=200)
    found, versions = _object_versions(user, api_root, collection_id, object_id)
    if not versions.exists():
        raise TaxiiError(404, "Unknown object", "no object with this id in the collection")
    filters = _filters(request)
    selected = queries.filtered(versions, filters, use_id_type=False)
    page = queries.page(selected, fields=("body",), limit=_limit(request), after=_after(request))
    return taxii_response(_envelope(page), headers=_date_headers(page, -1))


@taxii_view("GET")
def versions(request, user, api_root, collection_id, object_id):
    found, rows = _object_versions(user, api_root, collection_id, object_id)
    if not rows.exists():
        raise TaxiiError(404, "Unknown object", "no object with this id in the collection")
    filters = _filters(request, default_version="all")
    selected = queries.filtered(rows, filters, use_version=False, use_id_type=False)
    page = queries.page(selected, fields=("version_text", "date_added"), limit=_limit(request),
                        after=_after(request), order="version")
    body = {"more": page.more}
    if page.more:
        body["next"] = page.next
    if page.rows:
        body["versions"] = [row[0] for row in page.rows]
    return json_response(body, headers=_date_headers(page, 1))


@taxii_view("GET")
def manifest(request, user, api_root, collection_id):
    found = _collection(user, api_root, collection_id, read=True)
    filters = _filters(request)
    versions = queries.filtered(queries.versions_in(user, found), filters)
    page = queries.page(versions, fields=("stix_id", "version_text", "date_added"), limit=_limit(request),
                        after=_after(request))
    body = {"more": page.more}
    if page.more:
        body["next"] = page.next
    if page.rows:
        body["objects"] = [
            {"id": stix_id, "date_added": stix.format_timestamp(added), "version": version,
             "media_type": STIX_MEDIA_TYPE}
            for stix_id, version, added, _ in page.rows
        ]
    return json_response(body, headers=_date_headers(page, 2))


@taxii_view("GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS")
def not_found(request, user, rest=""):
    raise TaxiiError(404, "Not found", "no TAXII resource at this address")
