"""Background work of the intelligence hub (Django tasks API)."""

from django_tasks import task

from forceb.core import audit

from . import actions


@task()
def send_digests_task() -> int:
    """The subscription digests: one notification per subscription with new matches. Safe to run
    again: each digest covers what matched since the previous one."""
    with audit.acting_as(label="task:intel-digests"):
        return actions.send_digests()
