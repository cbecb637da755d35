"""Background work of the SBOM capability (Django tasks API): feed sync and re-matching.

Each task calls the same action as the CLI and is safe to run again: feed import skips unchanged
records by digest, and matching reconciles findings rather than appending them.
"""

from django_tasks import task

from forceb.core import audit

from . import actions
from .models import Sbom


@task()
def sync_feeds_task(feeds: list[str] | None = None, ecosystems: list[str] | None = None) -> dict:
    """Download what changed from OSV, CISA KEV, FIRST EPSS and MITRE ATT&CK, import it, re-match what
    it touches."""
    with audit.acting_as(label="task:sync-feeds"):
        report = actions.sync_feeds(feeds_wanted=feeds or actions.SYNCED_FEEDS, ecosystems=ecosystems)
    return {"sources": report.sources, "imported": report.imported.as_dict() if report.imported else None}


@task()
def rematch_task(advisory_ids: list[str]) -> dict:
    """Re-match only the SBOMs that the given advisories touch (after an import done elsewhere)."""
    with audit.acting_as(label="task:rematch"):
        report = actions.rematch_for_advisories(advisory_ids)
    return {"sboms": report.sboms, "new_findings": report.new_findings, "notified": report.notified}


@task()
def match_sbom_task(sbom_id: int) -> int:
    """Full re-match of one SBOM; returns the number of new findings."""
    sbom = Sbom.objects.filter(pk=sbom_id).first()
    if sbom is None:
        return 0
    with audit.acting_as(label="task:match"):
        return len(actions.match_sbom(sbom).new)
