"""The intelligence hub's verbs: collections, bundle import and export, loading ATT&CK.

    forceb intel collection create TITLE [--readers SLUG,...] [--writers SLUG,...]   prints the id
    forceb intel collection list
    forceb intel import BUNDLE --collection ID --as USERNAME [--anonymous]
    forceb intel export --collection ID [--as USERNAME] [--output FILE]
    forceb intel attack-import [FILE] [--collection ID] [--as USERNAME]   (online: forceb feeds sync --feed attack)
    forceb intel misp-import EVENT.json --collection ID --as USERNAME [--anonymous]
    forceb intel misp-export --collection ID [--as USERNAME] [--output FILE]
    forceb intel digests
    forceb intel webhook set SUBSCRIPTION URL [--as USERNAME]     prints the signing secret, once
    forceb intel webhook clear SUBSCRIPTION [--as USERNAME]
    forceb intel webhook test SUBSCRIPTION [--as USERNAME]
    forceb intel report [--quarter 2026Q3] [--format html|pdf] -o FILE
"""

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from forceb.core import audit
from forceb.core.choices import TLP, WRITER_ROLES
from forceb.core.models import Organization, User
from forceb.intel import actions, exports, misp, stix
from forceb.intel.models import Collection, Subscription

ATTACK_FILE = "intel/attack/enterprise-attack-v15.json.gz"


