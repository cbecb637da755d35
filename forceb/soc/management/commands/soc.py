"""``forceb soc``: the Joint Defense SOC's verbs.

``forceb soc reextract`` extracts every ticket's values again (after the exclusion list or the
extraction engine changed).

``forceb soc ticket-import FILE --as USERNAME`` reports the ticket of a JSON file (the document of
``forceb/soc/schemas/ticket.schema.json``; ``-`` reads standard input) in the name of a member's
analyst or admin. A malformed ticket exits with status 2, each problem named with its place, and
nothing is stored.
"""

import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from forceb.core import audit
from forceb.core.models import User
from forceb.soc import actions

BAD_INPUT = 2


class Command(BaseCommand):
    help = ("Joint Defense SOC: 'forceb soc ticket-import FILE --as USERNAME' reports an incident ticket; "
            "'forceb soc reextract' extracts every ticket's values again.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        imp = sub.add_parser("ticket-import", help="report the incident ticket of a JSON file")
        imp.add_argument("file", help="JSON ticket document, or - for standard input")
        imp.add_argument("--as", dest="username", required=True, help="a member analyst or admin")
        sub.add_parser("reextract", help="extract every ticket's observable values again (after the exclusion "
                                         "list or the extraction engine changed)")

    def handle(self, *args, verb, **options):
        getattr(self, f"do_{verb.replace('-', '_')}")(**options)

    def fail(self, messages: list[str]):
        for message in messages:
            self.stderr.write(self.style.ERROR(message))
        raise CommandError(f"{len(messages)} problem(s); nothing was stored", returncode=BAD_INPUT)

    def do_ticket_import(self, *, file, username, **_):
        user = User.objects.filter(username=username, is_active=True).select_related("organization").first()
        if user is None:
            self.fail([f"--as: no active user {username!r}"])
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            self.fail([f"{file}: {exc.strerror}"])
        try:
            document = json.loads(text)
        except ValueError as exc:
            self.fail([f"{file}: not JSON: {exc}"])
        with audit.acting_as(user=user):
            try:
                ticket = actions.submit_ticket(user, document)
            except ValidationError as exc:
                self.fail([f"{where}: {problem}" for where, problems in exc.message_dict.items()
                           for problem in problems])
            except PermissionDenied as exc:
                self.fail([f"--as: {exc}"])
        self.stdout.write(self.style.SUCCESS(
            f"ticket #{ticket.pk} reported for {ticket.owner.slug}: {ticket.title} "
            f"({ticket.values.count()} observable value(s))"))

    def do_reextract(self, **_):
        with audit.acting_as(label="cli"):
            done = actions.reextract_all()
        self.stdout.write(self.style.SUCCESS(f"{done} ticket(s) extracted again"))
