"""The resilience API: isolation between members, sector aggregates for the hub and the supervisor,
BIA approval writing the service, drills end to end, and MTTR per quarter."""

from datetime import date

import pytest
from django.utils.dateparse import parse_datetime

from forceb.inventory.models import BusinessService
from forceb.resilience import actions
from forceb.resilience.models import BusinessImpactAnalysis, DrillAction, Scenario

from .factories import small_sector

pytestmark = pytest.mark.django_db

API = "/api/resilience"


@pytest.fixture
def world(sector):
    objects = small_sector(sector)
    actions.publish_default_library()
    objects["bia"] = actions.record_bia(None, objects["payments"], impacts=[
        {"at_minutes": 60, "financial": 1, "customers": 2},
        {"at_minutes": 240, "financial": 3, "customers": 4},
        {"at_minutes": 1440, "financial": 5, "customers": 5}], rto_minutes=120, rpo_minutes=15)
    objects["claims_bia"] = actions.record_bia(None, objects["claims"], impact_tolerance_minutes=480,
                                               rto_minutes=240)
    return sector, objects


def test_bia_create_derives_tolerance_and_approval_writes_the_service(world):
    sector, objects = world
    client = sector.client(sector.bank_analyst)
    response = client.post(f"{API}/bias/", {
        "service": objects["payments"].pk, "rto_minutes": 60, "rpo_minutes": 10, "intolerable_level": 3,
        "impacts": [{"at_minutes": 60, "customers": 1}, {"at_minutes": 240, "regulatory": 3}]}, format="json")
    assert response.status_code == 201, response.data
    assert (response.data["version"], response.data["impact_tolerance_minutes"]) == (2, 240)
    assert len(response.data["impacts"]) == 2
    # An analyst may not approve; the admin may, and the numbers reach the business service.
    url = f"{API}/bias/{response.data['id']}/approve/"
    assert client.post(url).status_code == 403
    assert sector.client(sector.bank_admin).post(url).status_code == 200
    service = BusinessService.objects.get(pk=objects["payments"].pk)
    assert (service.impact_tolerance_minutes, service.rto_minutes, service.rpo_minutes) == (240, 60, 10)


def test_bia_rto_above_tolerance_is_refused_with_the_service_named(world):
    sector, objects = world
    response = sector.client(sector.bank_analyst).post(f"{API}/bias/", {
        "service": objects["payments"].pk, "rto_minutes": 300,
        "impacts": [{"at_minutes": 240, "financial": 4}]}, format="json")
    assert response.status_code == 400
    assert "Payments" in str(response.data) and "exceeds the impact tolerance" in str(response.data)


def test_another_members_bia_answers_404_and_cannot_be_targeted(world):
    sector, objects = world
    insurer = sector.client(sector.insurer_admin)
    assert insurer.get(f"{API}/bias/{objects['bia'].pk}/").status_code == 404
    assert insurer.post(f"{API}/bias/{objects['bia'].pk}/approve/").status_code == 404
    listed = insurer.get(f"{API}/bias/").data["results"]
    assert [b["service"] for b in listed] == [objects["claims"].pk]
    response = insurer.post(f"{API}/bias/", {"service": objects["payments"].pk}, format="json")
    assert response.status_code == 400  # the bank's service is not one the insurer may choose
    assert BusinessImpactAnalysis.objects.filter(service=objects["payments"]).count() == 1


def test_simulate_endpoint_for_own_org_and_404_for_another(world):
    sector, _ = world
    client = sector.client(sector.bank_analyst)
    data = client.get(f"{API}/simulate/", {"scenario": "ransomware"}).data
    [payments] = data["services"]
    assert (payments["time_to_recover_minutes"], payments["breached"]) == (180, True)
    assert client.get(f"{API}/simulate/", {"scenario": "ransomware", "org": "insurer-b"}).status_code == 404
    assert client.get(f"{API}/simulate/", {"scenario": "no-such"}).status_code == 400


