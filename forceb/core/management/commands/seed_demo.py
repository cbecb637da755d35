"""``forceb seed-demo``: a realistic, fictional sector to explore, created idempotently.

The core seeds organisations and people (``forceb.core.demo``); then every other FORCE-B app with a
``demo`` module seeds its own part through ``demo.seed(context)``, in INSTALLED_APPS order. The core
never imports those apps by name.
"""

import importlib
import importlib.util
import os
import sys
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from forceb.core import audit, demo


def demo_modules():
    """The ``demo`` modules of the installed FORCE-B apps after the core, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("forceb.") or config.name == "forceb.core":
            continue
        if importlib.util.find_spec(f"{config.name}.demo") is not None:
            yield importlib.import_module(f"{config.name}.demo")


class Command(BaseCommand):
    help = "Create (idempotently) a synthetic demo sector: 32 members, the hub, the supervisor, and a login per role."

    def handle(self, *args, **options):
        console = Console(file=options.get("stdout") or sys.stdout)
        password, source = demo.demo_password()
        started = time.monotonic()
        with Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(), console=console,
                      transient=not console.is_terminal) as bar:
            tasks = {}

            def progress(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done, total=total)

            context = demo.DemoContext(password=password, progress=progress)
            # One transaction: a failed seed leaves nothing half-made, and SQLite writes it in one go.
            with audit.acting_as(label="seed-demo"), transaction.atomic():
                demo.seed(context)
                for module in demo_modules():
                    module.seed(context)
        seconds = time.monotonic() - started
        self._how_to_sign_in(console, context, password, source, seconds)

    def _how_to_sign_in(self, console, context, password, source, seconds):
        scheme = "https" if settings.FORCEB_HTTPS else "http"
        port = os.environ.get("FORCEB_PORT", "8000")
        table = Table(title=f"FORCE-B demo sector ready in {seconds:.1f} s: sign in at "
                            f"{scheme}://127.0.0.1:{port}/login/")
        for column in ("username", "role", "organisation"):
            table.add_column(column)
        for username in demo.DEMO_USERS:
            user = context.users[username]
            table.add_row(username, user.get_role_display(), user.organization.name)
        console.print(table)
        console.print(f"password for every demo user: [bold]{password}[/]  (from {source})", highlight=False,
                      soft_wrap=True)
        console.print(f"{len(context.members)} members, hub {context.hub.name}, supervisor {context.supervisor.name}",
                      highlight=False)