class Command(BaseCommand):
    help = "Threat-intelligence hub: collections, STIX bundle import/export, ATT&CK loading."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        coll = sub.add_parser("collection", help="manage TAXII collections")
        coll_sub = coll.add_subparsers(dest="collection_verb", required=True)
        create = coll_sub.add_parser("create", help="create a hub collection and print its id")
        create.add_argument("title")
        create.add_argument("--description", default="")
        create.add_argument("--alias", default="")
        create.add_argument("--readers", default="", help="organisation slugs, comma-separated")
        create.add_argument("--writers", default="", help="organisation slugs, comma-separated")
        create.add_argument("--default-tlp", default=TLP.GREEN, choices=TLP.values)
        create.add_argument("--anonymous", action="store_true",
                            help="republish contributions under the hub's identity")
        coll_sub.add_parser("list", help="list collections")

        imp = sub.add_parser("import", help="import a STIX 2.1 bundle (all or nothing)")
        imp.add_argument("bundle")
        imp.add_argument("--collection", required=True)
        imp.add_argument("--as", dest="username", required=True)
        imp.add_argument("--anonymous", action="store_true")

        exp = sub.add_parser("export", help="export a collection as a STIX bundle (latest versions)")
        exp.add_argument("--collection", required=True)
        exp.add_argument("--as", dest="username",
                         help="export what this person may read; without it, only TLP:CLEAR and TLP:GREEN")
        exp.add_argument("--output", "-o", help="file to write (default: standard output)")

        attack = sub.add_parser("attack-import", help="load the MITRE ATT&CK Enterprise bundle from a file")
        attack.add_argument("file", nargs="?", help=f"default: $FORCEB_SHARED_DATA/{ATTACK_FILE}")
        attack.add_argument("--collection", help="default: the hub's ATT&CK collection, created if missing")
        attack.add_argument("--as", dest="username", help="default: the first hub analyst or platform admin")

        mimp = sub.add_parser("misp-import", help="import a MISP JSON event (attributes become indicators)")
        mimp.add_argument("event")
        mimp.add_argument("--collection", required=True)
        mimp.add_argument("--as", dest="username", required=True)
        mimp.add_argument("--anonymous", action="store_true")
        mexp = sub.add_parser("misp-export", help="export a collection's simple indicators as a MISP JSON event")
        mexp.add_argument("--collection", required=True)
        mexp.add_argument("--as", dest="username",
                          help="export what this person may read; without it, only TLP:CLEAR and TLP:GREEN")
        mexp.add_argument("--output", "-o")
        sub.add_parser("digests", help="send the subscription digests now (also a background task)")
        hook = sub.add_parser("webhook", help="deliver a subscription to an https URL, signed")
        hook_sub = hook.add_subparsers(dest="webhook_verb", required=True)
        for verb, text in (("set", "deliver new matches to URL; prints the signing secret, shown once"),
                           ("clear", "stop delivering"), ("test", "send a signed delivery without objects now")):
            parser_of_verb = hook_sub.add_parser(verb, help=text)
            parser_of_verb.add_argument("subscription", help="the subscription's id or TAXII id")
            if verb == "set":
                parser_of_verb.add_argument("url")
            parser_of_verb.add_argument(
                "--as", dest="username",
                help="a member analyst or admin of the subscribing organisation (default: its first one)")
        rep = sub.add_parser("report", help="the English threat-posture report (TLP:CLEAR and GREEN only)")
        rep.add_argument("--quarter", help="such as 2026Q3; default: the current quarter")
        rep.add_argument("--format", dest="fmt", choices=("html", "pdf"), default="html")
        rep.add_argument("--output", "-o", required=True)

    def handle(self, *args, verb, **options):
        self.console = Console(file=self.stderr._out, stderr=True)
        handler = {"collection": self.collection, "import": self.import_bundle, "export": self.export,
                   "attack-import": self.attack_import, "misp-import": self.misp_import,
                   "misp-export": self.misp_export, "digests": self.digests, "webhook": self.webhook,
                   "report": self.report}[verb]
        with audit.acting_as(label="cli"):
            handler(**options)

    # collections ------------------------------------------------------------------------------
    def collection(self, collection_verb, **options):
        if collection_verb == "list":
            for coll in Collection.objects.prefetch_related("readers", "writers"):
                readers = ",".join(o.slug for o in coll.readers.all()) or "-"
                writers = ",".join(o.slug for o in coll.writers.all()) or "-"
                self.stdout.write(f"{coll.uuid}\t{coll.title}\treaders={readers}\twriters={writers}")
            return
        try:
            coll = actions.create_collection(
                None, title=options["title"], description=options["description"], alias=options["alias"],
                readers=_orgs(options["readers"]), writers=_orgs(options["writers"]),
                default_tlp=options["default_tlp"], anonymous=options["anonymous"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(str(coll.uuid))

    # import / export ----------------------------------------------------------------------------
    def import_bundle(self, bundle, collection, username, anonymous, **options):
        user = _user(username)
        coll = _collection(collection)
        objects = _read_bundle(Path(bundle))
        with audit.acting_as(user=user):
            result = self._add(user, coll, objects, anonymous=anonymous or None)
        self.stdout.write(f"stored {result.stored} version(s), {result.duplicates} already present; "
                          f"status {result.status.uuid}")

    def export(self, collection, username, output, **options):
        coll = _collection(collection)
        user = _user(username) if username else None
        handle = open(output, "w", encoding="utf-8") if output else self.stdout._out  # noqa: SIM115
        try:
            count = exports.write_bundle(handle, coll, user)
        finally:
            if output:
                handle.close()
        self.console.print(f"exported {count} object(s)")

    def attack_import(self, file, collection, username, **options):
        path = Path(file) if file else settings.FORCEB_SHARED_DATA / ATTACK_FILE
        if not path.exists():
            raise CommandError(f"no ATT&CK bundle at {path}")
        try:
            user = _user(username) if username else actions.attack_contributor()
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=self.console) as progress, audit.acting_as(user=user):
                bars: dict = {}

                def show(label, done, total):
                    if label not in bars:
                        bars[label] = progress.add_task(label, total=total)
                    progress.update(bars[label], completed=done, total=total)

                result = actions.import_attack(path, collection=_collection(collection) if collection else None,
                                               actor=user, progress=show)
        except ValidationError as exc:
            for message in exc.messages[1:]:
                self.console.print(f"[red]{message}[/]")
            raise CommandError(exc.messages[0]) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result.collection.uuid}: stored {result.stored} ATT&CK version(s), "
                          f"{result.present} already present")

    def misp_import(self, event, collection, username, anonymous, **options):
        user = _user(username)
        coll = _collection(collection)
        try:
            document = json.loads(Path(event).read_text(encoding="utf-8"))
            objects, skipped = misp.event_to_stix(document)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{event}: {exc}") from exc
        for line in skipped:
            self.console.print(f"[yellow]left out[/] (no STIX equivalent) {line}")
        if not objects:
            raise CommandError("the event has no attribute with a STIX equivalent; nothing was stored")
        with audit.acting_as(user=user):
            result = self._add(user, coll, objects, anonymous=anonymous or None)
        self.stdout.write(f"stored {result.stored} version(s) from the MISP event, {len(skipped)} attribute(s) "
                          f"left out; status {result.status.uuid}")

    def misp_export(self, collection, username, output, **options):
        coll = _collection(collection)
        user = _user(username) if username else None
        event, left_out = misp.stix_to_event(list(exports.latest_objects(coll, user)), info=coll.title)
        text = json.dumps(event, indent=1, ensure_ascii=False)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text)
        self.console.print(f"exported {len(event['Event']['Attribute'])} attribute(s); {left_out} indicator(s) "
                           "with patterns MISP attributes cannot hold were left out")

    def digests(self, **options):
        self.stdout.write(f"sent {actions.send_digests()} digest(s)")

    def webhook(self, webhook_verb, subscription, username, url=None, **options):
        found = _subscription(subscription)
        user = _user(username) if username else _writer_of(found.owner)
        try:
            with audit.acting_as(user=user):
                if webhook_verb == "set":
                    secret = actions.set_webhook(user, found, url)
                elif webhook_verb == "clear":
                    actions.clear_webhook(user, found)
                else:
                    answered = actions.send_test_delivery(user, found)
        except PermissionDenied as exc:
            raise CommandError(f"{user.username}: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if webhook_verb == "set":
            self.stdout.write(secret)
            self.console.print(
                f"'{found.name}' is delivered to {found.webhook_url}. The line above is the signing secret, "
                "shown this once: store it with the receiver. Each POST carries X-Forceb-Signature = "
                "'sha256=' + hex HMAC-SHA256(secret, X-Forceb-Timestamp + '.' + raw body); see docs/intel.md.")
        elif webhook_verb == "clear":
            self.stdout.write(f"'{found.name}' is no longer delivered by webhook")
        else:
            self.stdout.write(f"test delivery to {found.webhook_url}: answered {answered}")

    def report(self, quarter, fmt, output, **options):
        from forceb.intel import report

        try:
            year, number = report.parse_quarter(quarter) if quarter else report.current_quarter()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        built = report.build(year, number)
        if fmt == "pdf":
            Path(output).write_bytes(report.render_pdf(built))
        else:
            Path(output).write_text(report.render_html(built), encoding="utf-8")
        self.stdout.write(f"{built.title}: {output}")

    def _add(self, user, coll, objects, *, anonymous):
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=False) as progress:
            checking = progress.add_task("validating (stix2-validator)", total=len(objects))
            problems = stix.validate_many(objects, progress=lambda n: progress.advance(checking, n))
            if problems:
                for problem in problems[:20]:
                    self.console.print(f"[red]{problem.object_id or '(no id)'}[/]: {problem.message}")
                raise CommandError(f"{len(problems)} problem(s) in the bundle; nothing was stored")
            storing = progress.add_task("storing", total=len(objects))
            try:
                return actions.add_objects(user, coll, objects, anonymous=anonymous, validated=True,
                                           progress=lambda n: progress.advance(storing, n))
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc


def _orgs(slugs: str) -> list[Organization]:
    wanted = [s.strip() for s in slugs.split(",") if s.strip()]
    found = {o.slug: o for o in Organization.objects.filter(slug__in=wanted)}
    missing = [s for s in wanted if s not in found]
    if missing:
        raise CommandError(f"unknown organisation(s): {', '.join(missing)}")
    return [found[s] for s in wanted]


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).select_related("organization").first()
    if user is None:
        raise CommandError(f"no active user {username!r}")
    return user


def _subscription(ident: str) -> Subscription:
    query = Subscription.objects.select_related("owner", "collection")
    if ident.isdigit():
        found = query.filter(pk=int(ident)).first()
    else:
        try:
            found = query.filter(uuid=uuid.UUID(ident)).first()
        except ValueError:
            found = None
    if found is None:
        raise CommandError(f"no subscription {ident!r} (give its id or its TAXII id)")
    return found


def _writer_of(organization: Organization) -> User:
    user = User.objects.filter(organization=organization, is_active=True, role__in=WRITER_ROLES) \
        .select_related("organization").order_by("pk").first()
    if user is None:
        raise CommandError(f"{organization.slug} has no active analyst or admin to act as; use --as")
    return user


def _collection(ident: str) -> Collection:
    try:
        found = Collection.objects.filter(uuid=uuid.UUID(ident)).first()
    except ValueError:
        found = Collection.objects.filter(alias=ident).first() if ident else None
    if found is None:
        raise CommandError(f"no collection {ident!r}")
    return found


def _read_bundle(path: Path) -> list:
    try:
        return actions.read_bundle_file(path)
    except ValidationError as exc:
        raise CommandError(exc.messages[0]) from exc