def test_heatmap_has_a_cell_per_scenario_and_service(world):
    sector, _ = world
    data = sector.client(sector.bank_analyst).get(f"{API}/heatmap/").data
    assert [s["name"] for s in data["services"]] == ["Payments"]
    assert len(data["cells"]) == len(data["scenarios"]) == Scenario.objects.filter(published=True).count()
    ransomware = [s["name"] for s in data["scenarios"]].index("ransomware")
    assert data["cells"][ransomware][0] == {"minutes": 180.0, "data_lost_minutes": 60.0, "breached": True,
                                            "breached_tolerance": False}


def test_sector_views_are_aggregates_for_the_hub_and_supervisor_only(world):
    sector, _ = world
    for member in (sector.bank_admin, sector.insurer_analyst):
        assert sector.client(member).get(f"{API}/sector/concentration/").status_code == 404
        assert sector.client(member).get(f"{API}/sector/blast-radius/").status_code == 404
    supervisor = sector.client(sector.supervisor)
    rows = supervisor.get(f"{API}/sector/concentration/").data
    assert rows[0]["supplier"] == "tax-id:11111111" and rows[0]["members_total"] == 2
    blast = supervisor.get(f"{API}/sector/blast-radius/").data
    vendor = next(r for r in blast if r["supplier"] == "tax-id:11111111")
    assert (vendor["members_breached"], vendor["critical_services_breached"]) == (2, 2)
    text = str(rows) + str(blast)
    # Counts only: no member, service or system of any member is named.
    assert "bank-a" not in text and "Payments" not in text and "Claims" not in text
    assert sector.client(sector.hub_analyst).get(f"{API}/sector/concentration/").status_code == 200
    # The supervisor reads members' BIAs only as aggregates: none of them in the BIA list.
    assert supervisor.get(f"{API}/bias/").data["results"] == []


def test_drill_planned_run_measured_and_tracked(world):
    sector, objects = world
    client = sector.client(sector.bank_analyst)
    drill = client.post(f"{API}/drills/", {"name": "Q1 ransomware", "scenario": "ransomware",
                                           "planned_date": "2025-02-10"}, format="json").data
    url = f"{API}/drills/{drill['id']}"
    events = [
        ("2025-02-10T09:00:00Z", "inject", "member", ""),
        ("2025-02-10T09:10:00Z", "notification-sent", "member", "group-csirt"),
        ("2025-02-10T09:25:00Z", "notification-received", "group-csirt", "member"),
        ("2025-02-10T09:30:00Z", "notification-sent", "group-csirt", "industry-association"),
        ("2025-02-10T09:50:00Z", "notification-received", "industry-association", "group-csirt"),
    ]
    for at, kind, party, counterpart in events:
        response = client.post(f"{url}/events/", {"at": at, "kind": kind, "party": party,
                                                  "counterpart": counterpart}, format="json")
        assert response.status_code == 201, response.data
    chain = client.get(f"{url}/chain/").data
    assert [(h["from"], h["minutes"]) for h in chain] == [("member", 15.0), ("group-csirt", 20.0),
                                                         ("industry-association", None)]
    result = client.post(f"{url}/result/", {
        "measurements": [{"service": objects["payments"].pk, "recovery_minutes": 300, "data_lost_minutes": 60}],
        "findings": [{"title": "Vault restore too slow", "assignee": "infra team", "due_date": "2025-04-01"}],
        "ended_at": "2025-02-10T15:00:00Z"}, format="json")
    assert result.status_code == 200, result.data
    [measured] = result.data["measurements"]
    # Measured 300 against the simulation's 180 and a tolerance of 240: outside tolerance.
    assert (measured["simulated_minutes"], measured["impact_tolerance_minutes"], measured["within_tolerance"]) \
        == (180.0, 240, False)
    assert result.data["status"] == "completed"
    [action] = client.get(f"{API}/drill-actions/").data["results"]
    assert action["title"] == "Vault restore too slow"
    changed = client.patch(f"{API}/drill-actions/{action['id']}/", {"status": "done"}, format="json")
    assert changed.status_code == 200 and changed.data["closed_at"] is not None
    assert sector.client(sector.insurer_admin).get(f"{API}/drills/{drill['id']}/").status_code == 404
    assert sector.client(sector.insurer_admin).patch(f"{API}/drill-actions/{action['id']}/",
                                                     {"status": "open"}, format="json").status_code == 404
    assert DrillAction.objects.get(pk=action["id"]).status == "done"
    # Actions come only from a drill's result and stay on record: no create, no delete.
    assert client.post(f"{API}/drill-actions/", {"title": "x", "assignee": "y"}, format="json").status_code == 405
    assert client.delete(f"{API}/drill-actions/{action['id']}/").status_code == 405
    assert DrillAction.objects.filter(pk=action["id"]).exists() and DrillAction.objects.count() == 1


