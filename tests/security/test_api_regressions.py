"""What the API fuzzing found, pinned: each test was a server error once.

Kept apart from the fuzzing module, whose module-wide sector would collide with the ``sector``
fixture's organisations.
"""

from forceb.core import actions
from forceb.inventory.models import BusinessService, Dependency, System


def test_deleting_a_service_with_dependencies_through_the_api(sector):
    """Was a 500: the audit handler rendered a cascaded dependency after its service was gone."""
    service = actions.save_object(BusinessService(owner=sector.bank, name="Payments"))
    system = actions.save_object(System(owner=sector.bank, name="Core banking"))
    actions.save_object(Dependency(owner=sector.bank, source_service=service, target_system=system))
    response = sector.client(sector.bank_admin).delete(f"/api/inventory/services/{service.pk}/")
    assert response.status_code == 204
    assert not Dependency.objects.filter(owner=sector.bank).exists()


def test_an_out_of_range_id_filter_is_a_bad_request(sector):
    """Was a 500 on SQLite: ``?owner_id=1e300`` overflowed the driver."""
    client = sector.client(sector.bank_admin)
    for path in ("/api/inventory/dependencies/?source_service_id=1e300",
                 "/api/inventory/services/?owner_id=99999999999999999999",
                 "/api/sbom/findings/?system_id=1e300"):
        assert client.get(path).status_code == 400, path
