"""``forceb feeds import PATH`` (air-gapped sites) and ``forceb feeds sync`` (official sources), with progress bars.

ATT&CK comes the same way (``--feed attack``) and lands in the intelligence hub's ATT&CK collection.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from forceb.core import audit

from ... import actions
from ...models import FeedState


class _Bars:
    """Maps the actions' progress callback onto one rich bar per label."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.tasks = {}

    def __call__(self, label: str, done: int, total: int | None) -> None:
        task = self.tasks.get(label)
        if task is None:
            task = self.tasks[label] = self.progress.add_task(label, total=total)
        self.progress.update(task, completed=done, total=total)


class _Amount(ProgressColumn):
    """Bytes for a download, a count for records and objects (one sync shows both)."""

    def __init__(self):
        super().__init__()
        self.size, self.count = DownloadColumn(), MofNCompleteColumn()

    def render(self, task):
        return (self.size if task.description.startswith("download") else self.count).render(task)


class Command(BaseCommand):
    help = ("The knowledge bases: 'forceb feeds import PATH' loads local OSV (JSON, JSONL, gz, zip, folder), KEV "
            "JSON, EPSS CSV and the MITRE ATT&CK STIX bundle; 'forceb feeds sync' downloads what changed from OSV, "
            "CISA, FIRST and MITRE; 'forceb feeds status' shows each source.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        imp = sub.add_parser("import", help="load local feed files or a folder of them")
        imp.add_argument("path")
        imp.add_argument("--no-rematch", action="store_true", help="store only; do not re-match stored SBOMs")
        sync = sub.add_parser("sync", help="download from the official sources (conditional, resumable)")
        sync.add_argument("--feed", action="append", choices=actions.SYNCED_FEEDS,
                          help="only these feeds (repeatable; default all: " + ", ".join(actions.SYNCED_FEEDS) + ")")
        sync.add_argument("--ecosystem", action="append", help="only these OSV ecosystems (default: every "
                                                               "ecosystem OSV lists whose versions can be ordered)")
        sync.add_argument("--force", action="store_true", help="download even when the source says unchanged")
        sub.add_parser("status", help="what was fetched and imported from each source")

    def handle(self, *args, verb, **options):
        console = Console(file=self.stderr)
        if verb == "status":
            for state in FeedState.objects.all():
                self.stdout.write(f"{state.feed}:{state.source}\t{state.get_feed_display()}\t{state.url}\t"
                                  f"{state.records} records\tfetched {state.fetched_at}\timported {state.imported_at}\t"
                                  f"{state.message}")
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        if verb == "sync":
            columns = (TextColumn("{task.description}"), BarColumn(), _Amount(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress, audit.acting_as(label="cli"):
            bars = _Bars(progress)
            try:
                if verb == "import":
                    report = actions.import_feeds(options["path"], bars, rematch=not options["no_rematch"])
                    self.stdout.write(json.dumps(report.as_dict(), indent=2))
                    return
                result = actions.sync_feeds(bars, feeds_wanted=options["feed"] or actions.SYNCED_FEEDS,
                                            ecosystems=options["ecosystem"], force=options["force"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            except actions.FeedDownloadError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"sources": result.sources,
                                      "imported": result.imported.as_dict() if result.imported else None}, indent=2))
        if result.problems:  # a scheduled sync must be seen to fail
            raise CommandError("; ".join(f"{source} {status}" for source, status in result.problems.items()))
