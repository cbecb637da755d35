import sys

from django.core.management.base import BaseCommand

from forceb.core import audit


class Command(BaseCommand):
    help = "The audit trail: 'forceb audit verify' checks the whole hash chain (exit 0 only when intact)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("verify", help="verify the hash chain and name the first altered or removed entry")

    def handle(self, *args, verb, **options):
        report = audit.verify()
        if report.intact:
            self.stdout.write(self.style.SUCCESS(report.message))
            return
        self.stderr.write(self.style.ERROR(f"audit chain broken: {report.message}"))
        sys.exit(1)
