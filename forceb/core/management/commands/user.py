import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from forceb.core import actions, audit
from forceb.core.choices import Role
from forceb.core.models import Organization


class Command(BaseCommand):
    help = "Manage people: 'forceb user create USERNAME --org SLUG --role ROLE [--password-stdin]'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a person")
        create.add_argument("username")
        create.add_argument("--org", required=True, help="organisation slug")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--email", default="")
        create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args, verb, **options):
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organisation with slug {options['org']!r}")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("Password: ")
        else:
            password = None
        with audit.acting_as(label="cli"):
            try:
                user = actions.create_user(username=options["username"], organization=org, role=options["role"],
                                           password=password, email=options["email"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(user.username)
