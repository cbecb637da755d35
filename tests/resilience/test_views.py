"""The resilience pages: what each role sees, the coloured picture, the heatmap's data, BIA forms."""

import json
import re

import pytest
from django.test import Client

from forceb.inventory.models import BusinessService
from forceb.resilience import actions
from forceb.resilience.models import BusinessImpactAnalysis, Drill, Scenario

from .factories import small_sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sector):
    objects = small_sector(sector)
    actions.publish_default_library()
    return sector, objects


def browser(sector, user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_overview_lists_the_organisations_own_bias_only(world):
    sector, objects = world
    actions.record_bia(None, objects["payments"], impact_tolerance_minutes=240, rto_minutes=120)
    actions.record_bia(None, objects["claims"], impact_tolerance_minutes=480)
    page = browser(sector, sector.bank_analyst).get("/resilience/").content.decode()
    assert "Payments" in page and "Claims" not in page
    assert "ransomware" in page


def test_simulation_page_colours_the_graph_by_the_outcome(world):
    sector, objects = world
    page = browser(sector, sector.bank_analyst).get("/resilience/simulate/", {"scenario": "ransomware"})
    html = page.content.decode()
    assert page.status_code == 200
    # Core was encrypted (hit); the service breached RTO and RPO; the vendor was not reached.
    assert re.search(r'class="node system o-hit" data-node="Core"', html)
    assert re.search(r'class="node service o-breached" data-node="Payments"', html)
    assert re.search(r'class="node supplier o-ok" data-node="Core Vendor"', html)
    assert "restored from backup layer" in html
    assert "<script>" not in html  # CSP: no inline script


def test_heatmap_page_carries_its_figure_as_json_data(world):
    sector, _ = world
    html = browser(sector, sector.bank_analyst).get("/resilience/heatmap/").content.decode()
    found = re.search(r'<script id="chart-heatmap" type="application/json">(.*?)</script>', html, re.S)
    figure = json.loads(found.group(1))
    trace = figure["data"][0]
    assert trace["type"] == "heatmap" and trace["y"] == ["Payments"]
    ransomware = trace["x"].index("ransomware")
    assert trace["text"][0][ransomware] == "180 min · breached"
    assert trace["z"][0][ransomware] == pytest.approx(180 / 240)


def test_sector_page_for_hub_and_supervisor_only(world):
    sector, _ = world
    assert browser(sector, sector.bank_admin).get("/resilience/sector/").status_code == 404
    page = browser(sector, sector.supervisor).get("/resilience/sector/")
    html = page.content.decode()
    assert page.status_code == 200 and "Core Vendor" in html
    assert "Payments" not in html and "bank-a" not in html


def test_bia_form_derives_tolerance_and_admin_approves(world):
    sector, objects = world
    client = browser(sector, sector.bank_analyst)
    assert client.get("/resilience/bias/new/").status_code == 200
    form = {"service": objects["payments"].pk, "intolerable_level": 4, "rto_minutes": 200, "rpo_minutes": 30,
            "form-TOTAL_FORMS": 2, "form-INITIAL_FORMS": 2,
            "form-0-at_minutes": 60, "form-0-financial": 1, "form-0-customers": 2, "form-0-regulatory": 0,
            "form-0-reputation": 0,
            "form-1-at_minutes": 240, "form-1-financial": 3, "form-1-customers": 4, "form-1-regulatory": 0,
            "form-1-reputation": 0}
    response = client.post("/resilience/bias/new/", form)
    bia = BusinessImpactAnalysis.objects.get(service=objects["payments"])
    assert response.status_code == 302 and bia.impact_tolerance_minutes == 240
    # An analyst does not approve; the admin does.
    assert client.post(f"/resilience/bias/{bia.pk}/approve/").status_code == 404
    browser(sector, sector.bank_admin).post(f"/resilience/bias/{bia.pk}/approve/")
    assert BusinessService.objects.get(pk=objects["payments"].pk).rto_minutes == 200
    # RTO above the derived tolerance: the form says so, nothing stored.
    form["rto_minutes"] = 300
    html = client.post("/resilience/bias/new/", form).content.decode()
    assert "exceeds the impact tolerance" in html
    assert BusinessImpactAnalysis.objects.count() == 1


def test_another_members_bia_and_drill_pages_answer_404(world):
    sector, objects = world
    bia = actions.record_bia(None, objects["payments"], impact_tolerance_minutes=240)
    drill = actions.plan_drill(None, name="d", scenario=Scenario.objects.get(name="ransomware"),
                               planned_date="2025-01-01", owner=sector.bank)
    insurer = browser(sector, sector.insurer_admin)
    assert insurer.get(f"/resilience/bias/{bia.pk}/").status_code == 404
    assert insurer.get(f"/resilience/drills/{drill.pk}/").status_code == 404
    assert insurer.post(f"/resilience/drills/{drill.pk}/events/", {}).status_code == 404


def test_drill_timeline_page_records_an_event(world):
    sector, _ = world
    client = browser(sector, sector.bank_analyst)
    response = client.post("/resilience/drills/new/", {"name": "Site loss drill", "scenario": "primary-site-loss",
                                                       "planned_date": "2025-03-01"})
    drill = Drill.objects.get(name="Site loss drill")
    assert response.status_code == 302
    client.post(f"/resilience/drills/{drill.pk}/events/", {"at": "2025-03-01T10:00", "kind": "notification-sent",
                                                          "party": "member", "counterpart": "group-csirt",
                                                          "description": "first report"})
    html = client.get(f"/resilience/drills/{drill.pk}/").content.decode()
    assert "first report" in html and "Notification sent" in html
    drill.refresh_from_db()
    assert drill.status == "running"
