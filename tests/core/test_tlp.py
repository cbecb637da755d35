"""The TLP 2.0 rules as plain functions (FIRST, https://www.first.org/tlp/): who a marking lets a
share reach, and who may pass an object on."""

import pytest

from forceb.core.choices import TLP
from forceb.core.tlp import RANK, SharingRefused, check_share, reshare_allowed, strictest


def test_markings_rank_from_clear_to_red():
    assert sorted(TLP, key=RANK.__getitem__) == [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]


@pytest.mark.parametrize("marking", [TLP.CLEAR, TLP.GREEN])
def test_clear_and_green_may_reach_the_whole_community(marking):
    check_share(marking, community=True, recipient_orgs=0, recipient_users=0)


@pytest.mark.parametrize("marking", [TLP.AMBER, TLP.AMBER_STRICT, TLP.RED])
def test_nothing_stricter_than_green_reaches_the_community(marking):
    with pytest.raises(SharingRefused, match="whole community"):
        check_share(marking, community=True, recipient_orgs=1, recipient_users=1)


def test_amber_reaches_named_organisations():
    check_share(TLP.AMBER, community=False, recipient_orgs=3, recipient_users=0)


def test_amber_strict_reaches_exactly_one_organisation():
    check_share(TLP.AMBER_STRICT, community=False, recipient_orgs=1, recipient_users=0)
    for orgs, users in ((2, 0), (0, 1), (1, 1)):
        with pytest.raises(SharingRefused, match="exactly one recipient organisation"):
            check_share(TLP.AMBER_STRICT, community=False, recipient_orgs=orgs, recipient_users=users)


def test_red_reaches_named_people_only():
    check_share(TLP.RED, community=False, recipient_orgs=0, recipient_users=2)
    with pytest.raises(SharingRefused, match="named people"):
        check_share(TLP.RED, community=False, recipient_orgs=1, recipient_users=0)
    with pytest.raises(SharingRefused, match="not with whole organisations"):
        check_share(TLP.RED, community=False, recipient_orgs=1, recipient_users=1)


def test_a_share_needs_a_recipient():
    with pytest.raises(SharingRefused, match="at least one recipient"):
        check_share(TLP.GREEN, community=False, recipient_orgs=0, recipient_users=0)


def test_an_unknown_marking_is_refused():
    with pytest.raises(ValueError):
        check_share("WHITE", community=True, recipient_orgs=0, recipient_users=0)


@pytest.mark.parametrize(("marking", "member", "hub"), [
    (TLP.CLEAR, True, True),
    (TLP.GREEN, True, True),
    (TLP.AMBER, False, True),  # TLP 2.0: AMBER to the recipient's clients; the hub's clients are the members
    (TLP.AMBER_STRICT, False, False),  # the recipient organisation only
    (TLP.RED, False, False),  # the named people only
])
def test_who_may_pass_an_object_on(marking, member, hub):
    assert reshare_allowed(marking, recipient_is_hub=False) is member
    assert reshare_allowed(marking, recipient_is_hub=True) is hub


def test_the_strictest_of_several_markings_binds():
    assert strictest([TLP.GREEN, TLP.AMBER_STRICT, TLP.AMBER]) == TLP.AMBER_STRICT
    assert strictest(["CLEAR"]) == TLP.CLEAR
    assert strictest([]) is None
