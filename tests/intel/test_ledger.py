"""The contribution ledger: quality-weighted points, a quarterly leaderboard, nothing for
duplicates and self-sightings."""

from datetime import UTC, datetime

import time_machine

from forceb.intel import actions, queries
from forceb.intel.ledger import RULES

from .conftest import indicator

REL = "relationship--{n:08d}-0000-4000-8000-000000000000"


def relationship(n, source, target):
    return {"type": "relationship", "spec_version": "2.1", "id": REL.format(n=n), "relationship_type": "indicates",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "source_ref": source, "target_ref": target}


def board(year=2025, quarter=2):
    return {name: (points, rules) for name, points, rules in queries.leaderboard(year, quarter)}


@time_machine.travel(datetime(2025, 5, 1, tzinfo=UTC), tick=True)
def test_points_by_quality(shared):
    writers = shared.collection.writers
    writers.add(shared.insurer)
    first = indicator(1)
    same_pattern_later = indicator(2, pattern=first["pattern"])
    actions.add_objects(shared.bank_analyst, shared.collection, [first])
    actions.add_objects(shared.insurer_analyst, shared.collection, [same_pattern_later])
    actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1, modified="2024-06-01T00:00:00.000Z")])
    # the insurer re-posts the bank's object: a duplicate of someone else's id earns nothing
    actions.add_objects(shared.insurer_analyst, shared.collection,
                        [indicator(1, modified="2024-07-01T00:00:00.000Z")])
    sightings = actions.create_collection(shared.hub_analyst, title="Sightings", readers=[shared.bank],
                                          writers=[shared.bank, shared.insurer])
    actions.report_sighting(shared.insurer_analyst, sightings, sighting_of=first["id"])
    actions.report_sighting(shared.bank_analyst, sightings, sighting_of=first["id"])  # self-sighting
    attack = {"type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--0a3ead4e-6d47-4ccb-854c-a6a4f9d96b22",
              "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z", "name": "Phishing"}
    actions.add_objects(shared.hub_analyst, shared.collection, [attack])
    actions.add_objects(shared.bank_analyst, shared.collection, [relationship(1, first["id"], attack["id"])])

    points = board()
    bank_points, bank_rules = points["Bank A"]
    assert bank_rules == {"new": 10 + 3, "version": 2, "early": 5, "confirmed": 3, "linked": 2}
    assert bank_points == 25
    insurer_points, insurer_rules = points["Insurer B"]
    assert insurer_rules == {"new": 10 + 1}  # its own indicator and its sighting of the bank's
    assert [name for name in points] == ["Bank A", "Insurer B"]
    assert "F-ISAC" not in points  # the hub is not ranked


def test_a_quarter_counts_only_its_own_contributions(shared):
    with time_machine.travel(datetime(2025, 2, 1, tzinfo=UTC), tick=True):
        actions.add_objects(shared.bank_analyst, shared.collection, [indicator(1)])
    with time_machine.travel(datetime(2025, 5, 1, tzinfo=UTC), tick=True):
        actions.add_objects(shared.bank_analyst, shared.collection, [indicator(2), indicator(3)])
    assert board(2025, 1)["Bank A"][0] == 10
    assert board(2025, 2)["Bank A"][0] == 20
    assert board(2025, 3) == {}


def test_rules_are_stated():
    assert set(RULES) == {"new", "version", "early", "confirmed", "linked"}
