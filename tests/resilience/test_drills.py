"""Drills end to end through the actions, MTTR per quarter, the notification chain, and the demo."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forceb.resilience import actions, demo, queries
from forceb.resilience.models import (
    BackupLayer,
    BusinessImpactAnalysis,
    Drill,
    DrillAction,
    DrillMeasurement,
    Scenario,
)

from .factories import small_sector

pytestmark = pytest.mark.django_db


def at(hour, minute=0, day=10, month=2):
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def world(sector):
    objects = small_sector(sector)
    actions.publish_default_library()
    return sector, objects


def test_drill_result_compares_measurement_with_simulation_and_tolerance(world):
    sector, objects = world
    drill = actions.plan_drill(sector.bank_analyst, name="ransomware", planned_date=date(2025, 2, 10),
                               scenario=Scenario.objects.get(name="ransomware"))
    actions.record_drill_event(sector.bank_analyst, drill, kind="inject", at=at(9), party="member")
    actions.record_drill_result(sector.bank_analyst, drill, ended_at=at(15), measurements=[
        {"service": "Payments", "recovery_minutes": 200}], findings=[{"title": "t", "assignee": "ops"}])
    measured = DrillMeasurement.objects.get(drill=drill)
    assert (measured.simulated_minutes, measured.impact_tolerance_minutes, measured.within_tolerance) == (180, 240, True)
    drill.refresh_from_db()
    assert (drill.status, drill.started_at, drill.ended_at) == ("completed", at(9), at(15))
    with pytest.raises(ValidationError, match="already completed"):
        actions.record_drill_result(sector.bank_analyst, drill, measurements=[])
    with pytest.raises(ValidationError, match="completed"):
        actions.record_drill_event(sector.bank_analyst, drill, kind="inject", at=at(16), party="member")


def test_another_member_cannot_write_to_a_drill(world):
    sector, _ = world
    drill = actions.plan_drill(sector.bank_analyst, name="d", planned_date=date(2025, 2, 10),
                               scenario=Scenario.objects.get(name="ransomware"))
    with pytest.raises(PermissionDenied):
        actions.record_drill_event(sector.insurer_admin, drill, kind="inject", at=at(9), party="member")
    with pytest.raises(PermissionDenied):
        actions.plan_drill(sector.bank_auditor, name="x", planned_date=date(2025, 1, 1),
                           scenario=Scenario.objects.get(name="ransomware"))


def test_notification_event_needs_its_other_party(world):
    sector, _ = world
    drill = actions.plan_drill(sector.bank_analyst, name="d", planned_date=date(2025, 2, 10),
                               scenario=Scenario.objects.get(name="ransomware"))
    with pytest.raises(ValidationError, match="names the other party"):
        actions.record_drill_event(sector.bank_analyst, drill, kind="notification-sent", at=at(9), party="member")


def test_notification_chain_minutes_per_hop(world):
    sector, _ = world
    drill = actions.plan_drill(sector.bank_analyst, name="d", planned_date=date(2025, 2, 10),
                               scenario=Scenario.objects.get(name="ransomware"))
    for when, kind, party, other in [(at(9), "inject", "member", ""),
                                     (at(9, 30), "notification-sent", "member", "group-csirt"),
                                     (at(9, 45), "notification-received", "group-csirt", "member"),
                                     (at(10), "notification-sent", "group-csirt", "industry-association"),
                                     (at(10, 5), "notification-received", "industry-association", "group-csirt"),
                                     (at(10, 10), "notification-sent", "industry-association", "hub"),
                                     (at(11), "notification-received", "hub", "industry-association")]:
        actions.record_drill_event(sector.bank_analyst, drill, kind=kind, at=when, party=party, counterpart=other)
    hops = queries.notification_chain(Drill.objects.get(pk=drill.pk))
    assert [(h["to"], h["minutes"], h["minutes_from_start"]) for h in hops] == [
        ("group-csirt", 15.0, 45.0), ("industry-association", 5.0, 65.0), ("hub", 50.0, 120.0)]


def test_mttr_per_quarter_by_drill_end(world):
    sector, objects = world
    scenario = Scenario.objects.get(name="ransomware")
    for month, minutes in ((1, 100), (3, 300), (4, 50)):
        drill = actions.plan_drill(sector.bank_analyst, name=f"m{month}", planned_date=date(2025, month, 1),
                                   scenario=scenario)
        actions.record_drill_result(sector.bank_analyst, drill, ended_at=at(12, month=month, day=1),
                                    measurements=[{"service": objects["payments"].pk, "recovery_minutes": minutes}])
    rows = queries.mttr_per_quarter(sector.bank_analyst)
    assert [(r["quarter"], r["mean_recovery_minutes"], r["max_recovery_minutes"], r["within_tolerance"],
             r["breached_tolerance"]) for r in rows] == [("2025-Q1", 200.0, 300, 1, 1), ("2025-Q2", 50.0, 50, 1, 0)]


def test_drill_actions_are_tracked_to_closure(world):
    sector, _ = world
    drill = actions.plan_drill(sector.bank_analyst, name="d", planned_date=date(2025, 2, 10),
                               scenario=Scenario.objects.get(name="ransomware"))
    actions.record_drill_result(sector.bank_analyst, drill, measurements=[], findings=[
        {"title": "Fix", "assignee": "ops", "due_date": "2000-01-01"}])
    action = DrillAction.objects.get(drill=drill)
    assert action.overdue
    actions.update_drill_action(sector.bank_analyst, action, status="done")
    assert action.closed_at is not None and not action.overdue
    actions.update_drill_action(sector.bank_analyst, action, status="open")
    assert action.closed_at is None
    with pytest.raises(ValidationError, match="not one of"):
        actions.update_drill_action(sector.bank_analyst, action, status="finished")


def test_bia_versions_approval_and_review_flag(world):
    sector, objects = world
    first = actions.record_bia(sector.bank_analyst, objects["payments"], impacts=[
        {"at_minutes": 60, "customers": 3}, {"at_minutes": 1440, "financial": 5}], rto_minutes=600)
    assert first.impact_tolerance_minutes == 1440
    actions.approve_bia(sector.bank_admin, first, at=timezone.now() - timedelta(days=400))
    assert first.review_due
    assert list(queries.bias_due_for_review(sector.bank_analyst)) == [first]
    second = actions.record_bia(sector.bank_analyst, objects["payments"], impact_tolerance_minutes=480)
    actions.approve_bia(sector.bank_admin, second)
    first.refresh_from_db()
    assert (first.status, second.version, second.review_due) == ("superseded", 2, False)
    with pytest.raises(ValidationError, match=r"impacts\[1\] \(at 60 min\)"):
        actions.record_bia(sector.bank_analyst, objects["payments"],
                           impacts=[{"at_minutes": 60}, {"at_minutes": 60, "customers": 9}])
    with pytest.raises(PermissionDenied):
        actions.record_bia(sector.insurer_admin, objects["payments"])
    assert BusinessImpactAnalysis.objects.count() == 2


def test_set_backup_layers_is_all_or_nothing_and_names_the_layer(world):
    sector, objects = world
    with pytest.raises(ValidationError) as refused:
        actions.set_backup_layers(sector.bank_analyst, objects["core"], [
            {"name": "ok", "kind": "local", "recovery_point_minutes": 5, "restore_minutes": 5},
            {"name": "bad", "kind": "tape", "restore_minutes": -3}])
    assert "layers[1] (bad)" in refused.value.message_dict
    assert set(BackupLayer.objects.filter(system=objects["core"]).values_list("name", flat=True)) == {
        "snapshots", "vault"}


def test_demo_seeds_bias_layers_library_and_drills(sector):
    small_sector(sector)
    demo.seed()
    demo.seed()  # a second run leaves the seeded members alone
    assert Scenario.objects.filter(published=True, name="ransomware").count() == 1
    assert BusinessImpactAnalysis.objects.filter(status="approved").count() == 2
    assert BackupLayer.objects.filter(immutable=True).exists()
    drill = Drill.objects.get(name="Ransomware exercise with the sector chain")
    assert drill.owner == sector.bank and drill.status == "completed"
    assert all(hop["complete"] for hop in queries.notification_chain(drill))
    assert DrillAction.objects.filter(drill=drill).count() == 2
    assert len(queries.mttr_per_quarter(sector.bank_analyst)) == 2
    assert Drill.objects.filter(owner=sector.bank, status="planned").exists()
