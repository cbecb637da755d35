"""Sharing under TLP 2.0, end to end: through ``/api/core/shares/`` and the ``restrict`` chokepoint.

Who a share reaches, who may pass an object on, that withdrawing a share takes effect at once
(reshares made on its strength included), and that every share and unshare is in the audit trail.
"""

import pytest

from forceb.core import actions
from forceb.core.models import AuditEntry, Share
from forceb.inventory.models import BusinessService

SHARES = "/api/core/shares/"


@pytest.fixture
def payments(sector):
    return actions.save_object(BusinessService(owner=sector.bank, name="Payments", criticality="critical"))


def _service_url(obj):
    return f"/api/inventory/services/{obj.pk}/"


def _share(sector, user, obj, tlp, *, orgs=(), users=(), community=False):
    return sector.client(user).post(SHARES, {
        "object_type": "inventory.businessservice", "object_id": obj.pk, "tlp": tlp, "community": community,
        "recipient_orgs": [o.slug for o in orgs], "recipient_users": [u.username for u in users],
    }, format="json")


def _sees(sector, user, obj) -> bool:
    """Whether ``user`` reaches ``obj`` through the API (detail and list agree) and the chokepoint."""
    client = sector.client(user)
    detail = client.get(_service_url(obj)).status_code
    listed = obj.pk in {row["id"] for row in client.get("/api/inventory/services/").json()["results"]}
    chokepoint = BusinessService.objects.restrict(user).filter(pk=obj.pk).exists()
    assert (detail == 200) == listed == chokepoint, f"API detail {detail}, list {listed}, restrict {chokepoint}"
    assert detail in (200, 404)
    return chokepoint


def _fsc(sector):
    return sector.supervisor.organization  # the sector's ``supervisor`` attribute is the person


def test_unshared_objects_stay_with_their_owner(sector, payments):
    assert _sees(sector, sector.bank_auditor, payments)
    for user in (sector.insurer_admin, sector.hub_analyst, sector.platform_admin, sector.supervisor):
        assert not _sees(sector, user, payments)


def test_share_with_the_hub(sector, payments):
    response = _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.hub])
    assert response.status_code == 201, response.content
    assert response.json()["recipient_orgs"] == ["hub"]
    assert _sees(sector, sector.hub_analyst, payments)
    assert _sees(sector, sector.platform_admin, payments)
    assert not _sees(sector, sector.insurer_admin, payments)
    assert not _sees(sector, sector.supervisor, payments)


def test_share_with_the_supervisor(sector, payments):
    assert _share(sector, sector.bank_admin, payments, "AMBER", orgs=[_fsc(sector)]).status_code == 201
    assert _sees(sector, sector.supervisor, payments)
    assert not _sees(sector, sector.hub_analyst, payments)


def test_amber_to_named_organisations_reaches_them_only(sector, payments):
    assert _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.insurer, sector.hub]).status_code == 201
    assert _sees(sector, sector.insurer_analyst, payments)
    assert _sees(sector, sector.hub_analyst, payments)
    assert not _sees(sector, sector.supervisor, payments)


@pytest.mark.parametrize("tlp", ["CLEAR", "GREEN"])
def test_clear_and_green_reach_the_community(sector, payments, tlp):
    assert _share(sector, sector.bank_analyst, payments, tlp, community=True).status_code == 201
    for user in (sector.insurer_analyst, sector.hub_analyst, sector.supervisor):
        assert _sees(sector, user, payments)


@pytest.mark.parametrize("tlp", ["AMBER", "AMBER+STRICT", "RED"])
def test_nothing_stricter_reaches_the_community(sector, payments, tlp):
    response = _share(sector, sector.bank_admin, payments, tlp, community=True, orgs=[sector.hub],
                      users=[sector.hub_analyst])
    assert response.status_code == 400
    assert "community" in response.json()["tlp"][0]
    assert not Share.objects.exists()
    assert not _sees(sector, sector.insurer_admin, payments)


