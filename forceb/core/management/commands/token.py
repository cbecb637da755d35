from django.core.management.base import BaseCommand, CommandError

from forceb.core import actions, audit
from forceb.core.models import User


class Command(BaseCommand):
    help = "API tokens: 'forceb token create USERNAME [--days N] [--name NAME]' prints only the token."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a token and print it (shown once)")
        create.add_argument("username")
        create.add_argument("--days", type=int)
        create.add_argument("--name", default="cli")

    def handle(self, *args, verb, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['username']!r}")
        if options["days"] is not None and not 1 <= options["days"] <= 366:
            raise CommandError("--days must be between 1 and 366")
        with audit.acting_as(label="cli"):
            _, raw = actions.create_token(user, name=options["name"], days=options["days"])
        self.stdout.write(raw)
