"""TAXII 2.1 conformance driven by the real clients over HTTP: OASIS ``taxii2-client`` and the
``stix2`` library's ``TAXIICollectionSource``, against a live server on 127.0.0.1.

Each test names the TAXII 2.1 section it checks; docs/taxii-conformance.md points here.
"""

import json

import pytest
import requests
import stix2
from stix2validator import ValidationOptions, validate_instance
from taxii2client.common import TokenAuth
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from forceb.core import actions as core_actions
from forceb.intel import actions

from .conftest import indicator

pytestmark = pytest.mark.slow


@pytest.fixture
def hub(shared, live_server):
    """The live service, a token per person, and a collection holding 25 indicators (the first
    of which has three versions) added by the bank."""
    shared.base = f"{live_server.url}/taxii2/"
    shared.tokens = {}
    for name in ("bank_analyst", "insurer_analyst", "hub_analyst", "bank_auditor", "supervisor"):
        _, raw = core_actions.create_token(getattr(shared, name))
        shared.tokens[name] = raw
    objects = [indicator(n) for n in range(25)]
    objects += [indicator(0, modified="2024-02-01T00:00:00.000Z"), indicator(0, modified="2024-03-01T00:00:00.000Z")]
    actions.add_objects(shared.bank_analyst, shared.collection, objects)
    shared.collection_url = f"{shared.base}hub/collections/{shared.collection.uuid}/"
    return shared


def collection_as(hub, person) -> Collection:
    return Collection(hub.collection_url, auth=TokenAuth(hub.tokens[person]))


def served_objects_are_valid(objects):
    options = ValidationOptions(version="2.1")
    for obj in objects:
        result = validate_instance(obj, options)
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])


def test_discovery_and_api_root_with_basic_auth(hub):
    """4.1 Server Discovery, 4.2 Get API Root Information, over HTTP Basic."""
    server = Server(hub.base, user="bank-analyst", password=hub.password)
    assert server.title == "FORCE-B threat-intelligence hub"
    assert server.default.url == f"{hub.base}hub/"
    assert [root.url for root in server.api_roots] == [f"{hub.base}hub/"]
    root = server.api_roots[0]
    assert root.versions == ["application/taxii+json;version=2.1"]
    assert root.max_content_length == 10 * 1024 * 1024


def test_collections_can_read_and_can_write_per_organisation(hub):
    """5.1 Get Collections, 5.2 Get a Collection: can_read/can_write depend on who asks."""
    root = ApiRoot(f"{hub.base}hub/", auth=TokenAuth(hub.tokens["bank_analyst"]))
    (bank_view,) = root.collections
    assert (bank_view.id, bank_view.can_read, bank_view.can_write) == (str(hub.collection.uuid), True, True)
    assert bank_view.media_types == ["application/stix+json;version=2.1"]
    insurer = collection_as(hub, "insurer_analyst")
    assert (insurer.can_read, insurer.can_write) == (True, False)
    auditor = collection_as(hub, "bank_auditor")
    assert (auditor.can_read, auditor.can_write) == (True, False)


def test_get_objects_pages_across_the_collection(hub):
    """5.3 Get Objects with limit/next: every latest version once, in date_added order."""
    collection = collection_as(hub, "insurer_analyst")
    pages = list(as_pages(collection.get_objects, per_request=10))
    assert [len(p.get("objects", [])) for p in pages] == [10, 10, 5]
    assert [p["more"] for p in pages] == [True, True, False]
    ids = [obj["id"] for p in pages for obj in p["objects"]]
    assert len(ids) == len(set(ids)) == 25
    first = next(obj for p in pages for obj in p["objects"] if obj["name"] == "bad address 0")
    assert first["modified"] == "2024-03-01T00:00:00.000Z"  # match[version] defaults to last
    served_objects_are_valid(obj for p in pages for obj in p["objects"])


def test_date_added_headers_bound_each_page(hub):
    """3.4 Pagination: X-TAXII-Date-Added-First/Last; added_after resumes after the last."""
    auth = {"Authorization": f"Token {hub.tokens['bank_analyst']}",
            "Accept": "application/taxii+json;version=2.1"}
    url = hub.collection_url + "objects/"
    first = requests.get(url, params={"limit": 5}, headers=auth, timeout=10)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "application/taxii+json;version=2.1"
    last = first.headers["X-TAXII-Date-Added-Last"]
    assert first.headers["X-TAXII-Date-Added-First"] < last
    resumed = requests.get(url, params={"added_after": last, "limit": 100}, headers=auth, timeout=10).json()
    seen = {o["id"] for o in first.json()["objects"]}
    assert len(resumed["objects"]) == 20
    assert seen.isdisjoint({o["id"] for o in resumed["objects"]})


