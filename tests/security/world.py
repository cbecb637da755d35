"""The sector the isolation matrix probes: every owned model, built for every organisation,
plus one row of each shared with the hub (TLP:AMBER) and one shared with the community (TLP:GREEN)."""

import json

from django.db import models
from django.test import Client

from forceb.core import actions, audit
from forceb.core.models import AuditEntry, Organization, User
from forceb.inventory.models import BusinessService, Supplier
from tests.conftest import Sector

from .factories import FACTORIES, Builder, discover, owned_models
from .routes import API_PREFIXES, TAXII_ACCEPT, TAXII_PREFIX

# Who the matrix signs in as: one person per role, and the organisation each belongs to.
PEOPLE = ("bank_admin", "bank_analyst", "bank_auditor", "insurer_admin", "insurer_analyst",
          "hub_analyst", "platform_admin", "supervisor")


class World:
    def __init__(self):
        s = self.sector = Sector()
        # The sector's ``supervisor`` attribute is the supervisor person (it shadows the organisation).
        self.fsc = s.supervisor.organization
        self.orgs: list[Organization] = [s.bank, s.insurer, s.hub, self.fsc]
        self.people: dict[str, User] = {name: getattr(s, name) for name in PEOPLE}
        # Rows are created as a person of their owner, so the audit trail attributes them as in real use.
        self.creator = {s.bank.pk: s.bank_analyst, s.insurer.pk: s.insurer_analyst, s.hub.pk: s.hub_analyst,
                        self.fsc.pk: s.supervisor}
        self.build = Builder()
        self.private: dict[type, dict[int, models.Model]] = {}
        self.to_hub: dict[type, models.Model] = {}
        self.to_community: dict[type, models.Model] = {}
        self.hub_share = self.community_share = None
        discover()
        # Models without a factory are left out here; test_every_owned_model_has_a_factory names them.
        for model in (m for m in owned_models() if m in FACTORIES):
            self.private[model] = {}
            for org in self.orgs:
                with audit.acting_as(self.creator[org.pk]):
                    row = self.build.make(model, org)
                if row is not None:
                    self.private[model][org.pk] = row
            with audit.acting_as(s.bank_admin):
                self.to_hub[model] = self.build.make(model, s.bank)
                share = actions.share_object(s.bank_admin, self.to_hub[model], tlp_marking="AMBER",
                                             recipient_orgs=[s.hub])
                if model is BusinessService:  # the share the core's own routes are probed with
                    self.hub_share = share
            with audit.acting_as(s.insurer_admin):
                self.to_community[model] = self.build.make(model, s.insurer)
                share = actions.share_object(s.insurer_admin, self.to_community[model], tlp_marking="GREEN",
                                             community=True)
                if model is BusinessService:
                    self.community_share = share
        # What a share reveals: the row and the rows its fields point to (a shared dependency names its ends).
        self.revealed_to_hub = _with_references(self.to_hub.values())
        self.revealed_to_all = _with_references(self.to_community.values())

        self.supplier = self.build.supplier()
        self.tokens = {}
        self.raw_tokens = {}
        for name, user in self.people.items():
            self.tokens[name], self.raw_tokens[name] = actions.create_token(user, name="matrix")
        self.notices = {org.pk: actions.notify(org, f"notice for {org.slug}") for org in self.orgs}
        self.personal_notice = actions.notify(s.bank, "for the bank admin only", user=s.bank_admin)
        self.audit_of = {org.pk: AuditEntry.objects.filter(organization=org).order_by("seq").first()
                         for org in self.orgs}
        # Sessions are made now, in the module's transaction: one made inside a test would vanish
        # with that test's savepoint.
        self._ui_clients: dict[str, Client] = {}
        for name, user in self.people.items():
            self._ui_clients[name] = Client()
            self._ui_clients[name].force_login(user)
        self._api_clients: dict[str, Client] = {}

    # --- who may see what ------------------------------------------------------------------

    def visible(self, user: User | None, row: models.Model) -> bool:
        """The independent oracle of ``restrict(user, 'view')`` for the rows of this world."""
        if user is None:
            return False
        if isinstance(row, Supplier):
            return True
        if row.owner_id == user.organization_id:
            return True
        if getattr(row, "hub_reads_every_row", False) and user.organization_id == self.sector.hub.pk:
            return True  # reported to the hub by nature (an incident ticket to the Joint Defense SOC)
        if row in self.revealed_to_all:
            return True
        return row in self.revealed_to_hub and user.organization_id == self.sector.hub.pk

    def hidden_marks(self, user: User | None) -> dict[str, models.Model]:
        return {mark: row for row, mark in self.build.marks.items() if not self.visible(user, row)}

    def own_mark(self, user: User, model) -> str | None:
        row = self.private.get(model, {}).get(user.organization_id)
        return self.build.marks.get(row) if row is not None else None

    # --- clients ---------------------------------------------------------------------------

    def client(self, who: str | None, path: str, fresh: bool = False) -> Client:
        """A client for ``who`` (None: anonymous): a session for the UI, a token for the API and TAXII."""
        if who is None:
            return Client()
        if path.startswith(API_PREFIXES):
            if fresh or who not in self._api_clients:
                self._api_clients[who] = Client(headers={"authorization": f"Token {self.raw_tokens[who]}"})
            return self._api_clients[who]
        if fresh or who not in self._ui_clients:
            client = Client()
            client.force_login(self.people[who])
            if fresh:
                return client
            self._ui_clients[who] = client
        return self._ui_clients[who]

    def request(self, who: str | None, method: str, path: str, data=None, fresh: bool = False):
        """One request as ``who``; TAXII paths carry the TAXII media type they require."""
        headers = {"accept": TAXII_ACCEPT} if path.startswith(TAXII_PREFIX) else {}
        client = self.client(who, path, fresh=fresh)
        call = getattr(client, method.lower())
        if data is None:
            return call(path, headers=headers)
        return call(path, data=json.dumps(data), content_type="application/json", headers=headers)

    @staticmethod
    def role_of(user: User | None) -> str:
        return user.role if user is not None else "anonymous"

    def other_member(self, user: User) -> Organization:
        """A member organisation that is not the person's own."""
        return self.sector.insurer if user.organization_id == self.sector.bank.pk else self.sector.bank



def _with_references(rows) -> set:
    """The rows and, transitively, the rows their foreign keys point to."""
    found: set = set()
    todo = list(rows)
    while todo:
        row = todo.pop()
        if row is None or row in found:
            continue
        found.add(row)
        for field in row._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is not Organization:
                todo.append(getattr(row, field.name))
    return found
