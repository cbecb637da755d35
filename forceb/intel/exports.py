"""Bundle export: the latest version of every object a person may read, as a STIX 2.1 bundle.

Written from the stored JSON text in pages, so a 100,000-object collection streams out in
constant memory. Without a person, the export holds what every reader may see (CLEAR, GREEN).
"""

import uuid

from forceb.core.choices import TLP

from .models import Collection, StixObject
from .queries import visible_objects

PAGE = 2000


def exported_versions(collection: Collection, user=None):
    if user is None:
        return StixObject.objects.filter(collection=collection, tlp__in=[TLP.CLEAR, TLP.GREEN])
    return visible_objects(user, collection)


def write_bundle(handle, collection: Collection, user=None) -> int:
    versions = exported_versions(collection, user).filter(is_latest=True).order_by("date_added")
    handle.write(f'{{"type":"bundle","id":"bundle--{uuid.uuid4()}","objects":[')
    count, after = 0, None
    while True:
        page = versions if after is None else versions.filter(date_added__gt=after)
        rows = list(page.values_list("body", "date_added")[:PAGE])
        for body, _ in rows:
            handle.write(("," if count else "") + body)
            count += 1
        if len(rows) < PAGE:
            break
        after = rows[-1][1]
    handle.write("]}\n")
    return count


def latest_objects(collection: Collection, user=None):
    """The latest version of each object the person may read (CLEAR and GREEN without one), as
    dicts, page by page."""
    import json

    versions = exported_versions(collection, user).filter(is_latest=True).order_by("date_added")
    after = None
    while True:
        page = versions if after is None else versions.filter(date_added__gt=after)
        rows = list(page.values_list("body", "date_added")[:PAGE])
        for body, _ in rows:
            yield json.loads(body)
        if len(rows) < PAGE:
            return
        after = rows[-1][1]
