"""``forceb sbom scan FILE`` (CI/CD gate, stores nothing), ``forceb sbom import FILE --system ID`` and
``forceb sbom vex FILE --system ID`` (apply a VEX document to the system's current SBOM).

Exit codes of ``scan``: 0 no failing finding, 1 failing findings (``--fail-on``), 2 bad input.
"""

import io
import json
import sys

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from forceb.core import audit
from forceb.core.models import User
from forceb.inventory.models import Supplier, System

from ... import actions, exports, queries, readers

FAIL_ON = {
    "kev": lambda r: r.kev,
    "critical": lambda r: r.severity == "critical",
    "high": lambda r: r.severity in ("critical", "high"),
}


class Command(BaseCommand):
    help = ("SBOMs: 'forceb sbom scan FILE [--format table|json|sarif|cyclonedx-vex|cyclonedx-vex-xml] "
            "[--fail-on kev|critical|high]' scans against the stored knowledge base without storing anything; "
            "'forceb sbom import FILE --system ID [--as USERNAME]' stores it for a system; "
            "'forceb sbom vex FILE --system ID [--as USERNAME]' applies a CycloneDX VEX (JSON or XML) or OpenVEX "
            "document to the system's current SBOM.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        scan = sub.add_parser("scan", help="scan an SBOM file (nothing is stored)")
        scan.add_argument("file")
        scan.add_argument("--format", choices=["table", "json", "sarif", "cyclonedx-vex", "cyclonedx-vex-xml"],
                          default="table")
        scan.add_argument("--fail-on", choices=sorted(FAIL_ON), action="append", default=[],
                          help="exit 1 when a finding is known exploited / critical / high or critical (repeatable)")
        scan.add_argument("--output", "-o", help="write the report to this file instead of standard output")
        imp = sub.add_parser("import", help="store an SBOM as a system's current SBOM and match it")
        imp.add_argument("file")
        imp.add_argument("--system", type=int, required=True, help="id of the inventory system")
        imp.add_argument("--as", dest="username", help="act as this person (their permissions apply)")
        imp.add_argument("--supplier", type=int, help="id of the registry supplier that delivered it")
        imp.add_argument("--deliverable", default="")
        vex = sub.add_parser("vex", help="apply a CycloneDX VEX (JSON or XML) or OpenVEX document to a system's "
                                         "current SBOM: every statement or none")
        vex.add_argument("file")
        vex.add_argument("--system", type=int, required=True, help="id of the inventory system")
        vex.add_argument("--as", dest="username", help="act as this person (their permissions apply)")
        rematch = sub.add_parser("rematch", help="re-match every current SBOM against the knowledge base")
        rematch.add_argument("--system", type=int, help="only this system's current SBOM")

    def handle(self, *args, verb, **options):
        return getattr(self, f"do_{verb}")(**options)

    # ---------------------------------------------------------------------------------------
    def do_scan(self, file, format, fail_on, output, **_):
        try:
            doc = readers.read_sbom_file(file)
        except readers.SbomError as exc:
            self.stderr.write(f"error: {exc}")
            sys.exit(2)
        result = queries.matcher().match(doc.components)
        names = {c.ref: c.name for c in doc.components}
        rows = exports.rows_from_scan(result.findings, names)
        if format == "json":
            text = exports.dumps(exports.scan_json(result.summary, rows))
        elif format == "sarif":
            text = exports.dumps(exports.sarif(rows, artifact=file))
        elif format in ("cyclonedx-vex", "cyclonedx-vex-xml"):
            text = exports.cyclonedx_vex(rows, subject=doc.name or file, subject_version=doc.version or "",
                                         encoding="xml" if format.endswith("-xml") else "json")
        else:
            text = None
        if text is not None:
            if output:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
            else:
                self.stdout.write(text)
        else:
            self._table(result.summary, rows, output)
        failing = [r for r in rows if any(FAIL_ON[f](r) for f in fail_on)]
        if failing:
            self.stderr.write(f"{len(failing)} finding(s) fail the gate ({', '.join(fail_on)})")
            sys.exit(1)

    def _table(self, summary, rows, output):
        buffer = io.StringIO()
        console = Console(file=buffer, width=160)
        table = Table(title=f"{len(rows)} findings", show_lines=False)
        for col in ("#", "vulnerability", "component", "severity", "CVSS", "KEV", "EPSS", "upgrade to"):
            table.add_column(col)
        for r in rows:
            table.add_row(str(r.priority), r.id, f"{r.name}@{r.version}", r.severity,
                          f"{r.cvss_score:.1f}" if r.cvss_score is not None else "", "KEV" if r.kev else "",
                          f"{r.epss:.3f}" if r.epss is not None else "", r.upgrade_to or "")
        console.print(table)
        console.print(f"{summary['components']} components: {summary['recognised']} recognised, "
                      f"{summary['matched']} vulnerable, {summary['unsupported']} in unsupported ecosystems, "
                      f"{summary['no_purl']} without purl, {summary['indeterminate']} indeterminate")
        for reason in summary.get("unsupported_reasons", {}).values():
            console.print(f"  not scanned: {reason}", style="yellow")
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(buffer.getvalue())
        else:
            self.stdout.write(buffer.getvalue(), ending="")

    # ---------------------------------------------------------------------------------------
    def _actor_and_system(self, username, system):
        actor = None
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {username!r}")
        target = System.objects.filter(pk=system).first()
        if target is None:
            raise CommandError(f"no system with id {system}")
        return actor, target

    def _read(self, file) -> bytes:
        try:
            with open(file, "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise CommandError(f"{file}: cannot read: {exc.strerror}") from exc

    def _refuse(self, file, exc):
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        self.stderr.write(f"error: {file}: {message}")
        sys.exit(2)

    def do_import(self, file, system, username, supplier, deliverable, **_):
        actor, target = self._actor_and_system(username, system)
        deliverer = None
        if supplier is not None:
            deliverer = Supplier.objects.filter(pk=supplier).first()
            if deliverer is None:
                raise CommandError(f"no supplier with id {supplier}")
        payload = self._read(file)
        try:
            with audit.acting_as(actor, label="cli"):
                sbom = actions.ingest_sbom(actor, target, payload, file, supplier=deliverer, deliverable=deliverable)
        except (ValidationError, PermissionDenied) as exc:
            self._refuse(file, exc)
        summary = sbom.scan_summary
        self.stdout.write(json.dumps({"sbom": sbom.pk, "system": target.pk, "components": summary.get("components", 0),
                                      "findings": sbom.findings.count(), "ntia_ok": sbom.ntia_ok,
                                      "warnings": len(sbom.warnings)}))

    def do_vex(self, file, system, username, **_):
        actor, target = self._actor_and_system(username, system)
        payload = self._read(file)
        try:
            with audit.acting_as(actor, label="cli"):
                result = actions.import_vex(actor, target, payload)
        except (ValidationError, PermissionDenied) as exc:
            self._refuse(file, exc)
        self.stdout.write(json.dumps({"system": target.pk, **result}))

    def do_rematch(self, system, **_):
        from ...models import Sbom

        sboms = Sbom.objects.filter(is_current=True)
        if system is not None:
            sboms = sboms.filter(system_id=system)
        total = 0
        with audit.acting_as(label="cli"):
            for sbom in sboms:
                total += len(actions.match_sbom(sbom).new)
        self.stdout.write(f"{sboms.count()} SBOMs re-matched, {total} new findings")
