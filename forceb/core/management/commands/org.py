from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from forceb.core import actions, audit
from forceb.core.choices import OrganizationKind, Sector
from forceb.core.models import Organization


class Command(BaseCommand):
    help = "Manage organisations: 'forceb org create SLUG --name NAME --kind member|hub|supervisor', 'forceb org list'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create an organisation")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--kind", required=True, choices=OrganizationKind.values)
        create.add_argument("--sector", choices=Sector.values, default="")
        create.add_argument("--tier", type=int, choices=[1, 2, 3])
        sub.add_parser("list", help="list organisations")

    def handle(self, *args, verb, **options):
        if verb == "list":
            for org in Organization.objects.all():
                self.stdout.write(f"{org.slug}\t{org.kind}\t{org.sector or '-'}\t{org.tier or '-'}\t{org.name}")
            return
        if options["kind"] == OrganizationKind.MEMBER and (not options["sector"] or not options["tier"]):
            raise CommandError("a member organisation needs --sector and --tier")
        with audit.acting_as(label="cli"):
            try:
                org = actions.create_organization(slug=options["slug"], name=options["name"], kind=options["kind"],
                                                  sector=options["sector"], tier=options["tier"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(org.slug)
