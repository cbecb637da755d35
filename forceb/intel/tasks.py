"""Background work of the intelligence hub (Django tasks API)."""

import logging
import uuid
from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from forceb.core import audit

from . import actions, webhooks
from .models import Subscription

log = logging.getLogger(__name__)
#: Attempts of one webhook delivery, and the wait before the second (multiplied by 4 each time:
#: 30 s, 2 min, 8 min, 32 min, about 2 h).
WEBHOOK_ATTEMPTS = 6
WEBHOOK_BACKOFF = timedelta(seconds=30)


@task()
def send_digests_task() -> int:
    """The subscription digests: one notification per subscription with new matches. Safe to run
    again: each digest covers what matched since the previous one."""
    with audit.acting_as(label="task:intel-digests"):
        return actions.send_digests()


@task()
def deliver_webhook_task(subscription_id: int, attempt: int = 1, delivery: str = "") -> int:
    """Deliver a subscription's new matches to its webhook; on failure, try again later with an
    exponential backoff, keeping the delivery id so the receiver can tell a retry."""
    sub = Subscription.objects.select_related("owner", "collection").filter(pk=subscription_id).first()
    if sub is None:
        return 0
    delivery = delivery or str(uuid.uuid4())
    try:
        return webhooks.deliver(sub, delivery)
    except (webhooks.DeliveryFailed, webhooks.RefusedTarget) as exc:
        if attempt >= WEBHOOK_ATTEMPTS:
            log.warning("webhook of subscription %s given up after %s attempts: %s", sub.uuid, attempt, exc)
            return 0
        log.info("webhook of subscription %s failed (attempt %s), retrying: %s", sub.uuid, attempt, exc)
        retry = deliver_webhook_task
        if default_task_backend.supports_defer:
            retry = retry.using(run_after=timezone.now() + WEBHOOK_BACKOFF * 4 ** (attempt - 1))
        retry.enqueue(subscription_id, attempt + 1, delivery)
        return 0


@task()
def deliver_webhooks_task() -> int:
    """Catch-up, to schedule: a delivery for every subscription with a webhook (each sends
    nothing when nothing is pending). Returns how many were enqueued."""
    ids = list(Subscription.objects.exclude(webhook_url="").values_list("pk", flat=True))
    for pk in ids:
        deliver_webhook_task.enqueue(pk)
    return len(ids)
