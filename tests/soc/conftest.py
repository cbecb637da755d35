"""Fixtures of the Joint Defense SOC: a sector with a shared intelligence collection and a way to
write ticket documents."""

import pytest

from forceb.core import actions as core_actions
from forceb.intel import actions as intel_actions
from forceb.inventory.models import BusinessService, System


def document(**fields) -> dict:
    """A valid ticket document; ``fields`` replace or add to it."""
    found = {"title": "Phishing against online banking", "detected_at": "2026-09-03T08:00:00+08:00",
             "description": "Lure from hxxps://secure-login-1[.]example/verify, dropper 198.51.100.77",
             "category": "phishing", "severity": "high", "impact_scope": "customers", "tlp": "AMBER",
             "attack_chain_phase": "delivery",
             "observables": [{"type": "domain-name", "value": "secure-login-1.example"},
                             {"type": "attack-pattern", "value": "T1566.002"}]}
    found.update(fields)
    return found


@pytest.fixture
def soc(sector):
    """The sector, an intelligence collection every member and the supervisor read, and one
    business service and system in each member's inventory."""
    sector.collection = intel_actions.create_collection(
        sector.hub_analyst, title="Sector indicators", readers=[sector.bank, sector.insurer,
                                                                sector.supervisor.organization],
        writers=[sector.bank, sector.insurer])
    for org in (sector.bank, sector.insurer):
        core_actions.save_object(BusinessService(owner=org, name="Online banking", criticality="critical"))
        core_actions.save_object(System(owner=org, name="Web front end"))
    return sector
