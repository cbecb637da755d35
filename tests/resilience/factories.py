"""A small hand-built sector for the resilience tests, with every number chosen so that the
engine's answer can be worked out by hand in the test."""

from datetime import date

from forceb.core import actions as core_actions
from forceb.inventory.models import BusinessService, Dependency, Supplier, System
from forceb.resilience import actions
from forceb.resilience.models import SupplierRecoveryEvidence


def save(obj):
    return core_actions.save_object(obj)


def small_sector(sector):
    """bank-a: Payments (critical; tolerance 240, RTO 120, RPO 15) -> Core (on-prem, DC1, corp AD)
    -> the core-banking vendor; Core has a local layer (same site and AD: restore 30, loses 15) and
    an immutable offline remote copy (DC2, vault: restore 180, loses 60).
    insurer-b: Claims (critical; tolerance 480) -> Policy (cloud on the cloud provider, region r1),
    which also needs the core-banking vendor; the vendor is hosted on the cloud provider (4th party).
    """
    vendor = save(Supplier(name="Core Vendor", registry_kind="tax-id", registry_id="11111111", kind="core-banking"))
    cloud = save(Supplier(name="Big Cloud", registry_kind="tax-id", registry_id="22222222", kind="cloud"))
    bank, insurer = sector.bank, sector.insurer
    payments = save(BusinessService(owner=bank, name="Payments", criticality="critical",
                                    impact_tolerance_minutes=240, rto_minutes=120, rpo_minutes=15))
    core = save(System(owner=bank, name="Core", hosting="on-premises", site="DC1", admin_domain="corp"))
    save(Dependency(owner=bank, source_service=payments, target_system=core))
    save(Dependency(owner=bank, source_system=core, target_supplier=vendor))
    save(Dependency(owner=bank, source_supplier=vendor, target_supplier=cloud))
    actions.set_backup_layers(None, core, [
        {"name": "snapshots", "kind": "local", "recovery_point_minutes": 15, "restore_minutes": 30,
         "shares": ["site", "admin_domain"], "last_switchover_test": date.today().isoformat()},
        {"name": "vault", "kind": "remote", "recovery_point_minutes": 60, "restore_minutes": 180,
         "immutable": True, "offline": True, "site": "DC2", "admin_domain": "vault",
         "last_switchover_test": date.today().isoformat()},
    ])
    save(SupplierRecoveryEvidence(owner=bank, supplier=vendor, stated_recovery_minutes=600,
                                  tested_recovery_minutes=300))
    claims = save(BusinessService(owner=insurer, name="Claims", criticality="critical",
                                  impact_tolerance_minutes=480, rto_minutes=240, rpo_minutes=60))
    policy = save(System(owner=insurer, name="Policy", hosting="cloud", cloud_provider=cloud, region="r1",
                         admin_domain="ins-ad"))
    save(Dependency(owner=insurer, source_service=claims, target_system=policy))
    save(Dependency(owner=insurer, source_system=policy, target_supplier=vendor))
    save(SupplierRecoveryEvidence(owner=insurer, supplier=vendor, stated_recovery_minutes=720))
    return {"vendor": vendor, "cloud": cloud, "payments": payments, "core": core, "claims": claims,
            "policy": policy}


def register_security_factories():
    """Factories of the resilience models for the isolation matrix (``tests/security/factories.py``
    calls this; each row carries the matrix's mark in a text field)."""
    from forceb.resilience.models import (
        BackupLayer,
        BusinessImpactAnalysis,
        Drill,
        DrillAction,
        Scenario,
        SupplierRecoveryEvidence,
    )
    from tests.security.factories import factory

    @factory(BusinessImpactAnalysis)
    def _bia(build, owner, mark):
        return actions.record_bia(None, build.make(BusinessService, owner), impact_tolerance_minutes=240,
                                  rto_minutes=60, notes=f"bia {mark}")

    @factory(BackupLayer)
    def _layer(build, owner, mark):
        return build.save(BackupLayer(owner=owner, system=build.make(System, owner), name=f"layer {mark}",
                                      kind="remote", recovery_point_minutes=60, restore_minutes=120))

    @factory(SupplierRecoveryEvidence)
    def _evidence(build, owner, mark):
        return build.save(SupplierRecoveryEvidence(owner=owner, supplier=build.supplier(),
                                                   stated_recovery_minutes=240, reference=f"report {mark}"))

    @factory(Scenario)
    def _scenario(build, owner, mark):
        document = {"name": mark, "effects": [{"type": "telecom_outage"}]}
        return build.save(Scenario(owner=owner, name=mark, title=f"scenario {mark}", kind="telecom_outage",
                                   parameters=document))

    @factory(Drill)
    def _drill(build, owner, mark):
        return build.save(Drill(owner=owner, name=f"drill {mark}", scenario=build.make(Scenario, owner),
                                planned_date=date(2025, 1, 1)))

    @factory(DrillAction)
    def _action(build, owner, mark):
        return build.save(DrillAction(owner=owner, drill=build.make(Drill, owner), title=f"action {mark}",
                                      assignee="ops"))
