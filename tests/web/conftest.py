"""Fixtures of the web UI tests: a small inventory for two members, and signed-in browsers."""

import pytest
from django.test import Client

from forceb.core import actions, audit
from forceb.inventory.models import BusinessService, Dependency, Supplier, SupplierRelationship, System


class Inventory:
    """Bank A: a payments service on a core system on a database, a cloud vendor with a fourth
    party; Insurer B: a claims service and its system, which Bank A's people must never see."""

    def __init__(self, sector):
        bank, insurer = sector.bank, sector.insurer
        with audit.acting_as(sector.bank_admin):
            self.cloud = actions.save_object(Supplier(name="Nimbus Cloud", registry_id="11111111", kind="cloud"))
            self.telco = actions.save_object(Supplier(name="Formosa Telecom", registry_id="22222222", kind="telecom"))
            self.payments = actions.save_object(BusinessService(owner=bank, name="Retail payments",
                                                                criticality="critical", rto_minutes=60,
                                                                impact_tolerance_minutes=120))
            self.core = actions.save_object(System(owner=bank, name="Core banking", hosting="cloud",
                                                   cloud_provider=self.cloud, region="ap-east-1"))
            self.db = actions.save_object(System(owner=bank, name="Ledger database"))
            self.relationship = actions.save_object(SupplierRelationship(owner=bank, supplier=self.cloud,
                                                                         criticality="critical"))
            self.dependencies = [
                actions.save_object(Dependency(owner=bank, source_service=self.payments, target_system=self.core,
                                               impact="no payments")),
                actions.save_object(Dependency(owner=bank, source_system=self.core, target_system=self.db)),
                actions.save_object(Dependency(owner=bank, source_system=self.db, target_supplier=self.telco)),
                actions.save_object(Dependency(owner=bank, source_supplier=self.cloud, target_supplier=self.telco)),
            ]
        with audit.acting_as(sector.insurer_admin):
            self.claims = actions.save_object(BusinessService(owner=insurer, name="Claims handling secret",
                                                              criticality="critical"))
            self.claims_system = actions.save_object(System(owner=insurer, name="Claims engine secret"))
            self.claims_relationship = actions.save_object(
                SupplierRelationship(owner=insurer, supplier=self.cloud, criticality="high"))
            self.claims_dependency = actions.save_object(
                Dependency(owner=insurer, source_service=self.claims, target_system=self.claims_system))


@pytest.fixture
def inventory(sector):
    return Inventory(sector)


@pytest.fixture
def ui():
    """``ui(user)``: a browser session signed in as ``user``."""

    def signed_in(user):
        client = Client()
        client.force_login(user)
        return client

    return signed_in