def test_amber_strict_reaches_the_one_recipient_organisation_only(sector, payments):
    refused = _share(sector, sector.bank_admin, payments, "AMBER+STRICT", orgs=[sector.hub, sector.insurer])
    assert refused.status_code == 400 and "exactly one" in refused.json()["tlp"][0]
    assert _share(sector, sector.bank_admin, payments, "AMBER+STRICT", orgs=[sector.hub]).status_code == 201
    assert _sees(sector, sector.hub_analyst, payments)
    # Not even the hub may pass it on, under any marking.
    for tlp in ("AMBER+STRICT", "RED"):
        passed_on = _share(sector, sector.hub_analyst, payments, tlp, orgs=[sector.insurer] if tlp != "RED" else (),
                           users=[sector.insurer_admin] if tlp == "RED" else ())
        assert passed_on.status_code == 400, passed_on.content
    assert not _sees(sector, sector.insurer_admin, payments)


def test_red_reaches_the_named_people_not_their_colleagues(sector, payments):
    refused = _share(sector, sector.bank_admin, payments, "RED", orgs=[sector.insurer])
    assert refused.status_code == 400
    assert _share(sector, sector.bank_admin, payments, "RED", users=[sector.insurer_admin]).status_code == 201
    assert _sees(sector, sector.insurer_admin, payments)
    assert not _sees(sector, sector.insurer_analyst, payments)
    # The named person may not pass it on, not even to a colleague.
    assert _share(sector, sector.insurer_admin, payments, "RED", users=[sector.insurer_analyst]).status_code == 403
    assert not _sees(sector, sector.insurer_analyst, payments)


def test_the_share_list_shows_a_red_share_to_its_named_person_only(sector, payments):
    _share(sector, sector.bank_admin, payments, "RED", users=[sector.insurer_admin])
    assert sector.client(sector.insurer_admin).get(SHARES).json()["count"] == 1
    assert sector.client(sector.insurer_analyst).get(SHARES).json()["count"] == 0
    assert sector.client(sector.hub_analyst).get(SHARES).json()["count"] == 0


def test_unsharing_removes_access_immediately(sector, payments):
    share_id = _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.insurer]).json()["id"]
    assert _sees(sector, sector.insurer_admin, payments)
    # Recipients may not withdraw it, outsiders do not even see it.
    assert sector.client(sector.insurer_admin).delete(f"{SHARES}{share_id}/").status_code == 403
    assert sector.client(sector.hub_analyst).delete(f"{SHARES}{share_id}/").status_code == 404
    assert sector.client(sector.bank_analyst).delete(f"{SHARES}{share_id}/").status_code == 204
    assert not _sees(sector, sector.insurer_admin, payments)
    assert sector.client(sector.bank_admin).delete(f"{SHARES}{share_id}/").status_code == 400  # already withdrawn


def test_readers_may_not_share(sector, payments):
    assert _share(sector, sector.bank_auditor, payments, "GREEN", community=True).status_code == 403
    assert not Share.objects.exists()


def test_nobody_shares_what_they_cannot_see(sector, payments):
    response = _share(sector, sector.insurer_admin, payments, "GREEN", community=True)
    assert response.status_code == 404
    assert not Share.objects.exists()


def test_the_hub_may_pass_amber_on_but_never_lower(sector, payments):
    _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.hub])
    lowered = _share(sector, sector.hub_analyst, payments, "GREEN", orgs=[sector.insurer])
    assert lowered.status_code == 400 and "at least the original marking" in lowered.json()["tlp"][0]
    assert _share(sector, sector.hub_analyst, payments, "GREEN", community=True).status_code == 400
    assert _share(sector, sector.hub_analyst, payments, "AMBER", orgs=[sector.insurer]).status_code == 201
    assert _sees(sector, sector.insurer_analyst, payments)
    # A stricter marking is always allowed: the hub may narrow AMBER to one member.
    assert _share(sector, sector.hub_analyst, payments, "AMBER+STRICT", orgs=[_fsc(sector)]).status_code == 201
    # The member that received AMBER from the hub may not pass it on.
    assert _share(sector, sector.insurer_admin, payments, "AMBER", orgs=[_fsc(sector)]).status_code == 400


