"""Background work of operational resilience (Django tasks API)."""

from django_tasks import task

from forceb.core import audit

from . import actions


@task()
def review_bias_task() -> int:
    """The yearly BIA review: notify members of BIAs older than a year or with RTO beyond the
    tolerance. Safe to run daily: each BIA version is notified once."""
    with audit.acting_as(label="task:resilience-review"):
        return actions.review_bias()
