"""The demo intelligence: collections, ATT&CK slice, indicators (some anonymous or AMBER),
sightings and subscriptions; a second seed changes nothing."""

import pytest

from forceb.core import demo as core_demo
from forceb.intel import demo, queries
from forceb.intel.models import Collection, StixObject, Subscription
from forceb.inventory import demo as inventory_demo

pytestmark = pytest.mark.slow


def test_demo_seed_fills_the_hub_and_is_idempotent(db):
    context = core_demo.DemoContext(password="demo-password-123")
    core_demo.seed(context)
    inventory_demo.seed(context)
    demo.seed(context)
    counts = (StixObject.objects.count(), Subscription.objects.count(), Collection.objects.count())
    assert StixObject.objects.filter(type="indicator").count() == 120
    assert StixObject.objects.filter(type="sighting").exists()
    assert StixObject.objects.filter(anonymous=True, type="indicator").count() == 18
    assert Subscription.objects.filter(from_inventory=True).exists()
    analyst = context.users["demo-member-analyst"]
    shared = Collection.objects.get(alias="sector-indicators")
    assert queries.visible_objects(analyst, shared).exists()
    assert queries.leaderboard(2026, 3) or queries.leaderboard(2026, 4)
    demo.seed(context)
    assert (StixObject.objects.count(), Subscription.objects.count(), Collection.objects.count()) == counts
