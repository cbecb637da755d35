"""``forceb inventory import|export``: the inventory's bulk exchange from the command line.

Both verbs act as a named person (``--as``), so the same permissions, tenancy and audit trail
apply as in the UI and API. A refused import prints every problem and exits with status 2.
"""

import sys
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from forceb.core import audit
from forceb.core.models import User
from forceb.inventory import actions, io

# Redraw the bar at most this often: a callback per row would cost more than the row.
REDRAW_SECONDS = 0.1


class Command(BaseCommand):
    help = ("Bulk inventory exchange: 'forceb inventory import FILE --as USERNAME' and "
            "'forceb inventory export --as USERNAME' (format: docs/inventory-import.md).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        load = sub.add_parser("import", help="import a CSV file (one kind) or a JSON document; all or nothing")
        load.add_argument("file", type=Path)
        load.add_argument("--format", choices=io.FORMATS, help="default: from the file name's extension")
        load.add_argument("--kind", choices=io.KINDS, help="the kind a CSV file holds; default: the file's name")
        load.add_argument("--dry-run", action="store_true", help="check everything, store nothing")
        load.add_argument("--as", dest="username", required=True, help="the person importing (a member's writer)")
        dump = sub.add_parser("export", help="export your organisation's inventory")
        dump.add_argument("--format", choices=io.FORMATS, default="json")
        dump.add_argument("--kind", choices=io.KINDS, help="one kind (required for CSV)")
        dump.add_argument("--output", "-o", type=Path, help="write here instead of standard output")
        dump.add_argument("--as", dest="username", required=True, help="the person exporting")

    def handle(self, *args, verb, **options):
        user = User.objects.select_related("organization").filter(username=options["username"],
                                                                  is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['username']!r}")
        console = Console(file=options.get("stderr") or sys.stderr)
        if verb == "import":
            self._import(user, console, options)
        else:
            self._export(user, options)

    def _import(self, user, console, options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        fmt = options["format"] or path.suffix.lstrip(".").lower()
        if fmt not in io.FORMATS:
            raise CommandError("say --format csv or --format json (the file name does not tell)", returncode=2)
        kind = options["kind"] or (path.stem if path.stem in io.KINDS else None)
        if path.stat().st_size > io.max_bytes():
            raise CommandError(f"{path} is larger than {io.max_bytes()} bytes; split it", returncode=2)
        with Progress(TextColumn("[bold]importing[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=console, transient=True) as bar:
            task = bar.add_task(path.name, total=None)
            last = 0.0

            def progress(done: int, total: int) -> None:
                nonlocal last
                now = time.monotonic()
                if now - last >= REDRAW_SECONDS or done == total:
                    bar.update(task, completed=done, total=total)
                    last = now

            try:
                with audit.acting_as(user, label="cli"):
                    result = actions.import_inventory(user, path.read_bytes(), fmt=fmt, kind=kind,
                                                      dry_run=options["dry_run"], progress=progress)
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc
            except io.ImportRejected as rejected:
                bar.stop()
                for problem in rejected.problems:
                    console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
                raise CommandError(f"{path.name} refused: {len(rejected.problems)} problem(s); nothing was imported",
                                   returncode=2) from rejected
        table = Table(title=f"{path.name}{' (dry run: nothing stored)' if result.dry_run else ''}")
        for column in ("kind", "created", "updated", "unchanged"):
            table.add_column(column, justify="left" if column == "kind" else "right")
        for name in io.KINDS:
            counts = (result.created[name], result.updated[name], result.unchanged[name])
            if any(counts):
                table.add_row(name, *map(str, counts))
        console.print(table)
        for note in result.notes:
            console.print(f"note: {note}", markup=False)
        self.stdout.write(result.summary())

    def _export(self, user, options):
        try:
            content = io.export_inventory(user, fmt=options["format"], kind=options["kind"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["output"]:
            options["output"].write_text(content, encoding="utf-8")
            self.stdout.write(str(options["output"]))
        else:
            self.stdout.write(content, ending="")
