"""CRUD through the REST API for every inventory endpoint, declared once per model (NetBox style):
create, list with filters and pagination, retrieve, update, delete; other organisations' objects
answer 404; read-only roles cannot write; list endpoints do not grow queries with their rows."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forceb.core import audit
from forceb.core.models import AuditEntry
from forceb.inventory.models import BusinessService, Dependency, Supplier, SupplierRelationship, System


def _service(org, i):
    return BusinessService.objects.create(owner=org, name=f"Service {i}", criticality="high" if i % 2 else "low",
                                          impact_tolerance_minutes=240, rto_minutes=60)


def _system(org, i):
    supplier = _supplier(i)
    return System.objects.create(owner=org, name=f"System {i}", hosting="cloud" if i % 2 else "on-premises",
                                 cloud_provider=supplier if i % 2 else None, region="tw-north-1" if i % 2 else "")


def _supplier(i):
    return Supplier.objects.get_or_create(registry_kind="tax-id", registry_id=f"9{i:07d}",
                                          defaults={"name": f"Supplier {i}", "kind": "cloud"})[0]


def _relationship(org, i):
    return SupplierRelationship.objects.create(owner=org, supplier=_supplier(i), criticality="high" if i % 2 else "low")


def _dependency(org, i):
    service = BusinessService.objects.create(owner=org, name=f"Needs {i}")
    system = System.objects.create(owner=org, name=f"Needed {i}")
    return Dependency.objects.create(owner=org, kind="service-system", source_service=service, target_system=system,
                                     impact="stops")


@dataclass
class Endpoint:
    path: str
    model: type
    make: Any  # (org, i) -> object
    create: Any  # (org) -> payload
    change: dict
    filter: str  # query narrowing the made objects to the odd ones
    expected_odd: int = 1


ENDPOINTS = {
    "services": Endpoint("services", BusinessService, _service,
                         lambda org: {"name": "Payments", "criticality": "critical", "impact_tolerance_minutes": 120,
                                      "rto_minutes": 60, "rpo_minutes": 5},
                         {"criticality": "low"}, "criticality=high"),
    "systems": Endpoint("systems", System, _system,
                        lambda org: {"name": "Core banking", "hosting": "on-premises", "site": "Taipei DC1"},
                        {"owner_team": "Core systems"}, "hosting=cloud"),
    "relationships": Endpoint("relationships", SupplierRelationship, _relationship,
                              lambda org: {"supplier": _supplier(99).pk, "criticality": "critical"},
                              {"notes": "renewed"}, "criticality=high"),
    "dependencies": Endpoint("dependencies", Dependency, _dependency,
                             lambda org: {"source_service": BusinessService.objects.create(owner=org, name="S").pk,
                                          "target_system": System.objects.create(owner=org, name="T").pk,
                                          "impact": "payments stop"},
                             {"impact": "payments queue"}, "kind=system-system", expected_odd=0),
}


@pytest.fixture(params=list(ENDPOINTS))
def endpoint(request):
    return ENDPOINTS[request.param]


def url(endpoint, pk=None, query=""):
    base = f"/api/inventory/{endpoint.path}/" + (f"{pk}/" if pk is not None else "")
    return base + (f"?{query}" if query else "")


def made(endpoint, org, count, start=0):
    with audit.acting_as(label="test"):
        return [endpoint.make(org, i) for i in range(start, start + count)]


def test_create(sector, endpoint):
    client = sector.client(sector.bank_analyst)
    response = client.post(url(endpoint), endpoint.create(sector.bank), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"] == "bank-a" and body["display"] and body["url"].endswith(f"/{body['id']}/")
    obj = endpoint.model.objects.get(pk=body["id"])
    assert obj.owner == sector.bank
    entry = AuditEntry.objects.filter(action="create", object_id=str(obj.pk),
                                      object_type=obj._meta.label_lower).get()
    assert entry.actor == sector.bank_analyst


def test_list_filters_and_paginates_own_objects_only(sector, endpoint):
    made(endpoint, sector.bank, 5)
    made(endpoint, sector.insurer, 2)
    client = sector.client(sector.bank_admin)
    page = client.get(url(endpoint, query="page_size=2")).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]
    assert {r["owner"] for r in page["results"]} == {"bank-a"}
    assert len(client.get(page["next"]).json()["results"]) == 2
    narrowed = client.get(url(endpoint, query=endpoint.filter)).json()
    assert narrowed["count"] == (2 if endpoint.expected_odd else 0)


def test_retrieve_update_delete_own(sector, endpoint):
    obj = made(endpoint, sector.bank, 1)[0]
    client = sector.client(sector.bank_admin)
    assert client.get(url(endpoint, obj.pk)).json()["id"] == obj.pk
    response = client.patch(url(endpoint, obj.pk), endpoint.change, format="json")
    assert response.status_code == 200, response.content
    obj.refresh_from_db()
    for name, value in endpoint.change.items():
        assert getattr(obj, name) == value
    assert client.delete(url(endpoint, obj.pk)).status_code == 204
    assert not endpoint.model.objects.filter(pk=obj.pk).exists()


def test_another_organisations_objects_answer_404(sector, endpoint):
    theirs = made(endpoint, sector.insurer, 1)[0]
    client = sector.client(sector.bank_admin)
    assert client.get(url(endpoint, theirs.pk)).status_code == 404
    assert client.patch(url(endpoint, theirs.pk), endpoint.change, format="json").status_code == 404
    assert client.delete(url(endpoint, theirs.pk)).status_code == 404
    assert endpoint.model.objects.filter(pk=theirs.pk).exists()
    assert client.get(url(endpoint)).json()["count"] == 0


@pytest.mark.parametrize("person", ["bank_auditor", "supervisor"])
def test_read_only_roles_cannot_write(sector, endpoint, person):
    obj = made(endpoint, sector.bank, 1)[0]
    client = sector.client(getattr(sector, person))
    count = endpoint.model.objects.count()
    assert client.post(url(endpoint), endpoint.create(sector.bank), format="json").status_code == 403
    assert client.patch(url(endpoint, obj.pk), endpoint.change, format="json").status_code in (403, 404)
    assert client.delete(url(endpoint, obj.pk)).status_code in (403, 404)
    assert endpoint.model.objects.count() == count
    assert endpoint.model.objects.filter(pk=obj.pk).exists()


def test_list_queries_do_not_grow_with_rows(sector, endpoint, django_assert_max_num_queries):
    client = sector.client(sector.bank_admin)
    made(endpoint, sector.bank, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(endpoint)).status_code == 200
    made(endpoint, sector.bank, 12, start=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(endpoint)).json()["count"] == 14


# -- specific rules ----------------------------------------------------------------------------------

def test_a_dependency_cannot_point_at_another_organisations_system(sector):
    with audit.acting_as(label="test"):
        mine = BusinessService.objects.create(owner=sector.bank, name="Payments")
        theirs = System.objects.create(owner=sector.insurer, name="Mainframe")
    response = sector.client(sector.bank_admin).post(
        url(ENDPOINTS["dependencies"]), {"source_service": mine.pk, "target_system": theirs.pk}, format="json")
    assert response.status_code == 400
    assert "target_system" in response.json()
    assert not Dependency.objects.exists()


def test_a_dependency_edge_is_recorded_once(sector):
    with audit.acting_as(label="test"):
        service = BusinessService.objects.create(owner=sector.bank, name="Payments")
        system = System.objects.create(owner=sector.bank, name="Core")
    client = sector.client(sector.bank_admin)
    payload = {"source_service": service.pk, "target_system": system.pk}
    assert client.post(url(ENDPOINTS["dependencies"]), payload, format="json").status_code == 201
    assert client.post(url(ENDPOINTS["dependencies"]), payload, format="json").status_code == 400
    assert Dependency.objects.count() == 1


def test_an_rto_above_the_tolerance_is_refused(sector):
    response = sector.client(sector.bank_admin).post(
        url(ENDPOINTS["services"]), {"name": "Cards", "impact_tolerance_minutes": 60, "rto_minutes": 90},
        format="json")
    assert response.status_code == 400
    assert "rto_minutes" in response.json()


def test_supplier_registry_is_read_by_all_added_by_members_curated_by_the_hub(sector):
    path = "/api/inventory/suppliers/"
    member = sector.client(sector.bank_analyst)
    response = member.post(path, {"name": "Nimbus", "registry_kind": "lei", "registry_id": "5493DEMO",
                                  "kind": "cloud"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    for person in ("insurer_admin", "supervisor", "bank_auditor"):
        assert sector.client(getattr(sector, person)).get(path + "?kind=cloud").json()["count"] == 1
    assert member.patch(f"{path}{pk}/", {"name": "Renamed"}, format="json").status_code == 403
    hub = sector.client(sector.hub_analyst)
    assert hub.patch(f"{path}{pk}/", {"name": "Nimbus Cloud"}, format="json").status_code == 200
    with audit.acting_as(label="test"):
        SupplierRelationship.objects.create(owner=sector.bank, supplier_id=pk)
    assert hub.delete(f"{path}{pk}/").status_code == 400
    assert Supplier.objects.get(pk=pk).name == "Nimbus Cloud"


def test_supplier_list_queries_do_not_grow_with_rows(sector, django_assert_max_num_queries):
    client = sector.client(sector.bank_admin)
    for i in range(2):
        _supplier(i)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/inventory/suppliers/")
    for i in range(2, 15):
        _supplier(i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/inventory/suppliers/").json()["count"] == 15


@pytest.mark.parametrize("query", ["owner_id=1e300", "source_supplier_id=-1.8e%2B165", "target_system_id=0.5",
                                   "owner_id=99999999999999999999999"])
def test_id_filters_outside_the_databases_range_are_a_400(sector, query):
    path = "/api/inventory/dependencies/" if "source" in query or "target" in query else "/api/inventory/services/"
    assert sector.client(sector.bank_admin).get(f"{path}?{query}").status_code == 400
