"""The resilience forms: a system's backup layers, supplier recovery evidence and a drill's result,
each written through its action, and others' rows answering 404."""

import pytest
from django.test import Client

from forceb.resilience import actions
from forceb.resilience.models import (
    BackupLayer,
    Drill,
    DrillAction,
    DrillMeasurement,
    Scenario,
    SupplierRecoveryEvidence,
)

from .factories import small_sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sector):
    objects = small_sector(sector)
    actions.publish_default_library()
    return sector, objects


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


LAYER = {"name": "cloud copy", "kind": "cloud", "recovery_point_minutes": "30", "restore_minutes": "90",
         "immutable": "on", "shares": ["provider"], "last_switchover_test": "2025-01-15"}


def test_add_edit_and_delete_a_backup_layer(world):
    sector, objects = world
    core = objects["core"]
    client = browser(sector.bank_analyst)
    page = client.get(f"/resilience/systems/{core.pk}/layers/").content.decode()
    assert "snapshots" in page and "vault" in page and "Add a layer" in page

    response = client.post(f"/resilience/systems/{core.pk}/layers/add/", LAYER)
    assert response.status_code == 302
    added = BackupLayer.objects.get(system=core, name="cloud copy")
    assert (added.kind, added.restore_minutes, added.immutable, added.shares) == ("cloud", 90, True, ["provider"])
    # The others are kept as they were (set_backup_layers replaces the whole set).
    vault = BackupLayer.objects.get(system=core, name="vault")
    assert (vault.immutable, vault.offline, vault.site, vault.restore_minutes) == (True, True, "DC2", 180)

    response = client.post(f"/resilience/layers/{added.pk}/edit/", {**LAYER, "restore_minutes": "45"})
    assert response.status_code == 302
    assert BackupLayer.objects.get(system=core, name="cloud copy").restore_minutes == 45
    assert BackupLayer.objects.filter(system=core).count() == 3

    layer = BackupLayer.objects.get(system=core, name="cloud copy")
    assert client.post(f"/resilience/layers/{layer.pk}/delete/").status_code == 302
    assert sorted(BackupLayer.objects.filter(system=core).values_list("name", flat=True)) == ["snapshots", "vault"]


def test_a_rejected_layer_shows_the_actions_message_and_changes_nothing(world):
    sector, objects = world
    core = objects["core"]
    client = browser(sector.bank_analyst)
    response = client.post(f"/resilience/systems/{core.pk}/layers/add/", {**LAYER, "name": "vault"})
    assert response.status_code == 200
    assert "two layers of the system have this name" in response.content.decode()
    assert BackupLayer.objects.filter(system=core).count() == 2


def test_others_layers_answer_404_and_readers_cannot_write(world):
    sector, objects = world
    core, layer = objects["core"], BackupLayer.objects.get(system=objects["core"], name="vault")
    insurer = browser(sector.insurer_admin)
    assert insurer.get(f"/resilience/systems/{core.pk}/layers/").status_code == 404
    assert insurer.post(f"/resilience/systems/{core.pk}/layers/add/", LAYER).status_code == 404
    assert insurer.get(f"/resilience/layers/{layer.pk}/edit/").status_code == 404
    assert insurer.post(f"/resilience/layers/{layer.pk}/delete/").status_code == 404
    auditor = browser(sector.bank_auditor)
    page = auditor.get(f"/resilience/systems/{core.pk}/layers/")
    assert page.status_code == 200 and "vault" in page.content.decode() and "Add a layer" not in page.content.decode()
    assert auditor.post(f"/resilience/systems/{core.pk}/layers/add/", LAYER).status_code in (403, 404)
    assert auditor.post(f"/resilience/layers/{layer.pk}/delete/").status_code in (403, 404)
    assert BackupLayer.objects.filter(system=core).count() == 2


def test_supplier_evidence_is_recorded_for_the_users_organisation(world):
    sector, objects = world
    vendor = objects["vendor"]
    client = browser(sector.bank_analyst)
    page = client.get(f"/resilience/evidence/?supplier={vendor.pk}").content.decode()
    assert 'value="300"' in page  # the current tested time is offered for correction
    response = client.post("/resilience/evidence/", {"supplier": vendor.pk, "stated_recovery_minutes": "480",
                                                    "tested_recovery_minutes": "200", "reference": "DR test 2025"})
    assert response.status_code == 302
    bank = SupplierRecoveryEvidence.objects.get(owner=sector.bank, supplier=vendor)
    assert (bank.tested_recovery_minutes, bank.reference) == (200, "DR test 2025")
    assert SupplierRecoveryEvidence.objects.get(owner=sector.insurer, supplier=vendor).stated_recovery_minutes == 720
    assert browser(sector.bank_auditor).get("/resilience/evidence/").status_code == 404
    assert browser(sector.supervisor).post("/resilience/evidence/", {"supplier": vendor.pk}).status_code == 404


def _drill(sector):
    return actions.plan_drill(None, name="Ransomware drill", scenario=Scenario.objects.get(name="ransomware"),
                              planned_date="2025-03-01", owner=sector.bank)


def test_recording_a_drill_result_measures_each_service_and_tracks_a_finding(world):
    sector, objects = world
    drill = _drill(sector)
    payments = objects["payments"]
    client = browser(sector.bank_analyst)
    page = client.get(f"/resilience/drills/{drill.pk}/result/").content.decode()
    assert "Payments: recovered after" in page and "Claims" not in page
    response = client.post(f"/resilience/drills/{drill.pk}/result/", {
        f"recovery_{payments.pk}": "300", f"lost_{payments.pk}": "60",
        "finding_title": "Vault restore too slow", "finding_assignee": "infra team"})
    assert response.status_code == 302
    drill.refresh_from_db()
    assert drill.status == "completed"
    measurement = DrillMeasurement.objects.get(drill=drill)
    assert (measurement.service, measurement.recovery_minutes, measurement.data_lost_minutes) == (payments, 300, 60)
    assert measurement.within_tolerance is False  # 300 min against a 240 min tolerance
    assert DrillAction.objects.get(drill=drill).assignee == "infra team"
    html = client.get(f"/resilience/drills/{drill.pk}/").content.decode()
    assert "300 min" in html and "Record the result" not in html


def test_a_drill_result_needs_a_measurement_and_others_drills_answer_404(world):
    sector, _ = world
    drill = _drill(sector)
    client = browser(sector.bank_analyst)
    response = client.post(f"/resilience/drills/{drill.pk}/result/", {})
    assert "measure the recovery of at least one service" in response.content.decode()
    assert Drill.objects.get(pk=drill.pk).status == "planned"
    insurer = browser(sector.insurer_admin)
    assert insurer.get(f"/resilience/drills/{drill.pk}/result/").status_code == 404
    assert insurer.post(f"/resilience/drills/{drill.pk}/result/", {}).status_code == 404


def test_deleting_a_layer_asks_first(world):
    sector, objects = world
    layer = BackupLayer.objects.get(system=objects["core"], name="vault")
    page = browser(sector.bank_analyst).get(f"/resilience/layers/{layer.pk}/delete/")
    assert page.status_code == 200 and "Delete Core / vault?" in page.content.decode()
    assert BackupLayer.objects.filter(pk=layer.pk).exists()
