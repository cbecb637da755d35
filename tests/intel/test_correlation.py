"""Correlation: the same value in several contributions is linked, within what each person may
read; known-benign values are excluded and over-common values capped."""

import pytest
from django.core.exceptions import PermissionDenied

from forceb.core.choices import TLP
from forceb.intel import actions, correlation, queries
from forceb.intel.models import StixObject

from .conftest import indicator

IP = {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
      "value": "198.51.100.1"}


def row(stix_id):
    return StixObject.objects.get(stix_id=stix_id, is_latest=True)


def test_values_are_read_from_patterns_and_observables():
    pattern = ("[file:hashes.'SHA-256' = 'AB12'] OR [domain-name:value = 'Evil.Example'] "
               "AND [ipv4-addr:value = '198.51.100.1']")
    assert correlation.values_of(indicator(1, pattern=pattern)) == {
        ("sha-256", "ab12"), ("domain-name", "evil.example"), ("ipv4-addr", "198.51.100.1")}
    assert correlation.values_of(IP) == {("ipv4-addr", "198.51.100.1")}


def test_the_same_value_links_contributions_of_different_members(shared):
    shared.collection.writers.add(shared.insurer)
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])  # 198.51.100.1
    actions.add_objects(shared.insurer_analyst, shared.collection, [IP, indicator(2)])
    found = queries.correlations(shared.hub_analyst, row(indicator(1)["id"]))
    assert [(c.kind, c.value) for c in found] == [("ipv4-addr", "198.51.100.1")]
    assert [o.stix_id for o in found[0].others] == [IP["id"]]


def test_correlation_respects_access_on_both_sides(shared):
    shared.collection.writers.add(shared.insurer)
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    actions.add_objects(shared.insurer_analyst, shared.collection,
                        [indicator(251, tlp=TLP.AMBER_STRICT)])  # 198.51.100.1 too (251 % 250)
    secret = row(indicator(251)["id"])
    assert [o.stix_id for o in queries.correlations(shared.hub_analyst, row(indicator(1)["id"]))[0].others] == \
        [secret.stix_id]
    assert queries.correlations(shared.bank_analyst, row(indicator(1)["id"])) == []  # may not see the other side
    assert queries.correlations(shared.bank_analyst, secret) == []  # nor start from it


def test_excluded_and_over_common_values_do_not_link(shared, monkeypatch):
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1), IP])
    assert queries.correlations(shared.hub_analyst, row(IP["id"]))
    actions.exclude_from_correlation(shared.hub_analyst, "198.51.100.1", "test range")
    assert queries.correlations(shared.hub_analyst, row(IP["id"])) == []
    with pytest.raises(PermissionDenied):
        actions.exclude_from_correlation(shared.bank_analyst, "203.0.113.1")


def test_values_past_the_cap_are_reported_as_capped(shared, monkeypatch):
    monkeypatch.setattr(correlation, "CAP", 1)
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1), indicator(251), IP])
    (capped,) = queries.correlations(shared.hub_analyst, row(IP["id"]))
    assert capped.capped and capped.others == []
