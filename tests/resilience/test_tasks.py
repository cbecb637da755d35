"""The yearly BIA review: who is told about what, once per BIA version, from the task and the CLI."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from forceb.core.models import Notification
from forceb.inventory.models import BusinessService
from forceb.resilience import actions
from forceb.resilience.models import BusinessImpactAnalysis
from forceb.resilience.tasks import review_bias_task

pytestmark = pytest.mark.django_db


def _approved(service, *, days_ago, rto=60, tolerance=240):
    bia = actions.record_bia(None, service, rto_minutes=rto, impact_tolerance_minutes=tolerance)
    return actions.approve_bia(None, bia, at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def bias(sector):
    old_service = BusinessService.objects.create(owner=sector.bank, name="Payments", criticality="critical")
    fresh_service = BusinessService.objects.create(owner=sector.bank, name="Cards")
    other_service = BusinessService.objects.create(owner=sector.insurer, name="Claims")
    old = _approved(old_service, days_ago=400)
    fresh = _approved(fresh_service, days_ago=30)
    # A version whose RTO outgrew its tolerance (written around the action's check, as old data is).
    inconsistent = _approved(other_service, days_ago=10)
    BusinessImpactAnalysis.objects.filter(pk=inconsistent.pk).update(rto_minutes=500)
    return sector, old, fresh, inconsistent


def test_task_notifies_each_owner_of_its_due_bias_only(bias):
    sector, old, fresh, inconsistent = bias
    assert review_bias_task.enqueue().return_value == 2
    bank = list(Notification.objects.filter(organization=sector.bank))
    insurer = list(Notification.objects.filter(organization=sector.insurer))
    assert [n.title for n in bank] == ["BIA review due: Payments v1"]
    assert "more than a year ago" in bank[0].body
    assert bank[0].link.endswith(f"/resilience/bias/{old.pk}/")
    assert [n.title for n in insurer] == ["BIA review due: Claims v1"]
    assert "RTO 500 min exceeds the impact tolerance 240 min" in insurer[0].body


def test_running_again_repeats_nothing_but_a_new_overdue_version_is_told(bias):
    sector, old, *_ = bias
    review_bias_task.enqueue()
    assert review_bias_task.enqueue().return_value == 0
    assert Notification.objects.count() == 2
    # The member records a v2 but approval is backdated past a year too: that version is new news.
    _approved(old.service, days_ago=380)
    assert actions.review_bias() == 1
    assert Notification.objects.filter(organization=sector.bank, title="BIA review due: Payments v2").exists()


def test_a_superseded_version_is_not_reviewed(bias):
    sector, old, *_ = bias
    _approved(old.service, days_ago=1)
    actions.review_bias()
    assert not Notification.objects.filter(organization=sector.bank).exists()


def test_cli_review_verb(bias):
    out = io.StringIO()
    call_command("resilience", "review", stdout=out)
    assert "2 notification(s) sent" in out.getvalue()
    out = io.StringIO()
    call_command("resilience", "review", stdout=out)
    assert "0 notification(s) sent" in out.getvalue()
