"""Background work of the Joint Defense SOC (Django tasks API)."""

from django_tasks import task

from forceb.core import audit

from . import actions


@task()
def reextract_tickets_task() -> int:
    """Extract every ticket's observable values again; idempotent, so a retry is harmless."""
    with audit.acting_as(label="task:soc-reextract"):
        return actions.reextract_all()
