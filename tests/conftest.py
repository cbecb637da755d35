"""Fixtures shared by every test: a small sector with one person per role, and API clients."""

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from forceb.core import actions
from forceb.core.choices import OrganizationKind, Role

SHARED_DATA = Path(os.environ.get("FORCEB_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; the test is skipped with a reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (set FORCEB_SHARED_DATA)")
    return path


class Sector:
    """Two members, the hub and the supervisor, with one person of each role that fits."""

    def __init__(self):
        self.bank = actions.create_organization(slug="bank-a", name="Bank A", kind=OrganizationKind.MEMBER,
                                                sector="bank", tier=1)
        self.insurer = actions.create_organization(slug="insurer-b", name="Insurer B",
                                                   kind=OrganizationKind.MEMBER, sector="insurance", tier=2)
        self.hub = actions.create_organization(slug="hub", name="F-ISAC", kind=OrganizationKind.HUB)
        self.supervisor = actions.create_organization(slug="fsc", name="FSC", kind=OrganizationKind.SUPERVISOR)
        self.password = "a-Long-test-passw0rd"
        people = {
            "bank_admin": (self.bank, Role.MEMBER_ADMIN),
            "bank_analyst": (self.bank, Role.MEMBER_ANALYST),
            "bank_auditor": (self.bank, Role.AUDITOR),
            "insurer_admin": (self.insurer, Role.MEMBER_ADMIN),
            "insurer_analyst": (self.insurer, Role.MEMBER_ANALYST),
            "hub_analyst": (self.hub, Role.HUB_ANALYST),
            "platform_admin": (self.hub, Role.PLATFORM_ADMIN),
            "supervisor": (self.supervisor, Role.SUPERVISOR),
        }
        for username, (org, role) in people.items():
            setattr(self, username, actions.create_user(username=username.replace("_", "-"), organization=org,
                                                        role=role, password=self.password))

    def client(self, user) -> APIClient:
        """An API client authenticated with a real token of ``user``."""
        _, raw = actions.create_token(user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client


@pytest.fixture
def sector(db):
    return Sector()
