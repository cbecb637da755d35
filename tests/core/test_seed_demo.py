"""``forceb seed-demo``: a fictional sector that is realistic, repeatable, and safe to run twice.

The sector is seeded once for the module inside a transaction that is rolled back at the end;
each test runs in a savepoint inside it.
"""

import ast
import os
import re
import stat
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse

from forceb.core import audit, demo
from forceb.core.choices import OrganizationKind, Role, Sector, Tier
from forceb.core.models import AuditEntry, Organization, Share, User
from forceb.inventory.models import BusinessService, Dependency, Supplier, SupplierRelationship, System

PASSWORD = "demo-Passw0rd-for-tests"
# Names of real institutions of the sector: the demo must invent its own.
REAL_NAMES = ["Cathay", "Fubon", "CTBC", "E.SUN", "Yushan", "Taishin", "SinoPac", "Mega", "Hua Nan", "Chang Hwa",
              "Land Bank", "Cooperative", "Shin Kong", "Yuanta", "KGI", "Far Eastern", "Union Bank", "EnTie",
              "Nan Shan", "Mercuries", "Chunghwa", "Taiwan Mobile", "FarEasTone", "FISC", "NCCC", "JKO", "iPASS",
              "EasyCard", "LINE", "Amazon", "AWS", "Azure", "Google", "Microsoft", "Oracle", "Temenos", "Finastra"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as env, override_settings(DATA_DIR=data_dir):
        env.setenv("FORCEB_DEMO_PASSWORD", PASSWORD)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def everything() -> dict[str, int]:
    """Row counts of every FORCE-B table."""
    return {model._meta.label: model._default_manager.count()
            for model in apps.get_models() if model.__module__.startswith("forceb.")}


def test_the_sector_has_every_kind_sector_and_tier(seeded, db):
    members = Organization.objects.filter(kind=OrganizationKind.MEMBER)
    assert members.count() >= 30
    assert set(members.values_list("sector", flat=True)) == set(Sector.values)
    assert set(members.values_list("tier", flat=True)) == set(Tier.values)
    assert Organization.objects.filter(kind=OrganizationKind.HUB).count() == 1
    assert Organization.objects.filter(kind=OrganizationKind.SUPERVISOR).count() == 1


def test_every_member_has_services_systems_suppliers_and_dependencies(seeded, db):
    for org in Organization.objects.filter(kind=OrganizationKind.MEMBER):
        assert BusinessService.objects.filter(owner=org, criticality="critical").exists(), org
        assert System.objects.filter(owner=org).count() >= 4, org
        assert SupplierRelationship.objects.filter(owner=org).count() >= 3, org
        kinds = set(Dependency.objects.filter(owner=org).values_list("kind", flat=True))
        assert {"service-system", "system-system", "system-supplier"} <= kinds, org
    assert Dependency.objects.filter(kind="supplier-supplier").count() >= 20
    names = set(BusinessService.objects.values_list("name", flat=True))
    assert {"Domestic payments", "Online banking", "Mobile banking", "ATM network", "Cards", "Trading",
            "Claims handling", "Policy administration", "Cross-border remittance"} <= names


def test_systems_are_on_premises_cloud_and_hybrid_with_sites_and_domains(seeded, db):
    assert set(System.objects.values_list("hosting", flat=True)) == {"on-premises", "cloud", "hybrid"}
    off_premises = System.objects.exclude(hosting="on-premises")
    assert not off_premises.filter(cloud_provider=None).exists()
    assert not off_premises.filter(region="").exists()
    assert not System.objects.filter(admin_domain="").exists()
    assert not System.objects.filter(hosting="on-premises", site="").exists()
    assert System.objects.filter(environment="dr").exists()


def test_some_suppliers_are_shared_by_many_members(seeded, db):
    members_using = Counter(SupplierRelationship.objects.values_list("supplier_id", flat=True))
    by_kind = {}
    for supplier in Supplier.objects.all():
        by_kind.setdefault(supplier.kind, []).append(members_using[supplier.pk])
    assert len(by_kind["core-banking"]) == 2 and max(by_kind["core-banking"]) >= 8
    assert len(by_kind["cloud"]) == 3 and all(n >= 3 for n in by_kind["cloud"])
    assert max(by_kind["telecom"]) >= 30
    assert max(by_kind["payment-processor"]) >= 15
    assert max(by_kind["managed-service"]) >= 30


def test_rto_never_exceeds_the_impact_tolerance(seeded, db):
    services = BusinessService.objects.all()
    assert not services.filter(rto_minutes=None).exists()
    assert not services.filter(impact_tolerance_minutes=None).exists()
    assert not services.filter(rto_minutes__gt=F("impact_tolerance_minutes")).exists()


def test_members_share_with_the_hub_and_the_supervisor(seeded, db):
    hub_analyst = User.objects.get(username="demo-hub-analyst")
    supervisor = User.objects.get(username="demo-supervisor")
    assert BusinessService.objects.restrict(hub_analyst).count() >= 10
    assert 10 <= BusinessService.objects.restrict(supervisor).count() < BusinessService.objects.count()
    assert SupplierRelationship.objects.restrict(hub_analyst).exists()
    assert not SupplierRelationship.objects.restrict(supervisor).exists()
    assert Dependency.objects.restrict(hub_analyst).filter(kind="supplier-supplier").exists()
    assert set(Share.objects.values_list("tlp", flat=True)) == {"AMBER", "AMBER+STRICT", "GREEN"}
    analyst = User.objects.get(username="demo-member-analyst")
    assert {s.owner_id for s in BusinessService.objects.restrict(analyst)} == {analyst.organization_id}


def test_every_demo_role_signs_in_with_the_password(seeded, db):
    users = User.objects.filter(username__in=demo.DEMO_USERS)
    assert set(users.values_list("role", flat=True)) == set(Role.values)
    for username in demo.DEMO_USERS:
        client = Client()
        response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
        assert response.status_code == 302, username
        assert client.get(reverse("web:home")).status_code == 200, username
    # The members' own admins, which the seed acts as, cannot sign in.
    assert not User.objects.get(username="egret-bay-bank-admin").has_usable_password()


def test_the_login_instructions_are_printed(seeded):
    assert "/login/" in seeded
    for username in demo.DEMO_USERS:
        assert username in seeded
    assert PASSWORD in seeded


def test_a_second_run_changes_nothing(seeded, db, monkeypatch, settings, tmp_path):
    monkeypatch.setenv("FORCEB_DEMO_PASSWORD", PASSWORD)
    settings.DATA_DIR = tmp_path
    before = everything()
    call_command("seed_demo", stdout=StringIO())
    assert everything() == before


def test_the_audit_chain_is_intact_afterwards(seeded, db):
    assert AuditEntry.objects.filter(actor_username="seed-demo").count() > 1000
    call_command("audit", "verify", stdout=StringIO())  # exits 1 when broken
    assert audit.verify().intact


def test_names_are_fictional(seeded, db):
    names = [*Organization.objects.values_list("name", flat=True), *Supplier.objects.values_list("name", flat=True)]
    for name in names:
        for real in REAL_NAMES:
            assert not re.search(rf"\b{re.escape(real)}\b", name, re.IGNORECASE), (name, real)


def test_the_password_is_generated_once_and_kept_private(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("FORCEB_DEMO_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path / "data"
    password, source = demo.demo_password()
    assert len(password) >= 16 and source == str(tmp_path / "data" / "demo-password")
    assert stat.S_IMODE(os.stat(source).st_mode) == 0o600
    assert demo.demo_password() == (password, source)
    monkeypatch.setenv("FORCEB_DEMO_PASSWORD", "chosen")
    assert demo.demo_password() == ("chosen", "FORCEB_DEMO_PASSWORD")


def test_the_core_imports_no_feature_app():
    root = Path(demo.__file__).parent
    for path in (root / "demo.py", root / "management" / "commands" / "seed_demo.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("forceb.inventory", "forceb.sbom", "forceb.intel",
                                                   "forceb.resilience")), (path, node.module)