def test_a_member_may_not_pass_amber_on(sector, payments):
    _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.insurer])
    response = _share(sector, sector.insurer_admin, payments, "AMBER", orgs=[sector.hub])
    assert response.status_code == 400
    assert not _sees(sector, sector.hub_analyst, payments)


def test_green_may_be_passed_on_by_a_member(sector, payments):
    _share(sector, sector.bank_admin, payments, "GREEN", orgs=[sector.insurer])
    assert _share(sector, sector.insurer_admin, payments, "GREEN", orgs=[sector.hub]).status_code == 201
    assert _sees(sector, sector.hub_analyst, payments)


def test_the_strictest_marking_received_binds_the_recipient(sector, payments):
    _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.hub])
    _share(sector, sector.bank_admin, payments, "AMBER+STRICT", orgs=[sector.hub])
    assert _share(sector, sector.hub_analyst, payments, "AMBER", orgs=[sector.insurer]).status_code == 400
    assert not _sees(sector, sector.insurer_admin, payments)


def test_withdrawing_the_share_to_the_hub_withdraws_the_hubs_reshares(sector, payments):
    to_hub = _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.hub]).json()["id"]
    reshare = _share(sector, sector.hub_analyst, payments, "AMBER", orgs=[sector.insurer]).json()["id"]
    assert _sees(sector, sector.insurer_admin, payments)
    assert sector.client(sector.bank_admin).delete(f"{SHARES}{to_hub}/").status_code == 204
    assert not _sees(sector, sector.hub_analyst, payments)
    assert not _sees(sector, sector.insurer_admin, payments)
    assert Share.objects.get(pk=reshare).revoked_at is not None


def test_the_owner_may_withdraw_a_reshare_of_its_object(sector, payments):
    _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.hub])
    reshare = _share(sector, sector.hub_analyst, payments, "AMBER", orgs=[sector.insurer]).json()["id"]
    assert sector.client(sector.bank_admin).delete(f"{SHARES}{reshare}/").status_code == 204
    assert not _sees(sector, sector.insurer_admin, payments)
    assert _sees(sector, sector.hub_analyst, payments)


def test_recipients_read_but_never_change(sector, payments):
    _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.hub])
    client = sector.client(sector.hub_analyst)
    assert client.patch(_service_url(payments), {"name": "Hijacked"}, format="json").status_code == 404
    assert client.delete(_service_url(payments)).status_code == 404
    assert not BusinessService.objects.restrict(sector.hub_analyst, "change").filter(pk=payments.pk).exists()
    payments.refresh_from_db()
    assert payments.name == "Payments"


def test_a_deactivated_recipient_loses_access(sector, payments):
    _share(sector, sector.bank_admin, payments, "RED", users=[sector.insurer_admin])
    sector.insurer_admin.is_active = False
    sector.insurer_admin.save()
    assert not BusinessService.objects.restrict(sector.insurer_admin).exists()


def test_shares_and_unshares_are_in_the_audit_trail(sector, payments):
    to_hub = _share(sector, sector.bank_admin, payments, "AMBER", orgs=[sector.hub]).json()["id"]
    _share(sector, sector.hub_analyst, payments, "AMBER", orgs=[sector.insurer])
    sector.client(sector.bank_admin).delete(f"{SHARES}{to_hub}/")
    entries = AuditEntry.objects.filter(object_type="inventory.businessservice", object_id=str(payments.pk),
                                        action__in=["share", "unshare"]).order_by("seq")
    summary = [(e.action, e.actor_username, (e.after or e.before)["tlp"]) for e in entries]
    assert summary == [("share", "bank-admin", "AMBER"), ("share", "hub-analyst", "AMBER"),
                       ("unshare", "bank-admin", "AMBER"), ("unshare", "bank-admin", "AMBER")]
    assert entries[0].after["recipient_orgs"] == ["hub"]
    assert entries[3].before["reason"] == "its sharer no longer holds the object"
    # The bank's admin reads the bank's part of it through the API.
    trail = sector.client(sector.bank_admin).get("/api/core/audit/", {"action": "share"}).json()
    assert [row["object_id"] for row in trail["results"]] == [str(payments.pk)]