def test_filters_match_id_type_version_spec_version(hub):
    """3.6 Filtering: match[id], match[type], match[version] (first, last, all, timestamp),
    match[spec_version], added_after."""
    collection = collection_as(hub, "bank_analyst")
    target = indicator(0)["id"]
    other = indicator(1)["id"]

    def ids_and_versions(**filters):
        env = collection.get_objects(**filters)
        return sorted((o["id"], o["modified"]) for o in env.get("objects", []))

    assert ids_and_versions(id=target) == [(target, "2024-03-01T00:00:00.000Z")]
    assert ids_and_versions(id=f"{target},{other}") == sorted(
        [(target, "2024-03-01T00:00:00.000Z"), (other, "2024-01-01T00:00:00.000Z")])
    assert ids_and_versions(id=target, version="first") == [(target, "2024-01-01T00:00:00.000Z")]
    assert len(ids_and_versions(id=target, version="all")) == 3
    assert ids_and_versions(id=target, version="2024-02-01T00:00:00.000Z") == [(target, "2024-02-01T00:00:00.000Z")]
    assert len(ids_and_versions(id=target, version="first,last")) == 2
    assert len(ids_and_versions(type="indicator")) == 25
    assert ids_and_versions(type="malware") == []
    assert len(ids_and_versions(spec_version="2.1")) == 25
    assert ids_and_versions(spec_version="2.0") == []
    assert ids_and_versions(added_after="2999-01-01T00:00:00Z") == []


def test_get_one_object_and_its_versions(hub):
    """5.5 Get an Object, 5.7 Get Object Versions."""
    collection = collection_as(hub, "insurer_analyst")
    target = indicator(0)["id"]
    env = collection.get_object(target)
    assert [o["modified"] for o in env["objects"]] == ["2024-03-01T00:00:00.000Z"]
    all_versions = collection.get_object(target, version="all")
    assert len(all_versions["objects"]) == 3
    versions = collection.object_versions(target)
    assert versions["versions"] == ["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z",
                                    "2024-03-01T00:00:00.000Z"]
    assert versions["more"] is False


def test_manifest_pages_and_filters(hub):
    """5.6 Get Object Manifests."""
    collection = collection_as(hub, "insurer_analyst")
    pages = list(as_pages(collection.get_manifest, per_request=20))
    records = [r for p in pages for r in p["objects"]]
    assert len(records) == 25
    assert {r["media_type"] for r in records} == {"application/stix+json;version=2.1"}
    target = indicator(0)["id"]
    all_versions = collection.get_manifest(id=target, version="all")["objects"]
    assert sorted(r["version"] for r in all_versions) == ["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z",
                                                          "2024-03-01T00:00:00.000Z"]


def test_add_objects_answers_a_status_resource(hub):
    """5.4 Add Objects and 4.3 Get Status: 202 with a status, then the objects are served."""
    collection = collection_as(hub, "bank_analyst")
    new = [indicator(100 + n) for n in range(3)]
    status = collection.add_objects({"objects": new})
    assert (status.status, status.total_count, status.success_count, status.failure_count) == ("complete", 3, 3, 0)
    assert {s["id"] for s in status.successes} == {o["id"] for o in new}
    status.refresh()
    assert status.success_count == 3
    again = collection.add_objects({"objects": new[:1]})
    assert again.success_count == 1  # a version already present is a success, stored once
    assert len(collection.get_objects(id=new[0]["id"], version="all")["objects"]) == 1


def test_delete_an_object(hub):
    """5.6 Delete an Object: needs read and write; match[version] narrows what goes."""
    collection = collection_as(hub, "bank_analyst")
    target = indicator(0)["id"]
    collection.delete_object(target, version="first")
    assert [v for v in collection.object_versions(target)["versions"]] == [
        "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"]
    assert collection.get_object(target, version="first")["objects"][0]["modified"] == "2024-02-01T00:00:00.000Z"
    collection.delete_object(target)
    with pytest.raises(requests.HTTPError) as caught:
        collection.get_object(target)
    assert caught.value.response.status_code == 404
    reader = collection_as(hub, "insurer_analyst")
    with pytest.raises(requests.HTTPError) as caught:
        reader._conn.delete(reader.objects_url + indicator(1)["id"] + "/",
                            headers={"Accept": "application/taxii+json;version=2.1"})
    assert caught.value.response.status_code == 403


def test_stix2_taxii_collection_source(hub):
    """The stix2 library reads the collection through its TAXII data source."""
    source = stix2.TAXIICollectionSource(collection_as(hub, "insurer_analyst"))
    found = source.get(indicator(3)["id"])
    assert found.name == "bad address 3"
    everything = source.query([stix2.Filter("type", "=", "indicator")])
    assert len(everything) == 25
    served_objects_are_valid(json.loads(o.serialize()) for o in everything)
