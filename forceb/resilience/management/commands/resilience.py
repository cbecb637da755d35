"""``forceb resilience``: simulate a scenario, export and import the scenario library and BIAs.

Bad input (an unknown scenario or member, an invalid import) exits with status 2 and messages
naming the item; an import stores nothing unless all of it is valid.
"""

import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from forceb.core import audit
from forceb.core.models import Organization
from forceb.resilience import actions, queries

BAD_INPUT = 2


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{item}: {m}" for item, messages in exc.message_dict.items() for m in messages]
    return exc.messages


def _minutes(value) -> str:
    return "no recovery" if value is None else f"{value:g}"


class Command(BaseCommand):
    help = ("Operational resilience: 'forceb resilience simulate --scenario NAME [--org SLUG] "
            "[--format json|table]', 'forceb resilience export [--org SLUG]', "
            "'forceb resilience import FILE' or 'forceb resilience import --defaults', "
            "'forceb resilience review'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        run = sub.add_parser("simulate", help="run a library scenario over a member's graph, or the sector's")
        run.add_argument("--scenario", required=True, help="scenario name in the library")
        run.add_argument("--org", help="member slug (default: the whole sector)")
        run.add_argument("--format", choices=["json", "table"], default="table")
        export = sub.add_parser("export", help="print the scenario library and the BIAs as JSON")
        export.add_argument("--org", help="a member's view: its library and its BIAs")
        load = sub.add_parser("import", help="import a library document (scenarios and BIAs)")
        load.add_argument("file", nargs="?", help="JSON file, or - for standard input")
        load.add_argument("--defaults", action="store_true", help="publish the built-in scenario library")
        sub.add_parser("review", help="notify members of BIAs older than a year or with RTO beyond tolerance")

    def handle(self, *args, verb, **options):
        with audit.acting_as(label="cli"):
            try:
                getattr(self, f"do_{verb}")(**options)
            except ValidationError as exc:
                self.fail(_messages(exc))
            except PermissionDenied as exc:
                self.fail([str(exc)])

    def fail(self, messages: list[str]):
        for message in messages:
            self.stderr.write(self.style.ERROR(message))
        raise CommandError(f"{len(messages)} problem(s); nothing was changed", returncode=BAD_INPUT)

    def _org(self, slug):
        if slug is None:
            return None
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            self.fail([f"org: no organisation {slug!r}"])
        return org

    def do_simulate(self, *, scenario, org, format, **_):
        console = Console(stderr=True)
        with console.status(f"Simulating {scenario} over {org or 'the whole sector'}…"):
            run = actions.simulate(None, scenario, org=org)
        result = run.result
        if format == "json":
            self.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
            return
        table = Table(title=f"{result.scenario} — {org or 'sector'}")
        for column in ("service", "criticality", "recover (min)", "data lost (min)", "tolerance", "RTO", "RPO",
                       "breached"):
            table.add_column(column)
        for s in result.services:
            breached = [name for name, flag in (("tolerance", s.breached_tolerance), ("RTO", s.breached_rto),
                                                ("RPO", s.breached_rpo)) if flag]
            table.add_row(f"{s.org}/{s.name}", s.criticality or "-", _minutes(s.time_to_recover_minutes),
                          _minutes(s.data_lost_minutes) if s.affected else "0",
                          _minutes(s.impact_tolerance_minutes) if s.impact_tolerance_minutes is not None else "?",
                          _minutes(s.rto_minutes) if s.rto_minutes is not None else "?",
                          _minutes(s.rpo_minutes) if s.rpo_minutes is not None else "?",
                          ", ".join(breached) or "no", style="red" if s.breached else None)
        out = Console(file=self.stdout, width=140)
        out.print(table)
        for finding in result.findings:
            out.print(f"[yellow]{finding}[/yellow]")

    def do_export(self, *, org, **_):
        document = queries.export_library(None, self._org(org))
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))

    def do_review(self, **_):
        sent = actions.review_bias()
        self.stdout.write(self.style.SUCCESS(f"BIA review: {sent} notification(s) sent"))

    def do_import(self, *, file, defaults, **_):
        if defaults:
            summary = actions.publish_default_library()
        else:
            if not file:
                self.fail(["give a FILE, - for standard input, or --defaults"])
            try:
                text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
                payload = json.loads(text)
            except OSError as exc:
                self.fail([f"{file}: {exc.strerror}"])
            except ValueError as exc:
                self.fail([f"{file}: not JSON: {exc}"])
            summary = actions.import_scenarios(None, payload)
        self.stdout.write(self.style.SUCCESS(
            f"scenarios: {summary.scenarios_created} created, {summary.scenarios_updated} updated; "
            f"BIAs recorded: {summary.bias_recorded}"))