def test_drill_result_rejects_another_members_service_and_stores_nothing(world):
    sector, objects = world
    drill = actions.plan_drill(None, name="d", scenario=Scenario.objects.get(name="ransomware"),
                               planned_date=date(2025, 1, 5), owner=sector.bank)
    response = sector.client(sector.bank_admin).post(f"{API}/drills/{drill.pk}/result/", {
        "measurements": [{"service": objects["claims"].pk, "recovery_minutes": 10}],
        "findings": [{"title": "x", "assignee": "y"}]}, format="json")
    assert response.status_code == 400 and "measurements[0]" in str(response.data)
    assert not DrillAction.objects.exists()


def test_mttr_per_quarter(world):
    sector, objects = world
    ransomware = Scenario.objects.get(name="ransomware")
    for planned, ended, minutes in ((date(2025, 2, 1), "2025-02-01T12:00Z", 300),
                                    (date(2025, 3, 1), "2025-03-01T12:00Z", 100),
                                    (date(2025, 5, 1), "2025-05-01T12:00Z", 200)):
        drill = actions.plan_drill(None, name=f"d{planned}", scenario=ransomware, planned_date=planned,
                                   owner=sector.bank)
        actions.record_drill_result(None, drill, measurements=[{"service": objects["payments"].pk,
                                                                "recovery_minutes": minutes}],
                                    ended_at=parse_datetime(ended))
    rows = sector.client(sector.bank_analyst).get(f"{API}/mttr/").data
    assert [(r["quarter"], r["drills"], r["mean_recovery_minutes"], r["breached_tolerance"]) for r in rows] == [
        ("2025-Q1", 2, 200.0, 1), ("2025-Q2", 1, 200.0, 0)]
    assert sector.client(sector.insurer_analyst).get(f"{API}/mttr/").data == []
    assert len(sector.client(sector.supervisor).get(f"{API}/mttr/").data) == 2


def test_scenario_import_by_a_member_stays_its_own(world):
    sector, _ = world
    document = {"scenarios": [{"name": "bank-drill", "effects": [{"type": "site_loss", "sites": ["bank-a/DC1"]}]}]}
    response = sector.client(sector.bank_analyst).post(f"{API}/scenarios/import/", document, format="json")
    assert response.status_code == 201 and response.data["scenarios_created"] == 1
    names = {s["name"] for s in sector.client(sector.insurer_analyst).get(f"{API}/scenarios/",
                                                                          {"page_size": 100}).data["results"]}
    assert "ransomware" in names and "bank-drill" not in names
    bad = {"scenarios": [{"name": "Bad Name", "effects": []}]}
    response = sector.client(sector.bank_analyst).post(f"{API}/scenarios/import/", bad, format="json")
    assert response.status_code == 400 and "scenario Bad Name" in response.data


def test_bia_list_has_no_n_plus_one(world, django_assert_max_num_queries):
    sector, objects = world
    for _ in range(5):
        actions.record_bia(None, objects["payments"], impacts=[{"at_minutes": 60, "customers": 1}])
    client = sector.client(sector.bank_analyst)
    with django_assert_max_num_queries(12):
        response = client.get(f"{API}/bias/")
    assert response.data["count"] == 6
